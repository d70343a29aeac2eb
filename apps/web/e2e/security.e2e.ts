// Sessions and the Content-Security-Policy in a real browser (issue 8), against the real server with
// a 5-second access-token lifetime:
//  - the built app runs under the server's CSP with no violation anywhere (securitypolicyviolation
//    events and console CSP errors are collected on every page; a planted inline script proves the
//    collector sees violations);
//  - a session outlives several access tokens through silent refreshes;
//  - two tabs share the session, and signing out in one signs the other out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { browserRequired, CHROMIUM_ARGS, findChromium, SKIP_MESSAGE, startServer, type RunningServer } from "./harness.ts";

const chromiumPath = findChromium();
if (!chromiumPath) {
  if (browserRequired()) throw new Error(`${SKIP_MESSAGE} — and REQUIRE_BROWSER_TESTS=1 makes that an error`);
  console.warn(`\n*** ${SKIP_MESSAGE} ***\n`);
}

const TTL_SECONDS = 5;

declare global {
  interface Window {
    __cspViolations: string[];
  }
}

describe.skipIf(!chromiumPath)("sessions and CSP in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleCsp: string[] = [];
  const refreshes: string[] = [];

  const watch = (p: Page) => {
    p.setDefaultTimeout(20_000);
    p.on("console", (message) => {
      if (/content security policy/i.test(message.text())) consoleCsp.push(message.text());
    });
    p.on("request", (request) => {
      if (request.url().endsWith("/api/v1/auth/refresh")) refreshes.push(request.url());
    });
  };
  const violations = async (p: Page) => [...(await p.evaluate(() => window.__cspViolations)), ...consoleCsp];

  beforeAll(async () => {
    server = await startServer({ env: { JWT_TTL_SECONDS: String(TTL_SECONDS) } });
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    page = await context.newPage();
    watch(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(p: Page, email: string) {
    await p.goto(`${server.url}/signin`);
    await p.getByLabel("Email").fill(email);
    await p.getByLabel("Password").fill("switchboard");
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.waitForURL(/\/(contacts|onboarding|businesses)/);
    if (p.url().includes("/onboarding")) await p.getByRole("button", { name: "Skip" }).click();
  }

  it("the document carries the CSP, and a planted inline script is reported (the collector works)", async () => {
    const response = await page.goto(`${server.url}/signin`);
    const csp = response!.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__planted = true";
      document.body.append(script);
    });
    await page.waitForFunction(() => window.__cspViolations.length > 0);
    expect(await page.evaluate(() => (window as unknown as { __planted?: boolean }).__planted)).toBeUndefined();
    consoleCsp.length = 0;
  });

  it("the whole app runs with no CSP violation, and the session outlives several access tokens", async () => {
    await page.goto(`${server.url}/signup`);
    await page.getByRole("heading", { name: "Create your account" }).waitFor();
    await signIn(page, "demo@switchboard.test");
    const before = refreshes.length;
    for (const name of ["Contacts", "Import", "Members", "Businesses", "Contacts"]) {
      await page.getByRole("link", { name, exact: true }).first().click();
      await page.waitForLoadState("networkidle");
    }
    await page.getByRole("table").waitFor();
    await page.locator("tbody tr").first().click();
    await page.waitForLoadState("networkidle");

    // Longer than two access-token lifetimes, then calls that must reach the API (a search no cache
    // holds): the app keeps working, through silent refreshes, twice.
    await page.getByRole("link", { name: "Contacts", exact: true }).click();
    for (const query of ["a", "e"]) {
      await page.waitForTimeout(TTL_SECONDS * 1000 + 1000);
      const searched = page.waitForResponse((r) => r.url().includes("contacts.search") && r.status() === 200);
      await page.locator("#contact-search").fill(query);
      await searched;
      await page.getByRole("table", { name: "Search results" }).waitFor();
    }
    expect(page.url()).toContain("/contacts");
    // A reload restores the session from the refresh token (the access token lived in memory only).
    await page.reload();
    await page.getByRole("table").waitFor();
    expect(page.url()).toContain("/contacts");
    expect(refreshes.length - before).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => /token/i.test(k)))).toEqual([]);

    // The analyst's insights: charts (recharts) and a CSV download under the same policy.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
    await signIn(page, "analyst@switchboard.test");
    await page.getByRole("link", { name: "Insights" }).click();
    await page.locator(".recharts-surface").first().waitFor();
    await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export cohorts as CSV" }).click()]);
    expect(await violations(page)).toEqual([]);
  });

  it("two tabs share the session; signing out in one signs the other out, and its token is revoked", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
    await signIn(page, "demo@switchboard.test");
    const second = await context.newPage();
    watch(second);
    let secondToken = "";
    second.on("request", (request) => {
      const authorization = request.headers()["authorization"];
      if (authorization) secondToken = authorization;
    });
    await second.goto(`${server.url}/contacts`);
    await second.getByRole("table", { name: "Contacts" }).waitFor();
    // Both tabs refresh on their own (serialized by a Web Lock): neither is mistaken for a reuse.
    await page.waitForTimeout(TTL_SECONDS * 1000 + 1000);
    await Promise.all([
      page.getByRole("link", { name: "Contacts", exact: true }).click(),
      second.getByRole("link", { name: "Businesses", exact: true }).click(),
    ]);
    await page.getByRole("table", { name: "Contacts" }).waitFor();
    await second.waitForURL("**/businesses");
    await second.getByRole("heading", { name: /Businesses/ }).first().waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
    await second.waitForURL("**/signin");
    await second.getByText("You signed out in another tab.").waitFor();
    // The server revoked the session: the second tab's last access token is refused at once.
    expect(secondToken).toMatch(/^Bearer /);
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: secondToken } });
    expect(me.status).toBe(401);
    expect(await violations(second)).toEqual([]);
    await second.close();
  });
});
