// postgres only: a pg_dump -Fc / pg_restore round trip of a small seeded database keeps the sync
// trigger, the RLS policies and the analyst grants working.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { driftCount, migrate, rows, userMirrorDrift, withAnalyst, withUser, type Executor } from "../src/index.ts";
import { freshPostgres } from "./harness.ts";

const run = promisify(execFile);
const url = process.env.DATABASE_URL;

const ANN = "d0000000-0000-4000-8000-000000000001"; // owner of Acme
const BEN = "d0000000-0000-4000-8000-000000000002"; // owner of Bolt

async function seed(db: Executor) {
  await db.execute(sql`insert into auth.users (id, email, raw_user_meta_data) values
    (${ANN}, 'ann@acme.test', '{"full_name":"Ann"}'), (${BEN}, 'ben@bolt.test', '{"full_name":"Ben"}')`);
  await db.execute(sql`insert into businesses (name, created_by) values ('Acme', ${ANN}), ('Bolt', ${BEN})`);
  await db.execute(sql`insert into contacts (business_id, full_name, created_by)
    select b.id, b.name || ' contact ' || g, b.created_by from businesses b, generate_series(1, 25) g`);
  await db.execute(sql`insert into l1_event_facts (user_id, business_id, event_type)
    select created_by, id, 'contact_created' from businesses`);
}

const counts = sql`select (select count(*) from public.users)::int as users, (select count(*) from contacts)::int as contacts,
  (select count(*) from business_memberships)::int as memberships, (select count(*) from l1_event_facts)::int as events`;

describe.skipIf(!url)("pg_dump / pg_restore round trip [postgres]", () => {
  it("keeps the trigger, RLS isolation and analyst grants working in the restored database", async () => {
    const source = await freshPostgres(url!);
    const target = await freshPostgres(url!, { migrate: false });
    const dir = mkdtempSync(join(tmpdir(), "sb-dump-"));
    try {
      await seed(source.database.db);
      const [before] = await rows(source.database.db, counts);
      const file = join(dir, "switchboard.dump");
      await run("/usr/bin/pg_dump", ["-Fc", "-f", file, `--dbname=${source.url}`]);
      await run("/usr/bin/pg_restore", ["--exit-on-error", `--dbname=${target.url}`, file]);

      const db = target.database.db;
      expect((await rows(db, counts))[0]).toEqual(before);
      // Already migrated: the migration journal came along, so migrating again is a no-op.
      await migrate(target.database);
      expect((await rows(db, counts))[0]).toEqual(before);

      // The trigger still mirrors inserts and updates.
      await db.execute(sql`insert into auth.users (email, raw_user_meta_data) values ('new@acme.test', '{"display_name":"Newbie"}')`);
      await db.execute(sql`update auth.users set raw_user_meta_data = '{"full_name":"Ann Restored"}' where id = ${ANN}`);
      const mirrored = await rows<{ email: string; display_name: string }>(db, sql`select email, display_name from public.users order by email`);
      expect(mirrored).toEqual([
        { email: "ann@acme.test", display_name: "Ann Restored" },
        { email: "ben@bolt.test", display_name: "Ben" },
        { email: "new@acme.test", display_name: "Newbie" },
      ]);
      expect(driftCount(await userMirrorDrift(db))).toBe(0);

      // RLS still isolates tenants.
      const annSees = await withUser(target.database, { sub: ANN, role: "authenticated" }, (tx) =>
        rows<{ name: string; n: number }>(tx, sql`select b.name, count(c.id)::int as n from businesses b left join contacts c on c.business_id = b.id group by b.name`),
      );
      expect(annSees).toEqual([{ name: "Acme", n: 25 }]);
      const annUsers = await withUser(target.database, { sub: ANN, role: "authenticated" }, (tx) =>
        rows<{ email: string }>(tx, sql`select email from public.users`),
      );
      expect(annUsers).toEqual([{ email: "ann@acme.test" }]);

      // Analyst grants still hold: non-PII columns and l1 tables yes, email and operational tables no.
      const analystOk = await withAnalyst(target.database, null, (tx) =>
        rows<{ users: number; motivated: number; events: number }>(
          tx,
          sql`select count(id)::int as users, count(motivation)::int as motivated, (select count(*) from l1_event_facts)::int as events from public.users`,
        ),
      );
      expect(analystOk).toEqual([{ users: 3, motivated: 0, events: 2 }]);
      await expect(withAnalyst(target.database, null, (tx) => tx.execute(sql`select email from public.users`))).rejects.toThrow();
      const denied = await withAnalyst(target.database, null, (tx) => tx.execute(sql`select 1 from contacts`)).catch(
        (error: Error) => `${error.message} ${String((error.cause as Error | undefined)?.message)}`,
      );
      expect(denied).toMatch(/permission denied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await source.cleanup();
      await target.cleanup();
    }
  });
});
