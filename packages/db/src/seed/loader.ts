// Bulk loading over either driver, inside one transaction: COPY FROM STDIN streamed through
// postgres.js, or COPY from a /dev/blob in batches on PGlite. Only constant SQL from this package
// reaches the text of a statement; values travel as parameters or as COPY data.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PGlite, Transaction as PGliteTransaction } from "@electric-sql/pglite";
import type postgres from "postgres";
import type { Database, DatabaseKind } from "../client.ts";

export interface Loader {
  kind: DatabaseKind;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** COPYs encoded lines into `table`; onRows reports the running row count. Returns the row count. */
  copy(table: string, columns: readonly string[], lines: Iterable<string>, onRows?: (rows: number) => void): Promise<number>;
}

const CHUNK_CHARS = 256 * 1024; // one socket write per chunk
const BLOB_CHARS = 8 * 1024 * 1024; // one PGlite COPY per blob

/** Groups lines into chunks of about `size` characters, counting rows as they go. */
function* chunks(lines: Iterable<string>, size: number, count: (n: number) => void): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  let rows = 0;
  for (const l of lines) {
    parts.push(l);
    length += l.length;
    rows++;
    if (length >= size) {
      count(rows);
      yield parts.join("");
      parts = [];
      length = 0;
    }
  }
  count(rows);
  if (parts.length > 0) yield parts.join("");
}

function postgresLoader(tx: postgres.TransactionSql): Loader {
  return {
    kind: "postgres",
    query: async <T>(text: string, params: unknown[] = []) =>
      [...(await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]))] as T[],
    async copy(table, columns, lines, onRows) {
      let rows = 0;
      const query = tx.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`);
      const writable = await query.writable();
      const source = Readable.from(chunks(lines, CHUNK_CHARS, (n) => ((rows = n), onRows?.(n))), { objectMode: false });
      let fail: (error: unknown) => void = () => {};
      const failed = new Promise<never>((_, reject) => (fail = reject));
      // postgres.js 3.4 resolves a COPY query with its stream; a server error (constraint, bad value)
      // reported after the last chunk then reaches only query.reject, and the stream never finishes.
      (query as unknown as { reject: (error: unknown) => void }).reject = (error) => {
        source.destroy();
        fail(error);
      };
      await Promise.race([pipeline(source, writable), failed]);
      return rows;
    },
  };
}

function pgliteLoader(tx: PGliteTransaction): Loader {
  return {
    kind: "pglite",
    query: async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
    async copy(table, columns, lines, onRows) {
      let rows = 0;
      for (const blob of chunks(lines, BLOB_CHARS, (n) => (rows = n))) {
        await tx.query(`copy ${table} (${columns.join(", ")}) from '/dev/blob'`, [], { blob: new Blob([blob]) });
        onRows?.(rows);
      }
      return rows;
    },
  };
}

/** Runs fn with a loader inside one transaction of the owner connection: all or nothing. */
export async function withLoader<T>(database: Database, fn: (loader: Loader) => Promise<T>): Promise<T> {
  if (database.kind === "postgres") {
    const client = (database.db as unknown as { $client: postgres.Sql }).$client;
    return (await client.begin((tx) => fn(postgresLoader(tx)))) as T;
  }
  const client = (database.db as unknown as { $client: PGlite }).$client;
  return client.transaction((tx) => fn(pgliteLoader(tx)));
}
