// Fault rows on a private PostgreSQL cluster (created here, dropped at the end): a restart under load,
// an outage, SIGTERM with requests stuck on a lock, and a short soak. The server runs as a child
// process (src/main.ts), so a driver crash is seen as what it is: the process exiting.
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrate } from "@switchboard/db";
import { createPrivateCluster, skipFaultTests, type PrivateCluster } from "./cluster.ts";
import { startChildServer, type ChildServer } from "./child-server.ts";
import { checkWrites, signUpWithBusiness, startLoad, summarize } from "./load.ts";
import { runSoak } from "./soak.ts";

const skip = skipFaultTests();

describe.skipIf(skip)("PostgreSQL faults [postgres, private cluster sb9-faults:5441]", () => {
  let cluster: PrivateCluster;
  let server: ChildServer | undefined;
  beforeAll(async () => {
    cluster = await createPrivateCluster("faults", 5441);
    const database = createDb({ url: cluster.url });
    await migrate(database);
    await database.close();
  });
  afterAll(async () => {
    await server?.stop();
    cluster?.drop();
  });

  it("stays up through two restarts under load: only 200/503, 503s carry Retry-After, no lost or phantom writes", async () => {
    server = await startChildServer({ DATABASE_URL: cluster.url });
    const { token, businessId } = await signUpWithBusiness(server.url, "restart");
    const load = startLoad({ url: server.url, token, businessId, clients: 10, tag: "restart", serverUp: () => !server!.exited() });
    try {
      for (let round = 0; round < 2; round++) {
        await load.answered(200, 100);
        await cluster.restart();
        // Back: the server answers 200 again without being restarted itself.
        await load.answered(200, 50);
      }
    } catch (error) {
      await load.stop();
      throw new Error(`${String(error)}\n${server.output.slice(-30).join("\n")}`);
    }
    const stats = await load.stop();
    expect(server.exited(), server.output.join("\n")).toBe(false);
    const statuses = summarize(stats);
    expect(Object.keys(statuses).filter((s) => s !== "200" && s !== "503"), JSON.stringify(statuses)).toEqual([]);
    expect(stats.missingRetryAfter).toBe(0);
    const writes = await checkWrites(cluster.url, stats);
    expect(writes.lostAcknowledged).toEqual([]);
    expect(writes.presentRefused).toEqual([]);
  });

  it("while PostgreSQL is stopped: 503 + Retry-After for API calls, readiness 503, liveness 200; 200 again once it is back", async () => {
    server ??= await startChildServer({ DATABASE_URL: cluster.url });
    const { token, businessId } = await signUpWithBusiness(server.url, "outage");
    const headers = { authorization: `Bearer ${token}`, "x-business-id": businessId, "content-type": "application/json" };
    await cluster.stop();
    try {
      const answers: Array<{ status: number; retryAfter: string | null; body: string }> = [];
      for (let i = 0; i < 10; i++) {
        const res =
          i % 2
            ? await fetch(`${server.url}/api/v1/contacts?limit=5`, { headers })
            : await fetch(`${server.url}/trpc/contacts.create`, { method: "POST", headers, body: JSON.stringify({ full_name: `Outage ${i}` }) });
        answers.push({ status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.text() });
      }
      for (const a of answers) {
        expect(a.status, a.body).toBe(503);
        expect(a.retryAfter).toBeTruthy();
        // Failed on its own (connection refused / circuit open), not by running into the request deadline.
        expect(a.body).not.toMatch(/took too long/);
        expect(a.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i);
      }
      expect((await fetch(`${server.url}/healthz/ready`)).status).toBe(503);
      expect((await fetch(`${server.url}/healthz/live`)).status).toBe(200);
    } finally {
      await cluster.start();
    }
    let status = 0;
    for (let i = 0; i < 200 && status !== 200; i++) {
      status = (await fetch(`${server.url}/api/v1/contacts?limit=5`, { headers })).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
    expect((await fetch(`${server.url}/healthz/ready`)).status).toBe(200);
    const output = server.output.join("\n");
    expect(output).toMatch(/database unreachable/);
    expect(output).toMatch(/database reachable again/);
  });

  it("SIGTERM with requests stuck on a lock: readiness fails, the stuck requests get 503 at the drain deadline, exit 0", async () => {
    const child = await startChildServer({ DATABASE_URL: cluster.url, SHUTDOWN_TIMEOUT_SECONDS: "1", DB_LOCK_TIMEOUT_MS: "0" });
    const { token, businessId } = await signUpWithBusiness(child.url, "drain");
    const headers = { authorization: `Bearer ${token}`, "x-business-id": businessId, "content-type": "application/json" };
    const created = (await (await fetch(`${child.url}/api/v1/contacts`, { method: "POST", headers, body: JSON.stringify({ full_name: "Held" }) })).json()) as { id: string };
    const holder = postgres(cluster.url, { max: 2, onnotice: () => {} });
    const reserved = await holder.reserve();
    try {
      await reserved`begin`;
      await reserved`select id from public.contacts where id = ${created.id}::uuid for update`;
      const stuck = Array.from({ length: 3 }, (_, i) =>
        fetch(`${child.url}/api/v1/contacts/${created.id}`, { method: "PATCH", headers, body: JSON.stringify({ full_name: `Stuck ${i}` }) }),
      );
      // Wait until the PATCHes are really waiting on the lock.
      for (let i = 0; i < 100; i++) {
        const [row] = await holder<{ waiting: number }[]>`select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock'`;
        if ((row?.waiting ?? 0) >= 3) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.process.kill("SIGTERM");
      const answers = await Promise.all(stuck);
      for (const res of answers) {
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBeTruthy();
      }
      expect(await child.stop()).toBe(0);
      const output = child.output.join("\n");
      expect(output).toMatch(/drain deadline passed/);
      expect(output).toMatch(/"drained":false/);
    } finally {
      await reserved`rollback`.catch(() => {});
      reserved.release();
      await holder.end();
      await child.stop();
    }
  });

  it("a 10 s soak with a restart in the middle: server up, no 500, every acknowledged write present", async () => {
    const report = await runSoak(cluster, { seconds: 10 });
    const why = JSON.stringify(report);
    expect(report.serverUp, why).toBe(true);
    expect(report.statuses["500"], why).toBeUndefined();
    expect(Object.keys(report.statuses).filter((s) => s !== "200" && s !== "503")).toEqual([]);
    expect(report.lostAcknowledged, why).toBe(0);
    expect(report.presentRefused, why).toBe(0);
    expect(report.missingRetryAfter, why).toBe(0);
    expect(report.recoveryMs).not.toBeNull();
  });
});
