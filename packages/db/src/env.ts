// Database settings, read once. DATABASE_URL unset means the embedded PGlite store.
import { fileURLToPath } from "node:url";
import { z } from "zod";

const Env = z.object({
  DATABASE_URL: z.string().url().optional().or(z.literal("").transform(() => undefined)),
  PGLITE_DIR: z.string().optional(),
  // false behind a transaction-mode pooler (PgBouncer < 1.21); `?pgbouncer=true` in the URL does the same.
  DATABASE_PREPARE: z.enum(["0", "1", "true", "false", ""]).optional(),
  // Hot standbys for read-only work, comma-separated postgres:// URLs.
  READ_DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(",").map((u) => u.trim()).filter(Boolean) : []))
    .pipe(z.array(z.string().url())),
});

/** Where `npm start` keeps the embedded database: <repo>/.data/pglite unless PGLITE_DIR says otherwise. */
export const defaultPgliteDir = fileURLToPath(new URL("../../../.data/pglite", import.meta.url));

export function databaseEnv(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.parse(env);
  const prepare = parsed.DATABASE_PREPARE ? parsed.DATABASE_PREPARE === "1" || parsed.DATABASE_PREPARE === "true" : undefined;
  const readUrls = parsed.DATABASE_URL ? parsed.READ_DATABASE_URL : [];
  return { url: parsed.DATABASE_URL, dataDir: parsed.PGLITE_DIR ?? defaultPgliteDir, prepare, readUrls };
}
