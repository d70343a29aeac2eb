// `npm run bench`: contacts.list over HTTP on the bench-scale data (1M contacts), against
//   (1) our server (REST, auth + RLS + one statement), spawned as its own process on the login role,
//   (2) the floor, (3) N+1 and (4) Drizzle's relational API (baselines.ts, another process),
// with load from a third process (load.ts, autocannon). Prints one table and writes docs/benchmarks.md.
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import os from "node:os";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { loadTokenKey } from "@switchboard/analytics";
import { signAccessToken } from "@switchboard/api";
import { DEMO_LOGINS, createDb, migrate } from "@switchboard/db";
import { runAnalyticsBench, type BenchRow } from "./analytics.ts";
import type { LoadJob, LoadResult } from "./load.ts";

const env = process.env;
const BENCH_DATABASE_URL = env.BENCH_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/switchboard_bench";
// The server connects as its login role (owns nothing; RLS applies), like a real deployment.
const appUrl = (() => {
  if (env.BENCH_APP_DATABASE_URL) return env.BENCH_APP_DATABASE_URL;
  const u = new URL(BENCH_DATABASE_URL);
  u.username = "switchboard_app";
  u.password = "";
  return u.toString();
})();
const DURATION = Number(env.BENCH_DURATION_SECONDS || 6);
const WARMUP = Number(env.BENCH_WARMUP_SECONDS || 2);
const PAGE = 50;
const SEARCH_REQUESTS = Number(env.BENCH_SEARCH_REQUESTS || 200);
const SEARCH_SECONDS = Number(env.BENCH_SEARCH_SECONDS || 20);

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const serverDir = fileURLToPath(new URL("../../server/", import.meta.url));
const docsFile = fileURLToPath(new URL("../../../docs/benchmarks.md", import.meta.url));

const children: ChildProcess[] = [];
const cleanup = () => {
  for (const child of children) if (child.exitCode === null && child.pid) child.kill("SIGTERM");
};
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

const log = (message: string) => process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------------
// Data set
// ---------------------------------------------------------------------------------------------
async function ensureSeeded() {
  const target = new URL(BENCH_DATABASE_URL);
  const dbName = decodeURIComponent(target.pathname.slice(1));
  const adminUrl = new URL(BENCH_DATABASE_URL);
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  const [exists] = await admin`select 1 from pg_database where datname = ${dbName}`;
  if (!exists) {
    log(`creating database ${dbName}`);
    await admin.unsafe(`create database "${dbName.replace(/"/g, '""')}"`);
  }
  await admin.end();
  const sqlc = postgres(BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
  // Two statements: a `case` over to_regclass still parses (and fails on) the count of a missing table.
  const [table] = await sqlc<{ t: string | null }[]>`select to_regclass('public.contacts')::text as t`;
  const [row] = table?.t ? await sqlc<{ n: number }[]>`select count(*)::int as n from public.contacts` : [{ n: 0 }];
  await sqlc.end();
  if (row!.n >= 1_000_000) {
    // The server starts with MIGRATE_ON_START=0 (its login role owns nothing): migrate as the owner here.
    const owner = createDb({ url: BENCH_DATABASE_URL, max: 1, timeouts: { statementMs: 0 } });
    await migrate(owner);
    await owner.close();
    return;
  }
  log(`seeding ${dbName} at bench scale (1M contacts; this takes a while, once)`);
  const result = spawnSync("npm", ["run", "db:seed", "--", "--scale", "bench", ...(row!.n > 0 ? ["--reset"] : [])], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...env, DATABASE_URL: BENCH_DATABASE_URL },
  });
  if (result.status !== 0) throw new Error("seeding the bench database failed");
}

