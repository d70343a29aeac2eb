// Password reset in a real browser, with the server sending real mail to an SMTP receiver (smtp-server)
// started here: "Forgot your password?" → the mail arrives → its link sets a new password → the old one
// no longer signs in, the new one does. An unknown address gets the same answer and no mail.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { SMTPServer } from "smtp-server";
import { browserRequired, CHROMIUM_ARGS, findChromium, SKIP_MESSAGE, startServer, type RunningServer } from "./harness.ts";

const chromiumPath = findChromium();
if (!chromiumPath && browserRequired()) throw new Error(`${SKIP_MESSAGE} — and REQUIRE_BROWSER_TESTS=1 makes that an error`);

describe.skipIf(!chromiumPath)("password reset in Chromium, mail over SMTP", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let smtp: SMTPServer;
  const mails: { to: string[]; raw: string }[] = [];
  const arrived: (() => void)[] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        let raw = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => (raw += chunk));
        stream.on("end", () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
          arrived.splice(0).forEach((f) => f());
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    server = await startServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "no-reply@example.test" } });
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  const mailCount = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (mails.length >= count ? resolve() : arrived.push(check));
      check();
    });

  async function requestLink(email: string): Promise<string> {
    await page.goto(`${server.url}/signin`);
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send me a reset link" }).click();
    return (await page.locator(".auth-card [role=status]").textContent()) ?? "";
  }

  it("the mailed link sets a new password; an unknown address gets the same answer and no mail", async () => {
    const unknown = await requestLink(`nobody.${Date.now()}@example.com`);
    const known = await requestLink("demo@switchboard.test");
    expect(known).toBe(unknown);
    await mailCount(1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(["demo@switchboard.test"]);
    const text = mails[0]!.raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const link = text.match(/https?:\/\/\S+\/reset-password#token=[A-Za-z0-9_-]+/)?.[0];
    expect(link).toBeDefined();
    await page.goto(link!);
    await page.getByLabel("New password").fill("a fresh demo password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("Your password was changed").waitFor();
    // The link is spent (a fresh load: only the fragment would differ otherwise).
    await page.goto("about:blank");
    await page.goto(link!);
    await page.getByLabel("New password").fill("another demo password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("This reset link is invalid or has expired").waitFor();
    // Old password refused, new one accepted.
    await page.goto(`${server.url}/signin`);
    await page.getByLabel("Email").fill("demo@switchboard.test");
    await page.getByLabel("Password").fill("switchboard");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Invalid email or password").waitFor();
    await page.getByLabel("Password").fill("a fresh demo password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/contacts**");
  });
});
