// Insights read the rollups written by the last refresh plus the events after its watermark: they must
// equal the oracle (computed from every event) between refreshes, before the first refresh, and after
// an incremental one; and the rollups themselves must equal their definition.
import { beforeAll, expect, it } from "vitest";
import { rows, sql, withAnalyst, type Tx } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { cohorts, engagement, funnel, refreshFacts } from "../src/index.ts";
import {
  COHORT_SIZES, DAY, K, KEY, NOW, WEEK, generateFixture, insertActivity, insertFixture, isoDay, mondayOf, oracleCohorts,
  oracleEngagement, oracleFunnel, type GenEvent,
} from "./fixtures.ts";

const round = (value: unknown): unknown =>
  typeof value === "number" ? Math.round(value * 1e9) / 1e9
  : Array.isArray(value) ? value.map(round)
  : value && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)]))
  : value;

describeDb("insights between refreshes", (ctx) => {
  const fixture = generateFixture(23);
  const run = <T>(fn: (tx: Tx) => Promise<T>) => withAnalyst(ctx.database, null, fn);
  const cohortFrom = isoDay(mondayOf(new Date(NOW.getTime() - (COHORT_SIZES.length - 1) * WEEK)));
  const cohortTo = isoDay(mondayOf(NOW));
  const engFrom = isoDay(new Date(NOW.getTime() - 45 * DAY)), engTo = isoDay(NOW);

  async function all() {
    return {
      cohorts: (await run((tx) => cohorts(tx, { from: cohortFrom, to: cohortTo, weeks: 8 }, { k: K }))).cohorts,
      engagement: round((await run((tx) => engagement(tx, { from: engFrom, to: engTo }, { k: K }))).days),
      funnel: round((await run((tx) => funnel(tx, {}, { k: K }))).steps),
    };
  }
  function oracle() {
    return {
      cohorts: oracleCohorts(fixture, cohortFrom, cohortTo, 8, K),
      engagement: round(oracleEngagement(fixture, engFrom, engTo, K).days),
      funnel: round(oracleFunnel(fixture, null, null, K).steps),
    };
  }
  async function rollupDays() {
    return rows<{ user_id: string; day: string; last_at: string }>(
      ctx.database.db,
      sql`select user_id::text as user_id, day::text as day,
                 to_char(last_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at
          from l1_user_activity_days order by 1, 2`,
    );
  }
  function oracleDays() {
    const latest = new Map<string, Date>();
    for (const e of fixture.events) {
      const key = `${e.userId} ${isoDay(e.at)}`;
      if (!latest.has(key) || latest.get(key)! < e.at) latest.set(key, e.at);
    }
    return [...latest.entries()]
      .map(([key, at]) => ({ user_id: key.split(" ")[0]!, day: key.split(" ")[1]!, last_at: at.toISOString() }))
      .sort((a, b) => (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.day < b.day ? -1 : 1));
  }

  beforeAll(async () => {
    await insertFixture(ctx.database, fixture);
  });

  it("before any refresh, insights come from the events alone", async () => {
    expect(await all()).toEqual(oracle());
  });

  it("after a refresh plus new events (not refreshed yet), insights equal the oracle over every event", async () => {
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    expect(await rollupDays()).toEqual(oracleDays());
    const before = await all();
    expect(before).toEqual(oracle());

    const recent = fixture.users.filter((u) => u.createdAt.getTime() > NOW.getTime() - 6 * WEEK).slice(0, 12);
    expect(recent.length).toBeGreaterThanOrEqual(10);
    const added: GenEvent[] = recent.flatMap((u, i) => [
      // Exactly 00:00 UTC on the Monday two weeks after the signup week: week index 2, not 1.
      { userId: u.id, type: "signed_in", at: new Date(mondayOf(u.createdAt).getTime() + 2 * WEEK) },
      // The same day for everyone: a DAU/WAU/MAU change above k.
      { userId: u.id, type: "signed_in", at: new Date(NOW.getTime() - 2 * DAY - 3_600_000) },
      { userId: u.id, type: i % 2 ? "contact_created" : "import_completed", at: new Date(NOW.getTime() - DAY) },
    ]);
    await insertActivity(ctx.database, fixture, { events: added });
    fixture.events.push(...added);
    const after = await all();
    expect(after).toEqual(oracle());
    expect(after.cohorts).not.toEqual(before.cohorts);
    expect(after.engagement).not.toEqual(before.engagement);
  });

  it("without a watermark (log emptied) the rollups are ignored and the answers stay the same", async () => {
    await ctx.database.db.execute(sql`delete from analytics_refresh_log`);
    expect(await all()).toEqual(oracle());
  });

  it("an incremental refresh folds the new events into the rollups, equal to a full rebuild", async () => {
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    const extra: GenEvent[] = fixture.users.slice(0, 6).map((u, i) => ({
      userId: u.id, type: i % 2 ? "contact_created" : "signed_in", at: new Date(NOW.getTime() - (i + 1) * DAY),
    }));
    await insertActivity(ctx.database, fixture, { events: extra });
    fixture.events.push(...extra);
    const inc = await refreshFacts(ctx.database, { tokenKey: KEY, mode: "incremental", now: NOW });
    expect(inc).toMatchObject({ status: "done", mode: "incremental" });
    const incDays = await rollupDays();
    const incMilestones = await rows(ctx.database.db, sql`select * from l1_user_milestones order by user_id`);
    const daily = () => rows(ctx.database.db, sql`select day::text as day, dau, wau, mau from l1_activity_daily order by day`);
    const incDaily = await daily();
    expect(incDaily.length).toBeGreaterThan(30);
    expect(incDays).toEqual(oracleDays());
    expect(await all()).toEqual(oracle());
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
    expect(await rollupDays()).toEqual(incDays);
    expect(await rows(ctx.database.db, sql`select * from l1_user_milestones order by user_id`)).toEqual(incMilestones);
    expect(await daily()).toEqual(incDaily);
  });

  it("only analysts read the rollups and only the pipeline writes them", async () => {
    const denied = async (fn: (tx: Tx) => Promise<unknown>) => {
      const error = await run(fn).then(() => null, (e: Error) => e);
      expect(String((error?.cause as Error | undefined)?.message ?? error?.message)).toMatch(/permission denied/);
    };
    await denied((tx) => tx.execute(sql`delete from l1_user_activity_days`));
    await denied((tx) => tx.execute(sql`update l1_user_milestones set contact_created = true`));
    await denied((tx) => tx.execute(sql`insert into l1_activity_daily (day, dau, wau, mau) values ('2020-01-01', 1, 1, 1)`));
    await denied((tx) => tx.execute(sql`select mode, users_touched from analytics_refresh_log`));
    const [n] = await run((tx) => rows<{ n: number }>(tx, sql`select count(*)::int as n from l1_user_activity_days`));
    expect(n!.n).toBeGreaterThan(0);
  });
});
