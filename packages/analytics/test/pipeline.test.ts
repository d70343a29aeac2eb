import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { asFactsPipeline, rows, sql, type Database } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { REFRESH_LOCK_ID, refreshFacts } from "../src/index.ts";
import {
  DAY, KEY, NOW, OTHER_KEY, generateFixture, hmacHex, insertActivity, insertFixture, oracleFacts,
  type Fixture, type OracleFact,
} from "./fixtures.ts";

async function customerFacts(database: Database) {
  return rows<OracleFact>(
    database.db,
    sql`select tokenized_user_id, age_range, province_region, account_status, user_segment,
               to_char(last_active_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_active_at,
               active_days_30, total_transactions, total_imports, import_success_rate, avg_transactions_per_import,
               reengagement_score
        from l1_customer_facts order by tokenized_user_id`,
  );
}
async function transactionFacts(database: Database) {
  return rows<{ fact_id: string; tokenized_user_id: string; occurred_on: string; amount_cents: number; via_import: boolean }>(
    database.db,
    sql`select fact_id, tokenized_user_id, occurred_on::text as occurred_on, amount_cents::float8 as amount_cents, via_import
        from l1_transaction_facts order by fact_id`,
  );
}

function expectFactsEqual(actual: OracleFact[], expected: Map<string, OracleFact>) {
  expect(actual.map((a) => a.tokenized_user_id).sort()).toEqual([...expected.keys()].sort());
  for (const a of actual) {
    const e = expected.get(a.tokenized_user_id)!;
    // Scores are rounded to 2 decimals in SQL (numeric) and here (float): allow the last digit.
    expect(a.reengagement_score).toBeCloseTo(e.reengagement_score, 1);
    expect({ ...a, reengagement_score: 0 }).toEqual({ ...e, reengagement_score: 0 });
  }
}

function expectedTransactionFacts(f: Fixture, key: Uint8Array) {
  return f.transactions
    .map((t) => ({
      fact_id: hmacHex(key, `transaction:${t.id}`),
      tokenized_user_id: hmacHex(key, t.userId),
      occurred_on: t.occurredAt.toISOString().slice(0, 10),
      amount_cents: t.amount,
      via_import: t.importId !== null,
    }))
    .sort((a, b) => (a.fact_id < b.fact_id ? -1 : 1));
}

