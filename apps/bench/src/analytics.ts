// Analytics section of `npm run bench`: full facts refresh, incremental refresh after one day of new
// events, p50/p95 of every insight over HTTP at 1 connection, and the refresh's peak RSS.
// The bench main seeds the bench-scale data, starts the server and passes its URL and an analyst token.
import { refreshFacts } from "@switchboard/analytics";
import { sql, type Database } from "@switchboard/db";

export interface AnalyticsBenchOptions {
  /** Owner connection to the bench database (seeded: users, events, transactions). */
  database: Database;
  /** e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** Bearer token of a user holding the analyst role. */
  analystToken: string;
  tokenKey: Uint8Array;
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

/** Peak RSS of this process while fn runs (sampled every 20 ms). */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number; seconds: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const started = performance.now();
  try {
    const result = await fn();
    return { result, peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function runAnalyticsBench(opts: AnalyticsBenchOptions): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  const full = await withPeakRss(() => refreshFacts(opts.database, { tokenKey: opts.tokenKey, mode: "full" }));
  out.push({ section: "analytics", metric: "facts refresh (full)", value: full.seconds, unit: "s", target: "≤ 60 s" });
  out.push({ section: "analytics", metric: "peak RSS during full refresh", value: full.peakMb, unit: "MB", target: "< 300 MB" });

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
  const inc = await withPeakRss(() => refreshFacts(opts.database, { tokenKey: opts.tokenKey, mode: "incremental" }));
  out.push({ section: "analytics", metric: "facts refresh (incremental, 1 day)", value: inc.seconds, unit: "s", target: "≤ 5 s" });
  out.push({ section: "analytics", metric: "peak RSS during incremental refresh", value: inc.peakMb, unit: "MB", target: "< 300 MB" });

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
    out.push({ section: "analytics", metric: `GET /insights/${name} p95`, value: percentile(times, 95), unit: "ms", target: "≤ 250 ms" });
  }
  return out;
}
