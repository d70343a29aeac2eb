// Real scaling parts for the scale tests, from Debian's packages: a PgBouncer in transaction mode and a
// primary + streaming-replica pair of throwaway PostgreSQL clusters (pg_createcluster, pg_basebackup -R).
// Each test creates what it uses on ports 5450–5459 and removes it afterwards, also on failure.
// Without the tools these tests are skipped with the reason; REQUIRE_SCALE_TESTS=1 (.ci/run) turns a
// skip into a failure.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "vitest";

export const scaleTestsRequired = () => process.env.REQUIRE_SCALE_TESTS === "1";

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

const isRoot = () => process.getuid?.() === 0;

/** Why the scale tests of this kind cannot run here, or null when they can. */
export function scaleSkipReason(needs: { pgbouncer?: boolean; clusters?: boolean; databaseUrl?: boolean }): string | null {
  if (needs.databaseUrl && !process.env.DATABASE_URL) return "DATABASE_URL is not set (PostgreSQL-only test)";
  if (needs.pgbouncer && !onPath("pgbouncer")) return "pgbouncer is not installed (apt-get install pgbouncer)";
  if (needs.clusters) {
    for (const tool of ["pg_createcluster", "pg_ctlcluster", "pg_dropcluster"]) {
      if (!onPath(tool)) return `${tool} is not installed (Debian postgresql-common)`;
    }
    if (!postgresVersion()) return "no PostgreSQL server binaries under /usr/lib/postgresql";
    if (!isRoot()) return "creating PostgreSQL clusters needs root (pg_createcluster)";
  }
  return null;
}

/**
 * Declares the reason as a test of its own: a skipped test named after the reason, or — when
 * REQUIRE_SCALE_TESTS=1 — a failing one.
 */
export function declareScaleSkip(reason: string | null) {
  if (!reason) return;
  if (scaleTestsRequired()) {
    it(`scale test prerequisites: ${reason}`, () => {
      throw new Error(`${reason} — and REQUIRE_SCALE_TESTS=1 makes a skipped scale test an error`);
    });
  } else {
    it.skip(`skipped: ${reason}`, () => {});
  }
}

