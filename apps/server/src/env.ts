// The only module that reads process.env: validated once with zod, turned into the server's config.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { loadTokenKey } from "@switchboard/analytics";
import { databaseEnv, defaultDbTimeouts, type DbTimeouts } from "@switchboard/db";
import { defaultServerLimits, type ServerLimits } from "./server.ts";
import { defaultMailSettings, type ApiConfig, type MailSettings } from "@switchboard/api";

/** <repo>/.data/dev-secrets.json: the JWT secret generated once for development (.data is git-ignored). */
export const defaultDevSecretsFile = fileURLToPath(new URL("../../../.data/dev-secrets.json", import.meta.url));
/** The built web app, served at / when present. */
export const defaultWebDistDir = fileURLToPath(new URL("../../web/dist", import.meta.url));

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .transform((v) => v === "1" || v === "true");
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

const Env = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // 127.0.0.1 keeps a dev server off the network; say 0.0.0.0 inside a container.
    HOST: z.string().min(1).default("127.0.0.1"),
    JWT_SECRET: optionalString.pipe(z.string().min(32, "JWT_SECRET must be at least 32 characters").optional()),
    // Access tokens are short-lived; the refresh token keeps the session (5 s is for browser tests).
    JWT_TTL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(900),
    // A spent refresh token still answers its unchanged child for this long (a lost answer's retry); 0: never.
    REFRESH_TOKEN_REUSE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
    // Reverse proxies in front of the server whose X-Forwarded-For is believed (hop count, as Express's
    // `trust proxy`); 0: the socket address, the header is ignored.
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    DEMO_DATA: flag.default(true),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ANALYTICS_TOKEN_KEY: optionalString.pipe(
      z
        .string()
        .refine((v) => Buffer.byteLength(v) >= 32, "ANALYTICS_TOKEN_KEY must be at least 32 bytes")
        .optional(),
    ),
    K_ANONYMITY: z.coerce.number().int().min(1).max(1000).default(5),
    FACTS_REFRESH_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(0),
    // Months of l1_event_facts kept besides the current one (whole monthly partitions dropped); 0 keeps all.
    EVENT_FACTS_RETENTION_MONTHS: z.coerce.number().int().min(0).max(1200).default(0),
    // Operators who migrate with a separate owner role (the server's login role owns nothing) say 0.
    MIGRATE_ON_START: flag.default(true),
    // 0: API only, no web build on start and no SPA (fault tests, API-only deployments).
    SERVE_WEB: flag.default(true),
    // Reliability (docs/operations.md): database session timeouts, request deadline, drain deadline, limits.
    DB_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(defaultDbTimeouts.connectSeconds),
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(defaultDbTimeouts.statementMs),
    DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(defaultDbTimeouts.lockMs),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(defaultDbTimeouts.idleInTransactionMs),
    REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(defaultServerLimits.requestTimeoutMs / 1000),
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(3600).default(10),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(defaultServerLimits.maxBodyBytes),
    HEAVY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(defaultServerLimits.heavyConcurrency),
    // Where users reach the web app: links in mail (invitations, password reset). Unset: the listen URL.
    PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/, message: "PUBLIC_URL must be an http(s) URL" }).optional()),
    // smtp://user:pass@host:587 or smtps://…:465. Unset: no mail is sent; invite links are shown to the
    // inviter and every mail (with its link) is written to the log instead.
    SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/, message: "SMTP_URL must be smtp://… or smtps://…" }).optional()),
    MAIL_FROM: z.string().min(3).default("Switchboard <no-reply@switchboard.invalid>"),
    INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(168),
    INVITATIONS_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
    // Retention (run by the mail worker, hourly, in batches): days done mail and answered, revoked or
    // expired invitations are kept; 0 keeps them forever.
    MAIL_OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
    INVITATION_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    for (const key of ["JWT_SECRET", "ANALYTICS_TOKEN_KEY"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: `${key} is required when NODE_ENV=production` });
    }
  });

