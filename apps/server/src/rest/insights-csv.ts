// GET /api/v1/insights/<name> as CSV when asked for (`Accept: text/csv` or `?format=csv`): the same
// procedures (auth, analyst check, validation) through a server-side caller, flattened to one table.
import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { appRouter, createCallerFactory, createContextFromHeaders, type ApiConfig, type SignInGuard } from "@switchboard/api";
import { insightTable, toCsv, type InsightName } from "@switchboard/analytics";
import type { Database } from "@switchboard/db";

export interface InsightsCsvDeps {
  database: Database;
  config: ApiConfig;
  signInGuard: SignInGuard;
  /** Mount point of the REST API. */
  basePath?: string;
}

const PATHS: Record<string, InsightName> = {
  cohorts: "cohorts",
  intents: "intents",
  segments: "segments",
  engagement: "engagement",
  "import-quality": "importQuality",
  reengagement: "reengagement",
  funnel: "funnel",
};
const createCaller = createCallerFactory(appRouter);

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Handles the request and returns true when it is a CSV insight request; false lets others handle it. */
export async function handleInsightsCsv(req: IncomingMessage, res: ServerResponse, deps: InsightsCsvDeps): Promise<boolean> {
  if (req.method !== "GET") return false;
  const url = new URL(req.url ?? "/", "http://localhost");
  const prefix = `${deps.basePath ?? "/api/v1"}/insights/`;
  if (!url.pathname.startsWith(prefix)) return false;
  const name = PATHS[url.pathname.slice(prefix.length)];
  const wantsCsv = url.searchParams.get("format") === "csv" || /\btext\/csv\b/i.test(header(req, "accept") ?? "");
  if (!name || !wantsCsv) return false;

  const input = Object.fromEntries([...url.searchParams].filter(([key]) => key !== "format"));
  try {
    const ctx = await createContextFromHeaders(deps, {
      authorization: header(req, "authorization"),
      ip: req.socket.remoteAddress ?? null,
    });
    const caller = createCaller(ctx).insights;
    const output = await (caller[name] as (input: unknown) => Promise<unknown>)(input);
    const body = toCsv(insightTable(name, output));
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${url.pathname.slice(prefix.length)}.csv"`,
      "cache-control": "no-store",
    });
    res.end(body);
  } catch (error) {
    const trpc = error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error", cause: error });
    const status = getHTTPStatusCodeFromError(trpc);
    const body: { code: string; message: string; issues?: unknown } = {
      code: trpc.code,
      message: status === 500 ? "Internal error" : trpc.message,
    };
    const cause = trpc.cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined;
    if (trpc.code === "BAD_REQUEST" && cause?.issues) {
      body.issues = cause.issues;
      body.message = cause.issues.map((i) => `${i.path.map(String).join(".") || "input"}: ${i.message}`).join("; ");
    }
    const retryAfter = (trpc.cause as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    res.writeHead(status, {
      "content-type": "application/json",
      ...(status === 503 && typeof retryAfter === "number" && { "retry-after": String(retryAfter) }),
    });
    res.end(JSON.stringify(body));
  }
  return true;
}

/** The same, in the server's RouteHandler shape: `routes: [insightsCsvRoute(deps)]`. */
export const insightsCsvRoute = (deps: InsightsCsvDeps) => (req: IncomingMessage, res: ServerResponse) =>
  handleInsightsCsv(req, res, deps);
