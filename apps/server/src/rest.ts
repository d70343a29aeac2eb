// /api/v1: trpc-to-openapi's node handler over the same appRouter, with our error contract on top:
// every error is `{ code, message, field_errors? }`, malformed JSON is a 400, 429 carries Retry-After.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TRPCError } from "@trpc/server";
import { createOpenApiNodeHttpHandler, type OpenApiRouter } from "trpc-to-openapi";
import type { Context } from "@switchboard/api";
import { REST_BASE_PATH } from "./openapi.ts";

export interface RestError {
  code: string;
  message: string;
  field_errors?: Record<string, string[]>;
}

const STATUS_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

/** Errors whose answer carries Retry-After: throttling (429) and a database that is away or busy (503). */
export const retryable = (code: string) => code === "TOO_MANY_REQUESTS" || code === "SERVICE_UNAVAILABLE";

interface TrpcToOpenApiErrorBody {
  code?: unknown;
  message?: unknown;
  issues?: Array<{ path?: PropertyKey[]; message?: string }>;
  data?: { zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null };
}

/** Turns trpc-to-openapi's error body (tRPC error shape + issues) into ours. */
export function toRestError(raw: TrpcToOpenApiErrorBody, status: number): RestError {
  if (status === 503) return { code: "SERVICE_UNAVAILABLE", message: typeof raw.message === "string" ? raw.message : "Service unavailable" };
  if (status >= 500) return { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" };
  if (raw.code === "PARSE_ERROR") return { code: "BAD_REQUEST", message: "Malformed JSON body" };
  if (status === 415) return { code: "UNSUPPORTED_MEDIA_TYPE", message: "Send the body as application/json" };
  const code = typeof raw.code === "string" ? raw.code : (STATUS_CODES[status] ?? "BAD_REQUEST");
  const body: RestError = { code, message: typeof raw.message === "string" ? raw.message : code };
  const fieldErrors: Record<string, string[]> = {};
  if (raw.issues?.length) {
    for (const issue of raw.issues) {
      const key = issue.path?.length ? issue.path.map(String).join(".") : "_";
      (fieldErrors[key] ??= []).push(issue.message ?? "Invalid value");
    }
  } else {
    for (const [key, messages] of Object.entries(raw.data?.zodError?.fieldErrors ?? {})) {
      if (messages?.length) fieldErrors[key] = messages;
    }
  }
  if (Object.keys(fieldErrors).length) body.field_errors = fieldErrors;
  return body;
}

/** Seconds a limited caller should wait: from the error's cause (the sign-in guard sets it). */
export function retryAfterSeconds(error: TRPCError): number {
  const cause = error.cause as { retryAfterMs?: unknown; retryAfterSeconds?: unknown } | undefined;
  if (typeof cause?.retryAfterSeconds === "number") return Math.max(1, Math.ceil(cause.retryAfterSeconds));
  if (typeof cause?.retryAfterMs === "number") return Math.max(1, Math.ceil(cause.retryAfterMs / 1000));
  return error.code === "SERVICE_UNAVAILABLE" ? 2 : 60;
}

export function createRestHandler(opts: {
  router: OpenApiRouter;
  createContext: (req: IncomingMessage) => Promise<Context>;
  onProcedureError: (error: TRPCError, path: string | undefined) => void;
}) {
  // Per-request Retry-After, keyed by the request's context (set in onError, read before the body is sent).
  const retryAfter = new WeakMap<object, number>();
  const handler = createOpenApiNodeHttpHandler<OpenApiRouter, IncomingMessage, ServerResponse>({
    router: opts.router,
    createContext: ({ req }) => opts.createContext(req),
    onError({ error, ctx, path }) {
      if (retryable(error.code) && ctx) retryAfter.set(ctx, retryAfterSeconds(error));
      opts.onProcedureError(error, path);
    },
    responseMeta({ ctx, errors }) {
      const seconds = ctx ? retryAfter.get(ctx) : undefined;
      if (errors.length && seconds) return { headers: { "Retry-After": String(seconds) } };
      return {};
    },
  });

  return async (req: IncomingMessage, res: ServerResponse) => {
    // The procedures are mounted at /contacts etc.; /api/v1 is this transport's prefix.
    req.url = req.url!.slice(REST_BASE_PATH.length) || "/";
    // trpc-to-openapi only parses an exact "application/json"; accept a charset parameter too.
    const contentType = req.headers["content-type"];
    if (contentType && /^application\/json\s*(;|$)/i.test(contentType)) req.headers["content-type"] = "application/json";
    // A POST with no body at all (e.g. /contacts/{id}/restore) is an empty JSON input, not a 415.
    const hasBody = Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
    if (!contentType && !hasBody) req.headers["content-type"] = "application/json";
    // trpc-to-openapi writes its own error body in one res.end(json); reshape it there into our contract.
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown) => {
      if (res.statusCode >= 400 && typeof chunk === "string") {
        let raw: TrpcToOpenApiErrorBody = {};
        try {
          raw = JSON.parse(chunk) as TrpcToOpenApiErrorBody;
        } catch {
          // not JSON: fall back to the status code alone
        }
        return end(JSON.stringify(toRestError(raw, res.statusCode)));
      }
      return end(chunk);
    }) as ServerResponse["end"];
    await handler(req, res);
  };
}
