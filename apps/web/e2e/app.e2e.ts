// The whole app in a real browser against the real server and database: sign up → onboarding →
// business → contacts → search → detail levels → CSV import with a bad row → analyst insights.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { browserRequired, CHROMIUM_ARGS, ensureArtifactsDir, findChromium, SKIP_MESSAGE, startServer, type RunningServer } from "./harness.ts";

const chromiumPath = findChromium();
if (!chromiumPath) {
  if (browserRequired()) throw new Error(`${SKIP_MESSAGE} — and REQUIRE_BROWSER_TESTS=1 makes that an error`);
  console.warn(`\n*** ${SKIP_MESSAGE} ***\n`);
}

describe.skipIf(!chromiumPath)("web app in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const artifacts = ensureArtifactsDir();
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const email = `erin.${Date.now()}@example.com`;

  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("signs up and goes through onboarding", async () => {
    await page.goto(`${server.url}/signin`);
    await expectVisible(page.getByRole("button", { name: "Sign in" }));
    await shot("01-sign-in");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Erin");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    // The server's validation message appears under the field.
    await expectVisible(page.getByText("At least 8 characters", { exact: true }).first());
    await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();

    await page.waitForURL("**/onboarding");
    await page.getByRole("radio", { name: /Organize contacts/ }).check();
    await shot("02-onboarding");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByLabel("Full name").fill("Erin Example");
    await page.getByRole("button", { name: "Finish" }).click();
    await page.waitForURL("**/businesses?new=1");
  });

  it("creates a business and adds contacts", async () => {
    await page.getByLabel("Business name").fill("Erin's Bakery");
    await page.getByRole("button", { name: "Create business" }).click();
    await page.waitForURL("**/contacts");
    await expectVisible(page.getByRole("table"));

    const people = [
      { name: "Grace Hopper", email: "grace@navy.example", company: "Navy" },
      { name: "Alan Turing", email: "alan@bletchley.example", company: "Bletchley" },
      { name: "Katherine Johnson", email: "kj@nasa.example", company: "NASA" },
    ];
    for (const p of people) {
      await page.getByRole("button", { name: "New contact" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Full name").fill(p.name);
      await dialog.getByLabel("Email").fill(p.email);
      await dialog.getByLabel("Company").fill(p.company);
      await dialog.getByLabel("Assigned to").selectOption({ label: "Erin" });
      await dialog.getByRole("button", { name: "Create contact" }).click();
      await expectVisible(page.getByRole("table").getByText(p.name));
    }
    // A bad email comes back as a field error from the server, the dialog stays open.
    await page.getByRole("button", { name: "New contact" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Full name").fill("Broken");
    await dialog.getByLabel("Email").fill("not-an-email");
    await dialog.getByRole("button", { name: "Create contact" }).click();
    await expectVisible(dialog.getByText("Invalid email"));
    await dialog.getByRole("button", { name: "Cancel" }).click();

    expect(await page.getByRole("table").locator("tbody tr").count()).toBe(3);
    await shot("03-contacts");
  });

  it("searches with ranked matches", async () => {
    await page.getByLabel("Search contacts").fill("grace");
    const results = page.getByRole("table", { name: "Search results" });
    await expectVisible(results);
    await expectVisible(results.getByText("Grace Hopper"));
    await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Search results"] tbody tr').length === 1);
    await shot("04-search");
    await page.getByLabel("Search contacts").fill("");
    await expectVisible(page.getByRole("table", { name: "Contacts" }));
  });

  it("switches the User details level: the assignee's email appears and disappears", async () => {
    const table = page.getByRole("table", { name: "Contacts" });
    const details = page.getByRole("radiogroup", { name: "User details" });
    await details.getByRole("radio", { name: "Basic" }).check();
    await expectVisible(table.getByText(email).first());

    await details.getByRole("radio", { name: "None" }).check();
    await table.getByText(email).first().waitFor({ state: "detached" });
    expect(await table.getByText(email).count()).toBe(0);
    await shot("05-details-none");

    await details.getByRole("radio", { name: "Full" }).check();
    await expectVisible(table.getByText(email).first());
    // Full adds the assignee's full name from onboarding.
    await expectVisible(table.getByText("Erin Example").first());

    // The detail panel follows the same level.
    await table.getByText("Grace Hopper").click();
    const panel = page.getByRole("complementary", { name: "Contact details" });
    await expectVisible(panel.getByTestId("panel-assignee").getByText(email));
    await shot("06-contact-detail");
    await details.getByRole("radio", { name: "None" }).check();
    await panel.getByTestId("panel-assignee").getByText(email).waitFor({ state: "detached" });
    await details.getByRole("radio", { name: "Basic" }).check();
  });

  it("records a transaction and undoes a delete", async () => {
    const panel = page.getByRole("complementary", { name: "Contact details" });
    await panel.getByLabel("Amount").fill("49.90");
    await panel.getByRole("button", { name: "Record transaction" }).click();
    await expectVisible(panel.getByRole("table", { name: "Transactions" }).getByText(/49\.90/));

    await panel.getByRole("button", { name: "Delete" }).click();
    await expectVisible(page.getByText("Contact deleted"));
    await page.getByRole("table", { name: "Contacts" }).getByText("Grace Hopper").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Undo" }).click();
    await expectVisible(page.getByRole("table", { name: "Contacts" }).getByText("Grace Hopper"));
  });

  it("imports a CSV with one bad row and shows the error with its line", async () => {
    await page.getByRole("link", { name: "Import", exact: true }).click();
    const csv = "full_name,email,company\nAda Lovelace,ada@example.com,Analytical\n,missing-name@example.com,Nobody\nLinus Torvalds,linus@example.com,Kernel\n";
    await page.getByLabel("CSV file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expectVisible(page.getByRole("table", { name: "Preview" }).getByText("Ada Lovelace"));
    await page.getByRole("button", { name: "Import 3 rows" }).click();
    const errors = page.getByRole("table", { name: "Import errors" });
    await expectVisible(errors);
    await expectVisible(page.getByText(/Imported 2 of 3 rows; 1 failed/));
    expect(await errors.locator("tbody tr").count()).toBe(1);
    expect(await errors.locator("tbody tr td").first().textContent()).toBe("3");
    await shot("07-import-result");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download error file" }).click()]);
    const content = readFileSync((await download.path())!, "utf8");
    expect(content.split("\r\n")[0]).toBe("line,reason,full_name,email,company");
    expect(content).toContain("missing-name@example.com");
  });

  it("works on a 390 px wide phone and hides Insights from non-analysts", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: "Contacts", exact: true }).click();
    await expectVisible(page.getByRole("table", { name: "Contacts" }));
    // Nothing overflows the viewport horizontally except inside scrollable tables.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("08-contacts-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    expect(await page.getByRole("link", { name: "Insights" }).count()).toBe(0);
    await page.goto(`${server.url}/insights`);
    await expectVisible(page.getByRole("heading", { name: "Not available" }));
  });

  it("signs out, signs in as the demo analyst and shows the cohort triangle", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/signin");
    await page.getByLabel("Email").fill("analyst@switchboard.test");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expectVisible(page.getByRole("alert"));
    await page.getByLabel("Password").fill("switchboard");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/(contacts|onboarding|businesses)/);
    if (page.url().includes("/onboarding")) await page.getByRole("button", { name: "Skip" }).click();

    await page.getByRole("link", { name: "Insights" }).click();
    const triangle = page.getByRole("table", { name: "Cohort retention" });
    await expectVisible(triangle);
    expect(await triangle.locator("tbody tr").count()).toBeGreaterThan(0);
    // Heat-coloured value cells are present.
    expect(await triangle.locator("tbody td[style*='background']").count()).toBeGreaterThan(0);
    await expectVisible(page.getByRole("heading", { name: "Engagement (DAU / WAU / MAU)" }));
    await page.locator(".recharts-surface").first().waitFor();
    await shot("09-insights");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export cohorts as CSV" }).click()]);
    const content = readFileSync((await download.path())!, "utf8");
    expect(content.split(/\r?\n/)[0]).toContain("cohort_week");
  });
});

async function expectVisible(locator: ReturnType<Page["getByRole"]>) {
  await locator.waitFor({ state: "visible" });
}
