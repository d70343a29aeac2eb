// Reconciliation of the auth.users -> public.users mirror. The sync trigger keeps them equal; this
// checks it (private.user_mirror_drift(), the same mapping the trigger applies) and can repair it.
import { sql } from "drizzle-orm";
import { rows, type Database, type Executor } from "./client.ts";

export type DriftProblem = "missing in public.users" | "orphan in public.users" | "values differ";

export interface DriftRow {
  user_id: string;
  problem: DriftProblem;
}

export interface DriftSummary {
  /** Rows in auth.users. */
  authUsers: number;
  /** Rows in public.users. */
  mirroredUsers: number;
  missing: number;
  orphaned: number;
  differing: number;
  /** At most `sampleSize` offending rows, for the report. */
  sample: DriftRow[];
}

export interface ReconcileResult {
  before: DriftSummary;
  /** Present when `fix` was asked: the drift left after repairing (zero unless something raced it). */
  after?: DriftSummary;
  /** Rows re-mirrored and orphans deleted by the fix. */
  remirrored: number;
  deletedOrphans: number;
}

export const driftCount = (s: DriftSummary) => s.missing + s.orphaned + s.differing;

/** Reads the drift between auth.users and public.users (owner connection or a transaction). */
export async function userMirrorDrift(executor: Executor, sampleSize = 20): Promise<DriftSummary> {
  const [counts] = await rows<{ auth_users: number; mirrored_users: number }>(
    executor,
    sql`select (select count(*) from auth.users)::int as auth_users, (select count(*) from public.users)::int as mirrored_users`,
  );
  const drift = await rows<DriftRow>(
    executor,
    sql`select user_id::text as user_id, problem from private.user_mirror_drift() order by problem, user_id`,
  );
  const by = (p: DriftProblem) => drift.filter((d) => d.problem === p).length;
  return {
    authUsers: counts!.auth_users,
    mirroredUsers: counts!.mirrored_users,
    missing: by("missing in public.users"),
    orphaned: by("orphan in public.users"),
    differing: by("values differ"),
    sample: drift.slice(0, sampleSize),
  };
}

/**
 * Reports drift; with `fix`, re-mirrors missing/differing users through private.mirror_user (which
 * never touches app-owned columns) and deletes orphans, in one transaction, then reports again.
 */
export async function reconcileUsers(database: Database, options: { fix?: boolean } = {}): Promise<ReconcileResult> {
  const before = await userMirrorDrift(database.db);
  if (!options.fix || driftCount(before) === 0) return { before, remirrored: 0, deletedOrphans: 0 };
  return database.db.transaction(async (tx) => {
    const remirrored = await rows<{ n: number }>(
      tx,
      sql`with fixed as (
            select private.mirror_user(u) from auth.users u
            where u.id in (select d.user_id from private.user_mirror_drift() d where d.problem <> 'orphan in public.users')
          ) select count(*)::int as n from fixed`,
    );
    const deleted = await rows<{ n: number }>(
      tx,
      sql`with gone as (
            delete from public.users p where not exists (select 1 from auth.users u where u.id = p.id) returning 1
          ) select count(*)::int as n from gone`,
    );
    const after = await userMirrorDrift(tx);
    return { before, after, remirrored: remirrored[0]!.n, deletedOrphans: deleted[0]!.n };
  });
}
