// The analytics token key: HMAC-SHA-256 key for tokenized ids. It lives in Node only (env or a file
// beside the embedded database) and is never sent to the database.
import { createHmac, randomBytes, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const MIN_TOKEN_KEY_BYTES = 32;

/** Where the embedded database's generated key is kept: <repo>/.data/analytics-token-key. */
export const defaultTokenKeyFile = fileURLToPath(new URL("../../../.data/analytics-token-key", import.meta.url));

export interface LoadTokenKeyOptions {
  env?: NodeJS.ProcessEnv;
  /** True when the server runs on the embedded PGlite store (DATABASE_URL unset). */
  embedded?: boolean;
  keyFile?: string;
}

/** Validates a key given as text: its UTF-8 bytes are the key (e.g. `openssl rand -hex 32`). */
export function parseTokenKey(text: string): Uint8Array {
  const key = Buffer.from(text.trim(), "utf8");
  if (key.length < MIN_TOKEN_KEY_BYTES) {
    throw new Error(`ANALYTICS_TOKEN_KEY must be at least ${MIN_TOKEN_KEY_BYTES} bytes (got ${key.length})`);
  }
  return new Uint8Array(key);
}

/**
 * ANALYTICS_TOKEN_KEY from the environment; otherwise, for the embedded database or outside
 * production, a key generated once and persisted (mode 0600) in keyFile. Production without the env
 * variable is an error: a silently generated key would change every token on the next host.
 */
export function loadTokenKey(options: LoadTokenKeyOptions = {}): Uint8Array {
  const env = options.env ?? process.env;
  const fromEnv = env.ANALYTICS_TOKEN_KEY;
  if (fromEnv && fromEnv.trim() !== "") return parseTokenKey(fromEnv);
  const embedded = options.embedded ?? !env.DATABASE_URL;
  if (!embedded && env.NODE_ENV === "production") {
    throw new Error("ANALYTICS_TOKEN_KEY is required in production (at least 32 bytes, e.g. `openssl rand -hex 32`)");
  }
  const file = options.keyFile ?? defaultTokenKeyFile;
  if (existsSync(file)) return parseTokenKey(readFileSync(file, "utf8"));
  mkdirSync(dirname(file), { recursive: true });
  const generated = randomBytes(32).toString("hex");
  // wx: two processes starting together must not overwrite each other's key.
  try {
    writeFileSync(file, `${generated}\n`, { flag: "wx", mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return parseTokenKey(readFileSync(file, "utf8"));
}

/** tokenized_user_id: hex HMAC-SHA-256 of the user id (lower-case uuid text). */
export function tokenizeUserId(key: Uint8Array, userId: string): string {
  return createHmac("sha256", key).update(userId.toLowerCase()).digest("hex");
}

/** l1_transaction_facts.fact_id: HMAC of the transaction id, domain-separated from user tokens. */
export function transactionFactId(key: Uint8Array | KeyObject, transactionId: string): string {
  return createHmac("sha256", key).update(`transaction:${transactionId.toLowerCase()}`).digest("hex");
}
