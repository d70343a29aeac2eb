// Graceful shutdown: stopServer() refuses new connections at once, but an in-flight request still
// gets its answer, and only then does stopServer() resolve.
import { expect, it } from "vitest";
import { sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { startTestServer } from "./helpers.ts";

describeDb("graceful shutdown", (ctx) => {
  it("finishes an in-flight request after it stopped accepting new ones", async () => {
    const app = await startTestServer(ctx.database);
    const post = (path: string, body: unknown) =>
      fetch(`${app.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post("/api/v1/auth/signup", { email: "drain@example.com", password: "drain it please", display_name: "D" })).status).toBe(200);

    // Hold auth.users locked (PGlite: the single connection itself) so the sign-in below is stuck in flight.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = ctx.database.db.transaction(async (tx) => {
      await tx.execute(sql`lock table auth.users in access exclusive mode`);
      locked();
      await gate;
    });
    await lockTaken;

    const arrived = new Promise<void>((resolve) => app.server.once("request", () => resolve()));
    const inFlight = post("/api/v1/auth/signin", { email: "drain@example.com", password: "drain it please" });
    await arrived;

    let stopped = false;
    const stopping = app.stop().then(() => (stopped = true));
    await expect(fetch(`${app.url}/healthz`)).rejects.toThrow();
    expect(stopped).toBe(false);

    release();
    await holder;
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token_type: "bearer" });
    await stopping;
    expect(stopped).toBe(true);
    const line = app.requestLogs().find((l) => l.path === "/api/v1/auth/signin");
    expect(line).toMatchObject({ status: 200 });
  });
});
