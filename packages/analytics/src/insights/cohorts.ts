// Weekly signup cohorts (users.created_at, Monday UTC) and their weekly activity retention.
import { rows, sql, type Tx } from "@switchboard/db";
import { cohortsInput, type CohortsInput, type CohortsOutput } from "./schemas.ts";
import { utcDate } from "./suppress.ts";
import { publishChain, ratio } from "./disclosure.ts";
import type { InsightOptions } from "./options.ts";
import { lastWatermark, newEventsSql } from "./activity.ts";

export async function cohorts(tx: Tx, rawInput: CohortsInput, options: InsightOptions): Promise<CohortsOutput> {
  const input = cohortsInput.parse(rawInput);
  const k = options.k;
  const to = input.to ?? utcDate(0, options.now);
  const from = input.from ?? utcDate(-84, new Date(`${to}T00:00:00Z`));
  const weeks = input.weeks;

  const sizes = await rows<{ cohort_week: string; size: number }>(
    tx,
    sql`select to_char(wk, 'YYYY-MM-DD') as cohort_week, count(*)::int as size
        from (select date_trunc('week', u.created_at at time zone 'UTC') as wk from users u
              where u.created_at is not null) c
        where wk::date between ${from}::date and ${to}::date
        group by wk order by wk`,
  );
  // Week index k of an event: floor((occurred_at − cohort Monday 00:00 UTC) / 7 days), k < weeks; the
  // weeks start at 00:00 UTC, so this is the index of the event's UTC day (rollup granularity).
  const w = await lastWatermark(tx);
  // Per cohort user, a bitmask of the weeks with activity (weeks ≤ 52 fit a bigint): from the rollup
  // l1_user_cohort_weeks (one row per user, hash-joined; its mask keeps the first `weeks` bits), OR-ed
  // with the events newer than the last refresh; no distinct count over (user, day) rows. A user the
  // rollup has no row for, or another signup week (created_at changed since the refresh), is read from
  // l1_user_activity_days instead (the CASE runs that subquery only for them).
  const lastDay = sql`(${to}::date + 7 * ${weeks}::int)`;
  const retained = await rows<{ cohort_week: string; week: number; users: number }>(
    tx,
    sql`with c as materialized (
          select u.id, date_trunc('week', u.created_at at time zone 'UTC')::date as wk from users u
          where u.created_at is not null
            and date_trunc('week', u.created_at at time zone 'UTC')::date between ${from}::date and ${to}::date
        ), n as (${newEventsSql(
          w,
          sql`e.user_id, (e.occurred_at at time zone 'UTC')::date as day`,
          sql`e.occurred_at >= (${from}::date::timestamp at time zone 'UTC')
              and e.occurred_at < (${lastDay}::timestamp at time zone 'UTC')`,
        )}), per_user as (
          ${w ? sql`select c.id, c.wk,
                      case when r.cohort_week = c.wk then r.active_weeks & ((1::bigint << ${weeks}::int) - 1)
                           else (select bit_or(1::bigint << ((a.day - c.wk) / 7)) from l1_user_activity_days a
                                 where a.user_id = c.id and a.day >= c.wk and a.day < c.wk + 7 * ${weeks}::int) end as mask
                    from c left join l1_user_cohort_weeks r on r.user_id = c.id
                    union all ` : sql``}
          select c.id, c.wk, bit_or(1::bigint << ((n.day - c.wk) / 7)) as mask
          from c join n on n.user_id = c.id
          where n.day >= c.wk and n.day < c.wk + 7 * ${weeks}::int
          group by c.id, c.wk
        ), users_mask as (
          select wk, bit_or(mask) as mask from per_user group by id, wk
        )
        select to_char(p.wk, 'YYYY-MM-DD') as cohort_week, k.week, count(*)::int as users
        from users_mask p cross join generate_series(0, ${weeks}::int - 1) as k(week)
        where p.mask & (1::bigint << k.week) <> 0
        group by p.wk, k.week`,
  );
  const byCohort = new Map<string, number[]>();
  for (const r of retained) {
    const list = byCohort.get(r.cohort_week) ?? new Array<number>(weeks).fill(0);
    list[r.week] = r.users;
    byCohort.set(r.cohort_week, list);
  }
  return {
    k_anonymity: k,
    from,
    to,
    weeks,
    // Per cohort and week, (size, retained) is a nested pair: retained is published only when it and the
    // users not retained are both 0 or ≥ k (publishChain); a cohort below k shows nothing.
    cohorts: sizes.map(({ cohort_week, size }) => {
      const counts = byCohort.get(cohort_week) ?? new Array<number>(weeks).fill(0);
      const pairs = counts.map((n) => publishChain([size, n], k));
      const shownSize = publishChain([size], k)[0] ?? null;
      const retained = pairs.map((p) => p[1] ?? null);
      return { cohort_week, size: shownSize, retained, rates: retained.map((n) => ratio(n, shownSize)) };
    }),
  };
}
