// Partition maintenance for l1_event_facts (range-partitioned by month, migration 0005): monthly
// partitions are created ahead of time, rows parked in the default partition move into their month,
// and with a retention the months older than it are dropped whole (no row-by-row delete, no bloat).
// Runs in its own short transaction before each facts refresh, so the refresh itself holds no DDL locks.
import { z } from "zod";
import { asFactsPipeline, rows, sql, type Database } from "@switchboard/db";

export interface PartitionOptions {
  /** Months after the current one to create now (default 2). */
  monthsAhead?: number;
  /** Keep the current month and this many before it; older partitions are dropped. 0 or unset: keep all. */
  retentionMonths?: number;
  /** Reference time (tests pin it); default: the database clock. */
  now?: Date;
}

export interface PartitionResult {
  created: number;
  dropped: number;
}

/** EVENT_FACTS_RETENTION_MONTHS: 0 (default) keeps every event. */
export function retentionMonthsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return z.coerce.number().int().min(0).max(1200).default(0).parse(env.EVENT_FACTS_RETENTION_MONTHS || undefined);
}

export async function maintainEventPartitions(database: Database, options: PartitionOptions = {}): Promise<PartitionResult> {
  const ahead = options.monthsAhead ?? 2;
  const keep = options.retentionMonths ?? 0;
  const now = options.now ? options.now.toISOString() : null;
  return asFactsPipeline(database, async (tx) => {
    const [result] = await rows<PartitionResult>(
      tx,
      sql`select private.ensure_event_partitions(${ahead}::int) as created,
                 case when ${keep}::int > 0
                      then private.drop_event_partitions_before(
                        (date_trunc('month', coalesce(${now}::timestamptz, now()) at time zone 'UTC')
                          - make_interval(months => ${keep}::int)) at time zone 'UTC')
                      else 0 end as dropped`,
    );
    return result!;
  });
}
