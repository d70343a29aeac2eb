// A health probe on a connection of its own: readiness must answer even when the request pool is
// full of lock waiters, and must not queue behind them.
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { poolerUrl, type Database } from "./client.ts";

export interface HealthProbe {
  /** Resolves when the database answers `select 1` within timeoutMs; rejects otherwise. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function createHealthProbe(database: Database, opts: { url?: string; timeoutMs?: number } = {}): HealthProbe {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const withTimeout = <T>(promise: Promise<T>) =>
    Promise.race([
      promise,
      new Promise<never>((_, reject) => setTimeout(() => reject(Object.assign(new Error("health check timed out"), { code: "CONNECT_TIMEOUT" })), timeoutMs).unref()),
    ]);
  if (database.kind === "postgres" && opts.url) {
    const client = postgres(poolerUrl(opts.url).url, {
      max: 1,
      prepare: false, // may sit behind a transaction-mode pooler
      connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
      idle_timeout: 30,
      connection: { statement_timeout: timeoutMs, application_name: "switchboard-health" },
      backoff: () => 0.1,
      onnotice: () => {},
    });
    return {
      check: async () => void (await withTimeout(client`select 1`)),
      close: () => client.end({ timeout: 1 }),
    };
  }
  // PGlite is in-process: its one connection is the database.
  return {
    check: async () => void (await withTimeout(database.db.execute(sql`select 1`))),
    close: async () => {},
  };
}
