// Migrations replay from zero, a second run is a no-op, and the backfill in the trigger migration
// mirrors users that existed before it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { createDb, driftCount, migrate, migrationsFolder, rows, userMirrorDrift, type Database, type Executor } from "../src/index.ts";
import { freshPostgres } from "./harness.ts";

/** Everything the migrations create that a replay could duplicate or lose. */
async function fingerprint(db: Executor) {
  const [row] = await rows<Record<string, number | string>>(
    db,
    sql`select
      (select count(*) from drizzle.__drizzle_migrations)::int as applied,
      (select count(*) from pg_policies)::int as policies,
      (select md5(string_agg(schemaname || tablename || policyname || cmd || coalesce(qual, '') || coalesce(with_check, ''), ',' order by schemaname, tablename, policyname)) from pg_policies) as policy_hash,
      (select count(*) from pg_trigger where not tgisinternal)::int as triggers,
      (select count(*) from pg_proc where pronamespace in ('private'::regnamespace, 'auth'::regnamespace))::int as functions,
      (select count(*) from pg_class where relkind = 'r' and relnamespace in ('public'::regnamespace, 'auth'::regnamespace))::int as tables,
      (select count(*) from pg_class where relkind = 'i' and relnamespace in ('public'::regnamespace, 'auth'::regnamespace))::int as indexes,
      (select count(*) from information_schema.role_table_grants where grantee in ('authenticated', 'analyst', 'switchboard_auth', 'switchboard_facts'))::int as table_grants,
      (select count(*) from information_schema.column_privileges where grantee = 'analyst')::int as analyst_columns`,
  );
  return row!;
}

/** A copy of the migrations folder that stops after the first `count` migrations. */
function truncatedMigrations(count: number) {
  const dir = mkdtempSync(join(tmpdir(), "sb-migrations-"));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

async function migrateFrom(database: Database, folder: string) {
  if (database.kind === "pglite") await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder });
  else await migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder: folder });
}

/** How many migrations come before the one whose tag ends with `suffix`. */
function journalIndexOf(suffix: string) {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((e) => e.tag.endsWith(suffix));
  if (index < 0) throw new Error(`no migration tagged *${suffix}`);
  return index;
}