async function pickTenant(sqlc: postgres.Sql) {
  const [biggest] = await sqlc<{ business_id: string; n: number }[]>`
    select business_id, count(*)::int as n from public.contacts where deleted_at is null
    group by business_id order by 2 desc limit 1`;
  const [owner] = await sqlc<{ id: string; email: string }[]>`
    select u.id, u.email from public.business_memberships m join public.users u on u.id = m.user_id
    where m.business_id = ${biggest!.business_id} and m.role = 'owner' and m.is_active limit 1`;
  // Search terms: name prefixes, a whole surname, an email fragment, and a typo, from this business.
  const names = await sqlc<{ full_name: string; email: string | null }[]>`
    select full_name, email from public.contacts where business_id = ${biggest!.business_id}
    order by id limit 40`;
  const terms: string[] = [];
  for (const [i, n] of names.entries()) {
    const [first = "", last = ""] = n.full_name.split(" ");
    if (i % 4 === 0) terms.push(first.slice(0, 3));
    if (i % 4 === 1) terms.push(last);
    if (i % 4 === 2 && n.email) terms.push(n.email.split("@")[0]!.slice(0, 5));
    if (i % 4 === 3 && last.length > 4) terms.push(last.slice(0, 2) + last[3] + last[2] + last.slice(4)); // swapped letters
  }
  return { businessId: biggest!.business_id, contacts: biggest!.n, owner: owner!, terms: terms.filter((t) => t.length >= 2) };
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function waitFor(url: string, timeoutMs: number, child: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up in ${timeoutMs} ms`);
}

async function startServer(jwtSecret: string, tokenKey: string) {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it exits (profiling, not a result).
  const profile = env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...env,
      NODE_ENV: "production",
      DATABASE_URL: appUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      JWT_SECRET: jwtSecret,
      ANALYTICS_TOKEN_KEY: tokenKey,
      DEMO_DATA: "0",
      MIGRATE_ON_START: "0",
      FACTS_REFRESH_INTERVAL_SECONDS: "0",
      LOG_LEVEL: env.BENCH_SERVER_LOG_LEVEL || "info",
    },
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`, 180_000, child);
  return { url, child };
}

