// Invitations with consent in a real browser against the real server: the demo owner invites a new
// address (no SMTP, so the page shows the link) → that person signs up with it, sees the invitation,
// accepts, and appears in Members; a second invitation is declined by its invitee and shows as declined.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { browserRequired, CHROMIUM_ARGS, ensureArtifactsDir, findChromium, SKIP_MESSAGE, startServer, type RunningServer } from "./harness.ts";

const chromiumPath = findChromium();
if (!chromiumPath && browserRequired()) throw new Error(`${SKIP_MESSAGE} — and REQUIRE_BROWSER_TESTS=1 makes that an error`);

describe.skipIf(!chromiumPath)("invitations in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let owner: Page;
  const artifacts = ensureArtifactsDir();
  const stamp = Date.now();
  const newcomer = `newcomer.${stamp}@example.com`;
  const stranger = `stranger.${stamp}@example.com`;

  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
    owner = await newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function newPage(): Promise<Page> {
    // A context of its own: separate storage, i.e. another person on another computer.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on("dialog", (dialog) => void dialog.accept());
    return page;
  }

  async function signUp(page: Page, email: string, name: string) {
    await page.goto(`${server.url}/signup`);
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL("**/onboarding");
    await page.getByRole("radio", { name: /Organize contacts/ }).check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Full name").fill(name);
    await page.getByRole("button", { name: "Finish" }).click();
    await page.waitForURL("**/businesses?new=1");
  }

  async function invite(email: string) {
    await owner.getByLabel("Member email").fill(email);
    await owner.getByLabel("Role", { exact: true }).selectOption("member");
    await owner.getByRole("button", { name: "Send invitation" }).click();
    // No SMTP on this server: the page shows the link to pass on.
    const link = owner.getByLabel("Invitation link");
    await link.waitFor({ state: "visible" });
    expect(await link.inputValue()).toMatch(/\/invitations#token=[A-Za-z0-9_-]{43}$/);
    await owner.getByRole("cell", { name: email }).waitFor();
  }

  it("the owner invites two addresses; both are pending, neither is a member", async () => {
    await owner.goto(`${server.url}/signin`);
    await owner.getByLabel("Email").fill("demo@switchboard.test");
    await owner.getByLabel("Password").fill("switchboard");
    await owner.getByRole("button", { name: "Sign in" }).click();
    await owner.waitForURL("**/contacts**");
    await owner.getByRole("link", { name: "Members" }).click();
    await invite(newcomer);
    await invite(stranger);
    await owner.screenshot({ path: join(artifacts, "invitations-01-pending.png"), fullPage: true });
    const members = owner.locator("section", { has: owner.getByRole("heading", { name: "Members", exact: true }) });
    expect(await members.getByText(newcomer).count()).toBe(0);
  });

  it("the invitee signs up with that address, sees the invitation, accepts, and appears in Members", async () => {
    const page = await newPage();
    await signUp(page, newcomer, "Newcomer");
    await page.getByRole("link", { name: /Invitations/ }).click();
    await page.waitForURL("**/invitations");
    const accept = page.getByRole("button", { name: /^Accept the invitation to / });
    await accept.waitFor();
    await page.screenshot({ path: join(artifacts, "invitations-02-invitee.png"), fullPage: true });
    await accept.click();
    await page.waitForURL("**/contacts**");
    await owner.reload();
    const memberSection = owner.locator("section", { has: owner.getByRole("heading", { name: "Members", exact: true }) });
    await memberSection.getByText(newcomer).waitFor();
    const invitations = owner.locator("section", { has: owner.getByRole("heading", { name: "Invitations", exact: true }) });
    await invitations.getByRole("row", { name: new RegExp(newcomer.replace(/\./g, "\\.")) }).getByText("accepted").waitFor();
    await page.context().close();
  });

  it("a stranger declines their invitation; it shows as declined and they join nothing", async () => {
    const page = await newPage();
    await signUp(page, stranger, "Stranger");
    await page.goto(`${server.url}/invitations`);
    await page.getByRole("button", { name: /^Decline the invitation to / }).click();
    await page.getByText("No pending invitations for your email.").waitFor();
    await page.goto(`${server.url}/businesses`);
    await page.getByText("You're not a member of any business yet.").waitFor();
    await owner.reload();
    const invitations = owner.locator("section", { has: owner.getByRole("heading", { name: "Invitations", exact: true }) });
    await invitations.getByRole("row", { name: new RegExp(stranger.replace(/\./g, "\\.")) }).getByText("declined").waitFor();
    await owner.screenshot({ path: join(artifacts, "invitations-03-decided.png"), fullPage: true });
    await page.context().close();
  });
});
