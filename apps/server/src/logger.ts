// pino, JSON lines; pretty-printed only when a human is watching a terminal.
import pino, { type Logger } from "pino";

export function createLogger(level: string, opts: { pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? process.stdout.isTTY;
  return pino({
    level,
    base: undefined,
    ...(pretty && { transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } }),
  });
}