describeDb("facts pipeline", (ctx) => {
  const fixture = generateFixture(7);

  beforeAll(async () => {
    await insertFixture(ctx.database, fixture);
  });

  it("a full refresh produces exactly the oracle's facts", async () => {
    const result = await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    expect(result).toMatchObject({ status: "done", mode: "full", customers: fixture.users.length });
    expectFactsEqual(await customerFacts(ctx.database), oracleFacts(fixture, KEY, NOW));
    expect(await transactionFacts(ctx.database)).toEqual(expectedTransactionFacts(fixture, KEY));
    // Every segment and several ages/regions actually occur (the oracle comparison is not vacuous).
    const facts = [...oracleFacts(fixture, KEY, NOW).values()];
    expect(new Set(facts.map((x) => x.user_segment)).size).toBeGreaterThanOrEqual(4);
    expect(facts.some((x) => x.reengagement_score > 0)).toBe(true);
  });

  it("tokens are keyed HMACs: 64 hex chars, not the uuid, stable, different under another key", async () => {
    const first = await customerFacts(ctx.database);
    for (const row of first) {
      expect(row.tokenized_user_id).toMatch(/^[0-9a-f]{64}$/);
      expect(fixture.users.some((u) => row.tokenized_user_id.includes(u.id.replace(/-/g, "")))).toBe(false);
    }
    await refreshFacts(ctx.database, { tokenKey: OTHER_KEY, mode: "full", now: NOW });
    const other = await customerFacts(ctx.database);
    const firstIds = new Set(first.map((r) => r.tokenized_user_id));
    expect(other).toHaveLength(first.length);
    expect(other.filter((r) => firstIds.has(r.tokenized_user_id))).toEqual([]);
    expectFactsEqual(other, oracleFacts(fixture, OTHER_KEY, NOW));
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    expect(await customerFacts(ctx.database)).toEqual(first);
  });

  it("is idempotent: a second refresh with no new activity changes nothing", async () => {
    const before = await customerFacts(ctx.database);
    const result = await refreshFacts(ctx.database, { tokenKey: KEY, mode: "incremental", now: NOW });
    expect(result).toMatchObject({ status: "done", mode: "incremental", transactionsTouched: 0 });
    expect(await customerFacts(ctx.database)).toEqual(before);
  });

  it("an incremental refresh after new activity touches only changed users and equals a full rebuild", async () => {
    const later = new Date(NOW.getTime() + 1 * DAY);
    const active = fixture.users.slice(0, 5);
    // Back-dated events (before the refresh watermark) are still picked up: the event-id watermark.
    const events = active.map((u, i) => ({ userId: u.id, type: "signed_in", at: new Date(NOW.getTime() + i * 3_600_000) }));
    const imports = [{ id: randomUUID(), userId: active[1]!.id, rowsTotal: 10, rowsImported: 7 }];
    const transactions = [
      { id: randomUUID(), userId: active[2]!.id, importId: imports[0]!.id, amount: 1234, occurredAt: NOW },
      { id: randomUUID(), userId: active[3]!.id, importId: null, amount: 99, occurredAt: NOW },
    ];
    const newcomer = { ...fixture.users[0]!, id: randomUUID(), email: "newcomer@fixture.test", createdAt: new Date(NOW.getTime() - 3 * DAY) };
    const grown: typeof fixture = {
      ...fixture,
      users: [...fixture.users, newcomer],
      events: [...fixture.events, ...events],
      imports: [...fixture.imports, ...imports],
      transactions: [...fixture.transactions, ...transactions],
    };
    await insertFixture(ctx.database, { ...grown, users: [newcomer], events: [], imports: [], transactions: [] }, { withBusiness: false });
    await insertActivity(ctx.database, grown, { events, imports, transactions });

    const inc = await refreshFacts(ctx.database, { tokenKey: KEY, mode: "incremental", now: later });
    expect(inc).toMatchObject({ status: "done", mode: "incremental", usersTouched: 6, transactionsTouched: 2 });
    const incremental = await customerFacts(ctx.database);
    const incrementalTx = await transactionFacts(ctx.database);
    const full = await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: later });
    expect(full).toMatchObject({ status: "done", mode: "full", usersTouched: grown.users.length });
    expect(await customerFacts(ctx.database)).toEqual(incremental);
    expect(await transactionFacts(ctx.database)).toEqual(incrementalTx);
    expectFactsEqual(incremental, oracleFacts(grown, KEY, later));
    expect(incrementalTx).toEqual(expectedTransactionFacts(grown, KEY));
    fixture.users.push(newcomer);
    fixture.events.push(...events);
    fixture.imports.push(...imports);
    fixture.transactions.push(...transactions);
  });

  it("concurrent refreshes serialize or skip, and leave one consistent result", async () => {
    const later = new Date(NOW.getTime() + 1 * DAY);
    const results = await Promise.all([
      refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: later }),
      refreshFacts(ctx.database, { tokenKey: KEY, mode: "incremental", now: later }),
      refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: later }),
    ]);
    expect(results.some((r) => r.status === "done")).toBe(true);
    expectFactsEqual(await customerFacts(ctx.database), oracleFacts(fixture, KEY, later));
    expect(await transactionFacts(ctx.database)).toEqual(expectedTransactionFacts(fixture, KEY));
  });

  // PGlite is one connection: a second transaction cannot start while the first holds the lock.
  it.skipIf(ctx.kind === "pglite")("a refresh that finds the pipeline lock taken skips without writing", async () => {
    const before = await rows<{ n: number }>(ctx.database.db, sql`select count(*)::int as n from analytics_refresh_log`);
    const result = await asFactsPipeline(ctx.database, async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK_ID})`);
      return refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    });
    expect(result).toEqual({ status: "skipped", reason: "another refresh is running" });
    const after = await rows<{ n: number }>(ctx.database.db, sql`select count(*)::int as n from analytics_refresh_log`);
    expect(after).toEqual(before);
  });

  it("a full refresh writes only the differences (changed, deleted rows) and reports its steps", async () => {
    const later = new Date(NOW.getTime() + 1 * DAY);
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: later });
    const [changed, deleted] = fixture.transactions.filter((t) => t.importId === null).slice(0, 2);
    await ctx.database.db.execute(sql`update transactions set amount_cents = amount_cents + 1 where id = ${changed!.id}`);
    await ctx.database.db.execute(sql`delete from transactions where id = ${deleted!.id}`);
    // One user's activity on one day disappears from the events (a business deletion): its rollup row goes.
    const [gone] = await rows<{ user_id: string; day: string }>(
      ctx.database.db,
      sql`select user_id::text, day::text from l1_user_activity_days order by day, user_id limit 1`,
    );
    await ctx.database.db.execute(sql`delete from l1_event_facts
      where user_id = ${gone!.user_id}::uuid and (occurred_at at time zone 'UTC')::date = ${gone!.day}::date`);
    changed!.amount += 1;
    fixture.transactions.splice(fixture.transactions.indexOf(deleted!), 1);
    fixture.events = fixture.events.filter((e) => !(e.userId === gone!.user_id && e.at.toISOString().slice(0, 10) === gone!.day));

    const steps: string[] = [];
    const result = await refreshFacts(ctx.database, {
      tokenKey: KEY, mode: "full", now: later, onProgress: (p) => steps.push(p.step),
    });
    expect(result).toMatchObject({ status: "done", mode: "full", transactionsTouched: 2 });
    expect(steps).toEqual(expect.arrayContaining(["tokens", "activity rollups", "transaction ids", "transaction facts", "customer aggregates"]));
    expect(await transactionFacts(ctx.database)).toEqual(expectedTransactionFacts(fixture, KEY));
    expectFactsEqual(await customerFacts(ctx.database), oracleFacts(fixture, KEY, later));
    const rollup = await rows<{ n: number }>(
      ctx.database.db,
      sql`select count(*)::int as n from (
            (select user_id, day, last_at from l1_user_activity_days
             except select user_id, (occurred_at at time zone 'UTC')::date, max(occurred_at) from l1_event_facts group by 1, 2)
            union all
            (select user_id, (occurred_at at time zone 'UTC')::date, max(occurred_at) from l1_event_facts group by 1, 2
             except select user_id, day, last_at from l1_user_activity_days)) d`,
    );
    expect(rollup).toEqual([{ n: 0 }]);
  });

  it("a first refresh into empty fact tables fills them to the same state", async () => {
    const later = new Date(NOW.getTime() + 1 * DAY);
    const before = [await customerFacts(ctx.database), await transactionFacts(ctx.database)];
    await ctx.database.db.execute(sql`delete from l1_user_activity_days`);
    await ctx.database.db.execute(sql`delete from l1_user_milestones`);
    await ctx.database.db.execute(sql`delete from l1_transaction_facts`);
    await ctx.database.db.execute(sql`delete from l1_customer_facts`);
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: later });
    expect([await customerFacts(ctx.database), await transactionFacts(ctx.database)]).toEqual(before);
  });

  it("deleted users lose their facts on the next refresh", async () => {
    const gone = fixture.users.find((u) => fixture.transactions.some((t) => t.userId === u.id))!;
    await ctx.database.db.execute(sql`delete from auth.users where id = ${gone.id}`);
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "incremental", now: NOW });
    const token = hmacHex(KEY, gone.id);
    const left = await rows<{ n: number }>(
      ctx.database.db,
      sql`select ((select count(*) from l1_customer_facts where tokenized_user_id = ${token})
                + (select count(*) from l1_transaction_facts where tokenized_user_id = ${token}))::int as n`,
    );
    expect(left).toEqual([{ n: 0 }]);
  });
});
