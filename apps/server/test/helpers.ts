// A real server on an ephemeral port, over the test's database, with its log lines captured.
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import pino from "pino";
import type { ApiConfig } from "@switchboard/api";
import type { Database, HealthProbe } from "@switchboard/db";
import { createServer, stopServer, type ServerLimits } from "../src/server.ts";

export interface LogLine {
  level: number;
  msg: string;
  method?: string;
  path?: string;
  status?: number;
  duration_ms?: number;
  sql_statements?: number;
  [key: string]: unknown;
}

export function testApiConfig(overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    jwt: { secret: randomBytes(32), ttlSeconds: 600 },
    kAnonymity: 5,
    analyticsTokenKey: randomBytes(32),
    ...overrides,
  };
}

export async function startTestServer(database: Database, opts: { config?: ApiConfig; limits?: Partial<ServerLimits>; healthProbe?: HealthProbe; webDistDir?: string; trustProxy?: number } = {}) {
  const logs: LogLine[] = [];
  const logger = pino({ level: "info", base: undefined }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const config = opts.config ?? testApiConfig();
  const server = createServer({ database, config, logger, webDistDir: opts.webDistDir ?? null, limits: opts.limits, healthProbe: opts.healthProbe, trustProxy: opts.trustProxy });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    config,
    logs,
    url: `http://127.0.0.1:${port}`,
    /** Request log lines (one per request). */
    requestLogs: () => logs.filter((l) => l.msg === "request"),
    stop: () => stopServer(server),
  };
}
