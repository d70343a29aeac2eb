// A primary and a streaming hot standby (two throwaway clusters made here with pg_createcluster and
// pg_basebackup -R); the real server runs with DATABASE_URL on the primary and READ_DATABASE_URL on the
// standby. Reads are served by the standby (its pg_stat_database counters), writes by the primary, a
// user's own write is visible to their next read even while the standby is paused (read-your-writes),
// and with the standby down every request still succeeds on the primary.
import createClient from "openapi-fetch";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrate, type Database } from "@switchboard/db";
import type { paths } from "../openapi.d.ts";
import { startTestServer } from "../helpers.ts";
import { createReplicaPair, declareScaleSkip, dropLeftoverClusters, scaleSkipReason, type ReplicaPair } from "./harness.ts";

const skip = scaleSkipReason({ clusters: true });
const DB = "sb12_replica_test";

describe("read replica (streaming hot standby)", () => {
  declareScaleSkip(skip);
  if (skip) return;

  let pair: ReplicaPair;
  let database: Database;
  let app: Awaited<ReturnType<typeof startTestServer>>;
  let primaryAdmin: postgres.Sql;
  let replicaAdmin: postgres.Sql;
  /** Direct connections to the test database on each server (outside the app). */
  let primaryDb: postgres.Sql;
  let replicaDb: postgres.Sql;
  const api = (token?: string, businessId?: string) =>
    createClient<paths>({
      baseUrl: `${app.url}/api/v1`,
      headers: { ...(token && { Authorization: `Bearer ${token}` }), ...(businessId && { "X-Business-Id": businessId }) },
    });

  /** Committed transactions of the test database on the standby (polled: statistics are flushed lazily). */
  const replicaXacts = async () => {
    const [row] = await replicaAdmin<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = ${DB}`;
    return Number(row?.n ?? 0);
  };
  async function replicaXactsReach(target: number) {
    const deadline = Date.now() + 20_000;
    let seen = await replicaXacts();
    while (seen < target && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      seen = await replicaXacts();
    }
    return seen;
  }
  /** Milliseconds until the standby has replayed everything the primary has written so far. */
  async function replayCatchUp() {
    const started = performance.now();
    const [primary] = await primaryAdmin<{ lsn: string }[]>`select pg_current_wal_insert_lsn()::text as lsn`;
    const lsn = primary!.lsn;
    for (;;) {
      const [row] = await replicaAdmin<{ ok: boolean }[]>`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as ok`;
      if (row?.ok) return performance.now() - started;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const lags: number[] = [];

  beforeAll(async () => {
    dropLeftoverClusters();
    pair = await createReplicaPair();
    primaryAdmin = postgres(pair.primary.url(), { max: 1, onnotice: () => {} });
    await primaryAdmin.unsafe(`create database ${DB}`);
    replicaAdmin = postgres(pair.replica.url(), { max: 1, onnotice: () => {} });
    const owner = createDb({ url: pair.primary.url(DB), max: 2 });
    await migrate(owner);
    await owner.close();
    await replayCatchUp();
    primaryDb = postgres(pair.primary.url(DB), { max: 1, onnotice: () => {} });
    replicaDb = postgres(pair.replica.url(DB), { max: 1, onnotice: () => {} });
    database = createDb({ url: pair.primary.url(DB), readUrls: [pair.replica.url(DB)], max: 6 });
    app = await startTestServer(database);
  }, 180_000);

  afterAll(async () => {
    await app?.stop();
    await database?.close();
    await Promise.all([primaryAdmin, replicaAdmin, primaryDb, replicaDb].map((c) => c?.end({ timeout: 1 })));
    pair?.drop();
    if (lags.length) console.log(`replica catch-up after a write (ms): ${lags.map((l) => l.toFixed(1)).join(", ")}`);
  });

  interface Owner {
    token: string;
    businessId: string;
  }
  async function owner(name: string): Promise<Owner> {
    const signup = await api().POST("/auth/signup", { body: { email: `${name}@example.test`, password: "correct horse battery", display_name: name } });
    expect(signup.response.status).toBe(200);
    const token = signup.data!.access_token;
    const business = await api(token).POST("/businesses", { body: { name: `${name}'s business` } });
    expect(business.response.status).toBe(200);
    return { token, businessId: business.data!.id };
  }
  const listNames = async (o: Owner) => {
    const list = await api(o.token, o.businessId).GET("/contacts", { params: { query: { limit: 100 } } });
    expect(list.response.status).toBe(200);
    return list.data!.data.map((c) => c.full_name).sort();
  };
  let ann: Owner;
  let bob: Owner;

  it("writes on the primary (the standby refuses writes), reads on the standby", async () => {
    ann = await owner("ann");
    bob = await owner("bob");
    const created = await api(ann.token, ann.businessId).POST("/contacts", { body: { full_name: "Ann's first" } });
    expect(created.response.status).toBe(200);
    const [onPrimary] = await primaryDb<{ n: number }[]>`select count(*)::int as n from contacts where full_name = 'Ann''s first'`;
    expect(onPrimary).toEqual({ n: 1 });
    await expect(replicaDb`insert into auth.users (email) values ('x@example.test')`).rejects.toMatchObject({ code: "25006" });
    lags.push(await replayCatchUp());

    const before = await replicaXacts();
    for (let i = 0; i < 20; i++) {
      expect(await listNames(i % 2 ? bob : ann)).toEqual(i % 2 ? [] : ["Ann's first"]);
    }
    // Each read is two transactions on the standby: its replay check for the user's write mark, then the
    // read itself (served by the primary, only the 20 checks would be counted).
    expect(await replicaXactsReach(before + 40)).toBeGreaterThanOrEqual(before + 40);
  });

  it("read-your-writes: with the standby's replay paused, a user's own new contact is in their next read", async () => {
    await replicaAdmin`select pg_wal_replay_pause()`;
    try {
      for (let i = 0; i < 5; i++) {
        const created = await api(ann.token, ann.businessId).POST("/contacts", { body: { full_name: `Ann paused ${i}` } });
        expect(created.response.status).toBe(200);
        expect(await listNames(ann)).toContain(`Ann paused ${i}`);
        const one = await api(ann.token, ann.businessId).GET("/contacts/{id}", { params: { path: { id: created.data!.id } } });
        expect(one.response.status).toBe(200);
      }
      // The standby really is behind: it has none of them.
      const [row] = await replicaDb<{ n: number }[]>`select count(*)::int as n from contacts where full_name like 'Ann paused%'`;
      expect(row!.n).toBe(0);
    } finally {
      await replicaAdmin`select pg_wal_replay_resume()`;
    }
    lags.push(await replayCatchUp());
    // Caught up again: Ann's reads return to the standby.
    const before = await replicaXacts();
    for (let i = 0; i < 5; i++) expect(await listNames(ann)).toHaveLength(6);
    expect(await replicaXactsReach(before + 10)).toBeGreaterThanOrEqual(before + 10);
  });

  it("a standby outage degrades to the primary: every request still succeeds, with the caller's data", async () => {
    const analyst = await owner("ana");
    await primaryDb`update auth.users set raw_app_meta_data = '{"roles":["analyst"]}' where email = 'ana@example.test'`;
    pair.replica.stop();
    try {
      for (let i = 0; i < 6; i++) {
        expect(await listNames(ann)).toHaveLength(6); // Ann has a write mark: the standby check fails over
        expect(await listNames(bob)).toEqual([]);
        const insight = await api(analyst.token).GET("/insights/intents"); // no mark: the work itself fails over
        expect(insight.response.status).toBe(200);
      }
      const created = await api(bob.token, bob.businessId).POST("/contacts", { body: { full_name: "Bob during outage" } });
      expect(created.response.status).toBe(200);
      expect(await listNames(bob)).toEqual(["Bob during outage"]);
    } finally {
      pair.replica.start();
    }
    expect(app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
