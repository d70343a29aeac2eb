// npm run facts:refresh [-- --full]: one facts refresh against DATABASE_URL or the embedded store.
// The embedded store is single-process: stop the server first (it runs its own scheduled refresh).
import { createDb, databaseEnv, migrate } from "@switchboard/db";
import { loadTokenKey, refreshFacts, retentionMonthsFromEnv } from "../src/index.ts";

const full = process.argv.includes("--full");
const env = databaseEnv();
const database = createDb({ url: env.url, dataDir: env.url ? undefined : env.dataDir, max: 2, prepare: env.prepare });
try {
  await migrate(database);
  const tokenKey = loadTokenKey({ embedded: database.kind === "pglite" });
  const started = performance.now();
  const result = await refreshFacts(database, {
    tokenKey,
    mode: full ? "full" : "incremental",
    eventRetentionMonths: retentionMonthsFromEnv(),
    onProgress: ({ step, ms, rows }) =>
      console.error(`  ${step.padEnd(26)}${rows === undefined ? "" : `${rows.toLocaleString("en-US").padStart(11)} rows`}  ${ms.toLocaleString("en-US")} ms`),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  // Peak resident memory of this process (the refresh runs here; the database does the heavy lifting).
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ ...result, seconds: Number(seconds), peak_rss_mb: peakRssMb, database: database.label }));
} finally {
  await database.close();
}