function run(command: string, args: string[], opts: { asPostgres?: boolean } = {}) {
  const [cmd, argv] = opts.asPostgres && isRoot() ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(cmd, argv, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
  return result.stdout;
}

function postgresVersion(): string | null {
  if (!existsSync("/usr/lib/postgresql")) return null;
  const versions = readdirSync("/usr/lib/postgresql").filter((v) => /^\d+$/.test(v));
  return versions.sort((a, b) => Number(b) - Number(a))[0] ?? null;
}

/** A free port in [from, to] (helper 12's range is 5450–5459). */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createNetServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}–${to}`);
}

async function waitForPort(port: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A directory the postgres user can read (pgbouncer refuses to run as root and drops to postgres). */
function sharedTempDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (isRoot()) {
    const uid = Number(run("id", ["-u", "postgres"]).trim());
    const gid = Number(run("id", ["-g", "postgres"]).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

export interface Pgbouncer {
  port: number;
  /** postgres:// URL of the pooled database, with `pgbouncer=true` (so the server runs unprepared). */
  url: string;
  stop(): Promise<void>;
}

/**
 * PgBouncer in transaction mode in front of `target` (a postgres:// URL of one database), with
 * `poolSize` server connections. Authentication is trust for the one user of the URL.
 */
export async function startPgbouncer(target: string, opts: { poolSize: number }): Promise<Pgbouncer> {
  const t = new URL(target);
  const dbname = t.pathname.slice(1);
  const user = decodeURIComponent(t.username || "postgres");
  const dir = sharedTempDir("sb12-pgbouncer-");
  const port = await freePort(5450, 5453);
  writeFileSync(join(dir, "users.txt"), `"${user}" ""\n`);
  writeFileSync(
    join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `sb = host=${t.hostname} port=${t.port || 5432} dbname=${dbname} user=${user}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "users.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${opts.poolSize}`,
      "min_pool_size = 0",
      "reserve_pool_size = 0",
      "max_client_conn = 500",
      `logfile = ${join(dir, "pgbouncer.log")}`,
      "",
    ].join("\n"),
  );
  for (const file of ["users.txt", "pgbouncer.ini"]) chmodSync(join(dir, file), 0o644);
  const child: ChildProcess = spawn("pgbouncer", [...(isRoot() ? ["-u", "postgres"] : []), join(dir, "pgbouncer.ini")], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitForPort(port);
  } catch (error) {
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/sb?pgbouncer=true`,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Cluster {
  name: string;
  version: string;
  port: number;
  url(database?: string): string;
  start(): void;
  stop(): void;
  drop(): void;
}

function cluster(version: string, name: string, port: number): Cluster {
  return {
    name,
    version,
    port,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => void run("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, "start"]),
    stop: () => void run("pg_ctlcluster", ["--skip-systemctl-redirect", version, name, "stop", "-m", "fast"]),
    drop: () => void spawnSync("pg_dropcluster", ["--stop", version, name], { stdio: "ignore" }),
  };
}

/** Settings for a small throwaway cluster that streams to (or from) its pair on 127.0.0.1, trust auth. */
function configure(version: string, name: string, port: number) {
  const conf = `/etc/postgresql/${version}/${name}`;
  writeFileSync(
    join(conf, "conf.d", "sb12.conf"),
    [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      "wal_level = replica",
      "max_wal_senders = 4",
      "hot_standby = on",
      "max_connections = 60",
      "shared_buffers = 32MB",
      "fsync = off", // a throwaway cluster: durability is not what the test is about
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(conf, "pg_hba.conf"),
    ["local all all trust", "local replication all trust", "host all all 127.0.0.1/32 trust", "host replication all 127.0.0.1/32 trust", ""].join(
      "\n",
    ),
  );
}

export interface ReplicaPair {
  primary: Cluster;
  replica: Cluster;
  /** Removes both clusters (safe to call twice). */
  drop(): void;
}

/** Removes sb12- clusters a crashed earlier run left behind. */
export function dropLeftoverClusters() {
  const version = postgresVersion();
  if (!version || !existsSync(`/etc/postgresql/${version}`)) return;
  for (const name of readdirSync(`/etc/postgresql/${version}`)) {
    if (name.startsWith("sb12-")) cluster(version, name, 0).drop();
  }
}

/** A primary cluster and a hot standby streaming from it (pg_basebackup -R), both started. */
export function createReplicaPair(): Promise<ReplicaPair> {
  return createReplicaPairOn();
}

async function createReplicaPairOn(): Promise<ReplicaPair> {
  const version = postgresVersion()!;
  const suffix = randomBytes(3).toString("hex");
  const primaryPort = await freePort(5454, 5456);
  const replicaPort = await freePort(5457, 5459);
  const primary = cluster(version, `sb12-primary-${suffix}`, primaryPort);
  const replica = cluster(version, `sb12-replica-${suffix}`, replicaPort);
  const drop = () => {
    replica.drop();
    primary.drop();
  };
  try {
    run("pg_createcluster", [version, primary.name, "-p", String(primaryPort), "--start-conf", "manual", "--", "--auth=trust"]);
    configure(version, primary.name, primaryPort);
    primary.start();
    await waitForPort(primaryPort);

    run("pg_createcluster", [version, replica.name, "-p", String(replicaPort), "--start-conf", "manual", "--", "--auth=trust"]);
    configure(version, replica.name, replicaPort);
    const dataDir = `/var/lib/postgresql/${version}/${replica.name}`;
    // Empty the new cluster's data directory (kept: it belongs to postgres) and fill it from the primary.
    for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
    run(
      "pg_basebackup",
      ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", dataDir, "-R", "-X", "stream", "-c", "fast"],
      { asPostgres: true },
    );
    replica.start();
    await waitForPort(replicaPort);
    return { primary, replica, drop };
  } catch (error) {
    drop();
    throw error;
  }
}
