// One suite, two drivers (drizzle-orm's own integration-test pattern): every database test file
// calls describeDb(), which runs its suite on embedded PGlite and, when DATABASE_URL is set, again on
// a fresh throwaway database of that PostgreSQL server.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe } from "vitest";
import { createDb, migrate, type Database, type DatabaseKind } from "../src/index.ts";

export interface DbTarget {
  kind: DatabaseKind;
  create(): Promise<{ database: Database; url?: string; cleanup(): Promise<void> }>;
}

/** A fresh, migrated PGlite in memory. */
async function freshPglite() {
  const database = createDb();
  await migrate(database);
  return { database, cleanup: () => database.close() };
}

/** A fresh, migrated database on the PostgreSQL server of DATABASE_URL, dropped afterwards. */
export async function freshPostgres(baseUrl: string, options: { migrate?: boolean } = {}) {
  const name = `sb_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`); // name is generated above, never input
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = createDb({ url: url.toString(), max: 8 });
  if (options.migrate !== false) await migrate(database);
  return {
    database,
    url: url.toString(),
    cleanup: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

export function dbTargets(): DbTarget[] {
  const targets: DbTarget[] = [{ kind: "pglite", create: freshPglite }];
  const url = process.env.DATABASE_URL;
  if (url) targets.push({ kind: "postgres", create: () => freshPostgres(url) });
  return targets;
}

export interface DbContext {
  /** The migrated database of the current target (valid inside tests and hooks). */
  readonly database: Database;
  readonly kind: DatabaseKind;
  /** postgres only: the URL of the throwaway database. */
  readonly url: string | undefined;
}

/** describe() once per database target, with a fresh migrated database for the whole block. */
export function describeDb(title: string, suite: (ctx: DbContext) => void) {
  for (const target of dbTargets()) {
    describe(`${title} [${target.kind}]`, () => {
      let state: Awaited<ReturnType<DbTarget["create"]>> | undefined;
      beforeAll(async () => {
        state = await target.create();
      }, 120_000);
      afterAll(async () => {
        await state?.cleanup();
      });
      suite({
        get database() {
          if (!state) throw new Error("database not ready: use ctx.database inside tests or hooks");
          return state.database;
        },
        kind: target.kind,
        get url() {
          return state?.url;
        },
      });
    });
  }
}
