// The facts pipeline: rebuilds l1_customer_facts and l1_transaction_facts from the operational tables,
// as role switchboard_facts, in one transaction. Tokens are computed here in Node (the key never
// reaches the database) and handed over as parameters; every aggregate is computed in SQL.
import { asFactsPipeline, rows, sql, type Database, type Tx } from "@switchboard/db";
import { createSecretKey } from "node:crypto";
import { tokenizeUserId, transactionFactId } from "./key.ts";
import { ageRangeSql, provinceRegionSql, scoreSql, segmentSql } from "./definitions.ts";
import { maintainEventPartitions } from "./partitions.ts";

export type RefreshMode = "full" | "incremental";

export interface RefreshOptions {
  tokenKey: Uint8Array;
  mode: RefreshMode;
  /** Reference time for age, recency and tenure (tests pin it); default: the database clock. */
  now?: Date;
  /** Rows per round trip when tokenizing users and transactions. */
  batchSize?: number;
  /** Called after every step of the refresh (the CLI prints it): step name, its duration, rows written. */
  onProgress?: (progress: RefreshProgress) => void;
  /** l1_event_facts retention in months (EVENT_FACTS_RETENTION_MONTHS); 0 or unset keeps every event. */
  eventRetentionMonths?: number;
}

export interface RefreshProgress {
  step: string;
  ms: number;
  rows?: number;
}

export type RefreshResult =
  | { status: "skipped"; reason: "another refresh is running" }
  | { status: "done"; mode: RefreshMode; usersTouched: number; transactionsTouched: number; customers: number };

// One advisory lock id for the pipeline ("SBFA"): concurrent refreshes never interleave.
export const REFRESH_LOCK_ID = 0x53424641;
// Rows committed late with an earlier timestamp are picked up by re-reading this much before the watermark.
const OVERLAP = sql`interval '10 minutes'`;

