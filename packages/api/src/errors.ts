// One place that turns database and library errors into stable API error codes, for every transport
// (tRPC, REST, the CSV endpoints): a raw database or driver message never reaches a client.
import { TRPCError } from "@trpc/server";

interface PgLikeError {
  code?: string;
  constraint?: string;
  constraint_name?: string;
  message?: string;
  cause?: unknown;
}

/** The PostgreSQL error underneath Drizzle's and the drivers' wrappers, if any. */
export function pgError(error: unknown): PgLikeError | null {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as PgLikeError;
    if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e;
    current = e.cause;
  }
  return null;
}

/** The cause of a 503: the header value clients should wait before retrying rides along. */
export class ServiceUnavailable extends Error {
  override name = "ServiceUnavailable";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Driver/socket codes (postgres.js, node:net) that mean "no usable connection", not "bad request".
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * Connection-class failures: SQLSTATE class 08 (connection exception), 57P01–57P03 (admin shutdown,
 * crash shutdown, cannot connect now), 53300 (too many connections), socket and driver codes, a
 * closed PGlite, and our own pool/deadline timeouts.
 */
export function isConnectionFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current instanceof ServiceUnavailable) return true;
    const e = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === "string") {
      if (CONNECTION_CODES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code) || /^57P0[123]$/.test(e.code) || e.code === "53300")
        return true;
    }
    if (typeof e.message === "string" && /^PGlite is closed/.test(e.message)) return true;
    current = e.cause;
  }
  return false;
}

/** A connection lost on COMMIT: the server may have committed before the socket died. */
function lostOnCommit(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const query = (current as { query?: unknown }).query; // postgres.js attaches the failed statement
    if (typeof query === "string" && /^\s*commit\b/i.test(query)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export const COMMIT_UNKNOWN_MESSAGE = "Database connection lost while committing: the change may have been saved, check before retrying";

const unavailable = (message: string, retryAfterSeconds: number, cause: unknown) =>
  new TRPCError({ code: "SERVICE_UNAVAILABLE", message, cause: new ServiceUnavailable(message, retryAfterSeconds, { cause }) });

/**
 * Our own SQLSTATEs, raised by the membership rules and invitation functions (migration
 * 0007_membership_rules.sql). Fixed messages: what the database said never reaches a client verbatim.
 */
const RULES: Record<string, { code: TRPCError["code"]; message: string }> = {
  SB001: { code: "BAD_REQUEST", message: "A business needs at least one active owner" },
  SB003: { code: "FORBIDDEN", message: "Your role does not allow this change (only owners grant or change the owner role, nobody grants a role above their own, former members come back by invitation)" },
  SB004: { code: "NOT_FOUND", message: "Invitation not found, expired or no longer valid" },
  SB009: { code: "CONFLICT", message: "Already a member of this business" },
  SB029: { code: "TOO_MANY_REQUESTS", message: "Too many invitations: try again later" },
};

export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") return error;
  const inner = error instanceof TRPCError ? (error.cause ?? error) : error;
  if (inner instanceof ServiceUnavailable) return unavailable(inner.message, inner.retryAfterSeconds, inner.cause ?? inner);
  if (isConnectionFailure(inner)) {
    return unavailable(lostOnCommit(inner) ? COMMIT_UNKNOWN_MESSAGE : "Database unavailable, retry shortly", 2, inner);
  }
  const pg = pgError(inner);
  if (pg) {
    const rule = pg.code ? RULES[pg.code] : undefined;
    if (rule) return new TRPCError({ code: rule.code, message: rule.message, cause: error });
    switch (pg.code) {
      case "23505":
        return new TRPCError({ code: "CONFLICT", message: "A record with these values already exists", cause: error });
      case "23503":
        return new TRPCError({ code: "NOT_FOUND", message: "A referenced record does not exist", cause: error });
      case "28000":
        // auth.require_live_session: the token's session was signed out or revoked (password, ban, deletion).
        return new TRPCError({ code: "UNAUTHORIZED", message: "Session revoked", cause: error });
      case "42501":
        // RLS refused a write: the target is not the caller's to change (indistinguishable from absent).
        return new TRPCError({ code: "NOT_FOUND", message: "Not found", cause: error });
      case "40001":
      case "40P01":
        return new TRPCError({ code: "CONFLICT", message: "Concurrent update, retry", cause: error });
      case "55P03": // lock_timeout: someone else holds the row; only this request pays for it
        return unavailable("The record is busy, retry shortly", 1, error);
      case "57014": // statement_timeout (or a cancel at the request deadline)
        return unavailable("The request took too long, retry later", 5, error);
      case "53100": // disk full
      case "53200": // out of memory
        return unavailable("Database overloaded, retry later", 10, error);
      case "54001": // statement too complex (deep input)
        return new TRPCError({ code: "BAD_REQUEST", message: "Input too complex", cause: error });
    }
    // Class 22 (data exception: bad text encoding 22021/22P05, out-of-range numbers, bad dates…) and
    // class 23 (other integrity violations, e.g. check constraints) are the caller's input.
    if (pg.code?.startsWith("22") || pg.code?.startsWith("23")) {
      return new TRPCError({ code: "BAD_REQUEST", message: "Invalid value", cause: error });
    }
  }
  if (error instanceof TRPCError && error.message === "Internal error") return error;
  // Anything else is our bug: the client gets a generic message, the log gets the cause.
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error", cause: error });
}
