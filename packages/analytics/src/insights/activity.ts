// Activity as insights read it: the rollups written by the last facts refresh, plus the raw events after
// that refresh's watermark (so answers stay live between refreshes and match l1_event_facts exactly).
import { rows, sql, type Tx } from "@switchboard/db";
import type { SQL } from "drizzle-orm";

export interface Watermark {
  eventId: number;
  at: string;
}

/** The watermark of the last finished refresh; null before the first one (then every event is "new"). */
export async function lastWatermark(tx: Tx): Promise<Watermark | null> {
  const [last] = await rows<{ at: string; event_id: number | null }>(
    tx,
    sql`select watermark::text as at, event_id_watermark::float8 as event_id
        from analytics_refresh_log where finished_at is not null and watermark is not null
        order by id desc limit 1`,
  );
  return last ? { eventId: last.event_id ?? 0, at: last.at } : null;
}

/**
 * Events (alias e) not yet in the rollups, as a WHERE condition. Same rule as the incremental refresh:
 * a higher id than the watermark's, or occurred within 10 minutes before it (late commits). Each branch
 * can use its own index (primary key, occurred_at). Rows are distinct.
 */
export function newEventsSql(w: Watermark | null, columns: SQL, extra: SQL): SQL {
  if (!w) return sql`select distinct ${columns} from l1_event_facts e where e.user_id is not null and ${extra}`;
  return sql`select ${columns} from l1_event_facts e where e.user_id is not null and e.id > ${w.eventId} and ${extra}
    union
    select ${columns} from l1_event_facts e
    where e.user_id is not null and e.occurred_at > ${w.at}::timestamptz - interval '10 minutes' and ${extra}`;
}

/** Distinct (user_id, day) with activity on UTC days in [fromDay, toDay], rollup ∪ new events. */
export function activityDaysSql(w: Watermark | null, fromDay: SQL, toDay: SQL): SQL {
  const rolled = w
    ? sql`select a.user_id, a.day from l1_user_activity_days a where a.day between ${fromDay} and ${toDay}
          union `
    : sql``;
  return sql`${rolled}${newEventsSql(
    w,
    sql`e.user_id, (e.occurred_at at time zone 'UTC')::date as day`,
    sql`e.occurred_at >= (${fromDay}::timestamp at time zone 'UTC') and e.occurred_at < ((${toDay} + 1)::timestamp at time zone 'UTC')`,
  )}`;
}