export interface AppConfig {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  /** DATABASE_URL, PGLITE_DIR, DATABASE_PREPARE (see @switchboard/db databaseEnv). */
  database: ReturnType<typeof databaseEnv>;
  logLevel: string;
  demoData: boolean;
  migrateOnStart: boolean;
  serveWeb: boolean;
  dbTimeouts: DbTimeouts;
  limits: ServerLimits;
  /** TRUST_PROXY: X-Forwarded-For hops believed for the client address (0: socket address). */
  trustProxy: number;
  shutdownTimeoutMs: number;
  factsRefreshIntervalMs: number;
  eventRetentionMonths: number;
  /** MAIL_OUTBOX_RETENTION_DAYS, INVITATION_RETENTION_DAYS (0: kept forever). */
  retention: { outboxDays: number; invitationDays: number };
  /** Mail transport; null without SMTP_URL (mail goes to the log). */
  smtp: { url: string; from: string } | null;
  /** PUBLIC_URL as given; main.ts falls back to the listen URL. */
  publicUrl: string | undefined;
  api: ApiConfig & { mail: MailSettings };
  /** Where the secrets came from, for the startup log (never the secrets themselves). */
  secretsSource: "environment" | "generated-dev-files";
}

interface DevSecrets {
  jwt_secret: string;
}

/** Reads (or creates once) the development secrets file, so sessions survive restarts without a hard-coded key. */
function devSecrets(file: string): DevSecrets {
  if (existsSync(file)) {
    const parsed = z.object({ jwt_secret: z.string().min(32) }).safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) return parsed.data;
  }
  const secrets: DevSecrets = { jwt_secret: randomBytes(48).toString("base64url") };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  return secrets;
}

export class EnvError extends Error {
  override name = "EnvError";
}

/** Validates the environment; throws EnvError naming every bad variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: { devSecretsFile?: string; tokenKeyFile?: string } = {},
): AppConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const database = databaseEnv(env);
  const jwtSecret = e.JWT_SECRET ?? devSecrets(opts.devSecretsFile ?? defaultDevSecretsFile).jwt_secret;
  // The analytics package owns the key file, so the server and `npm run facts:refresh` share one key.
  const analyticsTokenKey = loadTokenKey({ env, embedded: !database.url, keyFile: opts.tokenKeyFile });
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database,
    logLevel: e.LOG_LEVEL,
    demoData: e.DEMO_DATA,
    migrateOnStart: e.MIGRATE_ON_START,
    serveWeb: e.SERVE_WEB,
    dbTimeouts: {
      connectSeconds: e.DB_CONNECT_TIMEOUT_SECONDS,
      statementMs: e.DB_STATEMENT_TIMEOUT_MS,
      lockMs: e.DB_LOCK_TIMEOUT_MS,
      idleInTransactionMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    limits: {
      ...defaultServerLimits,
      requestTimeoutMs: e.REQUEST_TIMEOUT_SECONDS * 1000,
      maxBodyBytes: e.MAX_BODY_BYTES,
      heavyConcurrency: e.HEAVY_CONCURRENCY,
    },
    trustProxy: e.TRUST_PROXY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    factsRefreshIntervalMs: e.FACTS_REFRESH_INTERVAL_SECONDS * 1000,
    smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.MAIL_FROM } : null,
    publicUrl: e.PUBLIC_URL,
    eventRetentionMonths: e.EVENT_FACTS_RETENTION_MONTHS,
    retention: { outboxDays: e.MAIL_OUTBOX_RETENTION_DAYS, invitationDays: e.INVITATION_RETENTION_DAYS },
    api: {
      jwt: { secret: new TextEncoder().encode(jwtSecret), ttlSeconds: e.JWT_TTL_SECONDS },
      refreshTokenReuseIntervalSeconds: e.REFRESH_TOKEN_REUSE_INTERVAL_SECONDS,
      kAnonymity: e.K_ANONYMITY,
      analyticsTokenKey,
      mail: {
        ...defaultMailSettings,
        publicUrl: e.PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" || e.HOST === "::" ? "localhost" : e.HOST}:${e.PORT}`,
        smtp: Boolean(e.SMTP_URL),
        invitationTtlSeconds: e.INVITATION_TTL_HOURS * 3600,
        invitationsPerHour: e.INVITATIONS_PER_HOUR,
      },
    },
    secretsSource: e.JWT_SECRET && e.ANALYTICS_TOKEN_KEY ? "environment" : "generated-dev-files",
  };
}
