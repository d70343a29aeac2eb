// `npm start`: build the web app if stale, migrate, seed demo data on an empty database, start the
// facts scheduler if configured, listen, print the URL and demo logins. SIGTERM/SIGINT: drain and exit 0.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { refreshFacts, startFactsScheduler } from "@switchboard/analytics";
import { DEMO_LOGINS, createDb, createHealthProbe, migrate, rows, seedDemo, sql } from "@switchboard/db";
import { createMailWorker, logTransport, smtpTransport } from "@switchboard/api";
import { EnvError, defaultWebDistDir, loadConfig } from "./env.ts";
import { createLogger } from "./logger.ts";
import { abortInFlight, createServer, markDraining, stopServer } from "./server.ts";


const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const webRoot = join(repoRoot, "apps/web");

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === "node_modules" || entry === "dist") continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Builds apps/web when dist is missing or older than its sources; a failed build only warns. */
function ensureWebBuild(log: ReturnType<typeof createLogger>) {
  const builtAt = newestMtime(join(defaultWebDistDir, "index.html"));
  const sources = ["src", "index.html", "vite.config.ts", "package.json", "public"].map((p) => join(webRoot, p));
  const changedAt = Math.max(...sources.map(newestMtime));
  if (builtAt && builtAt >= changedAt) return;
  if (!existsSync(join(webRoot, "index.html"))) {
    log.warn("apps/web has no index.html yet: serving the API only");
    return;
  }
  log.info("building the web app (npm run build -w @switchboard/web)");
  const result = spawnSync("npm", ["run", "build", "-w", "@switchboard/web"], { cwd: repoRoot, stdio: "inherit" });
  if (result.status !== 0) log.warn("web app build failed: serving the API only (see the output above)");
}

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  if (config.serveWeb) ensureWebBuild(log);

  const database = createDb({ ...config.database, timeouts: config.dbTimeouts });
  log.info({ database: database.label, secrets: config.secretsSource }, "database");
  if (config.migrateOnStart) await migrate(database);

  if (config.demoData) {
    const [{ count }] = (await rows<{ count: number }>(database.db, sql`select count(*)::int as count from auth.users`)) as [
      { count: number },
    ];
    if (count === 0) {
      log.info("empty database: seeding demo data");
      await seedDemo(database);
      // Analysts should see insights at once, not after the first scheduled refresh.
      const facts = await refreshFacts(database, { tokenKey: config.api.analyticsTokenKey, mode: "full" });
      log.info({ facts }, "analytics facts built");
    }
  }

  const scheduler =
    config.factsRefreshIntervalMs > 0
      ? startFactsScheduler({
          database,
          intervalMs: config.factsRefreshIntervalMs,
          eventRetentionMonths: config.eventRetentionMonths,
          tokenKey: config.api.analyticsTokenKey,
          onResult: (result, ms) => log.info({ result, duration_ms: Math.round(ms) }, "facts refreshed"),
          onError: (error) => log.error({ err: error }, "facts refresh failed"),
        })
      : null;

  // Mail: SMTP when SMTP_URL is set, else the log (invite links are also shown to the inviter).
  const mailer = createMailWorker({
    database,
    transport: config.smtp ? smtpTransport(config.smtp.url, config.smtp.from) : logTransport((fields, message) => log.info(fields, message)),
    onResult: (result) => log.info({ mail: result }, "mail outbox delivered"),
    onError: (error) => log.error({ err: error }, "mail outbox delivery failed"),
    retention: config.retention,
    onPurge: (deleted) => log.info({ deleted }, "retention: old mail and invitations deleted"),
  });
  if (!config.smtp && config.nodeEnv === "production") log.warn("SMTP_URL is not set: mail (invitations, password reset links) is written to the log, not sent");
  mailer.kick();

  const server = createServer({
    mailer,
    database,
    config: config.api,
    logger: log,
    webDistDir: config.serveWeb ? defaultWebDistDir : null,
    healthProbe: createHealthProbe(database, { url: config.database.url }),
    limits: config.limits,
    trustProxy: config.trustProxy,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject); // EADDRINUSE and friends: fail loudly instead of hanging
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
  const url = `http://${host}:${port}`;
  // Links in mail point at PUBLIC_URL, else where we actually listen (PORT=0 picks the port only now).
  if (!config.publicUrl) config.api.mail.publicUrl = url;
  const lines = [
    "",
    `  Switchboard is running at ${url}`,
    `  REST API ${url}/api/v1   OpenAPI ${url}/api/openapi.json   tRPC ${url}/trpc   health ${url}/healthz`,
    ...(config.demoData
      ? ["", "  Demo logins:", ...DEMO_LOGINS.map((l) => `    ${l.email} / ${l.password}  (${l.role})`)]
      : []),
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");

  // Drain: readiness fails at once, in-flight requests get SHUTDOWN_TIMEOUT_SECONDS to finish; after
  // that the remaining connections are cut, the pool is ended (statements cancelled) and we exit 0.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    markDraining(server);
    log.info({ signal, drain_timeout_ms: config.shutdownTimeoutMs }, "shutting down: draining in-flight requests");
    let timedOut = false;
    const deadline = new Promise<void>((resolve) =>
      setTimeout(() => {
        timedOut = true;
        resolve();
      }, config.shutdownTimeoutMs).unref(),
    );
    try {
      await Promise.race([Promise.all([scheduler?.stop(), stopServer(server).then(() => mailer.stop())]), deadline]);
      if (timedOut) {
        log.warn({ drain_timeout_ms: config.shutdownTimeoutMs }, "drain deadline passed: answering 503 to the rest and closing");
        abortInFlight(server);
        await new Promise((resolve) => setImmediate(resolve)); // let the 503s flush
        server.closeAllConnections();
      }
      await database.close({ timeoutSeconds: timedOut ? 0 : 5 });
      log.info({ drained: !timedOut }, "stopped");
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

await main();