const journalEntries = (JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

type Fresh = { database: Database; cleanup(): Promise<void> };
const targets: [string, () => Promise<Fresh>][] = [
  ["pglite", async () => { const database = createDb(); return { database, cleanup: () => database.close() }; }],
];
const url = process.env.DATABASE_URL;
if (url) targets.push(["postgres", () => freshPostgres(url, { migrate: false })]);

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

for (const [kind, fresh] of targets) {
  describe(`migrations [${kind}]`, () => {
    it("replays from zero; a second run changes nothing", async () => {
      const { database, cleanup } = await fresh();
      try {
        await migrate(database);
        const first = await fingerprint(database.db);
        expect(first).toMatchObject({ applied: journalEntries });
        expect(first.tables).toBeGreaterThanOrEqual(11);
        await migrate(database);
        expect(await fingerprint(database.db)).toEqual(first);
      } finally {
        await cleanup();
      }
    });

    it("the trigger migration backfills users created before it, without duplicates", async () => {
      const { database, cleanup } = await fresh();
      try {
        const tablesOnly = truncatedMigrations(1);
        tmpDirs.push(tablesOnly);
        await migrateFrom(database, tablesOnly);
        await database.db.execute(sql`insert into auth.users (email, raw_user_meta_data) values
          ('early1@example.com', '{"full_name":"Early One"}'), ('early2@example.com', '{}')`);
        // Nothing mirrors yet: the trigger does not exist.
        expect(await rows(database.db, sql`select id from public.users`)).toEqual([]);
        await migrate(database);
        const mirrored = await rows<{ email: string; display_name: string }>(
          database.db,
          sql`select email, display_name from public.users order by email`,
        );
        expect(mirrored).toEqual([
          { email: "early1@example.com", display_name: "Early One" },
          { email: "early2@example.com", display_name: "early2" },
        ]);
        expect(driftCount(await userMirrorDrift(database.db))).toBe(0);
      } finally {
        await cleanup();
      }
    });

    it("the partitioning migration converts a filled l1_event_facts without losing or changing a row", async () => {
      const { database, cleanup } = await fresh();
      try {
        const before = truncatedMigrations(journalIndexOf("_event_facts_partitions"));
        tmpDirs.push(before);
        await migrateFrom(database, before);
        await database.db.execute(sql`insert into auth.users (id, email) values
          ('00000000-0000-4000-8000-000000000001', 'old1@example.com'), ('00000000-0000-4000-8000-000000000002', 'old2@example.com')`);
        await database.db.execute(sql`insert into public.businesses (id, name, created_by) values
          ('00000000-0000-4000-8000-0000000000b1', 'Old', '00000000-0000-4000-8000-000000000001')`);
        // 3,000 events over 30 months, both users, with and without a business, varied properties.
        await database.db.execute(sql`insert into public.l1_event_facts (user_id, business_id, event_type, occurred_at, properties)
          select case when g % 2 = 0 then '00000000-0000-4000-8000-000000000001'::uuid else '00000000-0000-4000-8000-000000000002'::uuid end,
                 case when g % 3 = 0 then '00000000-0000-4000-8000-0000000000b1'::uuid end,
                 'event_' || (g % 7), now() - make_interval(days => g % 900, secs => g), jsonb_build_object('n', g, 'odd', g % 2 = 1)
          from generate_series(1, 3000) g`);
        const checksum = sql`select count(*)::int as n, max(id)::int as max_id,
          md5(string_agg(concat_ws('|', id, user_id, business_id, event_type, occurred_at, properties::text), ',' order by id)) as h
          from public.l1_event_facts`;
        const [old] = await rows<{ n: number; h: string; max_id: number }>(database.db, checksum);
        await migrate(database);
        const [now] = await rows<{ n: number; h: string; max_id: number }>(database.db, checksum);
        expect(now).toEqual(old);
        expect(old!.n).toBe(3000);
        const [shape] = await rows<{ kind: string; partitions: number; parked: number; next_id: number }>(
          database.db,
          sql`select (select relkind::text from pg_class where oid = 'public.l1_event_facts'::regclass) as kind,
                     (select count(*)::int from pg_inherits where inhparent = 'public.l1_event_facts'::regclass) as partitions,
                     (select count(*)::int from public.l1_event_facts_default) as parked,
                     nextval('public.l1_event_facts_id_seq')::int as next_id`,
        );
        // 30 months with rows (+ the months ahead) + the default partition; the sequence carries on.
        expect(shape).toMatchObject({ kind: "p", parked: 0, next_id: old!.max_id + 1 });
        expect(shape!.partitions).toBeGreaterThanOrEqual(30 + 1);
      } finally {
        await cleanup();
      }
    });

    it("the motivation vocabulary migration maps legacy free text to 'other' and keeps known values", async () => {
      const { database, cleanup } = await fresh();
      try {
        const before = truncatedMigrations(journalIndexOf("_motivation_vocabulary"));
        tmpDirs.push(before);
        await migrateFrom(database, before);
        await database.db.execute(sql`insert into auth.users (email) values ('free@example.com'), ('known@example.com'), ('none@example.com')`);
        await database.db.execute(sql`update public.users set motivation = case email
          when 'free@example.com' then 'Adam Q. Public, 204-555-0199, divorce lawyer' when 'known@example.com' then 'grow_sales' end`);
        await migrate(database);
        expect(await rows(database.db, sql`select email, motivation from public.users order by email`)).toEqual([
          { email: "free@example.com", motivation: "other" },
          { email: "known@example.com", motivation: "grow_sales" },
          { email: "none@example.com", motivation: null },
        ]);
      } finally {
        await cleanup();
      }
    });

    if (kind === "postgres") {
      it("migrates two more fresh databases of the same cluster at once (cluster-wide roles already exist)", async () => {
        const [a, b] = await Promise.all([fresh(), fresh()]);
        try {
          await Promise.all([migrate(a!.database), migrate(b!.database)]);
          const [fa, fb] = await Promise.all([fingerprint(a!.database.db), fingerprint(b!.database.db)]);
          expect(fa).toEqual(fb);
          expect(fa).toMatchObject({ applied: journalEntries });
        } finally {
          await Promise.all([a!.cleanup(), b!.cleanup()]);
        }
      });
    }
  });
}
