// npm run db:seed -- --scale test|demo|bench [--reset] [--now YYYY-MM-DD]
// Migrates, then loads the scale into DATABASE_URL (or the embedded store). Progress on stderr.
import { parseArgs } from "node:util";
import { createDb, databaseEnv, migrate, scaleNames, seed, SeedRefusedError, type ScaleName } from "../src/index.ts";

const usage = `usage: npm run db:seed -- --scale ${scaleNames.join("|")} [--reset] [--now YYYY-MM-DD]`;
let args;
try {
  args = parseArgs({
    options: {
      scale: { type: "string", default: "demo" },
      reset: { type: "boolean", default: false },
      now: { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}
if (!(scaleNames as string[]).includes(args.scale)) {
  console.error(`unknown scale "${args.scale}"\n${usage}`);
  process.exit(2);
}
if (args.now !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args.now)) {
  console.error(`--now must be a date like 2025-06-02\n${usage}`);
  process.exit(2);
}

const { url, dataDir } = databaseEnv();
// Offline job: no per-statement timeout (a COPY of 1M rows on a busy machine takes more than 60 s).
const database = createDb({ url, dataDir, max: 2, timeouts: { statementMs: 0 } });
const fmt = (n: number) => n.toLocaleString("en-US");
let exitCode = 0;
try {
  await migrate(database);
  console.error(`seeding ${database.label} at scale ${args.scale}${args.reset ? " (reset)" : ""}`);
  const result = await seed(database, {
    scale: args.scale as ScaleName,
    reset: args.reset,
    now: args.now ? new Date(`${args.now}T00:00:00Z`) : undefined,
    onProgress: ({ step, rows, elapsedMs, done }) => {
      const rate = elapsedMs > 0 && rows > 0 ? `  ${fmt(Math.round((rows * 1000) / elapsedMs))} rows/s` : "";
      const count = rows > 0 ? `${fmt(rows).padStart(11)} rows` : "";
      if (!done && rows === 0) console.error(`  ${step} …`);
      else console.error(`  ${step.padEnd(28)}${count}${rate}${done ? `  done in ${fmt(elapsedMs)} ms` : ""}`);
    },
  });
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(
    `seeded ${database.label}: scale ${result.scale}, now ${result.now}, ${(result.elapsedMs / 1000).toFixed(1)} s, peak RSS ${rss} MB`,
  );
  for (const [table, n] of Object.entries(result.rows)) console.log(`  ${table.padEnd(28)}${fmt(n).padStart(11)}`);
} catch (error) {
  exitCode = 1;
  console.error(error instanceof SeedRefusedError ? `refused: ${error.message}` : error);
} finally {
  await database.close();
}
process.exit(exitCode);
