// Cohorts read the rollup l1_user_cohort_weeks (signup week + bitmask of active weeks per user) written
// by the facts refresh, plus the events after its watermark. The rollup must equal its definition after
// full and incremental refreshes, the answers must equal the oracle over the raw events (before and
// after new events, for every `weeks`), and the rollup must really be what cohorts read.
import { beforeAll, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { rows, sql, withAnalyst, type Tx } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { cohorts, refreshFacts } from "../src/index.ts";
import {
  COHORT_SIZES, DAY, K, KEY, NOW, WEEK, generateFixture, insertActivity, insertFixture, isoDay, mondayOf, oracleCohorts,
  type GenEvent,
} from "./fixtures.ts";

describeDb("cohorts from the cohort-weeks rollup", (ctx) => {
  const fixture = generateFixture(31);
  const run = <T>(fn: (tx: Tx) => Promise<T>) => withAnalyst(ctx.database, null, fn);
  const from = isoDay(mondayOf(new Date(NOW.getTime() - (COHORT_SIZES.length + 2) * WEEK)));
  // Up to the current real week: users signed up during the test are a cohort too.
  const to = () => isoDay(new Date());
  const WEEKS = [1, 3, 8, 52];

  async function answers() {
    const out: Record<number, unknown> = {};
    for (const weeks of WEEKS) out[weeks] = (await run((tx) => cohorts(tx, { from, to: to(), weeks }, { k: K }))).cohorts;
    return out;
  }
  function oracle() {
    const out: Record<number, unknown> = {};
    for (const weeks of WEEKS) out[weeks] = oracleCohorts(fixture, from, to(), weeks, K);
    return out;
  }
  async function rollup() {
    return rows<{ user_id: string; cohort_week: string; active_weeks: string }>(
      ctx.database.db,
      sql`select user_id::text as user_id, cohort_week::text as cohort_week, active_weeks::text as active_weeks
          from l1_user_cohort_weeks order by 1`,
    );
  }
  function oracleRollup() {
    return fixture.users
      .map((u) => {
        const wk = mondayOf(u.createdAt).getTime();
        let mask = 0n;
        for (const e of fixture.events) {
          const t = e.at.getTime();
          if (e.userId === u.id && t >= wk && t < wk + 52 * WEEK) mask |= 1n << BigInt(Math.floor((t - wk) / WEEK));
        }
        return { user_id: u.id, cohort_week: isoDay(new Date(wk)), active_weeks: mask.toString() };
      })
      .sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
  }

  beforeAll(async () => {
    await insertFixture(ctx.database, fixture);
  });

  it("a full refresh writes the rollup; cohorts equal the oracle for every weeks value", async () => {
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    const rolled = await rollup();
    expect(rolled).toEqual(oracleRollup());
    expect(rolled.filter((r) => r.active_weeks !== "0").length).toBeGreaterThan(10);
    expect(await answers()).toEqual(oracle());
  });

  it("cohorts read the rollup: changing it (as the owner) changes the answer; a full refresh repairs it", async () => {
    const before = await answers();
    await ctx.database.db.execute(sql`update l1_user_cohort_weeks set active_weeks = 0`);
    expect(await answers()).not.toEqual(before);
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    expect(await rollup()).toEqual(oracleRollup());
    expect(await answers()).toEqual(before);
  });

  it("events newer than the watermark, a changed signup time and a missing rollup row: still the oracle", async () => {
    const users = fixture.users.filter((u) => u.createdAt.getTime() > NOW.getTime() - 8 * WEEK).slice(0, 12);
    expect(users.length).toBeGreaterThanOrEqual(10);
    const added: GenEvent[] = users.flatMap((u, i) => [
      // 00:00 UTC on the Monday three weeks after the signup week (week 3), and the last instant of week 1.
      { userId: u.id, type: "signed_in", at: new Date(mondayOf(u.createdAt).getTime() + 3 * WEEK) },
      { userId: u.id, type: "contact_created", at: new Date(mondayOf(u.createdAt).getTime() + 2 * WEEK - 1) },
      ...(i % 3 === 0 ? [{ userId: u.id, type: "signed_in", at: new Date(NOW.getTime() - DAY) }] : []),
    ]);
    await insertActivity(ctx.database, fixture, { events: added });
    fixture.events.push(...added);
    // A signup moved one week earlier after the refresh: its rollup row has another cohort week.
    const moved = users[0]!;
    moved.createdAt = new Date(moved.createdAt.getTime() - WEEK);
    await ctx.database.db.execute(sql`update users set created_at = ${moved.createdAt.toISOString()}::timestamptz where id = ${moved.id}`);
    // A user the rollup has no row for.
    await ctx.database.db.execute(sql`delete from l1_user_cohort_weeks where user_id = ${users[1]!.id}`);
    expect(await answers()).toEqual(oracle());
  });

  it("an incremental refresh folds the new events and new signups in, equal to a full rebuild", async () => {
    // A user who signs up now (after the watermark) with activity this week.
    const id = randomUUID();
    await ctx.database.db.execute(sql`insert into auth.users (id, email) values (${id}, ${`new-${id}@fixture.test`})`);
    const [created] = await rows<{ at: string }>(ctx.database.db, sql`select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from users where id = ${id}`);
    fixture.users.push({
      ...fixture.users[0]!, id, email: `new-${id}@fixture.test`, createdAt: new Date(created!.at),
    });
    const extra: GenEvent[] = [
      { userId: id, type: "signed_in", at: new Date() },
      ...fixture.users.slice(2, 8).map((u) => ({ userId: u.id, type: "signed_in", at: new Date(NOW.getTime() - 3 * DAY) })),
    ];
    await insertActivity(ctx.database, fixture, { events: extra });
    fixture.events.push(...extra);

    const inc = await refreshFacts(ctx.database, { tokenKey: KEY, mode: "incremental", now: NOW });
    expect(inc).toMatchObject({ status: "done", mode: "incremental" });
    const incRollup = await rollup();
    // The users with new events and the new signup are recomputed (the moved signup had new events too,
    // and the deleted row's user as well); every row equals its definition.
    expect(incRollup).toEqual(oracleRollup());
    expect(incRollup.find((r) => r.user_id === id)?.active_weeks).toBe("1");
    expect(await answers()).toEqual(oracle());

    // Events after this incremental refresh's watermark are still read live.
    const later: GenEvent[] = fixture.users.slice(8, 14).map((u) => ({ userId: u.id, type: "signed_in", at: new Date(mondayOf(u.createdAt).getTime() + WEEK) }));
    await insertActivity(ctx.database, fixture, { events: later });
    fixture.events.push(...later);
    expect(await answers()).toEqual(oracle());

    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    expect(await rollup()).toEqual(oracleRollup());
    expect(await answers()).toEqual(oracle());
  });

  it("only analysts read the rollup and only the pipeline writes it", async () => {
    const error = await run((tx) => tx.execute(sql`delete from l1_user_cohort_weeks`)).then(() => null, (e: Error) => e);
    expect(String((error?.cause as Error | undefined)?.message ?? error?.message)).toMatch(/permission denied/);
    const [n] = await run((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from l1_user_cohort_weeks`));
    expect(n!.n).toBe(fixture.users.length);
  });
});
