import { beforeAll, expect, it } from "vitest";
import { withAnalyst, type Tx } from "@switchboard/db";
import { sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import {
  cohorts, engagement, funnel, importQuality, insightTable, intents, type InsightName, reengagement, refreshFacts, segments, toCsv,
} from "../src/index.ts";
import {
  COHORT_SIZES, DAY, K, KEY, NOW, WEEK, generateFixture, insertFixture, isoDay, mondayOf, oracleCohorts,
  oracleEngagement, oracleFacts, oracleFunnel, oracleImportQuality, oracleIntents, oracleReengagement, oracleSegments,
} from "./fixtures.ts";

/** Floats from SQL sums may differ from the oracle's in the last bits: round before comparing. */
const round = (value: unknown): unknown =>
  typeof value === "number" ? Math.round(value * 1e9) / 1e9
  : Array.isArray(value) ? value.map(round)
  : value && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, round(v)]))
  : value;

/** Every PII value and operational id of the fixture; no insight output may contain any of them. */
export function piiNeedles(f: ReturnType<typeof generateFixture>) {
  return f.users.flatMap((u) => [u.id, u.email, u.fullName, u.phone, u.fullName.split(" ")[1]!]).concat([f.contactId, "Contact Secret", "contact.secret@fixture.test"]);
}

