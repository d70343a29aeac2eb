// Sessions and the sign-in limiter over HTTP (issue 8): the REST contract of /auth/refresh,
// /auth/signout and /auth/password, and one real tRPC batch of 300 sign-ins counting as 300 attempts.
import createClient from "openapi-fetch";
import { afterAll, beforeAll, expect, it } from "vitest";
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import type { paths } from "./openapi.d.ts";
import { startTestServer, testApiConfig } from "./helpers.ts";

describeDb("auth over HTTP", (ctx) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  const api = (token?: string) =>
    createClient<paths>({ baseUrl: `${app.url}/api/v1`, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const me = async (token: string) => (await api(token).GET("/me")).response.status;

  beforeAll(async () => {
    // Batches are capped (maxBatchSize, 20 by default); raised here to show that even a huge batch
    // gets no more guesses: every call in it consumes an attempt.
    // Refresh-token reuse interval 0: the replay right after a rotation below is reuse, not a retry
    // (the retry window is attacked in packages/api/test/sessions-attack.test.ts).
    app = await startTestServer(ctx.database, { limits: { maxBatchSize: 300 }, config: testApiConfig({ refreshTokenReuseIntervalSeconds: 0 }) });
  });
  afterAll(() => app?.stop());

  it("sign-in answers access + refresh token; refresh rotates; reuse revokes; sign-out revokes", async () => {
    await api().POST("/auth/signup", { body: { email: "rita@example.com", password: "correct horse", display_name: "Rita" } });
    const signin = await api().POST("/auth/signin", { body: { email: "rita@example.com", password: "correct horse" } });
    expect(signin.response.status).toBe(200);
    expect(signin.data).toMatchObject({ token_type: "bearer", expires_in: 600, refresh_token: expect.any(String), user: { email: "rita@example.com" } });

    const refreshed = await api().POST("/auth/refresh", { body: { refresh_token: signin.data!.refresh_token } });
    expect(refreshed.response.status).toBe(200);
    expect(await me(refreshed.data!.access_token)).toBe(200);
    // The spent token again: 401, and the session it belonged to is gone (the fresh pair too).
    const replay = await api().POST("/auth/refresh", { body: { refresh_token: signin.data!.refresh_token } });
    expect(replay.response.status).toBe(401);
    expect(replay.error).toEqual({ code: "UNAUTHORIZED", message: "Invalid refresh token" });
    expect(await me(refreshed.data!.access_token)).toBe(401);

    const second = await api().POST("/auth/signin", { body: { email: "rita@example.com", password: "correct horse" } });
    const out = await api(second.data!.access_token).POST("/auth/signout", { body: {} });
    expect(out.data).toEqual({ revoked_sessions: 1 });
    const after = await api(second.data!.access_token).GET("/me");
    expect(after.response.status).toBe(401);
    expect(after.error).toEqual({ code: "UNAUTHORIZED", message: "Session revoked" });
  });

  it("password change: other sessions end, the caller continues with the returned session", async () => {
    const up = await api().POST("/auth/signup", { body: { email: "pat@example.com", password: "first password", display_name: "Pat" } });
    const phone = await api().POST("/auth/signin", { body: { email: "pat@example.com", password: "first password" } });
    const changed = await api(up.data!.access_token).POST("/auth/password", {
      body: { current_password: "first password", new_password: "second password" },
    });
    expect(changed.response.status).toBe(200);
    expect(await me(changed.data!.access_token)).toBe(200);
    expect(await me(phone.data!.access_token)).toBe(401);
    const oldRefresh = await api().POST("/auth/refresh", { body: { refresh_token: phone.data!.refresh_token } });
    expect(oldRefresh.response.status).toBe(401);
  });

  it("one tRPC batch of 300 sign-ins: at most the limit is evaluated, the rest are 429", async () => {
    await api().POST("/auth/signup", { body: { email: "victim@example.com", password: "the real one", display_name: "V" } });
    const n = 300;
    const paths = Array(n).fill("auth.signIn").join(",");
    const input = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { email: "victim@example.com", password: `guess ${i}` }]));
    const res = await fetch(`${app.url}/trpc/${paths}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { error?: { data: { code: string } } }[];
    expect(body).toHaveLength(n);
    const codes = body.map((r) => r.error?.data.code ?? "OK");
    expect(codes.filter((c) => c === "UNAUTHORIZED").length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS").length).toBeGreaterThanOrEqual(n - 5);
  });

  /** The sign-in limiter's stored counts (rate-limiter-flexible keys: `<prefix>:<key>`). */
  const limiterPoints = async (key: string) => {
    const [row] = await rows<{ points: number }>(ctx.database.db, sql`select points from auth.rate_limits where key = ${key}`);
    return row?.points ?? 0;
  };
  const forgedKeys = async (address: string) =>
    (await rows<{ key: string }>(ctx.database.db, sql`select key from auth.rate_limits where strpos(key, ${address}) > 0`)).length;

  it("TRUST_PROXY unset: a forged X-Forwarded-For does not change the limiter key (no rotating addresses)", async () => {
    const email = "xff-victim@example.com";
    // The batch test above spent this address's budget; start it afresh (as the owner).
    await ctx.database.db.execute(sql`delete from auth.rate_limits where key = 'signin:ip:127.0.0.1'`);
    for (const forged of ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) {
      const r = await api().POST("/auth/signin", { body: { email, password: "wrong guess" }, headers: { "X-Forwarded-For": forged } });
      expect(r.response.status).toBe(401);
      expect(await forgedKeys(forged)).toBe(0);
    }
    // All three attempts counted against the one socket address, for the pair and for the address.
    expect(await limiterPoints(`signin:pair:${email}|127.0.0.1`)).toBe(3);
    expect(await limiterPoints("signin:ip:127.0.0.1")).toBeGreaterThanOrEqual(3);
  });

  it("TRUST_PROXY=1: the right-most X-Forwarded-For entry (what the proxy saw) is the client address", async () => {
    const proxied = await startTestServer(ctx.database, { trustProxy: 1 });
    try {
      const email = "xff-proxied@example.com";
      const res = await fetch(`${proxied.url}/api/v1/auth/signin`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9, 198.51.100.8" },
        body: JSON.stringify({ email, password: "wrong guess" }),
      });
      expect(res.status).toBe(401);
      expect(await limiterPoints(`signin:pair:${email}|198.51.100.8`)).toBe(1);
      expect(await forgedKeys("203.0.113.9")).toBe(0); // the client-supplied part is not believed
    } finally {
      await proxied.stop();
    }
  });
});
