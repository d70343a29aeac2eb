// insights.*: analyst-only access, validation, and outputs equal to the analytics functions run as the
// database role analyst, with no PII anywhere in them.
import { beforeAll, expect, it } from "vitest";
import { rows, sql, withAnalyst, withUser } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import {
  cohorts, engagement, funnel, grantAnalyst, importQuality, intents, reengagement, refreshFacts, revokeAnalyst, segments,
} from "@switchboard/analytics";
import { K, NOW, generateFixture, insertFixture } from "@switchboard/analytics/testing";
import { codeOf, harness, type TestUser } from "./helpers.ts";

describeDb("insights procedures", (ctx) => {
  const h = harness(ctx);
  const fixture = generateFixture(5);
  let analyst: TestUser;
  let member: TestUser;

  beforeAll(async () => {
    await insertFixture(ctx.database, fixture);
    analyst = await h.signUp("analystann", { full_name: "Ann Analyst-Secret", phone: "+15550001111" });
    member = await h.signUp("membermax", { full_name: "Max Member-Secret", phone: "+15550002222" });
    expect(await grantAnalyst(ctx.database.db, analyst.email.toUpperCase())).toBe(true);
    await refreshFacts(ctx.database, { tokenKey: h.config.analyticsTokenKey, mode: "full", now: NOW });
  });

  const calls = (c: TestUser["caller"]) => [
    () => c.insights.cohorts({ from: "2025-01-06", to: "2025-06-16", weeks: 8 }),
    () => c.insights.intents(),
    () => c.insights.segments({ breakdown: "age_range" }),
    () => c.insights.engagement({ from: "2025-05-01", to: "2025-06-18" }),
    () => c.insights.importQuality(),
    () => c.insights.reengagement({ limit: 50 }),
    () => c.insights.funnel({}),
  ];

  it("no token → UNAUTHORIZED; a signed-in non-analyst → FORBIDDEN", async () => {
    for (const call of calls(h.anonymous())) expect(await codeOf(call())).toBe("UNAUTHORIZED");
    for (const call of calls(member.caller)) expect(await codeOf(call())).toBe("FORBIDDEN");
  });

  it("a user cannot make themself an analyst", async () => {
    const error = await withUser(ctx.database, { sub: member.id, role: "authenticated" }, (tx) =>
      tx.execute(sql`update auth.users set raw_app_meta_data = '{"roles":["analyst"]}' where id = auth.uid()`),
    ).then(() => null, (e: Error) => e);
    expect(String((error?.cause as Error | undefined)?.message ?? error)).toMatch(/permission denied/);
    expect(await codeOf(member.caller.insights.intents())).toBe("FORBIDDEN");
  });

  it("analysts get the same answers as the insight functions run as role analyst", async () => {
    const c = analyst.caller;
    const opts = { k: K };
    const direct = <T>(fn: Parameters<typeof withAnalyst<T>>[2]) => withAnalyst(ctx.database, null, fn);
    expect(await c.insights.cohorts({ from: "2025-01-06", to: "2025-06-16", weeks: 8 })).toEqual(
      await direct((tx) => cohorts(tx, { from: "2025-01-06", to: "2025-06-16", weeks: 8 }, opts)),
    );
    expect(await c.insights.intents()).toEqual(await direct((tx) => intents(tx, opts)));
    expect(await c.insights.segments({ breakdown: "province_region" })).toEqual(
      await direct((tx) => segments(tx, { breakdown: "province_region" }, opts)),
    );
    expect(await c.insights.engagement({ from: "2025-05-01", to: "2025-06-18" })).toEqual(
      await direct((tx) => engagement(tx, { from: "2025-05-01", to: "2025-06-18" }, opts)),
    );
    expect(await c.insights.importQuality()).toEqual(await direct((tx) => importQuality(tx, opts)));
    // Row ids are drawn per request (unlinkable across exports): compare the rest.
    const withoutIds = (o: Awaited<ReturnType<typeof reengagement>>) => ({ ...o, users: o.users.map(({ id: _id, ...u }) => u) });
    expect(withoutIds(await c.insights.reengagement({ limit: 5 }))).toEqual(
      withoutIds(await direct((tx) => reengagement(tx, { limit: 5 }, opts))),
    );
    expect(await c.insights.funnel({ from: "2025-04-01" })).toEqual(await direct((tx) => funnel(tx, { from: "2025-04-01" }, opts)));
    expect((await c.insights.intents()).k_anonymity).toBe(h.config.kAnonymity);
  });

  it("an analyst differencing through the API learns no count of 1..k−1 (funnel by one day, segments vs breakdown, reengagement ids)", async () => {
    const c = analyst.caller;
    const ok = (n: number) => n === 0 || n >= K;
    let previous: (number | null)[] | null = null;
    for (let day = 1; day <= 30; day++) {
      const to = `2025-05-${String(day).padStart(2, "0")}`;
      const users = (await c.insights.funnel({ from: "2024-01-01", to })).steps.map((s) => s.users);
      if (previous) users.forEach((n, i) => n !== null && previous![i] !== null && expect(ok(n - previous![i]!), `${to} step ${i}`).toBe(true));
      previous = users;
    }
    const none = (await c.insights.segments({ breakdown: "none" })).segments;
    const cells = (await c.insights.segments({ breakdown: "province_region" })).segments;
    for (const row of none.filter((r) => r.users !== null)) {
      const visible = cells.filter((x) => x.segment === row.segment).reduce((s, x) => s + (x.users ?? 0), 0);
      expect(ok(row.users! - visible), row.segment).toBe(true);
    }
    const [a, b] = [await c.insights.reengagement({ limit: 1000 }), await c.insights.reengagement({ limit: 1000 })];
    const ids = new Set(a.users.map((u) => u.id));
    expect(b.users.filter((u) => ids.has(u.id))).toEqual([]);
  });

  it("motivation is a closed vocabulary: free text is refused with a field error, nothing is stored", async () => {
    const error = await member.caller.me
      .updateOnboarding({ motivation: "Adam Q. Public, 204-555-0199, divorce lawyer" as never })
      .then(() => null, (e: { code?: string; cause?: { issues?: { path: PropertyKey[] }[] } }) => e);
    expect(error?.code).toBe("BAD_REQUEST");
    expect(error?.cause?.issues?.map((i) => i.path.join("."))).toEqual(["motivation"]);
    const [stored] = await rows<{ motivation: string | null }>(
      ctx.database.db,
      sql`select motivation from users where id = ${member.id}::uuid`,
    );
    expect(stored!.motivation).toBeNull();
    expect((await member.caller.me.updateOnboarding({ motivation: "other" })).user.motivation).toBe("other");
  });

  it("no output contains a public.users id, an email, a name or a phone", async () => {
    const outputs = await Promise.all(calls(analyst.caller).map((call) => call()));
    const text = JSON.stringify(outputs).toLowerCase();
    const users = await rows<{ id: string; email: string; full_name: string | null; display_name: string; phone: string | null }>(
      ctx.database.db,
      sql`select id::text as id, email, full_name, display_name, phone from users`,
    );
    expect(users.length).toBe(fixture.users.length + 2);
    for (const u of users) {
      for (const needle of [u.id, u.email, u.full_name, u.display_name, u.phone]) {
        if (needle) expect(text).not.toContain(needle.toLowerCase());
      }
    }
  });

  it("bad parameters are clear BAD_REQUESTs", async () => {
    const c = analyst.caller;
    const bad = [
      () => c.insights.cohorts({ from: "2025-13-01" }),
      () => c.insights.cohorts({ from: "2025-02-30" }),
      () => c.insights.cohorts({ from: "2025-06-10", to: "2025-06-01" }),
      () => c.insights.cohorts({ weeks: 0 }),
      () => c.insights.cohorts({ weeks: 53 }),
      () => c.insights.cohorts({ weeks: 2.5 }),
      () => c.insights.engagement({ from: "2024-01-01", to: "2025-06-01" }),
      () => c.insights.engagement({ from: "yesterday" }),
      () => c.insights.reengagement({ limit: 0 }),
      () => c.insights.reengagement({ limit: 1001 }),
      // @ts-expect-error: not a breakdown
      () => c.insights.segments({ breakdown: "email" }),
      () => c.insights.funnel({ from: "2025-06-02", to: "2025-06-01" }),
    ];
    for (const call of bad) expect(await codeOf(call())).toBe("BAD_REQUEST");
    expect(await codeOf(c.insights.cohorts({ weeks: 52 }))).toBe("OK");
    expect(await codeOf(c.insights.reengagement({ limit: 1000 }))).toBe("OK");
  });

  it("revoking the analyst role takes effect on the next call, with the same token", async () => {
    expect(await codeOf(analyst.caller.insights.intents())).toBe("OK");
    expect(await revokeAnalyst(ctx.database.db, analyst.email)).toBe(true);
    expect(await codeOf(analyst.caller.insights.intents())).toBe("FORBIDDEN");
    expect(await grantAnalyst(ctx.database.db, analyst.email)).toBe(true);
    expect(await grantAnalyst(ctx.database.db, analyst.email)).toBe(true);
    const [meta] = await rows<{ roles: string[] }>(ctx.database.db, sql`select raw_app_meta_data -> 'roles' as roles from auth.users where id = ${analyst.id}`);
    expect(meta?.roles).toEqual(["analyst"]);
    expect(await codeOf(analyst.caller.insights.intents())).toBe("OK");
    expect(await grantAnalyst(ctx.database.db, "nobody@example.test")).toBe(false);
  });
});
