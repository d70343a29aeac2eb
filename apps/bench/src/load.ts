// The load generator, in its own process (forked by main.ts) so it never shares an event loop with
// a server under test. Jobs arrive over IPC; results go back the same way.
import autocannon from "autocannon";

export type LoadJob =
  | {
      kind: "autocannon";
      url: string;
      connections: number;
      durationSeconds: number;
      method?: "GET" | "POST";
      headers?: Record<string, string>;
      body?: string;
    }
  | {
      // Sequential requests over one keep-alive connection, for percentiles autocannon does not report (p95).
      kind: "sequential";
      url: string;
      requests: number;
      method: "GET" | "POST";
      headers: Record<string, string>;
      bodies: string[];
      /** Stop early after this many seconds (at least 5 requests), so a slow endpoint cannot stall the run. */
      maxSeconds?: number;
    };

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p95?: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

async function runAutocannon(job: Extract<LoadJob, { kind: "autocannon" }>): Promise<LoadResult> {
  const result = await autocannon({
    url: job.url,
    connections: job.connections,
    duration: job.durationSeconds,
    method: job.method ?? "GET",
    headers: job.headers,
    body: job.body,
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function runSequential(job: Extract<LoadJob, { kind: "sequential" }>): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  for (let i = 0; i < job.requests; i++) {
    if (job.maxSeconds && i >= 5 && performance.now() - started > job.maxSeconds * 1000) break;
    const t0 = performance.now();
    const res = await fetch(job.url, { method: job.method, headers: job.headers, body: job.bodies[i % job.bodies.length] });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (res.status < 200 || res.status > 299) non2xx++;
  }
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    total: latencies.length,
    non2xx,
    errors: 0,
  };
}

process.on("message", (job: LoadJob) => {
  (job.kind === "autocannon" ? runAutocannon(job) : runSequential(job)).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
