// PgBouncer 1.18 in transaction mode (2 server connections) in front of a throwaway database; the real
// server runs on it and 50 concurrent requests from owners of different businesses go through. Every
// transaction starts with a probe (before the server's own set_config): no claims, no role, no tenant
// left over from the transaction that used the same server connection before. Every answer is the
// caller's own. Without `pgbouncer=true` (named prepared statements) the same load failed and hung.
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, rows, sql, type Database, type Db } from "@switchboard/db";
import { freshPostgres } from "@switchboard/db/testing";
import type { paths } from "../openapi.d.ts";
import { startTestServer, testApiConfig } from "../helpers.ts";
import { declareScaleSkip, scaleSkipReason, startPgbouncer, type Pgbouncer } from "./harness.ts";

const skip = scaleSkipReason({ databaseUrl: true, pgbouncer: true });

interface Probe {
  claims: string | null;
  role: string;
  user: string;
  pid: number;
}

/** The database with a probe as the first statement of every transaction (before withUser's set_config). */
function probed(database: Database, probes: Probe[]): Database {
  const db = database.db;
  const transaction: Db["transaction"] = (fn, config) =>
    db.transaction(async (tx) => {
      const [probe] = await rows<Probe>(
        tx,
        sql`select current_setting('request.jwt.claims', true) as claims, current_setting('role') as role,
                   current_user as "user", pg_backend_pid() as pid`,
      );
      probes.push(probe!);
      return fn(tx);
    }, config);
  return { ...database, db: Object.assign(Object.create(db) as Db, { transaction }) };
}

describe("PgBouncer in transaction mode", () => {
  declareScaleSkip(skip);
  if (skip) return;

  let direct: Awaited<ReturnType<typeof freshPostgres>>;
  let bouncer: Pgbouncer;
  const opened: Database[] = [];
  const config = testApiConfig();
  let lastErrors: () => unknown[] = () => [];

  beforeAll(async () => {
    direct = await freshPostgres(process.env.DATABASE_URL!);
    bouncer = await startPgbouncer(direct.url, { poolSize: 2 });
  });
  afterAll(async () => {
    await Promise.all(opened.map((d) => d.close()));
    await bouncer?.stop();
    await direct?.cleanup();
  });

  /** A server on the pooled database (its own postgres.js pool of 20 client connections). */
  async function serverOver(url: string, probes: Probe[]) {
    const pooled = createDb({ url, max: 20 });
    opened.push(pooled);
    const app = await startTestServer(probed(pooled, probes), { config });
    lastErrors = () => app.logs.filter((l) => l.level >= 50);
    const api = (token?: string) =>
      createClient<paths>({ baseUrl: `${app.url}/api/v1`, headers: token ? { Authorization: `Bearer ${token}` } : {} });
    return { app, api };
  }

  interface Owner {
    id: string;
    token: string;
    businessId: string;
    marker: string;
  }

  async function owners(api: Awaited<ReturnType<typeof serverOver>>["api"], count: number, tag: string): Promise<Owner[]> {
    const out: Owner[] = [];
    for (let i = 0; i < count; i++) {
      const email = `${tag}-${i}-${Date.now()}@example.test`;
      const signup = await api().POST("/auth/signup", { body: { email, password: "correct horse battery", display_name: `${tag} ${i}` } });
      if (signup.response.status !== 200) console.log(JSON.stringify(lastErrors()));
      expect(signup.response.status).toBe(200);
      const token = signup.data!.access_token;
      const business = await api(token).POST("/businesses", { body: { name: `${tag} business ${i}` } });
      expect(business.response.status).toBe(200);
      const marker = `${tag}-marker-${i}`;
      const contact = await api(token).POST("/contacts", { body: { full_name: marker }, headers: { "X-Business-Id": business.data!.id } });
      expect(contact.response.status).toBe(200);
      out.push({ id: signup.data!.user.id, token, businessId: business.data!.id, marker });
    }
    return out;
  }

  /** 50 concurrent requests, round-robin over the owners: reads and writes, each checked for ownership. */
  async function load(api: Awaited<ReturnType<typeof serverOver>>["api"], people: Owner[]) {
    return Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const who = people[i % people.length]!;
        const headers = { "X-Business-Id": who.businessId };
        switch (i % 3) {
          case 0: {
            const me = await api(who.token).GET("/me");
            return {
              status: me.response.status,
              own: me.data?.user.id === who.id && me.data.memberships.every((m) => m.business_id === who.businessId),
              got: me.data,
            };
          }
          case 1: {
            const list = await api(who.token).GET("/contacts", { params: { query: { limit: 100 } }, headers });
            const names = (list.data?.data ?? []).map((c) => c.full_name);
            return {
              status: list.response.status,
              own: names.length > 0 && names.every((n) => n === who.marker || n.startsWith(`${who.marker} `)),
              got: names,
            };
          }
          default: {
            const created = await api(who.token).POST("/contacts", { body: { full_name: `${who.marker} ${i}` }, headers });
            return { status: created.response.status, own: created.data?.business_id === who.businessId, got: created.data };
          }
        }
      }),
    );
  }

  it("serves 50 concurrent requests of 10 tenants over 2 server connections: no context leaks, every answer the caller's own", async () => {
    const probes: Probe[] = [];
    const { app, api } = await serverOver(bouncer.url, probes);
    try {
      const people = await owners(api, 10, "pooled");
      probes.length = 0;
      const results = await load(api, people);
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(results.filter((r) => !r.own)).toEqual([]);

      // Every transaction began clean: no claims, no role, the login role — on at most 2 backends.
      expect(probes.length).toBeGreaterThanOrEqual(50);
      const leaks = probes.filter((p) => (p.claims ?? "") !== "" || p.role !== "none" || p.user !== "postgres");
      expect(leaks).toEqual([]);
      expect(new Set(probes.map((p) => p.pid)).size).toBeLessThanOrEqual(2);
      // The writes landed once each, in the writer's business.
      const [counts] = await rows<{ n: number }>(direct.database.db, sql`select count(*)::int as n from contacts`);
      expect(counts!.n).toBe(10 + 16);
    } finally {
      await app.stop();
    }
  });
});
