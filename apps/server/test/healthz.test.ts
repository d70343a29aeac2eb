import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { markDraining } from "../src/server.ts";
import { startTestServer } from "./helpers.ts";

describeDb("server basics", (ctx) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    app = await startTestServer(ctx.database);
  });
  afterAll(() => app?.stop());

  it("GET /healthz checks the database and logs one line with its statement count", async () => {
    const res = await fetch(`${app.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: ctx.database.label });
    const line = app.requestLogs().find((l) => l.path === "/healthz");
    expect(line).toMatchObject({ method: "GET", path: "/healthz", status: 200, sql_statements: 1 });
    expect(typeof line?.duration_ms).toBe("number");
  });

  it("GET /healthz is 503 when the database is gone", async () => {
    const dead = createDb();
    await dead.close();
    const other = await startTestServer(dead);
    try {
      const res = await fetch(`${other.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "unavailable" });
    } finally {
      await other.stop();
    }
  });

  it("liveness is 200; readiness is 503 with reason \"draining\" once shutdown began", async () => {
    const other = await startTestServer(ctx.database);
    try {
      expect((await fetch(`${other.url}/healthz/live`)).status).toBe(200);
      expect((await fetch(`${other.url}/healthz/ready`)).status).toBe(200);
      markDraining(other.server);
      const ready = await fetch(`${other.url}/healthz/ready`);
      expect(ready.status).toBe(503);
      expect(ready.headers.get("retry-after")).toBeTruthy();
      expect(ready.headers.get("connection")).toBe("close");
      expect(await ready.json()).toMatchObject({ status: "unavailable", reason: "draining" });
    } finally {
      await other.stop();
    }
  });

  it("serves the OpenAPI document with servers, a bearer scheme and the error contract", async () => {
    const res = await fetch(`${app.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.servers).toEqual([{ url: "/api/v1" }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas.Error.required).toEqual(["code", "message"]);
    expect(doc.components.parameters.XBusinessId).toMatchObject({ name: "X-Business-Id", in: "header" });
  });

  it("unknown routes are JSON 404s, never HTML or 500", async () => {
    for (const path of ["/api/v1/no-such-thing", "/api/nope", "/trpc/no.such.procedure", "/definitely-not-here"]) {
      const res = await fetch(`${app.url}${path}`, { method: path === "/definitely-not-here" ? "POST" : "GET" });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/json/);
      const body = (await res.json()) as Record<string, unknown>;
      if (!path.startsWith("/trpc")) expect(body, path).toMatchObject({ code: "NOT_FOUND" });
    }
  });
});
