// The adversarial analyst (issue 11, findings 2–5): pairs of queries that differ in one parameter step
// (a date range by one day, breakdown vs none, limit 1 vs N, one week more) must never reveal a count
// from 1 to k−1 or an attribute of a group smaller than k; no free text reaches an insight; CSV cells
// cannot start a formula in any spreadsheet. Run as role analyst on PGlite and PostgreSQL.
import { beforeAll, expect, it } from "vitest";
import { rows, sql, withAnalyst, type Tx } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import {
  cohorts, engagement, funnel, importQuality, insightTable, intents, reengagement, refreshFacts, segments, toCsv,
} from "../src/index.ts";
import { csvCell } from "../src/csv-cell.ts";
import { DAY, K, KEY, NOW, WEEK, generateFixture, insertFixture, isoDay, mondayOf } from "./fixtures.ts";

/** A count the analyst may learn: 0, or at least k. */
const safe = (n: number) => n === 0 || n >= K;
const expectSafe = (n: number, what: string) => expect(safe(n), `${what} = ${n} (k = ${K})`).toBe(true);

describeDb("attacks on the insights (differencing, free text, CSV)", (ctx) => {
  const fixture = generateFixture(11);
  const run = <T>(fn: (tx: Tx) => Promise<T>) => withAnalyst(ctx.database, null, fn);
  const opts = { k: K, now: NOW };
  const firstSignup = new Date(Math.min(...fixture.users.map((u) => u.createdAt.getTime())));

  beforeAll(async () => {
    await insertFixture(ctx.database, fixture);
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", now: NOW });
  });

  it("funnel: ranges one day apart, and the steps of one answer, never differ by 1..k−1", async () => {
    const from = isoDay(new Date(firstSignup.getTime() - WEEK));
    const start = mondayOf(new Date(NOW.getTime() - 12 * WEEK)).getTime();
    let previous: (number | null)[] | null = null;
    let compared = 0;
    for (let t = start; t <= NOW.getTime(); t += DAY) {
      const out = await run((tx) => funnel(tx, { from, to: isoDay(new Date(t)) }, opts));
      const users = out.steps.map((s) => s.users);
      for (let i = 1; i < users.length; i++) {
        if (users[i] !== null && users[i - 1] !== null) expectSafe(users[i - 1]! - users[i]!, `drop-off before ${out.steps[i]!.step} up to ${isoDay(new Date(t))}`);
      }
      if (previous) {
        users.forEach((n, i) => {
          if (n !== null && previous![i] !== null) {
            compared++;
            expectSafe(n - previous![i]!, `${out.steps[i]!.step} to=${isoDay(new Date(t))} minus the day before`);
          }
        });
      }
      previous = users;
    }
    expect(compared).toBeGreaterThan(0);
    // One-day ranges (the smallest the analyst can ask for) reveal no small count either.
    for (let t = start; t <= NOW.getTime(); t += DAY) {
      const day = isoDay(new Date(t));
      const out = await run((tx) => funnel(tx, { from: day, to: day }, opts));
      for (const s of out.steps) if (s.users !== null) expectSafe(s.users, `${s.step} on ${day}`);
    }
  });

  it("segments: the total minus the visible cells of a breakdown never reveals 1..k−1 users", async () => {
    const none = await run((tx) => segments(tx, { breakdown: "none" }, opts));
    const visible = (list: typeof none.segments) => list.reduce((s, c) => s + (c.users ?? 0), 0);
    expectSafe(fixture.users.length - visible(none.segments), "all users minus the visible segments");
    for (const breakdown of ["age_range", "province_region"] as const) {
      const cells = (await run((tx) => segments(tx, { breakdown }, opts))).segments;
      expectSafe(fixture.users.length - visible(cells), `all users minus the visible ${breakdown} cells`);
      for (const row of none.segments) {
        if (row.users === null) continue;
        const mine = cells.filter((c) => c.segment === row.segment);
        expectSafe(row.users - visible(mine), `${row.segment} minus its visible ${breakdown} cells`);
      }
    }
  });

  it("engagement: the summary is computed from the published days only (a one-day range leaks nothing)", async () => {
    for (let back = 0; back < 60; back += 1) {
      const day = isoDay(new Date(NOW.getTime() - back * DAY));
      for (const range of [{ from: day, to: day }, { from: isoDay(new Date(NOW.getTime() - (back + 6) * DAY)), to: day }]) {
        const out = await run((tx) => engagement(tx, range, opts));
        const shown = out.days.filter((d) => d.dau !== null && d.mau !== null);
        const dau = out.days.filter((d) => d.dau !== null).map((d) => d.dau!);
        const mau = out.days.filter((d) => d.mau !== null).map((d) => d.mau!);
        const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
        if (mean(dau) === null) expect(out.summary.avg_dau).toBeNull();
        else expect(out.summary.avg_dau).toBeCloseTo(mean(dau)!, 9);
        if (mean(mau) === null) expect(out.summary.avg_mau).toBeNull();
        else expect(out.summary.avg_mau).toBeCloseTo(mean(mau)!, 9);
        const sMau = shown.reduce((s, d) => s + d.mau!, 0);
        if (sMau === 0) expect(out.summary.stickiness).toBeNull();
        else expect(out.summary.stickiness).toBeCloseTo(shown.reduce((s, d) => s + d.dau!, 0) / sMau, 9);
        for (const d of out.days) {
          if (d.dau !== null && d.wau !== null) expectSafe(d.wau - d.dau, `wau − dau on ${d.date}`);
          if (d.wau !== null && d.mau !== null) expectSafe(d.mau - d.wau, `mau − wau on ${d.date}`);
          if (d.dau !== null && d.mau !== null) expectSafe(d.mau - d.dau, `mau − dau on ${d.date}`);
        }
      }
    }
  });

  it("cohorts: a cohort's size minus its retained users is never 1..k−1, whatever the number of weeks", async () => {
    const from = isoDay(mondayOf(new Date(firstSignup.getTime()))), to = isoDay(mondayOf(NOW));
    const seen = new Map<string, (number | null)[]>();
    for (const weeks of [1, 2, 8, 12]) {
      const out = await run((tx) => cohorts(tx, { from, to, weeks }, opts));
      for (const c of out.cohorts) {
        if (c.size === null) expect(c.retained.every((n) => n === null)).toBe(true);
        else c.retained.forEach((n, w) => n !== null && expectSafe(c.size! - n, `${c.cohort_week} size − retained[${w}]`));
        const before = seen.get(c.cohort_week);
        if (before) expect(c.retained.slice(0, before.length)).toEqual(before.slice(0, c.retained.length));
        seen.set(c.cohort_week, c.retained);
      }
    }
  });

  it("intents: all users minus the visible groups, and a group minus its onboarded users, are never 1..k−1", async () => {
    const out = await run((tx) => intents(tx, opts));
    const visible = out.intents.reduce((s, i) => s + (i.users ?? 0), 0);
    expectSafe(fixture.users.length - visible, "all users minus the visible motivations");
    for (const i of out.intents) if (i.users !== null && i.onboarded !== null) expectSafe(i.users - i.onboarded, `${i.motivation} not onboarded`);
  });

  it("import quality: a segment's users minus its visible buckets is never 1..k−1", async () => {
    const out = await run((tx) => importQuality(tx, opts));
    for (const s of out.segments) {
      if (s.users_with_imports === null) continue;
      const perImport = s.avg_transactions_per_import.reduce((n, b) => n + (b.users ?? 0), 0);
      expectSafe(s.users_with_imports - perImport, `${s.segment} minus its visible transactions-per-import buckets`);
      const rate = s.import_success_rate.reduce((n, b) => n + (b.users ?? 0), 0);
      const [withRate] = await rows<{ n: number }>(
        ctx.database.db,
        sql`select count(*)::int as n from l1_customer_facts where user_segment = ${s.segment} and total_imports > 0 and import_success_rate is not null`,
      );
      expectSafe(withRate!.n - rate, `${s.segment}: users with a success rate minus the visible buckets`);
    }
  });

  it("reengagement: no stable id, and every row describes a group of at least k candidates (limit 1 vs N)", async () => {
    const tokens = new Set(
      (await rows<{ t: string }>(ctx.database.db, sql`select tokenized_user_id as t from l1_customer_facts`)).map((r) => r.t),
    );
    const all = await run((tx) => reengagement(tx, { limit: 1000 }, opts));
    const again = await run((tx) => reengagement(tx, { limit: 1000 }, opts));
    const top = await run((tx) => reengagement(tx, { limit: 1 }, opts));
    const idOf = (row: object) => Object.values(row).filter((v) => typeof v === "string" && /^[0-9a-f]{16,}$/.test(v));
    for (const row of [...all.users, ...top.users]) for (const v of Object.values(row)) expect(tokens.has(String(v))).toBe(false);
    // Ids rotate per export: the same request twice shares no id.
    const firstIds = new Set(all.users.flatMap(idOf));
    expect(again.users.flatMap(idOf).filter((id) => firstIds.has(id))).toEqual([]);
    // Quasi-identifiers (everything but the id): each combination is shared by at least k rows.
    const qi = (row: object) => JSON.stringify(Object.entries(row).filter(([, v]) => !idOf({ v }).length).sort());
    const classes = new Map<string, number>();
    for (const row of all.users) classes.set(qi(row), (classes.get(qi(row)) ?? 0) + 1);
    for (const [key, n] of classes) expect(n, key).toBeGreaterThanOrEqual(K);
    for (const row of top.users) expect(classes.get(qi(row)) ?? 0).toBeGreaterThanOrEqual(K);
  });

  it("free text never reaches an insight: motivation is a closed vocabulary in the database", async () => {
    const id = fixture.users[0]!.id;
    const error = await ctx.database.db
      .execute(sql`update users set motivation = ${"Adam Q. Public, 204-555-0199, divorce lawyer"} where id = ${id}`)
      .then(() => null, (e: Error) => e);
    expect(String((error?.cause as Error | undefined)?.message ?? error?.message)).toMatch(/check constraint|violates/);
    const out = await run((tx) => intents(tx, opts));
    for (const i of out.intents) expect([null, "grow_sales", "organize_contacts", "team_collaboration", "track_payments", "other"]).toContain(i.motivation);
  });

  it("CSV: a cell that could start a formula after any separator is quoted and prefixed with '", () => {
    const payloads = [
      "x;=1+1;@SUM(1+1)", "=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "a,=HYPERLINK(\"http://x\")",
      "a;+cmd", "ok\n=1", "a | -2", "a; =1", 'a;"=1',
    ];
    for (const p of payloads) {
      const cell = csvCell(p);
      expect(cell, p).toBe(`"'${p.replace(/"/g, '""')}"`);
    }
    expect(csvCell("plain text")).toBe("plain text");
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell(-5)).toBe("-5");
    const csv = toCsv(insightTable("intents", { k_anonymity: K, intents: [{ motivation: "x;=1+1;@SUM(1+1)", users: 5, onboarded: 5, share: 1 }] }));
    expect(csv).toContain(`"'x;=1+1;@SUM(1+1)"`);
  });
});
