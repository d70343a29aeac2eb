import { expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { rows, withUser } from "../src/index.ts";
import { describeDb } from "./harness.ts";

describeDb("smoke", (ctx) => {
  it("migrates and mirrors a user", async () => {
    const db = ctx.database.db;
    await db.execute(sql`insert into auth.users (id, email, raw_user_meta_data) values ('00000000-0000-4000-8000-000000000001', 'ann@example.com', '{"full_name":"Ann Lee"}')`);
    const r = await rows<{ display_name: string }>(db, sql`select display_name from public.users`);
    expect(r).toEqual([{ display_name: "Ann Lee" }]);
    const me = await withUser(ctx.database, { sub: "00000000-0000-4000-8000-000000000001", role: "authenticated" }, (tx) =>
      rows<{ uid: string; cu: string }>(tx, sql`select auth.uid() as uid, current_user as cu`),
    );
    expect(me).toEqual([{ uid: "00000000-0000-4000-8000-000000000001", cu: "authenticated" }]);
  });
});
