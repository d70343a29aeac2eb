// Deterministic demo / benchmark data: `seed(database, { scale })`, `seedDemo(database)` for
// `npm start`, and the two fixed logins (DEMO_LOGINS). See ./README.md.
import type { Database } from "../client.ts";
import { hashPassword } from "../password.ts";
import { withLoader, type Loader } from "./loader.ts";
import {
  authUserColumns, authUserRows, businessColumns, businessRows, contactColumns, contactRows, eventColumns, eventRows,
  importColumns, importRows, membershipColumns, membershipRows, transactionColumns, transactionRows, userAppColumns,
  userAppRows,
} from "./rows.ts";
import { DEMO_LOGINS, DEMO_PASSWORD, SCALES, scaleNames, type ScaleConfig, type ScaleName } from "./scales.ts";
import { DAY, buildWorld } from "./world.ts";

export { DEMO_LOGINS, SCALES, scaleNames, type ScaleConfig, type ScaleName };
/** The seeded PRNG (sfc32) the generator uses; tests reuse it for replayable random data. */
export { Rng } from "./rng.ts";

export interface SeedProgress {
  /** A table being loaded, or a step ("indexes", "analyze", …). */
  step: string;
  rows: number;
  elapsedMs: number;
  done: boolean;
}

export interface SeedOptions {
  scale?: ScaleName;
  /** Wipe every data table first. Without it, a database that has users is refused. */
  reset?: boolean;
  /** The data set's "now" (default: today 00:00 UTC). Same scale + same date = same data. */
  now?: Date;
  onProgress?: (progress: SeedProgress) => void;
  /**
   * Drop secondary indexes and foreign keys of the big tables during the load and rebuild them after
   * (default: on PostgreSQL for scales over 100k contacts).
   */
  deferIndexes?: boolean;
}

export interface SeedResult {
  scale: ScaleName;
  now: string;
  rows: Record<string, number>;
  elapsedMs: number;
}

export class SeedRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeedRefusedError";
  }
}

// Every data table; auth.users cascades to public.users and everything referencing it.
const DATA_TABLES = [
  "auth.users", "public.users", "public.businesses", "public.business_memberships", "public.contacts",
  "public.imports", "public.transactions", "public.l1_event_facts", "public.l1_transaction_facts",
  "public.l1_customer_facts", "public.analytics_refresh_log",
];
const BIG_TABLES = ["public.contacts", "public.transactions", "public.l1_event_facts"];

/** Drops the big tables' foreign keys and secondary indexes; returns the statements that restore them. */
async function deferIndexes(l: Loader): Promise<{ indexes: string[]; foreignKeys: string[] }> {
  const fks = await l.query<{ drop_sql: string; add_sql: string }>(
    `select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop_sql,
            format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as add_sql
       from pg_constraint
      where contype = 'f' and conrelid = any($1::regclass[])
      order by conrelid::regclass::text, conname`,
    [BIG_TABLES],
  );
  const idx = await l.query<{ drop_sql: string; def: string }>(
    `select format('drop index %s', i.indexrelid::regclass) as drop_sql, pg_get_indexdef(i.indexrelid) as def
       from pg_index i
      where i.indrelid = any($1::regclass[]) and not i.indisprimary
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
        -- GIN (contact search trigrams) stays: maintained during COPY it overlaps the load, where a
        -- rebuild afterwards is the slowest step of all (about 3 CPU-minutes for 1M contacts).
        and (select a.amname from pg_class c join pg_am a on a.oid = c.relam where c.oid = i.indexrelid) <> 'gin'
      order by i.indexrelid::regclass::text`,
    [BIG_TABLES],
  );
  for (const { drop_sql } of [...fks, ...idx]) await l.query(drop_sql);
  // A partitioned table's index reads "ON ONLY parent": recreated that way it would cover no partition.
  return { indexes: idx.map((r) => r.def.replace(" ON ONLY ", " ON ")), foreignKeys: fks.map((r) => r.add_sql) };
}

