// The "done when" soak: mixed load for `seconds` against the real server (child process) on a private
// cluster, with a PostgreSQL restart in the middle. Used by the fault suite (short) and scripts/soak.ts (60 s).
import { setTimeout as sleep } from "node:timers/promises";
import type { PrivateCluster } from "./cluster.ts";
import { startChildServer } from "./child-server.ts";
import { checkWrites, signUpWithBusiness, startLoad, summarize } from "./load.ts";

export interface SoakReport {
  seconds: number;
  requests: number;
  statuses: Record<string, number>;
  serverUp: boolean;
  lostAcknowledged: number;
  presentRefused: number;
  unknownOutcome: number;
  missingRetryAfter: number;
  /** From pg_ctlcluster returning (database accepting connections) to the first 200 after it. */
  recoveryMs: number | null;
  /** From the restart command to the database accepting connections again. */
  restartMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

export async function runSoak(cluster: PrivateCluster, opts: { seconds: number; clients?: number; env?: Record<string, string> }): Promise<SoakReport> {
  const server = await startChildServer({ DATABASE_URL: cluster.url, LOG_LEVEL: "warn", ...opts.env });
  try {
    const { token, businessId } = await signUpWithBusiness(server.url, "soak");
    const load = startLoad({ url: server.url, token, businessId, clients: opts.clients ?? 10, tag: `soak${Date.now()}`, serverUp: () => !server.exited() });
    await sleep((opts.seconds * 1000) / 2);
    const restartAt = load.elapsed();
    await cluster.restart();
    const readyAt = load.elapsed();
    await sleep(Math.max(0, opts.seconds * 1000 - load.elapsed()));
    const stats = await load.stop();
    const writes = await checkWrites(cluster.url, stats);
    const firstOk = stats.timeline.find(([at, status]) => at >= readyAt && status === 200);
    const durations = stats.timeline.filter(([, status]) => status === 200).map(([, , ms]) => ms).sort((a, b) => a - b);
    return {
      seconds: opts.seconds,
      requests: stats.total,
      statuses: summarize(stats),
      serverUp: !server.exited(),
      lostAcknowledged: writes.lostAcknowledged.length,
      presentRefused: writes.presentRefused.length,
      unknownOutcome: stats.unknown.size,
      missingRetryAfter: stats.missingRetryAfter,
      recoveryMs: firstOk ? firstOk[0] - readyAt : null,
      restartMs: readyAt - restartAt,
      p50Ms: percentile(durations, 50),
      p99Ms: percentile(durations, 99),
      maxMs: durations.at(-1) ?? 0,
    };
  } finally {
    await server.stop();
  }
}
