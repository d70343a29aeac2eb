// A private PostgreSQL cluster for fault tests: created with pg_createcluster on a port of its own
// (helper range 5440–5449), restarted and stopped at will, dropped at the end. The shared cluster
// on 5432 is never touched.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const PG_VERSION = "15";

/** Why private-cluster tests cannot run here, or null when they can. */
export function clusterUnavailableReason(): string | null {
  if (!existsSync("/usr/bin/pg_createcluster")) return "pg_createcluster is not installed (postgresql-common)";
  if (!existsSync(`/usr/lib/postgresql/${PG_VERSION}/bin/postgres`)) return `PostgreSQL ${PG_VERSION} server binaries are missing`;
  if (process.getuid?.() !== 0) return "creating a cluster needs root (pg_createcluster runs initdb as postgres)";
  return null;
}

/**
 * In CI (REQUIRE_FAULT_TESTS=1) a fault test that cannot run is an error, not a skip.
 * Returns true when the private-cluster tests must be skipped.
 */
export function skipFaultTests(): boolean {
  const reason = clusterUnavailableReason();
  if (reason && process.env.REQUIRE_FAULT_TESTS === "1") {
    throw new Error(`REQUIRE_FAULT_TESTS=1 but the fault tests cannot run: ${reason}`);
  }
  return reason !== null;
}

function run(cmd: string, args: string[]) {
  const result = spawnSync(cmd, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  return result.stdout;
}

export interface PrivateCluster {
  name: string;
  port: number;
  /** Superuser URL of the cluster's `postgres` database (trust auth on localhost). */
  url: string;
  start(): Promise<void>;
  /** Fast shutdown: sessions get 57P01 and their sockets close. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  isReady(): boolean;
  /** Stops and removes the cluster with its data directory. */
  drop(): void;
}

export async function createPrivateCluster(suffix: string, port: number): Promise<PrivateCluster> {
  const name = `sb9-${suffix}`;
  // A leftover from an interrupted run on the same name: remove it first.
  spawnSync("pg_dropcluster", [PG_VERSION, name, "--stop"], { encoding: "utf8" });
  run("pg_createcluster", [PG_VERSION, name, "-p", String(port), "--start-conf=manual", "--", "--auth=trust", "--no-sync"]);
  // Asynchronous on purpose: the test's own load clients keep running while the cluster restarts.
  const ctl = (action: string, ...extra: string[]) =>
    promisify(execFile)("pg_ctlcluster", ["--skip-systemctl-redirect", PG_VERSION, name, action, ...extra]);
  const isReady = () => spawnSync("pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-q"]).status === 0;
  const isReadyAsync = () =>
    promisify(execFile)("pg_isready", ["-h", "127.0.0.1", "-p", String(port), "-q"]).then(
      () => true,
      () => false,
    );
  const waitReady = async () => {
    for (let i = 0; i < 100 && !(await isReadyAsync()); i++) await sleep(100);
    if (!isReady()) throw new Error(`cluster ${name} did not come up`);
  };
  const cluster: PrivateCluster = {
    name,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await ctl("start");
      await waitReady();
    },
    async stop() {
      await ctl("stop", "-m", "fast");
    },
    async restart() {
      await ctl("restart", "-m", "fast");
      await waitReady();
    },
    isReady,
    drop() {
      try {
        execFileSync("pg_dropcluster", [PG_VERSION, name, "--stop"], { stdio: "ignore" });
      } catch {
        // already gone
      }
    },
  };
  await cluster.start();
  return cluster;
}