/** Loads a scale's data set into a migrated database, in one transaction. */
export async function seed(database: Database, options: SeedOptions = {}): Promise<SeedResult> {
  const scale = options.scale ?? "demo";
  const cfg: ScaleConfig | undefined = Object.hasOwn(SCALES, scale) ? SCALES[scale] : undefined;
  if (!cfg) throw new SeedRefusedError(`unknown scale "${String(scale)}" (expected one of: ${scaleNames.join(", ")})`);
  const anchor = options.now ? options.now.getTime() : Math.floor(Date.now() / DAY) * DAY;
  if (!Number.isFinite(anchor)) throw new SeedRefusedError("invalid `now` date");
  const started = Date.now();
  const report = options.onProgress ?? (() => {});
  const world = buildWorld(cfg, anchor);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const defer = options.deferIndexes ?? (database.kind === "postgres" && cfg.contactsTotal > 100_000);
  const counts: Record<string, number> = {};

  await withLoader(database, async (l) => {
    const [existing] = await l.query<{ n: number }>("select count(*)::int as n from auth.users");
    if (existing && existing.n > 0) {
      if (!options.reset) {
        throw new SeedRefusedError(
          `the database already has ${existing.n} users; seeding needs an empty database (pass --reset to wipe it first)`,
        );
      }
      await l.query(`truncate table ${DATA_TABLES.join(", ")} restart identity cascade`);
    }
    if (l.kind === "postgres") {
      // Bulk-load settings for this transaction only.
      await l.query(`select set_config('synchronous_commit', 'off', true), set_config('maintenance_work_mem', '1GB', true),
                            set_config('gin_pending_list_limit', '65536', true)`);
    }
    const step = async (name: string, fn: () => Promise<unknown>) => {
      const t0 = Date.now();
      report({ step: name, rows: 0, elapsedMs: 0, done: false });
      await fn();
      report({ step: name, rows: 0, elapsedMs: Date.now() - t0, done: true });
    };
    const copy = async (table: string, columns: readonly string[], lines: Iterable<string>) => {
      const t0 = Date.now();
      let last = t0;
      const rows = await l.copy(table, columns, lines, (n) => {
        const now = Date.now();
        if (now - last >= 1000) {
          last = now;
          report({ step: table, rows: n, elapsedMs: now - t0, done: false });
        }
      });
      counts[table] = rows;
      report({ step: table, rows, elapsedMs: Date.now() - t0, done: true });
    };

    const restore = defer ? await deferIndexes(l) : { indexes: [], foreignKeys: [] };

    // Users go in through auth.users: the sync trigger fills public.users.
    await copy("auth.users", authUserColumns, authUserRows(world, passwordHash));
    // Owners' memberships come from the businesses trigger (stamped now()): give them the business's time.
    await copy("public.businesses", businessColumns, businessRows(world));
    await step("owner memberships", () =>
      l.query(`update public.business_memberships m set created_at = b.created_at, updated_at = b.created_at
                 from public.businesses b where m.business_id = b.id and m.user_id = b.created_by`),
    );
    await copy("public.business_memberships", membershipColumns, membershipRows(world));
    await copy("public.imports", importColumns, importRows(world));
    await copy("public.contacts", contactColumns, contactRows(world));
    await copy("public.transactions", transactionColumns, transactionRows(world));
    // A monthly partition of l1_event_facts for every seeded month first, so the events go straight to
    // their month instead of the default partition (which the first facts refresh would have to empty).
    let firstEvent = world.anchor;
    for (const created of world.userCreated) firstEvent = Math.min(firstEvent, created);
    await step("event partitions", () =>
      l.query(
        `select count(*) filter (where private.create_event_partition(m::date)) as created
         from generate_series(date_trunc('month', $1::timestamptz at time zone 'UTC'),
                              date_trunc('month', $2::timestamptz at time zone 'UTC'), interval '1 month') m`,
        [new Date(firstEvent).toISOString(), new Date(world.anchor).toISOString()],
      ),
    );
    await copy("public.l1_event_facts", eventColumns, eventRows(world));

    await step("last sign-in", () =>
      l.query(`update auth.users u set last_sign_in_at = e.last, updated_at = greatest(u.updated_at, e.last)
                 from (select user_id, max(occurred_at) as last from public.l1_event_facts
                        where event_type = 'signed_in' group by user_id) e
                where e.user_id = u.id`),
    );
    // App-owned columns last, so updated_at is the data set's own time rather than the trigger's now().
    await step("app-owned user columns", async () => {
      await l.query(`create temp table seed_user_app (
          id uuid primary key, motivation text, onboarding_last_step text, onboarding_completed_at timestamptz,
          account_status text, birth_date date, province varchar(2)) on commit drop`);
      await copy("seed_user_app", userAppColumns, userAppRows(world));
      delete counts.seed_user_app;
      await l.query(`update public.users p set motivation = s.motivation, onboarding_last_step = s.onboarding_last_step,
                       onboarding_completed_at = s.onboarding_completed_at, account_status = s.account_status,
                       birth_date = s.birth_date, province = s.province,
                       updated_at = greatest(a.updated_at, s.onboarding_completed_at)
                  from seed_user_app s, auth.users a where p.id = s.id and a.id = s.id`);
    });

    if (defer) {
      await step("indexes", async () => {
        for (const def of restore.indexes) await l.query(def);
      });
      await step("foreign keys", async () => {
        for (const add of restore.foreignKeys) await l.query(add);
      });
    }
    await step("analyze", () => l.query("analyze"));
  });
  return { scale, now: new Date(anchor).toISOString(), rows: counts, elapsedMs: Date.now() - started };
}

/** What `npm start` runs on a database without users: the demo scale. */
export function seedDemo(database: Database, options: Omit<SeedOptions, "scale"> = {}): Promise<SeedResult> {
  return seed(database, { ...options, scale: "demo" });
}
