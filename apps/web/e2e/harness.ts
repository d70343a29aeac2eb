import { randomBytes } from "node:crypto";
// Browser-test harness: finds Debian's Chromium, starts the REAL server (`tsx apps/server/src/main.ts`,
// the same entry as `npm start`) on a free port with a fresh embedded PGlite database and demo data.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const webRoot = fileURLToPath(new URL("..", import.meta.url));
export const repoRoot = join(webRoot, "..", "..");
export const artifactsDir = join(webRoot, "artifacts");

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export const SKIP_MESSAGE = "browser tests SKIPPED: install Debian chromium (apt-get install chromium) or set CHROMIUM_PATH";

export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

export function browserRequired(): boolean {
  return process.env.REQUIRE_BROWSER_TESTS === "1";
}

export function ensureArtifactsDir(): string {
  mkdirSync(artifactsDir, { recursive: true });
  return artifactsDir;
}

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Spawns the server and resolves with its URL once it prints "Switchboard is running at …". */
/** `env` overrides the server's environment (e.g. a 5 s JWT_TTL_SECONDS to exercise refresh). */
export async function startServer(opts: { env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "switchboard-e2e-"));
  const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    PGLITE_DIR: join(dataDir, "pglite"),
    DEMO_DATA: "1",
    LOG_LEVEL: "warn",
    // Fresh per run: the server requires both to be set when not generating its own dev files.
    JWT_SECRET: randomBytes(32).toString("hex"),
    ANALYTICS_TOKEN_KEY: randomBytes(32).toString("hex"),
    MIGRATE_ON_START: "1",
    ...opts.env,
  };
  // The browser tests always use the embedded database, whatever the caller's DATABASE_URL.
  delete env.DATABASE_URL;
  const child: ChildProcess = spawn(tsx, [join(repoRoot, "apps/server/src/main.ts")], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 150 s:\n${output}`)), 150_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/running at (http:\/\/[^\s]+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with code ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
