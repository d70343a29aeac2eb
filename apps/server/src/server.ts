// One node:http server, one visible request path:
//   /healthz → /api/openapi.json → CSV insights → /api/v1/* (REST) → /trpc/* (tRPC) → /api/* 404 → web app (SPA).
// Around all of it: a statement scope (SQL statements counted per request) and one log line.
import { existsSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import sirv from "sirv";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import {
  appRouter,
  createContextFromHeaders,
  createSignInThrottle,
  type ApiConfig,
  type Context,
  type SignInThrottle,
} from "@switchboard/api";
import { sql, withStatementScope, type Database, type StatementScope } from "@switchboard/db";
import { buildOpenApiDocument, REST_BASE_PATH } from "./openapi.ts";
import { createRestHandler, retryAfterSeconds } from "./rest.ts";
import { handleInsightsCsv } from "./rest/insights-csv.ts";

export interface ServerOptions {
  database: Database;
  config: ApiConfig;
  logger: Logger;
  /** The built web app (apps/web/dist); served with SPA fallback when it has an index.html. */
  webDistDir?: string | null;
  /** Sign-in throttle; one per process by default. */
  throttle?: SignInThrottle;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

export function createServer(opts: ServerOptions): Server {
  const { database, config, logger } = opts;
  const base = { database, config, throttle: opts.throttle ?? createSignInThrottle() };
  const createContext = (req: IncomingMessage): Promise<Context> =>
    createContextFromHeaders(base, {
      authorization: header(req, "authorization"),
      businessId: header(req, "x-business-id"),
      ip: req.socket.remoteAddress ?? null,
    });

  const openApiJson = JSON.stringify(buildOpenApiDocument(appRouter));
  const onInternalError = (error: unknown, path: string | undefined) =>
    logger.error({ err: error, procedure: path }, "procedure failed");
  const rest = createRestHandler({ router: appRouter, createContext, onInternalError });

  const trpcRetryAfter = new WeakMap<object, number>();
  const trpc = (req: IncomingMessage, res: ServerResponse, path: string) =>
    nodeHTTPRequestHandler({
      router: appRouter,
      req,
      res,
      path,
      createContext: ({ req }) => createContext(req),
      onError({ error, ctx, input, path }) {
        if (error.code === "TOO_MANY_REQUESTS" && ctx) trpcRetryAfter.set(ctx, retryAfterSeconds(error, ctx, input));
        if (error.code === "INTERNAL_SERVER_ERROR") onInternalError(error, path);
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
    if (path === "/healthz") {
      try {
        await database.db.execute(sql`select 1`);
        return sendJson(res, 200, { status: "ok", database: database.label });
      } catch (error) {
        logger.warn({ err: error }, "health check failed");
        return sendJson(res, 503, { status: "unavailable", database: database.label });
      }
    }
    if (path === "/api/openapi.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
      return void res.end(openApiJson);
    }
    // GET /api/v1/insights/<name> with Accept: text/csv (or ?format=csv); JSON requests fall through to REST.
    if (path.startsWith(`${REST_BASE_PATH}/insights/`) && (await handleInsightsCsv(req, res, { ...base, basePath: REST_BASE_PATH }))) return;
    if (path === REST_BASE_PATH || path.startsWith(`${REST_BASE_PATH}/`)) return rest(req, res);
    if (path.startsWith("/trpc/")) return trpc(req, res, path.slice("/trpc/".length));
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
    // While draining, a finished keep-alive connection is closed at once instead of idling 5 s.
    res.once("finish", () => closing.has(server) && setImmediate(() => server.closeIdleConnections()));
    withStatementScope(scope, () =>
      route(req, res, url).catch((error: unknown) => {
        logger.error({ err: error, path: url.pathname }, "unhandled error");
        if (!res.headersSent) sendJson(res, 500, { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
        else res.destroy();
      }),
    );
  });
  return server;
}

const closing = new WeakSet<Server>();

/** Stops accepting connections and resolves once every in-flight request has been answered. */
export function stopServer(server: Server): Promise<void> {
  closing.add(server);
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets with no request in flight would otherwise hold close() open.
    server.closeIdleConnections();
  });
}