async function startBaselines() {
  const child = fork(fileURLToPath(new URL("./baselines.ts", import.meta.url)), {
    env: { ...env, BENCH_DATABASE_URL },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (m: { port: number }) => resolve(m.port));
    child.once("exit", (code) => reject(new Error(`baselines exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

function startLoad() {
  const child = fork(fileURLToPath(new URL("./load.ts", import.meta.url)), { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  return (job: LoadJob) =>
    new Promise<LoadResult>((resolve, reject) => {
      child.once("message", (m: { ok: boolean; result?: LoadResult; error?: string }) =>
        m.ok ? resolve(m.result!) : reject(new Error(m.error)),
      );
      child.send(job);
    });
}

/** Peak resident set size of a process while fn runs, sampled from /proc every 50 ms (Linux). */
async function peakRss<T>(pid: number | undefined, fn: () => Promise<T>): Promise<{ result: T; peakMb: number | null }> {
  const read = () => {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      return kb ? Number(kb) / 1024 : null;
    } catch {
      return null;
    }
  };
  let peak = read();
  const timer = setInterval(() => {
    const now = read();
    if (now !== null) peak = Math.max(peak ?? 0, now);
  }, 50);
  try {
    const result = await fn();
    return { result, peakMb: peak };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------
interface Row {
  name: string;
  c16: LoadResult;
  c1: LoadResult;
  rssMb: number | null;
}

async function main() {
  await ensureSeeded();
  const sqlc = postgres(BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
  const tenant = await pickTenant(sqlc);
  const [{ version }] = (await sqlc<{ version: string }[]>`select version()`) as unknown as [{ version: string }];
  await sqlc.end();
  log(`tenant: business ${tenant.businessId} (${tenant.contacts.toLocaleString("en-US")} contacts), owner ${tenant.owner.email}`);

  const jwtSecret = randomBytes(48).toString("base64url");
  // A persistent key, as in production: a new key each run would be a key rotation (every fact id changes).
  const tokenKey = Buffer.from(
    loadTokenKey({ embedded: true, keyFile: fileURLToPath(new URL("../../../.data/bench-token-key", import.meta.url)) }),
  ).toString("utf8");
  const jwt = { secret: new TextEncoder().encode(jwtSecret), ttlSeconds: 3600 };
  // Every access token names a live auth.sessions row (the server checks it on each request).
  const openSession = async (userId: string) => {
    const client = postgres(BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
    const [row] = await client<{ id: string }[]>`insert into auth.sessions (user_id) values (${userId}) returning id::text`;
    await client.end();
    return row!.id;
  };
  const token = await signAccessToken(jwt, tenant.owner, await openSession(tenant.owner.id));
  const auth = { authorization: `Bearer ${token}`, "x-business-id": tenant.businessId };

  log("starting the server (as switchboard_app), the baselines and the load generator");
  const [server, baselines] = await Promise.all([startServer(jwtSecret, tokenKey), startBaselines()]);
  const load = startLoad();

  const targets = [
    { name: "server contacts.list basic", url: `${server.url}/api/v1/contacts?include_user_details=basic&limit=${PAGE}`, headers: auth, pid: server.child.pid },
    { name: "server contacts.list full", url: `${server.url}/api/v1/contacts?include_user_details=full&limit=${PAGE}`, headers: auth, pid: server.child.pid },
    { name: "floor (node:http + postgres.js)", url: `${baselines.url}/floor?business_id=${tenant.businessId}&limit=${PAGE}`, headers: {}, pid: baselines.child.pid },
    { name: "N+1 (query per user lookup)", url: `${baselines.url}/nplus1?business_id=${tenant.businessId}&limit=${PAGE}`, headers: {}, pid: baselines.child.pid },
    { name: "Drizzle relational (with:)", url: `${baselines.url}/drizzle?business_id=${tenant.businessId}&limit=${PAGE}`, headers: {}, pid: baselines.child.pid },
  ];

  // Same page everywhere? The contact ids must match in order. User objects may differ by design: RLS
  // hides users who are not active co-members (null on the server), the owner-role baselines do not.
  const pages = await Promise.all(
    targets.map(async (t) => (await (await fetch(t.url, { headers: t.headers })).json()) as { data: Array<Record<string, unknown>> }),
  );
  const ids = (p: { data: Array<Record<string, unknown>> }) => JSON.stringify(p.data.map((c) => c.id));
  if (pages[0]!.data.length !== PAGE) throw new Error(`the server returned ${pages[0]!.data.length} contacts, expected ${PAGE}`);
  if (!pages.every((p) => ids(p) === ids(pages[2]!))) throw new Error("the variants did not return the same contacts");
  const key = (u: unknown) => (u && typeof u === "object" ? (u as { id: string }).id : null);
  let hiddenByRls = 0;
  for (const [i, c] of pages[0]!.data.entries()) {
    const f = pages[2]!.data[i]!;
    for (const k of ["assigned_to", "created_by"]) if (key(c[k]) !== key(f[k])) hiddenByRls++;
  }
  for (const p of pages.slice(3)) {
    if (JSON.stringify(p.data) !== JSON.stringify(pages[2]!.data)) log("WARNING: a baseline page differs from the floor's");
  }

  const rows: Row[] = [];
  for (const t of targets) {
    log(`${t.name}: warm-up ${WARMUP}s, then ${DURATION}s at 16 connections and ${DURATION}s at 1`);
    await load({ kind: "autocannon", url: t.url, headers: t.headers, connections: 16, durationSeconds: WARMUP });
    const { result: c16, peakMb } = await peakRss(t.pid, () =>
      load({ kind: "autocannon", url: t.url, headers: t.headers, connections: 16, durationSeconds: DURATION }),
    );
    const c1 = await load({ kind: "autocannon", url: t.url, headers: t.headers, connections: 1, durationSeconds: DURATION });
    for (const r of [c16, c1]) if (r.non2xx || r.errors) throw new Error(`${t.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    rows.push({ name: t.name, c16, c1, rssMb: peakMb });
  }

  log(`search: warm-up, then up to ${SEARCH_REQUESTS} sequential requests (≤ ${SEARCH_SECONDS} s) at 1 connection`);
  const searchJob = (requests: number, maxSeconds = SEARCH_SECONDS): LoadJob => ({
    kind: "sequential",
    url: `${server.url}/api/v1/contacts/search`,
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    requests,
    bodies: tenant.terms.map((query) => JSON.stringify({ query, include_user_details: "basic", limit: 20 })),
    maxSeconds,
  });
  await load(searchJob(5, 5));
  const search = await load(searchJob(SEARCH_REQUESTS));
  if (search.non2xx) log(`WARNING: search: ${search.non2xx} of ${search.total} responses were not 2xx`);

  let analytics: BenchRow[] | string = "skipped (BENCH_ANALYTICS=0)";
  if (env.BENCH_ANALYTICS !== "0") {
    log("analytics: facts refresh (first full, steady full, key rotation, incremental) and insights over HTTP (apps/bench/src/analytics.ts)");
    const analystEmail = DEMO_LOGINS.find((l) => l.role === "analyst")!.email;
    const owner = createDb({ url: BENCH_DATABASE_URL, max: 4, timeouts: { statementMs: 0 } });
    try {
      const lookup = postgres(BENCH_DATABASE_URL, { max: 1, onnotice: () => {} });
      const [analyst] = await lookup<{ id: string; email: string }[]>`select id, email from public.users where email = ${analystEmail}`;
      await lookup.end();
      analytics = await runAnalyticsBench({
        database: owner,
        databaseUrl: BENCH_DATABASE_URL,
        baseUrl: server.url,
        analystToken: await signAccessToken(jwt, analyst!, await openSession(analyst!.id)),
        tokenKey,
      });
    } catch (error) {
      analytics = `failed: ${error instanceof Error ? error.message : String(error)}`;
      log(`WARNING: analytics ${analytics}`);
    } finally {
      await owner.close();
    }
  }

  // -------------------------------------------------------------------------------------------
  const [ours, full, floor, nPlusOne, drizzleRow] = rows as [Row, Row, Row, Row, Row];
  const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  const header =
    "| variant | req/s @16 | p50 ms @16 | p99 ms @16 | req/s vs floor | p99 vs floor | req/s @1 | p50 ms @1 | p99 ms @1 | peak RSS @16 |";
  const sep = "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|";
  const line = (r: Row) =>
    `| ${r.name} | ${fmt(r.c16.requestsPerSecond)} | ${fmt(r.c16.p50, 1)} | ${fmt(r.c16.p99, 1)} | ${fmt(r.c16.requestsPerSecond / floor.c16.requestsPerSecond, 2)}× | ${fmt(r.c16.p99 / floor.c16.p99, 2)}× | ${fmt(r.c1.requestsPerSecond)} | ${fmt(r.c1.p50, 1)} | ${fmt(r.c1.p99, 1)} | ${r.rssMb === null ? "n/a" : `${fmt(r.rssMb)} MB`} |`;
  const table = [header, sep, ...rows.map(line)].join("\n");
  const searchFailed = search.non2xx > 0 ? ` (${search.non2xx} of ${search.total} responses were errors)` : "";
  const searchLine = `Search (POST /api/v1/contacts/search, basic, limit 20, ${tenant.terms.length} rotating queries: prefixes, surnames, email fragments, typos) in the ${fmt(tenant.contacts)}-contact business, 1 connection, ${search.total} requests: p50 ${fmt(search.p50, 1)} ms, p95 ${fmt(search.p95!, 1)} ms, p99 ${fmt(search.p99, 1)} ms (${fmt(search.requestsPerSecond)} req/s)${searchFailed}.`;
  const rlsNote = hiddenByRls
    ? `On the measured page, ${hiddenByRls} user reference(s) are null on the server but filled in the baselines: RLS hides users who are not active co-members of the business (by design); the baselines run as the owner without RLS.`
    : "";
  const analyticsSection =
    typeof analytics === "string"
      ? `Analytics: ${analytics}.`
      : ["| metric | result | target |", "|---|--:|---|", ...analytics.map((r) => `| ${r.metric} | ${fmt(r.value, r.unit === "s" ? 1 : 0)} ${r.unit} | ${r.target ?? ""} |`)].join("\n");

  const check = (ok: boolean) => (ok ? "met" : "NOT met");
  const targetLines = [
    `- Throughput ≥ 0.8× the floor: basic ${fmt(ours.c16.requestsPerSecond / floor.c16.requestsPerSecond, 2)}×, full ${fmt(full.c16.requestsPerSecond / floor.c16.requestsPerSecond, 2)}× — ${check(ours.c16.requestsPerSecond >= 0.8 * floor.c16.requestsPerSecond)} (basic)`,
    `- Throughput ≥ 25× N+1: ${fmt(ours.c16.requestsPerSecond / nPlusOne.c16.requestsPerSecond, 1)}× — ${check(ours.c16.requestsPerSecond >= 25 * nPlusOne.c16.requestsPerSecond)}`,
    `- Throughput ≥ 1.0× Drizzle relational: ${fmt(ours.c16.requestsPerSecond / drizzleRow.c16.requestsPerSecond, 2)}× — ${check(ours.c16.requestsPerSecond >= drizzleRow.c16.requestsPerSecond)}`,
    `- p50 ≤ 5 ms at 1 connection: ${fmt(ours.c1.p50, 1)} ms (basic), ${fmt(full.c1.p50, 1)} ms (full) — ${check(ours.c1.p50 <= 5)}`,
    `- p99 at 16 connections ≤ 1.5× the floor's: ${fmt(ours.c16.p99 / floor.c16.p99, 2)}× — ${check(ours.c16.p99 <= 1.5 * floor.c16.p99)}`,
    `- Search p95 ≤ 20 ms at 1 connection: ${fmt(search.p95!, 1)} ms — ${check(search.p95! <= 20 && !search.non2xx)}`,
    `- Server peak RSS ≤ 250 MB during the 16-connection runs: ${ours.rssMb === null ? "n/a" : `${fmt(Math.max(ours.rssMb, full.rssMb ?? 0))} MB`} — ${check((Math.max(ours.rssMb ?? Infinity, full.rssMb ?? 0)) <= 250)}`,
  ];
  const cpus = os.cpus();
  const machine = [
    `- CPU: ${cpus[0]?.model ?? "unknown"}, ${cpus.length} cores (shared by the server, the baselines, the load generator and PostgreSQL)`,
    `- Memory: ${fmt(os.totalmem() / 2 ** 30, 1)} GiB; OS: ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${version.split(",")[0]}`,
    `- Data: bench scale, ${fmt(tenant.contacts)} contacts in the measured business; page of ${PAGE}; ${DURATION} s per measurement after a ${WARMUP} s warm-up; autocannon in its own process`,
  ];

  console.log(`\n${table}\n\n${searchLine}\n${rlsNote}\n\nTargets:\n${targetLines.join("\n")}\n\nAnalytics:\n${analyticsSection}\n`);

  const doc = `# Benchmarks

Generated by \`npm run bench\` (apps/bench) on ${new Date().toISOString().slice(0, 10)}. Re-run it to refresh this file.

## What is measured

\`GET /api/v1/contacts?include_user_details=…&limit=${PAGE}\` on the bench-scale data set (1M contacts), as the owner of
the largest business, over HTTP, with load from a separate process (autocannon), 16 connections and 1 connection:

1. **server** — the real server process (\`apps/server\`, \`NODE_ENV=production\`, request logs at info), connected as
   the login role \`switchboard_app\`: JWT verification, \`withUser\` (BEGIN, role + claims, the one SELECT, COMMIT),
   RLS on every table, zod output validation, the REST adapter;
2. **floor** — a bare \`node:http\` handler running the same SELECT with postgres.js as the owner: no auth, no RLS;
3. **N+1** — the design note's "before": the page of contacts, then one query per user lookup;
4. **Drizzle relational** — the same page with Drizzle's relational query API (\`with:\`, relations defined in the bench).

Ratios are against the floor, all measured in the same run. The load generator, the servers and PostgreSQL share
the same cores, so compare rows with each other rather than quoting absolute numbers.

## Machine

${machine.join("\n")}

## Results

${table}

${searchLine}

${rlsNote}

## Targets

${targetLines.join("\n")}

If a target is missed, profile before changing code. Earlier profiles, before/after tables of the search and
analytics work and their analysis: [benchmark-history.md](benchmark-history.md).

## Analytics

Facts refresh and insights over HTTP (apps/bench/src/analytics.ts), in the same run, on the same data.

${analyticsSection}
`;
  writeFileSync(docsFile, doc);
  log(`wrote ${docsFile}`);
}

main()
  .then(() => {
    cleanup();
    process.exit(0);
  })
  .catch((error: unknown) => {
    console.error(error);
    cleanup();
    process.exit(1);
  });
