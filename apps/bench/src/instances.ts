// npm run bench:instances -w @switchboard/bench (needs DATABASE_URL): throughput of one server process vs two
// on the same PostgreSQL database (docs/scaling.md, rung 3). A throwaway database gets one owner with 200
// contacts; GET /api/v1/contacts?limit=50 is loaded with autocannon (20 connections, 10 s) against one
// instance, then split over two instances (10 connections each, at the same time). Ratios in one run.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import postgres from "postgres";
import { createDb, migrate } from "@switchboard/db";

const base = process.env.DATABASE_URL;
if (!base) throw new Error("DATABASE_URL is required (a PostgreSQL server where a throwaway database can be created)");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const serverDir = fileURLToPath(new URL("../../server/", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

const name = `sb_bench_instances_${randomBytes(4).toString("hex")}`;
const admin = postgres(base, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`); // generated name, never input
const url = new URL(base);
url.pathname = `/${name}`;
const children: ChildProcess[] = [];

function startInstance(env: Record<string, string>): Promise<string> {
  const child = spawn(tsx, ["src/main.ts"], { cwd: serverDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const running = out.match(/Switchboard is running at (http:\/\/\S+)/);
      if (running) resolve(running[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code})`)));
  });
}

const load = (target: string, token: string, connections: number) =>
  autocannon({
    url: `${target}/api/v1/contacts?limit=50`,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });

try {
  const owner = createDb({ url: url.toString(), max: 2 });
  await migrate(owner);
  await owner.close();
  const env = {
    DATABASE_URL: url.toString(),
    PORT: "0",
    NODE_ENV: "production",
    JWT_SECRET: randomBytes(32).toString("hex"),
    ANALYTICS_TOKEN_KEY: randomBytes(32).toString("hex"),
    DEMO_DATA: "0",
    MIGRATE_ON_START: "0",
    SERVE_WEB: "0",
    LOG_LEVEL: "warn",
  };
  const a = await startInstance(env);
  const post = (path: string, body: unknown, token?: string, businessId?: string) =>
    fetch(`${a}/api/v1${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token && { authorization: `Bearer ${token}` }),
        ...(businessId && { "x-business-id": businessId }),
      },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const session = await post("/auth/signup", { email: "bench@example.test", password: "correct horse battery", display_name: "Bench" });
  const token = session.access_token as string;
  const business = await post("/businesses", { name: "Bench" }, token);
  for (let i = 0; i < 200; i++) await post("/contacts", { full_name: `Contact ${i}`, email: `c${i}@example.test` }, token, business.id as string);

  const one = await load(a, token, 20);
  const b = await startInstance(env);
  const [twoA, twoB] = await Promise.all([load(a, token, 10), load(b, token, 10)]);
  const twoRps = twoA.requests.average + twoB.requests.average;
  const report = {
    machine: "shared with other work (2 cores); load generator in this process",
    seconds,
    one_instance: { rps: one.requests.average, p50_ms: one.latency.p50, p99_ms: one.latency.p99, non2xx: one.non2xx },
    two_instances: {
      rps: twoRps,
      p50_ms: [twoA.latency.p50, twoB.latency.p50],
      p99_ms: [twoA.latency.p99, twoB.latency.p99],
      non2xx: twoA.non2xx + twoB.non2xx,
    },
    ratio: Math.round((twoRps / one.requests.average) * 100) / 100,
  };
  console.log(JSON.stringify(report, null, 2));
} finally {
  for (const child of children) child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
