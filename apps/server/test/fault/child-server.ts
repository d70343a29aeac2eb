// The real server (src/main.ts) as a child process, so a driver crash is seen as what it is: the
// process exiting. Its stdout/stderr lines are kept for assertions and for the failure message.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const mainTs = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

export interface ChildServer {
  url: string;
  process: ChildProcess;
  /** stdout + stderr lines so far. */
  output: string[];
  exited: () => boolean;
  /** SIGTERM, then the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--import", "tsx", mainTs], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      DEMO_DATA: "0",
      SERVE_WEB: "0",
      LOG_LEVEL: "info",
      JWT_SECRET: randomBytes(32).toString("hex"),
      ANALYTICS_TOKEN_KEY: randomBytes(32).toString("hex"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  let exitInfo: number | string | null | undefined;
  const exited = new Promise<number | string | null>((resolve) =>
    child.once("exit", (code, signal) => {
      exitInfo = code ?? signal;
      resolve(exitInfo);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        output.push(line);
        const match = line.match(/Switchboard is running at (http:\/\/\S+)/);
        if (match?.[1]) resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${output.join("\n")}`)));
  });
  return {
    url,
    process: child,
    output,
    exited: () => exitInfo !== undefined,
    async stop(signal = "SIGTERM") {
      if (exitInfo === undefined) child.kill(signal);
      return exited;
    },
  };
}
