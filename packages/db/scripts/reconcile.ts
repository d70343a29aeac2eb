// npm run db:reconcile [-- --fix] — reports drift between auth.users and public.users of DATABASE_URL
// (or the embedded store); exits 1 on drift unless --fix repaired it.
import { createDb, databaseEnv, driftCount, reconcileUsers, rows, sql, type DriftSummary } from "../src/index.ts";

const fix = process.argv.slice(2).includes("--fix");
const { url, dataDir } = databaseEnv();
const database = createDb({ url, dataDir, max: 1 });

function describe(label: string, s: DriftSummary) {
  console.log(
    `${label}: auth.users ${s.authUsers}, public.users ${s.mirroredUsers}; ` +
      `missing ${s.missing}, orphaned ${s.orphaned}, differing ${s.differing}`,
  );
  for (const d of s.sample) console.log(`  ${d.user_id}  ${d.problem}`);
}

let exitCode = 0;
try {
  const [ready] = await rows<{ ok: boolean }>(
    database.db,
    sql`select to_regprocedure('private.user_mirror_drift()') is not null as ok`,
  );
  if (!ready?.ok) throw new Error(`${database.label} is not migrated: run npm run db:migrate first`);
  const result = await reconcileUsers(database, { fix });
  describe(`drift in ${database.label}`, result.before);
  if (result.after) {
    console.log(`fixed: re-mirrored ${result.remirrored}, deleted ${result.deletedOrphans} orphans`);
    describe("after fix", result.after);
  }
  const remaining = driftCount(result.after ?? result.before);
  if (remaining > 0) {
    exitCode = 1;
    if (!fix) console.log("drift found: run `npm run db:reconcile -- --fix` to repair it");
  } else {
    console.log("no drift");
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 2;
} finally {
  await database.close();
}
process.exit(exitCode);
