// One node:http server, one visible request path:
//   /healthz/live|ready → /api/openapi.json → [database circuit → body policy → heavy-operation limiter]
//   → CSV insights → /api/v1/* (REST) → /trpc/* (tRPC) → /api/* 404 → web app (SPA).
// Around all of it: a statement scope (SQL statements counted per request), a request deadline and one log line.
import { existsSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import sirv from "sirv";
import type { TRPCError } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import {
  appRouter,
  createContextFromHeaders,
  createSignInGuard,
  isConnectionFailure,
  MAX_CSV_BYTES,
  type ApiConfig,
  type Context,
  type SignInGuard,
  type OutboxKick,
} from "@switchboard/api";
import { createHealthProbe, withStatementScope, type Database, type HealthProbe, type StatementScope } from "@switchboard/db";
import { BodyError, parseJsonBody, readBody } from "./body.ts";
import { HeavyLimiter } from "./limits.ts";
import { buildOpenApiDocument, REST_BASE_PATH } from "./openapi.ts";
import { createRestHandler, retryable, retryAfterSeconds } from "./rest.ts";
import { handleInsightsCsv } from "./rest/insights-csv.ts";
import { setSecurityHeaders } from "./security-headers.ts";

export interface ServerOptions {
  database: Database;
  config: ApiConfig;
  logger: Logger;
  /** The built web app (apps/web/dist); served with SPA fallback when it has an index.html. */
  webDistDir?: string | null;
  /** Sign-in limiter + hash gate; by default over this database (limiter state shared by all instances). */
  signInGuard?: SignInGuard;
  /** Readiness probe on its own connection (main passes one over DATABASE_URL); default: the database handle. */
  healthProbe?: HealthProbe;
  limits?: Partial<ServerLimits>;
  /** X-Forwarded-For hops to believe for the client address (TRUST_PROXY); 0 or absent: the socket address. */
  trustProxy?: number;
  /** The mail worker, kicked after a request enqueued mail (invitations, password reset). */
  mailer?: OutboxKick | null;
}

/** Defaults documented in docs/operations.md; main reads overrides from the environment. */
export interface ServerLimits {
  /** Largest request body on any route but the imports. */
  maxBodyBytes: number;
  /** Largest body of a CSV import (the 5 MB file, JSON-escaped). */
  maxImportBodyBytes: number;
  maxJsonDepth: number;
  /** Most calls in one tRPC batch request. */
  maxBatchSize: number;
  /** A request not answered within this gets a 503 (0: no deadline). Streams are exempt once started. */
  requestTimeoutMs: number;
  /** Heavy operations (imports, CSV exports) running at once, and waiting beyond that. */
  heavyConcurrency: number;
  heavyQueue: number;
}

export const defaultServerLimits: ServerLimits = {
  maxBodyBytes: 256 * 1024,
  maxImportBodyBytes: 2 * MAX_CSV_BYTES,
  maxJsonDepth: 64,
  maxBatchSize: 20,
  requestTimeoutMs: 30_000,
  heavyConcurrency: 2,
  heavyQueue: 4,
};

// tRPC procedures and REST paths that are heavy (bounded by the limiter) and take the large body limit.
const HEAVY_TRPC = new Set(["imports.contactsCsv", "imports.contactsCsvStream"]);
const HEAVY_REST = new Set([`${REST_BASE_PATH}/imports/contacts`]);
const isHeavyRequest = (url: URL) =>
  HEAVY_REST.has(url.pathname) ||
  url.pathname.startsWith(`${REST_BASE_PATH}/insights/`) ||
  (url.pathname.startsWith("/trpc/") && url.pathname.slice("/trpc/".length).split(",").some((p) => HEAVY_TRPC.has(p)));

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/**
 * The client address for throttling (the sign-in limiter keys on it). Without trusted proxies it is the
 * socket's peer: a header anyone can send must not pick the key. With N trusted hops (Express's
 * `trust proxy` count) the address list is the socket's peer followed by X-Forwarded-For read right to
 * left; the Nth entry is the client (or the left-most one, when the header has fewer entries).
 */
export function clientAddress(req: IncomingMessage, trustProxy = 0): string | null {
  const socket = req.socket.remoteAddress ?? null;
  if (trustProxy <= 0) return socket;
  const raw = req.headers["x-forwarded-for"];
  const forwarded = (Array.isArray(raw) ? raw.join(",") : (raw ?? ""))
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const hops = [socket, ...forwarded.reverse()];
  return hops[Math.min(trustProxy, hops.length - 1)] ?? null;
}

export function createServer(opts: ServerOptions): Server {
  const { database, config, logger } = opts;
  const limits: ServerLimits = { ...defaultServerLimits, ...opts.limits };
  const probe = opts.healthProbe ?? createHealthProbe(database);
  const heavy = new HeavyLimiter(limits.heavyConcurrency, limits.heavyQueue);
  const base = { database, config, signInGuard: opts.signInGuard ?? createSignInGuard(database), mailer: opts.mailer ?? null };
  const createContext = (req: IncomingMessage): Promise<Context> =>
    createContextFromHeaders(base, {
      authorization: header(req, "authorization"),
      businessId: header(req, "x-business-id"),
      ip: clientAddress(req, opts.trustProxy),
    });

  const openApiJson = JSON.stringify(buildOpenApiDocument(appRouter));
  // One log line per failed procedure that the operator should see: 503s say why (the driver's code),
  // 500s carry the whole cause. Client errors (4xx) are in the request line only.
  const onProcedureError = (error: TRPCError, path: string | undefined) => {
    if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error, procedure: path }, "procedure failed");
    else if (error.code === "SERVICE_UNAVAILABLE") {
      const cause = (error.cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
      logger.warn({ procedure: path, reason: error.message, db_code: cause?.code, db_message: cause?.message }, "database unavailable");
    }
  };
  const rest = createRestHandler({
    router: appRouter,
    createContext,
    onProcedureError: (error, path) => {
      if (error.code === "SERVICE_UNAVAILABLE") circuit.failed(error);
      onProcedureError(error, path);
    },
  });

  // Database circuit: after a connection-class failure the probe (its own connection) polls until the
  // database answers; meanwhile every request that needs the database gets 503 at once instead of
  // queueing in the driver's reconnect.
  const circuit = {
    open: false,
    polling: null as Promise<void> | null,
    failed(error: TRPCError) {
      if (!isConnectionFailure(error.cause) || this.open || closing.has(server)) return;
      this.open = true;
      logger.warn("database unreachable: answering 503 until the health probe succeeds");
      this.polling = (async () => {
        while (!closing.has(server)) {
          try {
            await probe.check();
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
        this.open = false;
        this.polling = null;
        if (!closing.has(server)) logger.info("database reachable again");
      })();
    },
  };

  async function ready(): Promise<{ ok: boolean; reason?: string }> {
    if (closing.has(server)) return { ok: false, reason: "draining" };
    try {
      await probe.check();
      return { ok: true };
    } catch (error) {
      logger.warn({ err: error }, "readiness check failed");
      return { ok: false, reason: "database unreachable" };
    }
  }

  /** Reads and checks the body (size before buffering, depth before parsing), authentication first for large bodies. */
  async function takeBody(req: IncomingMessage, res: ServerResponse, heavyRoute: boolean, asText: boolean): Promise<boolean> {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return true;
    const limit = heavyRoute ? limits.maxImportBodyBytes : limits.maxBodyBytes;
    if (heavyRoute) {
      // Only a signed-in caller may send a large body: check the token before reading a byte.
      const ctx = await createContext(req);
      if (!ctx.claims) {
        sendJson(res, 401, { code: "UNAUTHORIZED", message: "Sign in required" }, { connection: "close" });
        return false;
      }
    }
    try {
      const text = await readBody(req, limit);
      const parsed = parseJsonBody(text, limits.maxJsonDepth);
      // No body at all (however it was framed: no length, Content-Length: 0, an empty chunked body) is
      // an empty input, e.g. POST /contacts/{id}/restore, not a request in an unsupported media type.
      if (parsed === undefined && !req.headers["content-type"]) req.headers["content-type"] = "application/json";
      (req as IncomingMessage & { body?: unknown }).body = asText ? (text.trim() === "" ? undefined : text) : parsed;
      return true;
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // Too large: close the connection so the client stops uploading.
      sendJson(res, error.status, { code: error.code, message: error.message }, error.status === 413 ? { connection: "close" } : {});
      return false;
    }
  }

  const unavailable = (res: ServerResponse, message: string, retryAfter: number) =>
    sendJson(res, 503, { code: "SERVICE_UNAVAILABLE", message }, { "retry-after": String(retryAfter) });

  async function runHeavy(res: ServerResponse, fn: () => Promise<unknown>) {
    const ran = await heavy.run(fn);
    if (!ran) unavailable(res, "Too many imports or exports running, retry shortly", 5);
  }

  const trpcRetryAfter = new WeakMap<object, number>();
  const trpc = (req: IncomingMessage, res: ServerResponse, path: string) =>
    nodeHTTPRequestHandler({
      router: appRouter,
      req,
      res,
      path,
      createContext: ({ req }) => createContext(req),
      maxBatchSize: limits.maxBatchSize,
      onError({ error, ctx, path }) {
        if (retryable(error.code) && ctx) trpcRetryAfter.set(ctx, retryAfterSeconds(error));
        if (error.code === "SERVICE_UNAVAILABLE") circuit.failed(error);
        onProcedureError(error, path);
      },
      responseMeta({ ctx, errors }) {
        const seconds = ctx ? trpcRetryAfter.get(ctx) : undefined;
        return errors.length && seconds ? { headers: { "Retry-After": String(seconds) } } : {};
      },
    });

  const webDir = opts.webDistDir && existsSync(join(opts.webDistDir, "index.html")) ? opts.webDistDir : null;
  // single: unknown paths fall back to index.html so client-side routes survive a reload.
  const web = webDir ? sirv(webDir, { single: true, etag: true, gzip: true, brotli: true }) : null;

  async function route(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname;
    if (path === "/healthz/live") return sendJson(res, 200, { status: "ok" });
    if (path === "/healthz/ready" || path === "/healthz") {
      const state = await ready();
      return state.ok
        ? sendJson(res, 200, { status: "ok", database: database.label })
        : sendJson(res, 503, { status: "unavailable", reason: state.reason, database: database.label }, { "retry-after": "2" });
    }
    if (path === "/api/openapi.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
      return void res.end(openApiJson);
    }
    const isRest = path === REST_BASE_PATH || path.startsWith(`${REST_BASE_PATH}/`);
    const isTrpc = path.startsWith("/trpc/");
    if ((isRest || isTrpc) && circuit.open) return unavailable(res, "Database unavailable, retry shortly", 1);
    // GET /api/v1/insights/<name> with Accept: text/csv (or ?format=csv); JSON requests fall through to REST.
    const wantsCsv = url.searchParams.get("format") === "csv" || /\btext\/csv\b/i.test(header(req, "accept") ?? "");
    if (path.startsWith(`${REST_BASE_PATH}/insights/`) && wantsCsv) {
      let handled = false;
      const ran = await heavy.run(async () => (handled = await handleInsightsCsv(req, res, { ...base, basePath: REST_BASE_PATH })));
      if (!ran) return unavailable(res, "Too many imports or exports running, retry shortly", 5);
      if (handled) return;
    }
    if (isRest) {
      const heavyRoute = HEAVY_REST.has(path);
      if (!(await takeBody(req, res, heavyRoute, false))) return;
      return heavyRoute ? runHeavy(res, () => rest(req, res)) : rest(req, res);
    }
    if (isTrpc) {
      const procedures = path.slice("/trpc/".length);
      const heavyRoute = procedures.split(",").some((p) => HEAVY_TRPC.has(p));
      if (!(await takeBody(req, res, heavyRoute, true))) return;
      return heavyRoute ? runHeavy(res, () => trpc(req, res, procedures)) : trpc(req, res, procedures);
    }
    if (path === "/api" || path.startsWith("/api/") || path === "/trpc") {
      return sendJson(res, 404, { code: "NOT_FOUND", message: `No route for ${req.method} ${path}` });
    }
    if (web && (req.method === "GET" || req.method === "HEAD")) {
      return web(req, res, () => sendJson(res, 404, { code: "NOT_FOUND", message: "Not found" }));
    }
    if (path === "/" && !web) {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      return void res.end("Switchboard API. The web app is not built (npm run build -w @switchboard/web). See /api/openapi.json.\n");
    }
    return sendJson(res, 404, { code: "NOT_FOUND", message: "Not found" });
  }

  const inFlight = new Set<() => void>();
  const server = createHttpServer((req, res) => {
    const started = performance.now();
    const scope: StatementScope = { statements: [] };
    const url = new URL(req.url ?? "/", "http://localhost");
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      logger.info(
        {
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          sql_statements: scope.statements.length,
          ...(!res.writableFinished && { aborted: true }),
        },
        "request",
      );
    };
    res.once("finish", log);
    res.once("close", log);
    // Per-request deadline (and the drain deadline, through abortInFlight): an answer nobody got in
    // time is a 503; later writes of the handler are dropped.
    const giveUp = (why: string, message: string) => {
      if (res.headersSent) return;
      logger.warn({ method: req.method, path: url.pathname, reason: why }, why);
      sendJson(res, 503, { code: "SERVICE_UNAVAILABLE", message }, { "retry-after": "5", connection: "close" });
      muzzle(res);
    };
    // Imports and exports are exempt: they are bounded by the heavy-operation limiter and statement_timeout,
    // and a 503 for an import that then commits would be a lie.
    const deadline =
      limits.requestTimeoutMs > 0 && !isHeavyRequest(url)
        ? setTimeout(
            () => giveUp("request deadline exceeded", "The request took too long; a change it makes may still be saved, check before retrying"),
            limits.requestTimeoutMs,
          )
        : null;
    deadline?.unref();
    const abort = () => giveUp("drain deadline passed", "The server is shutting down, retry");
    inFlight.add(abort);
    res.once("close", () => {
      if (deadline) clearTimeout(deadline);
      inFlight.delete(abort);
    });
    // While draining, tell the client not to reuse the connection, and close it once answered.
    if (closing.has(server)) res.setHeader("connection", "close");
    res.once("finish", () => closing.has(server) && setImmediate(() => server.closeIdleConnections()));
    setSecurityHeaders(req, res, { personalData: url.pathname.startsWith("/api/") || url.pathname.startsWith("/trpc") });
    withStatementScope(scope, () =>
      route(req, res, url).catch((error: unknown) => {
        logger.error({ err: error, path: url.pathname }, "unhandled error");
        if (!res.headersSent) sendJson(res, 500, { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
        else res.destroy();
      }),
    );
  });
  probes.set(server, probe);
  aborters.set(server, () => inFlight.forEach((abort) => abort()));
  return server;
}

/** After a deadline answer: whatever the handler writes later goes nowhere instead of throwing. */
function muzzle(res: ServerResponse) {
  const noop = (() => res) as never;
  res.writeHead = noop;
  res.setHeader = noop;
  res.write = (() => true) as never;
  res.end = noop;
  res.flushHeaders = (() => {}) as never;
}

const closing = new WeakSet<Server>();
const probes = new WeakMap<Server, HealthProbe>();
const aborters = new WeakMap<Server, () => void>();

/** At the drain deadline: every request still unanswered gets a 503 (Retry-After) and its connection closes. */
export function abortInFlight(server: Server) {
  aborters.get(server)?.();
}

/** Readiness fails from now on (the server is draining); in-flight requests continue. */
export function markDraining(server: Server) {
  closing.add(server);
}

/** Stops accepting connections and resolves once every in-flight request has been answered. */
export function stopServer(server: Server): Promise<void> {
  closing.add(server);
  return new Promise((resolve, reject) => {
    server.close((error) => {
      void probes.get(server)?.close();
      return error ? reject(error) : resolve();
    });
    // Keep-alive sockets with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}
