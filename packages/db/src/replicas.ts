// Read replicas (READ_DATABASE_URL): hot standbys that serve read-only work. The rule that keeps a
// user's own writes visible (read-your-writes), across server instances:
//   after a user's write commits, the primary's WAL insert position is recorded for that user
//   (private.write_marks, on the primary); a read by that user goes to a replica only when the replica
//   has replayed past that position (pg_last_wal_replay_lsn() >= mark), else to the primary.
// Users without a mark, and every analyst insight, read from a replica. A replica that fails to
// connect is set aside for a few seconds and the read runs on the primary instead.
import { rows, type Database } from "./client.ts";
import { sql } from "drizzle-orm";

export interface Replicas {
  readonly list: readonly Database[];
  /** The next replica not set aside (round robin), or undefined. */
  next(): Database | undefined;
  /** Sets a replica aside after a connection failure. */
  setAside(replica: Database): void;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  /** How long a failed replica is skipped before it is tried again (default 5 s). */
  retryAfterMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export function createReplicas(list: Database[], options: ReplicaOptions = {}): Replicas {
  const retryAfterMs = options.retryAfterMs ?? 5_000;
  const now = options.now ?? Date.now;
  const downUntil = new Map<Database, number>();
  let cursor = 0;
  return {
    list,
    next() {
      for (let i = 0; i < list.length; i++) {
        const replica = list[(cursor + i) % list.length]!;
        if ((downUntil.get(replica) ?? 0) <= now()) {
          cursor = (cursor + i + 1) % list.length;
          return replica;
        }
      }
      return undefined;
    },
    setAside(replica) {
      downUntil.set(replica, now() + retryAfterMs);
    },
    close: async () => void (await Promise.all(list.map((r) => r.close()))),
  };
}

// Driver and server codes that mean "this server cannot be used now" (not "this query is wrong").
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN",
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
]);

/** True when an error (or one of its causes) says the server was unreachable or shutting down. */
export function isServerUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code))) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Records a committed write by userId (read-your-writes). A no-op without replicas. */
export async function markWrite(database: Database, userId: string): Promise<void> {
  if (!database.replicas) return;
  await rows(database.db, sql`select private.mark_write(${userId}::uuid)`);
}

/**
 * Where a read by userId goes: a replica that has replayed the user's last write (or any replica
 * when they have none), else the primary. Without replicas: the primary, no extra statement.
 */
export async function readTarget(database: Database, userId: string | null): Promise<Database> {
  const replica = database.replicas?.next();
  if (!replica) return database;
  if (!userId) return replica;
  const [mark] = await rows<{ lsn: string | null }>(database.db, sql`select private.write_mark(${userId}::uuid)::text as lsn`);
  if (!mark?.lsn) return replica;
  try {
    const [caught] = await rows<{ ok: boolean | null }>(
      replica.db,
      sql`select pg_last_wal_replay_lsn() >= ${mark.lsn}::pg_lsn as ok`,
    );
    return caught?.ok ? replica : database;
  } catch (error) {
    if (!isServerUnavailable(error)) throw error;
    database.replicas!.setAside(replica);
    return database;
  }
}

/**
 * Runs a read-only unit of work on readTarget(); if the replica turns out to be unreachable, sets it
 * aside and runs the work again on the primary (it is read-only, so running it twice is safe).
 */
export async function onReadTarget<T>(database: Database, userId: string | null, work: (target: Database) => Promise<T>): Promise<T> {
  const target = await readTarget(database, userId);
  if (target === database) return work(database);
  try {
    return await work(target);
  } catch (error) {
    if (!isServerUnavailable(error)) throw error;
    database.replicas!.setAside(target);
    return work(database);
  }
}
