// Analytics section of `npm run bench`: the facts pipeline (first full refresh into empty fact tables,
// steady-state full refresh, key rotation, incremental refresh after one day of new events), each run as
// the operator runs it (`npm run facts:refresh`, its own process, so its peak RSS is its own), then
// p50/p95 of every insight over HTTP at 1 connection, right after the refresh.
// The bench main seeds the bench-scale data, starts the server and passes its URL and an analyst token.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sql, type Database } from "@switchboard/db";

export interface AnalyticsBenchOptions {
  /** Owner connection to the bench database (seeded: users, events, transactions). */
  database: Database;
  /** postgres:// URL of that database (the refresh CLI connects to it). */
  databaseUrl: string;
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** Bearer token of a user holding the analyst role. */
  analystToken: string;
  /** ANALYTICS_TOKEN_KEY of the server (the last refresh uses it). */
  tokenKey: string;
  /** Requests per insight (default 50, after 5 warm-up requests). */
  samples?: number;
  /** New events inserted for the incremental run (default: one day of the seeded rate). */
  newEvents?: number;
}

export interface BenchRow {
  section: "analytics";
  metric: string;
  value: number;
  unit: "s" | "ms" | "MB" | "rows";
  target?: string;
}

const INSIGHT_PATHS = [
  "cohorts?weeks=12",
  "intents",
  "segments?breakdown=age_range",
  "engagement",
  "import-quality",
  "reengagement?limit=100",
  "funnel",
];

interface RefreshRun {
  status: string;
  mode: string;
  seconds: number;
  peak_rss_mb: number;
}

const analyticsDir = fileURLToPath(new URL("../../../packages/analytics/", import.meta.url));

/** One `npm run facts:refresh` in its own process; its JSON line (duration, peak RSS). */
function refreshCli(databaseUrl: string, tokenKey: string, full: boolean): Promise<RefreshRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "facts:refresh", "--", ...(full ? ["--full"] : [])], {
      cwd: analyticsDir,
      env: { ...process.env, DATABASE_URL: databaseUrl, ANALYTICS_TOKEN_KEY: tokenKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      try {
        const run = JSON.parse(line) as RefreshRun;
        if (code === 0 && run.status === "done") return resolve(run);
      } catch {
        // fall through
      }
      reject(new Error(`facts:refresh${full ? " --full" : ""} exited ${code}: ${(err || out).trim().slice(-500)}`));
    });
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runAnalyticsBench(opts: AnalyticsBenchOptions): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  const rss: number[] = [];
  const record = (metric: string, run: RefreshRun, target: string) => {
    out.push({ section: "analytics", metric, value: run.seconds, unit: "s", target });
    rss.push(run.peak_rss_mb);
  };
  // A first refresh as on a fresh deployment: empty fact tables and rollups, no refresh log.
  await opts.database.db.execute(sql`truncate l1_user_activity_days, l1_user_milestones, l1_activity_daily, l1_user_cohort_weeks,
    l1_transaction_facts, l1_customer_facts, analytics_refresh_log`);
  // First fill and steady state under another key, then a rotation to the server's key (the facts end
  // up keyed as the server expects, without a fourth full run).
  const otherKey = `${opts.tokenKey}-before-rotation`;
  record("facts refresh: first full (empty tables)", await refreshCli(opts.databaseUrl, otherKey, true), "≤ 60 s");
  record("facts refresh: steady-state full", await refreshCli(opts.databaseUrl, otherKey, true), "≤ 40 s");
  record("facts refresh: key rotation (full, new key)", await refreshCli(opts.databaseUrl, opts.tokenKey, true), "≤ 90 s");

  // One day of new activity at the seeded average daily rate, spread over the last 24 hours.
  const [rate] = (await opts.database.db.execute(
    sql`select greatest(1, (count(*) / greatest(1, extract(epoch from max(occurred_at) - min(occurred_at)) / 86400))::int) as per_day
        from l1_event_facts`,
  )) as unknown as { per_day: number }[];
  const newEvents = opts.newEvents ?? Number(rate?.per_day ?? 10_000);
  await opts.database.db.execute(sql`
    insert into l1_event_facts (user_id, event_type, occurred_at)
    select u.id, 'signed_in', now() - random() * interval '1 day'
    from (select id from users order by random() limit greatest(1, ${newEvents}::int / 5)) u, generate_series(1, 5)`);
  out.push({ section: "analytics", metric: "new events for the incremental run", value: newEvents, unit: "rows" });
  record("facts refresh: incremental (1 day)", await refreshCli(opts.databaseUrl, opts.tokenKey, false), "≤ 3 s");
  out.push({ section: "analytics", metric: "peak RSS of a refresh process (max of the four)", value: Math.max(...rss), unit: "MB", target: "≤ 250 MB" });

  const samples = opts.samples ?? 50;
  for (const path of INSIGHT_PATHS) {
    const url = `${opts.baseUrl}/api/v1/insights/${path}`;
    const headers = { authorization: `Bearer ${opts.analystToken}` };
    const times: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const started = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
      if (i >= 5) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const name = path.split("?")[0];
    out.push({ section: "analytics", metric: `GET /insights/${name} p50`, value: percentile(times, 50), unit: "ms" });
    out.push({ section: "analytics", metric: `GET /insights/${name} p95`, value: percentile(times, 95), unit: "ms", target: "≤ 150 ms" });
  }
  return out;
}
