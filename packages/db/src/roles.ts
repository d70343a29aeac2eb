// The only place that sets a database role and JWT claims. Every user request runs inside
// withUser: one transaction, `role` and `request.jwt.claims` set locally, so RLS sees auth.uid().
import { sql } from "drizzle-orm";
import { rows, type Database, type Tx } from "./client.ts";

/** JWT claims as the server verified them (Supabase shape). */
export interface Claims {
  sub: string;
  role: "authenticated";
  email?: string;
  /** auth.sessions id: when present, withUser refuses the request unless that session is live. */
  session_id?: string;
  [claim: string]: unknown;
}

// Whitelist: callers name a key, never a role string; nothing from input reaches set_config('role').
const ROLES = {
  authenticated: "authenticated",
  analyst: "analyst",
  authService: "switchboard_auth",
  factsPipeline: "switchboard_facts",
  mailer: "switchboard_mailer",
} as const;
export type DbRole = keyof typeof ROLES;

export async function runAs<T>(
  database: Database,
  role: DbRole,
  claims: Claims | null,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const roleName = Object.hasOwn(ROLES, role) ? ROLES[role] : undefined;
  if (!roleName) throw new Error(`unknown database role key: ${String(role)}`);
  const claimsJson = claims ? JSON.stringify(claims) : "";
  // A user's token names its session: the same statement checks the session is live (not signed out,
  // not revoked by a password change, ban or deletion), raising 28000 otherwise. No extra round trip.
  // Applies to every role acting on a user's claims (authenticated, analyst).
  const sessionId = typeof claims?.session_id === "string" ? claims.session_id : null;
  // PGlite's transaction() holds its single connection exclusively, so concurrent requests queue
  // here instead of interleaving statements (and claims) on one session.
  return database.db.transaction(async (tx) => {
    const setup = rows(
      tx,
      sessionId
        ? sql`select set_config('role', ${roleName}, true), set_config('request.jwt.claims', ${claimsJson}, true),
                     auth.require_live_session(${sessionId}, ${claims!.sub})`
        : sql`select set_config('role', ${roleName}, true), set_config('request.jwt.claims', ${claimsJson}, true)`,
    );
    if (database.kind === "pglite") {
      await setup;
      return fn(tx);
    }
    // postgres.js sends a transaction's statements in order on its one connection, so the claims are
    // set before fn's first statement runs; not awaiting here pipelines them (one round trip fewer).
    const [, result] = await Promise.all([setup, fn(tx)]);
    return result;
  });
}

/** Work on behalf of a signed-in user: role `authenticated`, their claims, RLS applies. */
export const withUser = <T>(database: Database, claims: Claims, fn: (tx: Tx) => Promise<T>) =>
  runAs(database, "authenticated", claims, fn);

/** Insight queries: role `analyst` (l1 tables and non-PII user columns only). */
export const withAnalyst = <T>(database: Database, claims: Claims | null, fn: (tx: Tx) => Promise<T>) =>
  runAs(database, "analyst", claims, fn);

/** Sign-up and sign-in: role `switchboard_auth` (auth.users only). */
export const asAuthService = <T>(database: Database, fn: (tx: Tx) => Promise<T>) =>
  runAs(database, "authService", null, fn);

/** The facts pipeline: role `switchboard_facts` (reads operational tables, writes l1 facts). */
export const asFactsPipeline = <T>(database: Database, fn: (tx: Tx) => Promise<T>) =>
  runAs(database, "factsPipeline", null, fn);

/** The mail worker: role `switchboard_mailer` (private.mail_outbox only). */
export const asMailer = <T>(database: Database, fn: (tx: Tx) => Promise<T>) => runAs(database, "mailer", null, fn);
