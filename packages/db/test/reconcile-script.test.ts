// postgres only: `npm run db:reconcile [-- --fix]` as an operator runs it, in a child process.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { freshPostgres } from "./harness.ts";

const run = promisify(execFile);
const url = process.env.DATABASE_URL;
const packageDir = fileURLToPath(new URL("..", import.meta.url));

async function reconcile(databaseUrl: string, ...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/reconcile.ts", ...args], {
      cwd: packageDir,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: `${e.stdout}${e.stderr}` };
  }
}

describe.skipIf(!url)("db:reconcile script [postgres]", () => {
  it("exits 1 on drift, repairs it with --fix, then reports no drift", async () => {
    const fresh = await freshPostgres(url!);
    try {
      const db = fresh.database.db;
      await db.execute(sql`insert into auth.users (email) values ('kept@example.com')`);
      // Replica mode skips the sync trigger: a user the mirror never saw.
      await db.transaction(async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`insert into auth.users (email) values ('unmirrored@example.com')`);
      });
      const report = await reconcile(fresh.url);
      expect(report.code).toBe(1);
      expect(report.stdout).toMatch(/auth\.users 2, public\.users 1; missing 1, orphaned 0, differing 0/);
      expect(report.stdout).toMatch(/missing in public\.users/);

      const fixed = await reconcile(fresh.url, "--fix");
      expect(fixed.stdout).toMatch(/re-mirrored 1, deleted 0 orphans/);
      expect(fixed.code).toBe(0);

      const clean = await reconcile(fresh.url);
      expect(clean).toMatchObject({ code: 0 });
      expect(clean.stdout).toMatch(/no drift/);
    } finally {
      await fresh.cleanup();
    }
  });
});
