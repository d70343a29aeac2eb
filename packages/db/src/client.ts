// createDb(): one database handle for the whole process, over postgres.js (DATABASE_URL set) or an
// embedded PGlite (unset). Everything above this file sees the same Drizzle API either way.
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { PGlite, type Transaction as PGliteTransaction } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { PgDialect, type PgDatabase, type PgQueryResultHKT, type PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations, SQL } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.ts";
import { createReplicas, type Replicas } from "./replicas.ts";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a statement: the owner handle or a transaction. */
export type Executor = Db | Tx;

export type DatabaseKind = "pglite" | "postgres";

export interface Database {
  kind: DatabaseKind;
  /** The owner connection: migrations, seeding, operator scripts. Never used to serve a user. */
  db: Db;
  /** A description without secrets, for logs ("postgres 127.0.0.1:5432/test", "pglite memory"). */
  label: string;
  /** postgres.js: waits up to timeoutSeconds (default 5) for running queries, then cancels them. */
  close(opts?: { timeoutSeconds?: number }): Promise<void>;
  /** Hot standbys for read-only work (READ_DATABASE_URL); absent without (see replicas.ts). */
  replicas?: Replicas;
}

export interface CreateDbOptions {
  /** postgres:// URL. Unset: embedded PGlite. */
  url?: string;
  /** PGlite only: a directory to persist to; unset: in memory. */
  dataDir?: string;
  /** postgres.js pool size. */
  max?: number;
  /**
   * postgres.js: send statements as named prepared statements (default true). Say false behind a
   * transaction-mode pooler without prepared-statement support (PgBouncer < 1.21): a server
   * connection there is not the one the statement was prepared on. A `pgbouncer=true` parameter in
   * the URL (Prisma's convention) implies false.
   */
  prepare?: boolean;
  /** postgres.js only: connect timeout and the session's statement/lock/idle-in-transaction timeouts. */
  timeouts?: Partial<DbTimeouts>;
  /** postgres:// URLs of hot standbys (READ_DATABASE_URL) that serve read-only work. */
  readUrls?: string[];
}

/** Strips the `pgbouncer` URL parameter (the server would reject it as a setting) and reads it. */
export function poolerUrl(url: string): { url: string; pgbouncer: boolean } {
  const u = new URL(url);
  const value = u.searchParams.get("pgbouncer");
  if (value === null) return { url, pgbouncer: false };
  u.searchParams.delete("pgbouncer");
  return { url: u.toString(), pgbouncer: value === "" || value === "true" || value === "1" };
}

/** Defaults documented in docs/operations.md; the server reads overrides from its environment. */
export interface DbTimeouts {
  /** Seconds to establish a connection before the attempt fails (CONNECT_TIMEOUT → 503). */
  connectSeconds: number;
  /** statement_timeout: one statement longer than this is cancelled (57014 → 503). 0 disables. */
  statementMs: number;
  /** lock_timeout: waiting longer than this for a row or table lock fails (55P03 → 503). 0 disables. */
  lockMs: number;
  /** idle_in_transaction_session_timeout: a transaction left idle this long is ended by the server. */
  idleInTransactionMs: number;
}

export const defaultDbTimeouts: DbTimeouts = { connectSeconds: 5, statementMs: 60_000, lockMs: 2_000, idleInTransactionMs: 60_000 };

/** postgres.js options for the timeouts: session settings travel in the startup packet, no extra round trip. */
export function timeoutOptions(overrides: Partial<DbTimeouts> = {}, opts: { pooler?: boolean } = {}) {
  const t = { ...defaultDbTimeouts, ...overrides };
  return {
    connect_timeout: t.connectSeconds,
    // PgBouncer refuses unknown startup parameters: behind it, set these on the server's role instead
    // (ALTER ROLE … SET statement_timeout = …; see docs/operations.md).
    connection: opts.pooler
      ? {}
      : {
          statement_timeout: t.statementMs,
          lock_timeout: t.lockMs,
          idle_in_transaction_session_timeout: t.idleInTransactionMs,
        },
    // Reconnect quickly after an outage instead of postgres.js's exponential backoff (up to 20 s), so
    // requests fail fast (503) while the database is away and succeed as soon as it is back.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 0.5),
  } satisfies postgres.Options<Record<string, never>>;
}

// ---------------------------------------------------------------------------------------------
// Statement counting at the driver: every statement sent (BEGIN/COMMIT included) is recorded in the
// scope of the async call chain that sent it. The server logs the count per request; tests assert it.
// ---------------------------------------------------------------------------------------------
export interface StatementScope {
  statements: string[];
}
const statementScope = new AsyncLocalStorage<StatementScope>();

