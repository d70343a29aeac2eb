// The server's periodic facts refresh: incremental every intervalMs (a full rebuild first if the
// facts were never built), once per cluster however many server instances run it. Every instance
// ticks; a tick runs the refresh only if it claims the schedule row in PostgreSQL
// (`update scheduled_jobs set next_run_at = now() + interval … where next_run_at <= now()`), so N
// instances behind a load balancer refresh once per interval between them. Never overlaps itself;
// other refreshers (the CLI) are kept out by the refresh's advisory lock.
import { asFactsPipeline, rows, sql, type Database } from "@switchboard/db";
import { refreshFacts, type RefreshResult } from "./refresh.ts";

export interface FactsSchedulerOptions {
  database: Database;
  intervalMs: number;
  tokenKey: Uint8Array;
  /** l1_event_facts retention in months (EVENT_FACTS_RETENTION_MONTHS); 0 keeps every event. */
  eventRetentionMonths?: number;
  onResult?: (result: RefreshResult, ms: number) => void;
  onError?: (error: unknown) => void;
}

export const FACTS_REFRESH_JOB = "facts_refresh";

/**
 * Claims the next run of a cluster-wide job: true for exactly one caller per interval. The row lock
 * of the upsert serializes concurrent claimers; the loser sees next_run_at in the future.
 */
export async function claimScheduledRun(database: Database, job: string, intervalMs: number): Promise<boolean> {
  const claimed = await asFactsPipeline(database, (tx) =>
    rows<{ name: string }>(
      tx,
      sql`insert into scheduled_jobs as j (name, next_run_at, last_claimed_at)
          values (${job}, now() + make_interval(secs => ${intervalMs / 1000}), now())
          on conflict (name) do update set next_run_at = excluded.next_run_at, last_claimed_at = excluded.last_claimed_at
          where j.next_run_at <= now()
          returning j.name`,
    ),
  );
  return claimed.length === 1;
}

export function startFactsScheduler(options: FactsSchedulerOptions) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    const started = performance.now();
    running = claimScheduledRun(options.database, FACTS_REFRESH_JOB, options.intervalMs)
      .then(async (claimed) => {
        if (!claimed) return; // another instance has this interval
        const result = await refreshFacts(options.database, {
          tokenKey: options.tokenKey,
          mode: "incremental",
          eventRetentionMonths: options.eventRetentionMonths,
        });
        options.onResult?.(result, performance.now() - started);
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
      });
  };
  // Ticks twice per interval: a due run starts within half an interval of falling due, whichever
  // instance gets there first.
  const timer = setInterval(tick, Math.max(250, options.intervalMs / 2));
  timer.unref(); // the scheduler alone never keeps the process alive
  tick();
  return {
    /** Stops scheduling and waits for a refresh in flight. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
