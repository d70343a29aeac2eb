// Security headers (issue 8, finding 7) on every kind of response: the web app (CSP, framing,
// sniffing, referrer) and the API (the same, plus Cache-Control: no-store on everything that can carry
// personal data: all of /trpc and /api/v1, errors included). The CSP itself is exercised against the
// built app in Chromium by apps/web/e2e/security.e2e.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeDb } from "@switchboard/db/testing";
import { startTestServer } from "./helpers.ts";

describeDb("security headers", (ctx) => {
  let app: Awaited<ReturnType<typeof startTestServer>>;
  let webDir: string;
  let token: string;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), "sb-web-"));
    writeFileSync(join(webDir, "index.html"), "<!doctype html><title>app</title>");
    app = await startTestServer(ctx.database, { webDistDir: webDir });
    const up = await fetch(`${app.url}/api/v1/auth/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "hedy@example.com", password: "frequency hopping", display_name: "Hedy" }),
    });
    token = ((await up.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(webDir, { recursive: true, force: true });
  });

  const get = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, init);
  const common = (res: Response, label: string) => {
    expect(res.headers.get("x-content-type-options"), label).toBe("nosniff");
    expect(res.headers.get("x-frame-options"), label).toBe("DENY");
    expect(res.headers.get("referrer-policy"), label).toBe("no-referrer");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp, label).toContain("frame-ancestors 'none'");
    expect(csp, label).toContain("default-src 'self'");
    expect(csp, label).toContain("script-src 'self'");
    expect(csp, label).not.toContain("unsafe-inline");
    expect(csp, label).toContain("object-src 'none'");
  };

  it("the web app: CSP without inline script, no framing, nosniff, no referrer", async () => {
    for (const path of ["/", "/contacts/some/client/route"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      common(res, path);
    }
  });

  it("every API response that can carry personal data is Cache-Control: no-store, errors included", async () => {
    const auth = { authorization: `Bearer ${token}` };
    const responses: [string, Response][] = [
      ["REST 200", await get("/api/v1/me", { headers: auth })],
      ["REST 401", await get("/api/v1/me")],
      ["REST 404", await get("/api/v1/nothing-here", { headers: auth })],
      ["REST sign-in 401", await get("/api/v1/auth/signin", { method: "POST", headers: { "content-type": "application/json" }, body: '{"email":"hedy@example.com","password":"nope"}' })],
      ["tRPC 200", await get(`/trpc/me.get`, { headers: auth })],
      ["tRPC 401", await get(`/trpc/me.get`)],
      ["tRPC batch", await get(`/trpc/me.get,businesses.list?batch=1&input=${encodeURIComponent("{}")}`, { headers: auth })],
      ["CSV insights", await get("/api/v1/insights/cohorts?format=csv", { headers: auth })],
      ["unknown /api", await get("/api/v2/x")],
    ];
    for (const [label, res] of responses) {
      expect(res.headers.get("cache-control"), label).toBe("no-store");
      common(res, label);
    }
    expect(responses[0]![1].status).toBe(200);
    expect(responses[4]![1].status).toBe(200);
  });
});
