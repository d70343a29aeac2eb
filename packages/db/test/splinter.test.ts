// Supabase's database linter (splinter, https://github.com/supabase/splinter, Apache-2.0) run against the
// migrated schema: no lint at level WARN or ERROR. The lint SQL is committed unchanged as a fixture
// (fixtures/splinter/splinter.sql, all lints in one query; its README says where it came from).
// Adaptation, and only this: splinter assumes Supabase's API roles. `authenticated` is ours; `anon`
// and `service_role` do not exist in Switchboard (nobody connects anonymously through PostgREST), so
// the test creates them as NOLOGIN roles with no privileges when missing — exactly what they are here.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { rows } from "../src/index.ts";
import { describeDb } from "./harness.ts";

const splinter = readFileSync(new URL("./fixtures/splinter/splinter.sql", import.meta.url), "utf8");

interface Lint {
  name: string;
  level: "ERROR" | "WARN" | "INFO";
  detail: string;
  cache_key: string;
}

describeDb("splinter (Supabase database linter)", (ctx) => {
  it("reports no WARN or ERROR for the migrated schema", async () => {
    const db = ctx.database.db;
    await db.execute(sql`do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'anon') then
        begin create role anon nologin; exception when duplicate_object or unique_violation then null; end;
      end if;
      if not exists (select 1 from pg_roles where rolname = 'service_role') then
        begin create role service_role nologin; exception when duplicate_object or unique_violation then null; end;
      end if;
    end $$`);
    // splinter.sql starts with `set local search_path = ''`: one transaction, then the union of lints.
    const lints = await db.transaction(async (tx) => {
      const [setting, query] = splinter.split(/;\s*\n/, 2) as [string, string];
      await tx.execute(sql.raw(setting));
      return rows<Lint>(tx, sql.raw(query.trim().replace(/;\s*$/, "")));
    });
    // Sanity: the linter ran and sees our schema (INFO lints such as unused indexes on a fresh database).
    expect(Array.isArray(lints)).toBe(true);
    const serious = lints.filter((l) => l.level !== "INFO").map((l) => `${l.level} ${l.name}: ${l.detail}`);
    expect(serious).toEqual([]);
  });
});