/** Runs fn and collects the statements it sends to the database. */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const scope: StatementScope = { statements: [] };
  const result = await statementScope.run(scope, fn);
  return { result, statements: scope.statements };
}

/** Starts a statement scope for the rest of the current async chain (one per HTTP request). */
export function withStatementScope<T>(scope: StatementScope, fn: () => T): T {
  return statementScope.run(scope, fn);
}

function record(text: string) {
  statementScope.getStore()?.statements.push(text.trim());
}

function countingPglite(pg: PGlite): PGlite {
  const query = pg.query.bind(pg);
  const exec = pg.exec.bind(pg);
  const transaction = pg.transaction.bind(pg);
  pg.query = ((text: string, params?: unknown[], opts?: object) => {
    record(text);
    return query(text, params, opts);
  }) as PGlite["query"];
  pg.exec = ((text: string, opts?: object) => {
    record(text);
    return exec(text, opts);
  }) as PGlite["exec"];
  pg.transaction = (<T>(fn: (tx: PGliteTransaction) => Promise<T>) =>
    transaction(async (tx) => {
      record("BEGIN");
      const wrapped: PGliteTransaction = Object.create(tx, {
        query: { value: (text: string, params?: unknown[], opts?: object) => (record(text), tx.query(text, params, opts)) },
        exec: { value: (text: string, opts?: object) => (record(text), tx.exec(text, opts)) },
      });
      try {
        const result = await fn(wrapped);
        record("COMMIT");
        return result;
      } catch (error) {
        record("ROLLBACK");
        throw error;
      }
    })) as PGlite["transaction"];
  return pg;
}

export function createDb(options: CreateDbOptions = {}): Database {
  if (options.url) {
    const { url, pgbouncer } = poolerUrl(options.url);
    const client = postgres(url, {
      ...timeoutOptions(options.timeouts, { pooler: pgbouncer }),
      max: options.max ?? 10,
      prepare: options.prepare ?? !pgbouncer,
      onnotice: () => {},
      debug: (_connection, text) => record(text),
      // Keep timestamps as ISO strings the same way on both drivers: Drizzle maps them.
    });
    const db = drizzlePostgres({ client, schema }) as unknown as Db;
    if (!client.options.prepare) unprepared.add(sessionOf(db).options);
    const u = new URL(url);
    const replicas = options.readUrls?.length
      ? createReplicas(options.readUrls.map((readUrl) => createDb({ url: readUrl, max: options.max, prepare: options.prepare, timeouts: options.timeouts })))
      : undefined;
    return {
      kind: "postgres",
      db,
      label: `postgres ${u.hostname}:${u.port || 5432}${u.pathname}${replicas ? ` + ${replicas.list.length} replica(s)` : ""}`,
      close: async (opts) => {
        await Promise.all([client.end({ timeout: opts?.timeoutSeconds ?? 5 }), replicas?.close()]);
      },
      ...(replicas && { replicas }),
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pg = countingPglite(new PGlite({ dataDir: options.dataDir, extensions: { pg_trgm, unaccent, btree_gin } }));
  const db = drizzlePglite({ client: pg, schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    label: options.dataDir ? `pglite ${options.dataDir}` : "pglite memory",
    close: () => pg.close(),
  };
}

const dialect = new PgDialect();

interface DrizzleSession {
  client?: unknown;
  options: object;
}
const sessionOf = (executor: Executor) => (executor as unknown as { _: { session: DrizzleSession } })._.session;
// Drizzle hands its session options object on to every transaction's session: it marks a handle
// created with `prepare: false` (a postgres.js transaction has no options of its own to ask).
const unprepared = new WeakSet<object>();

/** The postgres.js client under a Drizzle handle or transaction, or undefined on PGlite. */
function postgresClient(executor: Executor): postgres.Sql | undefined {
  const client = sessionOf(executor).client;
  return client && typeof (client as postgres.Sql).unsafe === "function" ? (client as postgres.Sql) : undefined;
}

/**
 * Rows of a raw statement, whatever the driver (postgres.js returns an array, PGlite `{ rows }`).
 * On postgres.js the statement is sent as a named prepared statement: Drizzle's execute() never
 * prepares, and re-planning the RLS-wrapped contact query cost more than executing it (bench).
 * Unprepared when the client was created with `prepare: false` (behind a transaction-mode pooler).
 */
export async function rows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const client = postgresClient(executor);
  if (client) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
      prepare: !unprepared.has(sessionOf(executor).options),
    })) as unknown as T[];
  }
  const result = (await executor.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
