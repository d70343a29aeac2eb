// Two real server processes (`tsx src/main.ts`) on one PostgreSQL database, as behind a load balancer:
// a session made on one is honoured by the other, the sign-in limit is one budget for both, and the
// scheduled facts refresh runs once per interval for the cluster, not once per instance (the schedule
// row is claimed in PostgreSQL).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rows, sql } from "@switchboard/db";
import { freshPostgres } from "@switchboard/db/testing";
import type { paths } from "../openapi.d.ts";
import { declareScaleSkip, scaleSkipReason } from "./harness.ts";

const skip = scaleSkipReason({ databaseUrl: true });
const serverDir = fileURLToPath(new URL("../../", import.meta.url));
const tsx = fileURLToPath(new URL("../../../../node_modules/.bin/tsx", import.meta.url));
const INTERVAL_SECONDS = 1;

interface Instance {
  name: string;
  child: ChildProcess;
  url: Promise<string>;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startInstance(name: string, env: Record<string, string>): Instance {
  const child = spawn(tsx, ["src/main.ts"], { cwd: serverDir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  let stderr = "";
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const running = line.match(/Switchboard is running at (http:\/\/\S+)/);
        if (running) resolve(running[1]!);
        if (line.startsWith("{")) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before listening: ${stderr}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { name, child, url, lines, exited };
}

async function stopInstance(instance: Instance) {
  if (instance.child.exitCode === null) instance.child.kill("SIGTERM");
  return instance.exited;
}

describe("two stateless server instances on one database", () => {
  declareScaleSkip(skip);
  if (skip) return;

  let target: Awaited<ReturnType<typeof freshPostgres>>;
  const instances: Instance[] = [];

  beforeAll(async () => {
    target = await freshPostgres(process.env.DATABASE_URL!);
  });
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
    await target?.cleanup();
  });

  it("share sessions and the sign-in limit, and refresh the facts once per interval between them", async () => {
    const env = {
      DATABASE_URL: target.url,
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      JWT_SECRET: randomBytes(32).toString("hex"),
      ANALYTICS_TOKEN_KEY: randomBytes(32).toString("hex"),
      DEMO_DATA: "0",
      MIGRATE_ON_START: "0",
      SERVE_WEB: "0",
      FACTS_REFRESH_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
      LOG_LEVEL: "info",
    };
    const started = Date.now();
    instances.push(startInstance("a", env), startInstance("b", env));
    const [urlA, urlB] = await Promise.all(instances.map((i) => i.url));
    const api = (base: string, token?: string) =>
      createClient<paths>({ baseUrl: `${base}/api/v1`, headers: token ? { Authorization: `Bearer ${token}` } : {} });

    // A session made on one instance works on the other: nothing about it lives in a process.
    const signup = await api(urlA!).POST("/auth/signup", { body: { email: "two@example.test", password: "correct horse battery", display_name: "Two" } });
    expect(signup.response.status).toBe(200);
    const me = await api(urlB!, signup.data!.access_token).GET("/me");
    expect(me.response.status).toBe(200);
    expect(me.data!.user.id).toBe(signup.data!.user.id);
    const signin = await api(urlB!).POST("/auth/signin", { body: { email: "two@example.test", password: "correct horse battery" } });
    expect(signin.response.status).toBe(200);

    // The sign-in limit is one budget for the cluster (auth.rate_limits in PostgreSQL): 5 wrong passwords
    // for one (email, address) spread over both instances exhaust it, and the next try is refused on either.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wrong = await api(i % 2 ? urlB! : urlA!).POST("/auth/signin", { body: { email: "two@example.test", password: `wrong ${i}` } });
      statuses.push(wrong.response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    for (const base of [urlA!, urlB!]) {
      const limited = await api(base).POST("/auth/signin", { body: { email: "two@example.test", password: "correct horse battery" } });
      expect(limited.response.status).toBe(429);
      expect(Number(limited.response.headers.get("retry-after"))).toBeGreaterThan(0);
    }

    // Let both schedulers tick for several intervals (each ticks twice per interval).
    const until = async (predicate: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await predicate()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    };
    const refreshes = async () =>
      (await rows<{ n: number }>(target.database.db, sql`select count(*)::int as n from analytics_refresh_log`))[0]!.n;
    await until(async () => (await refreshes()) >= 5);
    await Promise.all(instances.map(stopInstance));
    const elapsedSeconds = (Date.now() - started) / 1000;

    const refreshed = instances.map((i) => i.lines.filter((l) => l.msg === "facts refreshed").length);
    const failed = instances.flatMap((i) => i.lines.filter((l) => l.msg === "facts refresh failed"));
    expect(failed).toEqual([]);
    const total = refreshed[0]! + refreshed[1]!;
    expect(total).toBe(await refreshes());
    expect(total).toBeGreaterThanOrEqual(5);
    // Claims are at least one interval apart in the database, so n refreshes span at least n − 1
    // intervals (less the start-up delay of a refresh after its claim, well under 0.5 s here). Two
    // instances refreshing on their own would make about two per interval.
    const [span] = await rows<{ seconds: number }>(
      target.database.db,
      sql`select extract(epoch from max(started_at) - min(started_at))::float8 as seconds from analytics_refresh_log`,
    );
    expect(total - 1).toBeLessThanOrEqual(Math.floor((span!.seconds + 0.5) / INTERVAL_SECONDS));
    console.log(
      `two instances, ${elapsedSeconds.toFixed(1)} s up, refreshes spanning ${span!.seconds.toFixed(2)} s: ${total} (a: ${refreshed[0]}, b: ${refreshed[1]})`,
    );
  });
});
