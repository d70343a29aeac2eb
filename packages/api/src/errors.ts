// One place that turns database and library errors into stable API error codes.
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

export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") return error;
  const pg = pgError(error instanceof TRPCError ? (error.cause ?? error) : error);
  if (pg) {
    switch (pg.code) {
      case "23505":
        return new TRPCError({ code: "CONFLICT", message: "A record with these values already exists", cause: error });
      case "23503":
        return new TRPCError({ code: "NOT_FOUND", message: "A referenced record does not exist", cause: error });
      case "23514":
      case "22P02":
      case "22001":
      case "22007":
      case "22008":
      case "22003":
        return new TRPCError({ code: "BAD_REQUEST", message: "Invalid value", cause: error });
      case "42501":
        // RLS refused a write: the target is not the caller's to change (indistinguishable from absent).
        return new TRPCError({ code: "NOT_FOUND", message: "Not found", cause: error });
      case "40001":
      case "40P01":
        return new TRPCError({ code: "CONFLICT", message: "Concurrent update, retry", cause: error });
    }
  }
  if (error instanceof TRPCError) return error;
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error", cause: error });
}