describeDb("insights", (ctx) => {
  const fixture = generateFixture(11);
  const facts = [...oracleFacts(fixture, KEY, NOW).values()];
  const run = <T>(fn: (tx: Tx) => Promise<T>) => withAnalyst(ctx.database, null, fn);
  const outputs: { name: InsightName; value: unknown }[] = [];
  const recorder = (name: InsightName) => <T>(value: T) => (outputs.push({ name, value }), value);

  beforeAll(async () => {
    await insertFixture(ctx.database, fixture);
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
  });

  it("cohorts match the oracle, including the k−1 and k cohorts and Monday 00:00 boundaries", async () => {
    const first = mondayOf(new Date(NOW.getTime() - (COHORT_SIZES.length - 1) * WEEK));
    const from = isoDay(first), to = isoDay(mondayOf(NOW));
    for (const weeks of [1, 4, 8]) {
      const out = recorder("cohorts")(await run((tx) => cohorts(tx, { from, to, weeks }, { k: K })));
      expect(out.cohorts).toEqual(oracleCohorts(fixture, from, to, weeks, K));
    }
    const out = await run((tx) => cohorts(tx, { from, to, weeks: 8 }, { k: K }));
    // The first week also holds the three demographic edge users.
    expect(out.cohorts.map((c) => c.size)).toEqual(COHORT_SIZES.map((n, i) => (i === 0 ? n + 3 : n < K ? null : n)));
    const kMinusOne = out.cohorts[COHORT_SIZES.indexOf(K - 1)]!;
    expect(kMinusOne).toEqual({ cohort_week: kMinusOne.cohort_week, size: null, retained: Array(8).fill(null), rates: Array(8).fill(null) });
    expect(out.cohorts[COHORT_SIZES.indexOf(K)]!.size).toBe(K);
    // A narrower range leaves out the cohorts outside it.
    const narrow = await run((tx) => cohorts(tx, { from: isoDay(new Date(first.getTime() + WEEK)), to: isoDay(new Date(first.getTime() + 2 * WEEK)), weeks: 2 }, { k: K }));
    expect(narrow.cohorts.map((c) => c.cohort_week)).toEqual([isoDay(new Date(first.getTime() + WEEK)), isoDay(new Date(first.getTime() + 2 * WEEK))]);
  });

  it("intents match the oracle (suppressed groups are null)", async () => {
    const out = recorder("intents")(await run((tx) => intents(tx, { k: K })));
    expect(round(out.intents)).toEqual(round(oracleIntents(fixture, K)));
    expect(out.intents.some((i) => i.motivation === "track_payments" && i.users === null)).toBe(true);
  });

  it("segments match the oracle, overall and by age range and region", async () => {
    for (const breakdown of ["none", "age_range", "province_region"] as const) {
      const out = recorder("segments")(await run((tx) => segments(tx, { breakdown }, { k: K })));
      expect(round(out.segments)).toEqual(round(oracleSegments(facts, breakdown, K)));
    }
  });

  it("engagement matches the oracle", async () => {
    const from = isoDay(new Date(NOW.getTime() - 45 * DAY)), to = isoDay(NOW);
    const out = recorder("engagement")(await run((tx) => engagement(tx, { from, to }, { k: K })));
    const expected = oracleEngagement(fixture, from, to, K);
    expect(round(out.days)).toEqual(round(expected.days));
    expect(round(out.summary)).toEqual(round(expected.summary));
  });

  it("import quality, reengagement and the funnel match the oracle", async () => {
    const iq = recorder("importQuality")(await run((tx) => importQuality(tx, { k: K })));
    expect(iq.segments).toEqual(oracleImportQuality(facts, K));
    for (const limit of [1, 3, 1000]) {
      const re = recorder("reengagement")(await run((tx) => reengagement(tx, { limit }, { k: K })));
      expect(re.users.map(({ id: _id, ...row }) => row)).toEqual(oracleReengagement(facts, limit, K));
    }
    // The fixture's k look-alikes appear, the k−1 look-alikes do not.
    const all = await run((tx) => reengagement(tx, { limit: 1000 }, { k: K }));
    expect(all.users.filter((u) => u.province_region === "Central" && u.age_range === "45-54" && u.score_band === "80-100").length).toBeGreaterThanOrEqual(K);
    expect(all.users.filter((u) => u.province_region === "West Coast" && u.age_range === "45-54" && u.score_band === "80-100")).toEqual([]);
    for (const [from, to] of [[null, null], [isoDay(new Date(NOW.getTime() - 5 * WEEK)), isoDay(NOW)], [isoDay(new Date(NOW.getTime() - 5 * WEEK + 2 * DAY)), isoDay(new Date(NOW.getTime() - 3 * DAY))]] as const) {
      const out = recorder("funnel")(await run((tx) => funnel(tx, { from: from ?? undefined, to: to ?? undefined }, { k: K })));
      const expected = oracleFunnel(fixture, from, to, K);
      expect(round(out.steps)).toEqual(round(expected.steps));
      expect([out.from, out.to, out.weeks_withheld]).toEqual([expected.from, expected.to, expected.weeks_withheld]);
    }
  });

  it("no insight output (JSON or CSV) contains a user id, email, name, phone or contact", async () => {
    expect(outputs.length).toBeGreaterThanOrEqual(10);
    expect(new Set(outputs.map((o) => o.name)).size).toBe(7);
    const text = JSON.stringify(outputs) + outputs.map((o) => toCsv(insightTable(o.name, o.value))).join("");
    for (const needle of piiNeedles(fixture)) expect(text.toLowerCase()).not.toContain(needle.toLowerCase());
  });

  it("the analyst role is refused every PII column and every tenant table", async () => {
    const attacks = [
      sql`select email from users`, sql`select full_name from users`, sql`select phone from users`,
      sql`select display_name from users`, sql`select birth_date from users`, sql`select province from users`,
      sql`select avatar_url from users`, sql`select * from users`, sql`select full_name from contacts`,
      sql`select count(*) from contacts`, sql`select * from transactions`, sql`select * from imports`,
      sql`select * from businesses`, sql`select * from business_memberships`, sql`select email from auth.users`,
      sql`select * from analytics_refresh_log`, sql`insert into l1_customer_facts (tokenized_user_id) values ('x')`,
      sql`select private.co_member_ids()`,
      sql`select u.id from users u where u.email like '%fixture%'`,
    ];
    for (const attack of attacks) {
      const error = await run((tx) => tx.execute(attack)).then(() => null, (e: Error) => e);
      expect(String((error?.cause as Error | undefined)?.message ?? error?.message)).toMatch(/permission denied/);
    }
    // What the analyst may read, it can.
    await expect(run((tx) => tx.execute(sql`select id, created_at, motivation, onboarding_completed_at, account_status from users`))).resolves.toBeDefined();
  });
});
