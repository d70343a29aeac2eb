// Every error a person can meet, as a sentence they understand: tRPC error codes, REST error
// bodies ({code, message}) and network failures all pass through describeError.
import { TRPCClientError } from "@trpc/client";

/** An error from the REST API (/api/v1), carrying its HTTP status and JSON body. */
export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "RestError";
    this.status = status;
    this.code = code;
  }
}

const STATUS_CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  408: "TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  422: "UNPROCESSABLE_CONTENT",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_SERVER_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

export const NETWORK_MESSAGE = "Can't reach Switchboard. Check your connection and try again.";

const MESSAGES: Record<string, string> = {
  BAD_REQUEST: "Some of the information isn't valid. Please check it and try again.",
  UNAUTHORIZED: "Your session has ended. Please sign in again.",
  FORBIDDEN: "You don't have permission to do that.",
  NOT_FOUND: "We couldn't find that. It may have been deleted, or you don't have access to it.",
  METHOD_NOT_SUPPORTED: "That action isn't supported.",
  TIMEOUT: "The server took too long to answer. Please try again.",
  CONFLICT: "That conflicts with something that already exists.",
  PRECONDITION_FAILED: "Something changed in the meantime. Refresh and try again.",
  PAYLOAD_TOO_LARGE: "That is too large to upload. Try a smaller file.",
  UNSUPPORTED_MEDIA_TYPE: "That file type isn't supported.",
  UNPROCESSABLE_CONTENT: "Some of the information isn't valid. Please check it and try again.",
  TOO_MANY_REQUESTS: "Too many attempts. Please wait a moment and try again.",
  CLIENT_CLOSED_REQUEST: "The request was cancelled.",
  INTERNAL_SERVER_ERROR: "Something went wrong on our side. Please try again.",
  NOT_IMPLEMENTED: "That isn't available yet.",
  BAD_GATEWAY: "Switchboard is temporarily unavailable. Please try again shortly.",
  SERVICE_UNAVAILABLE: "Switchboard is temporarily unavailable. Please try again shortly.",
  GATEWAY_TIMEOUT: "The server took too long to answer. Please try again.",
};

/** Codes whose server message is written for people (e.g. "Email already registered"). */
const SERVER_MESSAGE_CODES = new Set(["BAD_REQUEST", "CONFLICT", "FORBIDDEN", "TOO_MANY_REQUESTS", "NOT_FOUND", "UNAUTHORIZED"]);

/** Messages that are technical, not for people: zod issue dumps, generic defaults. */
function isReadable(message: string | undefined): message is string {
  if (!message) return false;
  const m = message.trim();
  if (m.length === 0 || m.length > 200) return false;
  if (m.startsWith("[") || m.startsWith("{")) return false;
  if (/^(Not found|Invalid value|Internal error|Invalid access token|Access token expired|Sign in required|Session revoked)$/i.test(m)) return false;
  return true;
}

export interface ErrorInfo {
  code: string;
  message: string;
  /** Per-field messages from the server's validation (zod flatten), keyed by input field. */
  fieldErrors: Record<string, string>;
}

function isNetworkFailure(error: unknown): boolean {
  if (error instanceof TypeError) return /fetch|network|load failed/i.test(error.message);
  if (error instanceof TRPCClientError && !error.data && error.cause instanceof TypeError) return true;
  return false;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (isNetworkFailure(error)) return { code: "NETWORK", message: NETWORK_MESSAGE, fieldErrors: {} };
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as {
      code?: string;
      httpStatus?: number;
      zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
    };
    const code = data.code ?? (data.httpStatus ? STATUS_CODES[data.httpStatus] : undefined);
    if (!code) {
      // A response that is not tRPC JSON (proxy error page, server down mid-request).
      return { code: "NETWORK", message: NETWORK_MESSAGE, fieldErrors: {} };
    }
    const fieldErrors: Record<string, string> = {};
    for (const [field, messages] of Object.entries(data.zodError?.fieldErrors ?? {})) {
      if (messages?.[0]) fieldErrors[field] = messages[0];
    }
    return { code, message: messageFor(code, error.message, fieldErrors), fieldErrors };
  }
  if (error instanceof RestError) return { code: error.code, message: messageFor(error.code, error.message, {}), fieldErrors: {} };
  return { code: "UNKNOWN", message: MESSAGES.INTERNAL_SERVER_ERROR!, fieldErrors: {} };
}

function messageFor(code: string, serverMessage: string | undefined, fieldErrors: Record<string, string>): string {
  if (code === "UNAUTHORIZED" && serverMessage && /expired|sign in required|invalid access token|session revoked/i.test(serverMessage)) {
    return MESSAGES.UNAUTHORIZED!;
  }
  if (Object.keys(fieldErrors).length > 0) return "Please fix the highlighted fields.";
  if (SERVER_MESSAGE_CODES.has(code) && isReadable(serverMessage)) return serverMessage;
  return MESSAGES[code] ?? MESSAGES.INTERNAL_SERVER_ERROR!;
}

export function describeError(error: unknown): string {
  return errorInfo(error).message;
}

/** True when the session token is no longer accepted (the app then signs the user out). */
export function isSessionError(error: unknown): boolean {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string } | undefined;
    return data?.code === "UNAUTHORIZED" && /expired|sign in required|invalid access token|session revoked/i.test(error.message);
  }
  if (error instanceof RestError) return error.status === 401;
  return false;
}

/** 401 because the access token ran out (a refresh fixes it), not because the session ended. */
export function isAccessTokenExpired(error: unknown): boolean {
  if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED" && /access token expired/i.test(error.message);
  if (error instanceof RestError) return error.status === 401 && /access token expired/i.test(error.message);
  return false;
}

/** fetch for the REST API with the bearer token; non-2xx responses become RestError. */
export async function restFetch(path: string, token: string | null, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    let code = STATUS_CODES[response.status] ?? "INTERNAL_SERVER_ERROR";
    let message = "";
    try {
      const body = (await response.json()) as { code?: string; message?: string };
      if (body.code) code = body.code;
      message = body.message ?? "";
    } catch {
      // Not JSON (a proxy page): the status code alone decides the message.
    }
    throw new RestError(response.status, code, message);
  }
  return response;
}