export async function refreshFacts(database: Database, options: RefreshOptions): Promise<RefreshResult> {
  const batchSize = options.batchSize ?? 20_000;
  const refTime = options.now ? options.now.toISOString() : null;
  const progress = async <T>(step: string, fn: () => Promise<T>, count?: (result: T) => number): Promise<T> => {
    const started = performance.now();
    const result = await fn();
    options.onProgress?.({ step, ms: Math.round(performance.now() - started), rows: count?.(result) });
    // PGlite runs each statement on this thread: give timers and requests a turn between steps.
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  };
  // Partitions first, in their own short transaction (DDL locks are not held through the refresh).
  await progress(
    "partitions",
    () => maintainEventPartitions(database, { retentionMonths: options.eventRetentionMonths, now: options.now }),
    (r) => r.created + r.dropped,
  );
  return asFactsPipeline(database, async (tx) => {
    const [lock] = await rows<{ ok: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${REFRESH_LOCK_ID}) as ok`);
    if (!lock?.ok) return { status: "skipped", reason: "another refresh is running" } as const;
    // A batch job, bounded by construction (see syncTable): the interactive per-statement timeout of the
    // connection (60 s by default) must not cancel a first fill or a key rotation on a loaded machine.
    await tx.execute(sql`set local statement_timeout = '15min'`);

    const [last] = await rows<{ watermark: string; event_id: number | null }>(
      tx,
      sql`select watermark::text as watermark, event_id_watermark::float8 as event_id
          from analytics_refresh_log where finished_at is not null and watermark is not null
          order by id desc limit 1`,
    );
    const mode: RefreshMode = options.mode === "incremental" && last ? "incremental" : "full";
    const [start] = await rows<{ started: string; max_event_id: number | null }>(
      tx,
      sql`select now()::text as started, (select max(id) from l1_event_facts)::float8 as max_event_id`,
    );

    await progress("tokens", () => loadTokens(tx, options.tokenKey, batchSize));

    // The users whose aggregates are recomputed: everyone, or those with activity since the watermark.
    await tx.execute(sql`create temp table _sb_scope (user_id uuid primary key) on commit drop`);
    if (mode === "full") {
      // Facts of tokens no longer issued (other key, deleted users) go at the end; nothing is deleted
      // up front, so a full refresh over unchanged data writes (almost) nothing.
      await tx.execute(sql`insert into _sb_scope select user_id from _sb_tokens`);
    } else {
      const since = sql`(${last!.watermark}::timestamptz - ${OVERLAP})`;
      const eventId = last!.event_id ?? 0;
      await tx.execute(sql`
        insert into _sb_scope
        select c.user_id from (
          select e.user_id from l1_event_facts e where e.id > ${eventId} or e.occurred_at > ${since}
          union select t.created_by from transactions t where t.created_at > ${since}
          union select i.created_by from imports i where i.created_at > ${since} or i.finished_at > ${since}
          union select k.user_id from _sb_tokens k
            where not exists (select 1 from l1_customer_facts f where f.tokenized_user_id = k.token)
        ) c
        join _sb_tokens k on k.user_id = c.user_id`);
    }

    let transactionsTouched: number;
    if (mode === "full") {
      await tx.execute(sql`set local work_mem = '64MB'`);
      await progress("activity rollups", () => rebuildRollups(tx), (n) => n);
      await progress("transaction ids", () => loadTransactionIds(tx, options.tokenKey, Math.min(batchSize, 5_000)), (n) => n);
      transactionsTouched = await progress("transaction facts", () => rebuildTransactionFacts(tx), (n) => n);
    } else {
      await progress("activity rollups", () =>
        updateRollups(tx, last!.event_id ?? 0, sql`(${last!.watermark}::timestamptz - ${OVERLAP})`),
      );
      transactionsTouched = await progress(
        "transaction facts",
        () => loadTransactionFacts(tx, options.tokenKey, batchSize, sql`(${last!.watermark}::timestamptz - ${OVERLAP})`),
        (n) => n,
      );
    }
    await progress("daily engagement", () => refreshDaily(tx, mode === "full"));
    await progress("customer aggregates", () => upsertAggregates(tx));
    await progress("customer attributes", () => updateAttributes(tx, refTime));

    // Users deleted since (or every user, after a key rotation): their facts go too (tokens of live users
    // are all in _sb_tokens). The retired tokens come from the small customer table (a hash anti join
    // against the analyzed token table); their transaction facts are then deleted through the index on
    // tokenized_user_id, never by scanning every transaction fact. (A full refresh has already brought
    // l1_transaction_facts to the live users' transactions.)
    await progress("facts of retired tokens", async () => {
      await tx.execute(sql`create temp table _sb_retired on commit drop as
        select f.tokenized_user_id from l1_customer_facts f
        where not exists (select 1 from _sb_tokens k where k.token = f.tokenized_user_id)`);
      await tx.execute(sql`delete from l1_customer_facts f using _sb_retired r where f.tokenized_user_id = r.tokenized_user_id`);
      if (mode === "incremental") {
        await tx.execute(sql`delete from l1_transaction_facts f using _sb_retired r where f.tokenized_user_id = r.tokenized_user_id`);
      }
    });

    const [counts] = await rows<{ scope: number; customers: number }>(
      tx,
      sql`select (select count(*) from _sb_scope)::int as scope, (select count(*) from l1_customer_facts)::int as customers`,
    );
    await tx.execute(sql`
      insert into analytics_refresh_log (mode, started_at, finished_at, watermark, event_id_watermark, users_touched, transactions_touched)
      values (${mode}, ${start!.started}::timestamptz, clock_timestamp(), ${start!.started}::timestamptz,
              ${start!.max_event_id ?? last?.event_id ?? null}, ${counts!.scope}, ${transactionsTouched})`);
    return {
      status: "done",
      mode,
      usersTouched: counts!.scope,
      transactionsTouched,
      customers: counts!.customers,
    } as const;
  });
}

/** _sb_tokens(user_id, token) for every user, tokens computed in Node, sent in batches. */
async function loadTokens(tx: Tx, key: Uint8Array, batchSize: number) {
  await tx.execute(sql`create temp table _sb_tokens (user_id uuid primary key, token text not null) on commit drop`);
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const batch = await rows<{ id: string }>(
      tx,
      sql`select id::text as id from users where id > ${after}::uuid order by id limit ${batchSize}`,
    );
    if (batch.length === 0) break;
    const ids = batch.map((r) => r.id);
    const tokens = ids.map((id) => tokenizeUserId(key, id));
    await tx.execute(sql`insert into _sb_tokens (user_id, token)
      select * from unnest(string_to_array(${ids.join(",")}, ',')::uuid[], string_to_array(${tokens.join(",")}, ','))`);
    after = ids[ids.length - 1]!;
    if (batch.length < batchSize) break;
  }
  await tx.execute(sql`create unique index on _sb_tokens (token)`);
  await tx.execute(sql`analyze _sb_tokens`);
}

/** Transactions of known users (all, or created since `since`) → l1_transaction_facts, keyed fact ids. */
async function loadTransactionFacts(tx: Tx, key: Uint8Array, batchSize: number, since: ReturnType<typeof sql> | null) {
  let after = "00000000-0000-0000-0000-000000000000";
  let inserted = 0;
  for (;;) {
    const batch = await rows<{ id: string }>(
      tx,
      sql`select t.id::text as id from transactions t
          where t.id > ${after}::uuid and t.created_by is not null ${since ? sql`and t.created_at > ${since}` : sql``}
          order by t.id limit ${batchSize}`,
    );
    if (batch.length === 0) break;
    const ids = batch.map((r) => r.id);
    const factIds = ids.map((id) => transactionFactId(key, id));
    const result = await rows<{ n: number }>(
      tx,
      sql`with ins as (
        insert into l1_transaction_facts (fact_id, tokenized_user_id, occurred_on, amount_cents, currency, category, via_import)
        select m.fact_id, k.token, (t.occurred_at at time zone 'UTC')::date, t.amount_cents, t.currency, t.category,
               t.import_id is not null
        from unnest(string_to_array(${ids.join(",")}, ',')::uuid[], string_to_array(${factIds.join(",")}, ',')) as m(id, fact_id)
        join transactions t on t.id = m.id
        join _sb_tokens k on k.user_id = t.created_by
        on conflict (fact_id) do nothing
        returning 1)
      select count(*)::int as n from ins`,
    );
    inserted += result[0]?.n ?? 0;
    after = ids[ids.length - 1]!;
    if (batch.length < batchSize) break;
  }
  return inserted;
}

/** Full: l1_user_activity_days and l1_user_milestones recomputed from every event, written as a diff. */
async function rebuildRollups(tx: Tx): Promise<number> {
  await tx.execute(sql`
    create temp table _sb_days on commit drop as
    select e.user_id, (e.occurred_at at time zone 'UTC')::date as day, max(e.occurred_at) as last_at,
           bool_or(e.event_type = 'contact_created') as contact_created,
           bool_or(e.event_type = 'import_completed') as import_completed
    from l1_event_facts e where e.user_id is not null
    group by 1, 2`);
  await tx.execute(sql`analyze _sb_days`);
  const days = await syncTable(tx, "l1_user_activity_days", "_sb_days", ["user_id", "day"], ["last_at"]);
  await tx.execute(sql`
    create temp table _sb_milestones on commit drop as
    select user_id, bool_or(contact_created) as contact_created, bool_or(import_completed) as import_completed
    from _sb_days group by user_id having bool_or(contact_created) or bool_or(import_completed)`);
  await tx.execute(sql`analyze _sb_milestones`);
  const milestones = await syncTable(tx, "l1_user_milestones", "_sb_milestones", ["user_id"], ["contact_created", "import_completed"]);
  await tx.execute(sql`
    create temp table _sb_cohort_weeks on commit drop as
    select u.id as user_id, u.wk as cohort_week, ${activeWeeksSql} as active_weeks
    from (select id, ${cohortWeekSql} as wk from users where created_at is not null) u
    left join _sb_days a on a.user_id = u.id
    group by u.id, u.wk`);
  await tx.execute(sql`analyze _sb_cohort_weeks`);
  const cohortWeeks = await syncTable(tx, "l1_user_cohort_weeks", "_sb_cohort_weeks", ["user_id"], ["cohort_week", "active_weeks"]);
  return days + milestones + cohortWeeks;
}

// l1_user_cohort_weeks: the signup week (Monday UTC) of users u, and the bitmask of the weeks k < 52 after
// it with a day of activity in a (bit k ⇔ a.day in [wk + 7k, wk + 7k + 7)); 0 without activity.
const cohortWeekSql = sql`date_trunc('week', created_at at time zone 'UTC')::date`;
const activeWeeksSql = sql`coalesce(bit_or(1::bigint << ((a.day - u.wk) / 7)) filter (where a.day >= u.wk and a.day < u.wk + 364), 0)`;

/**
 * Brings `target` to exactly the rows of the temp table `want` (same column names), in bounded time
 * whatever the statistics say: an empty target is filled by one plain INSERT … SELECT (no join at all);
 * otherwise the differences are first materialized into temp tables by a full outer comparison with
 * nested loops disabled (hash or merge joins only), then applied by key. When most rows differ (a key
 * rotation), the target is emptied and refilled instead. Nothing ever reads the table it is inserting
 * into. Returns the number of rows written (inserted, updated or deleted).
 */
async function syncTable(tx: Tx, target: string, want: string, keys: string[], values: string[]): Promise<number> {
  const t = sql.identifier(target);
  const w = sql.identifier(want);
  const list = (alias: string, columns: string[]) =>
    sql.join(columns.map((c) => sql`${sql.identifier(alias)}.${sql.identifier(c)}`), sql`, `);
  const columns = sql.join([...keys, ...values].map((c) => sql.identifier(c)), sql`, `);
  const on = sql.join(keys.map((c) => sql`x.${sql.identifier(c)} = w.${sql.identifier(c)}`), sql` and `);
  const byKey = (alias: string) =>
    sql.join(keys.map((c) => sql`${t}.${sql.identifier(c)} = ${sql.identifier(alias)}.${sql.identifier(c)}`), sql` and `);
  const fill = async () => {
    const [n] = await rows<{ n: number }>(
      tx,
      sql`with ins as (insert into ${t} (${columns}) select ${columns} from ${w} returning 1) select count(*)::int as n from ins`,
    );
    return n?.n ?? 0;
  };
  const [state] = await rows<{ any: boolean }>(tx, sql`select exists (select 1 from ${t}) as any`);
  if (!state?.any) return fill();

  await tx.execute(sql`set local enable_nestloop = off`);
  try {
    await tx.execute(sql`create temp table _sb_sync_changed on commit drop as
      select ${list("w", [...keys, ...values])}, x.${sql.identifier(keys[0]!)} is null as is_new
      from ${w} w left join ${t} x on ${on}
      where x.${sql.identifier(keys[0]!)} is null or (${list("x", values)}) is distinct from (${list("w", values)})`);
    await tx.execute(sql`create temp table _sb_sync_gone on commit drop as
      select ${list("x", keys)} from ${t} x left join ${w} w on ${on} where w.${sql.identifier(keys[0]!)} is null`);
    const [counts] = await rows<{ total: number; changed: number; added: number; gone: number }>(
      tx,
      sql`select (select count(*) from ${t})::int as total,
                 (select count(*) from _sb_sync_changed where not is_new)::int as changed,
                 (select count(*) from _sb_sync_changed where is_new)::int as added,
                 (select count(*) from _sb_sync_gone)::int as gone`,
    );
    const { total, changed, added, gone } = counts!;
    if ((changed + gone) * 2 > total) {
      // Most rows differ (a key rotation): rewriting is cheaper than a diff.
      await tx.execute(sql`delete from ${t}`);
      return total + (await fill());
    }
    if (gone > 0) await tx.execute(sql`delete from ${t} using _sb_sync_gone g where ${byKey("g")}`);
    if (changed > 0) {
      await tx.execute(sql`update ${t} set ${sql.join(
        values.map((c) => sql`${sql.identifier(c)} = c.${sql.identifier(c)}`),
        sql`, `,
      )} from _sb_sync_changed c where not c.is_new and ${byKey("c")}`);
    }
    if (added > 0) await tx.execute(sql`insert into ${t} (${columns}) select ${columns} from _sb_sync_changed where is_new`);
    return changed + added + gone;
  } finally {
    await tx.execute(sql`drop table if exists _sb_sync_changed, _sb_sync_gone`);
    await tx.execute(sql`set local enable_nestloop = on`);
  }
}

/** Incremental: the rollups absorb the events after the watermark (events are only ever added). */
async function updateRollups(tx: Tx, eventId: number, since: ReturnType<typeof sql>) {
  await tx.execute(sql`
    create temp table _sb_days on commit drop as
    select e.user_id, (e.occurred_at at time zone 'UTC')::date as day, max(e.occurred_at) as last_at,
           bool_or(e.event_type = 'contact_created') as contact_created,
           bool_or(e.event_type = 'import_completed') as import_completed
    from l1_event_facts e
    where e.user_id is not null and (e.id > ${eventId} or e.occurred_at > ${since})
    group by 1, 2`);
  await tx.execute(sql`insert into l1_user_activity_days as a (user_id, day, last_at)
    select d.user_id, d.day, d.last_at from _sb_days d
    on conflict (user_id, day) do update set last_at = greatest(a.last_at, excluded.last_at)
    where excluded.last_at > a.last_at`);
  await tx.execute(sql`insert into l1_user_milestones as m (user_id, contact_created, import_completed)
    select d.user_id, bool_or(d.contact_created), bool_or(d.import_completed) from _sb_days d
    group by d.user_id having bool_or(d.contact_created) or bool_or(d.import_completed)
    on conflict (user_id) do update set contact_created = m.contact_created or excluded.contact_created,
                                        import_completed = m.import_completed or excluded.import_completed
    where (excluded.contact_created and not m.contact_created) or (excluded.import_completed and not m.import_completed)`);
  // Cohort weeks of the users with new events or signed up since the watermark, recomputed from their
  // (already updated) activity days: a range read of the primary key per such user (few per increment).
  await tx.execute(sql`
    create temp table _sb_cohort_scope on commit drop as
    select distinct d.user_id from _sb_days d
    union select u.id from users u where u.created_at > ${since}`);
  await tx.execute(sql`analyze _sb_cohort_scope`);
  await tx.execute(sql`insert into l1_user_cohort_weeks as c (user_id, cohort_week, active_weeks)
    select u.id, u.wk, ${activeWeeksSql}
    from (select s.user_id as id, ${cohortWeekSql} as wk from _sb_cohort_scope s join users on users.id = s.user_id
          where users.created_at is not null) u
    left join l1_user_activity_days a on a.user_id = u.id
    group by u.id, u.wk
    on conflict (user_id) do update set cohort_week = excluded.cohort_week, active_weeks = excluded.active_weeks
    where (c.cohort_week, c.active_weeks) is distinct from (excluded.cohort_week, excluded.active_weeks)`);
}

/**
 * Full: every transaction's keyed fact id is computed in Node (HMAC, the key stays here) into the temp
 * table _sb_tx_ids. Each round trip carries the ids of one batch as a single text value both ways (few
 * objects per batch keeps the heap small). Returns the number of transactions.
 */
async function loadTransactionIds(tx: Tx, key: Uint8Array, batchSize: number): Promise<number> {
  await tx.execute(sql`create temp table _sb_tx_ids (id uuid not null, fact_id text not null) on commit drop`);
  const hmacKey = createSecretKey(key);
  let after = "00000000-0000-0000-0000-000000000000";
  let total = 0;
  for (;;) {
    const [batch] = await rows<{ ids: string | null; n: number; last: string | null }>(
      tx,
      sql`select string_agg(id::text, ',' order by id) as ids, count(*)::int as n, max(id::text) as last
          from (select t.id from transactions t where t.id > ${after}::uuid and t.created_by is not null
                order by t.id limit ${batchSize}) b`,
    );
    if (!batch?.ids || !batch.last) break;
    const factIds = batch.ids.split(",").map((id) => transactionFactId(hmacKey, id)).join(",");
    await tx.execute(sql`insert into _sb_tx_ids (id, fact_id)
      select * from unnest(string_to_array(${batch.ids}, ',')::uuid[], string_to_array(${factIds}, ','))`);
    total += batch.n;
    after = batch.last;
    if (batch.n < batchSize) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return total;
}

/**
 * Full: l1_transaction_facts brought to exactly the transactions of _sb_tx_ids (hash joins, see
 * syncTable), so unchanged facts are not rewritten. Returns the number of facts written.
 */
async function rebuildTransactionFacts(tx: Tx): Promise<number> {
  await tx.execute(sql`analyze _sb_tx_ids`);
  await tx.execute(sql`set local enable_nestloop = off`);
  await tx.execute(sql`
    create temp table _sb_tx_want on commit drop as
    select m.fact_id, k.token as tokenized_user_id, (t.occurred_at at time zone 'UTC')::date as occurred_on,
           t.amount_cents, t.currency, t.category, t.import_id is not null as via_import
    from _sb_tx_ids m
    join transactions t on t.id = m.id
    join _sb_tokens k on k.user_id = t.created_by`);
  await tx.execute(sql`set local enable_nestloop = on`);
  await tx.execute(sql`analyze _sb_tx_want`);
  return syncTable(tx, "l1_transaction_facts", "_sb_tx_want", ["fact_id"], [
    "tokenized_user_id", "occurred_on", "amount_cents", "currency", "category", "via_import",
  ]);
}

/**
 * l1_activity_daily (DAU/WAU/MAU per UTC day) from l1_user_activity_days: every day on a full refresh,
 * else the days from the first day of the new events (_sb_days) on. Each (user, active day a) covers
 * the days [a, min(next active day, a + N)) of an N-day window — disjoint per user — so the counts are
 * running sums of +1/−1 steps instead of a distinct count per day.
 */
async function refreshDaily(tx: Tx, full: boolean) {
  const [first] = await rows<{ day: string | null }>(
    tx,
    full ? sql`select min(day)::text as day from l1_user_activity_days` : sql`select min(day)::text as day from _sb_days`,
  );
  if (!first?.day) {
    if (full) await tx.execute(sql`delete from l1_activity_daily`);
    return;
  }
  await tx.execute(sql`set local work_mem = '64MB'`);
  await tx.execute(sql`delete from l1_activity_daily where day >= ${first.day}::date`);
  if (full) await tx.execute(sql`delete from l1_activity_daily`);
  await tx.execute(sql`
    with seq as (
      select day, lead(day) over (partition by user_id order by day) as nxt
      from l1_user_activity_days where day >= ${first.day}::date - 29
    ), steps as (
      select day as d, 1 as dau, 1 as wau, 1 as mau from seq
      union all select day + 1, -1, 0, 0 from seq
      union all select least(coalesce(nxt, day + 7), day + 7), 0, -1, 0 from seq
      union all select least(coalesce(nxt, day + 30), day + 30), 0, 0, -1 from seq
    ), per_day as (
      select d, sum(dau) as dau, sum(wau) as wau, sum(mau) as mau from steps group by d
    ), running as (
      select g.d::date as day, sum(coalesce(p.dau, 0)) over w as dau, sum(coalesce(p.wau, 0)) over w as wau,
             sum(coalesce(p.mau, 0)) over w as mau
      from generate_series(${first.day}::date - 29, (select max(day) + 29 from l1_user_activity_days), interval '1 day') as g(d)
      left join per_day p on p.d = g.d::date
      window w as (order by g.d)
    )
    insert into l1_activity_daily (day, dau, wau, mau)
    select day, dau, wau, mau from running where day >= ${first.day}::date`);
}

/** Activity, transaction and import aggregates for the users in _sb_scope. */
async function upsertAggregates(tx: Tx) {
  await tx.execute(sql`
    with ev as (
      select a.user_id, max(a.last_at) as last_active_at
      from l1_user_activity_days a join _sb_scope s on s.user_id = a.user_id
      group by a.user_id
    ), days as (
      -- A day has an event in (last_active_at − 30 days, last_active_at] iff its latest event is in it.
      select a.user_id, count(*)::int as active_days
      from l1_user_activity_days a join ev on ev.user_id = a.user_id
      where a.last_at > ev.last_active_at - interval '30 days'
      group by a.user_id
    ), txs as (
      select t.created_by as user_id, count(*)::int as n
      from transactions t join _sb_scope s on s.user_id = t.created_by
      group by t.created_by
    ), imps as (
      select i.created_by as user_id, count(*)::int as n,
             sum(i.rows_imported)::float8 as rows_imported, sum(i.rows_total)::float8 as rows_total
      from imports i join _sb_scope s on s.user_id = i.created_by
      group by i.created_by
    ), imp_txs as (
      select i.created_by as user_id, count(*)::int as n
      from imports i join _sb_scope s on s.user_id = i.created_by join transactions t on t.import_id = i.id
      group by i.created_by
    )
    insert into l1_customer_facts as f (tokenized_user_id, last_active_at, active_days_30, total_transactions,
      total_imports, import_success_rate, avg_transactions_per_import, refreshed_at)
    select k.token, ev.last_active_at, coalesce(days.active_days, 0), coalesce(txs.n, 0), coalesce(imps.n, 0),
           case when imps.rows_total > 0 then imps.rows_imported / imps.rows_total end,
           case when imps.n > 0 then coalesce(imp_txs.n, 0)::float8 / imps.n end,
           now()
    from _sb_scope s
    join _sb_tokens k on k.user_id = s.user_id
    left join ev on ev.user_id = s.user_id
    left join days on days.user_id = s.user_id
    left join txs on txs.user_id = s.user_id
    left join imps on imps.user_id = s.user_id
    left join imp_txs on imp_txs.user_id = s.user_id
    on conflict (tokenized_user_id) do update set
      last_active_at = excluded.last_active_at,
      active_days_30 = excluded.active_days_30,
      total_transactions = excluded.total_transactions,
      total_imports = excluded.total_imports,
      import_success_rate = excluded.import_success_rate,
      avg_transactions_per_import = excluded.avg_transactions_per_import,
      refreshed_at = excluded.refreshed_at`);
}

/** Time-dependent and profile-derived columns for every user (cheap: one row per user, no events). */
async function updateAttributes(tx: Tx, refTime: string | null) {
  const ref = sql`coalesce(${refTime}::timestamptz, now())`;
  const d = sql`x.d`;
  const t = sql`x.t`;
  const status = sql`x.account_status`;
  const activeDays = sql`x.active_days_30`;
  await tx.execute(sql`
    with x as (
      select f.tokenized_user_id, f.active_days_30, u.account_status,
             ${ageRangeSql(sql`u.birth_date`, sql`(${ref} at time zone 'UTC')::date`)} as age_range,
             ${provinceRegionSql(sql`u.province`)} as province_region,
             case when f.last_active_at is null then null
                  else greatest(0, floor(extract(epoch from (${ref} - f.last_active_at)) / 86400))::int end as d,
             greatest(0, floor(extract(epoch from (${ref} - coalesce(u.created_at, ${ref}))) / 86400))::int as t,
             u.onboarding_completed_at is not null as onboarded
      from l1_customer_facts f
      join _sb_tokens k on k.token = f.tokenized_user_id
      join users u on u.id = k.user_id
    ), y as (
      select x.tokenized_user_id, x.age_range, x.province_region, x.account_status,
             ${segmentSql({ status, d, t, activeDays })} as user_segment,
             ${scoreSql({ status, d, t, activeDays, onboarded: sql`x.onboarded` })} as reengagement_score
      from x
    )
    update l1_customer_facts f set
      age_range = y.age_range, province_region = y.province_region, account_status = y.account_status,
      user_segment = y.user_segment, reengagement_score = y.reengagement_score, refreshed_at = now()
    from y
    where f.tokenized_user_id = y.tokenized_user_id
      and (f.age_range, f.province_region, f.account_status, f.user_segment, f.reengagement_score)
          is distinct from (y.age_range, y.province_region, y.account_status, y.user_segment, y.reengagement_score)`);
}
