// The server's periodic facts refresh: incremental every intervalMs (a full rebuild first if the
// facts were never built). Never overlaps itself; other refreshers are handled by the advisory lock.
import type { Database } from "@switchboard/db";
import { refreshFacts, type RefreshResult } from "./refresh.ts";

export interface FactsSchedulerOptions {
  database: Database;
  intervalMs: number;
  tokenKey: Uint8Array;
  onResult?: (result: RefreshResult, ms: number) => void;
  onError?: (error: unknown) => void;
}

export function startFactsScheduler(options: FactsSchedulerOptions) {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    const started = performance.now();
    running = refreshFacts(options.database, { tokenKey: options.tokenKey, mode: "incremental" })
      .then((result) => options.onResult?.(result, performance.now() - started))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, options.intervalMs);
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
