// Fault row 1: PostgreSQL restarts under ~10 concurrent clients (70% list, 30% create).
// The server (a child process running src/main.ts) must stay up, answer only 200 or 503+Retry-After,
// serve 200s again once the database is back, keep every acknowledged write and no refused one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, migrate } from "@switchboard/db";
import { createPrivateCluster, skipFaultTests, type PrivateCluster } from "./cluster.ts";
import { startChildServer, type ChildServer } from "./child-server.ts";
import { checkWrites, signUpWithBusiness, startLoad, summarize } from "./load.ts";

const skip = skipFaultTests();

describe.skipIf(skip)("PostgreSQL restart under load [postgres, private cluster]", () => {
  let cluster: PrivateCluster;
  let server: ChildServer | undefined;
  beforeAll(async () => {
    cluster = await createPrivateCluster("restart", 5441);
    const database = createDb({ url: cluster.url });
    await migrate(database);
    await database.close();
  });
  afterAll(async () => {
    await server?.stop();
    cluster?.drop();
  });

  it("stays up through two restarts: only 200/503, 503s carry Retry-After, no lost or phantom writes", async () => {
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
});
