// Weekly signup cohorts (users.created_at, Monday UTC) and their weekly activity retention.
import { rows, sql, type Tx } from "@switchboard/db";
import { cohortsInput, type CohortsInput, type CohortsOutput } from "./schemas.ts";
import { suppress, suppressedRate, utcDate } from "./suppress.ts";
import type { InsightOptions } from "./options.ts";

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
  // Week index k of an event: floor((occurred_at − cohort Monday 00:00 UTC) / 7 days), k < weeks.
  const retained = await rows<{ cohort_week: string; week: number; users: number }>(
    tx,
    sql`with c as (
          select u.id, date_trunc('week', u.created_at at time zone 'UTC') as wk from users u
          where u.created_at is not null
            and date_trunc('week', u.created_at at time zone 'UTC')::date between ${from}::date and ${to}::date
        )
        select to_char(c.wk, 'YYYY-MM-DD') as cohort_week,
               floor(extract(epoch from ((e.occurred_at at time zone 'UTC') - c.wk)) / 604800)::int as week,
               count(distinct c.id)::int as users
        from c join l1_event_facts e on e.user_id = c.id
        where e.occurred_at >= (c.wk at time zone 'UTC')
          and e.occurred_at < ((c.wk + make_interval(days => 7 * ${weeks}::int)) at time zone 'UTC')
        group by 1, 2`,
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
    cohorts: sizes.map(({ cohort_week, size }) => {
      const counts = byCohort.get(cohort_week) ?? new Array<number>(weeks).fill(0);
      if (suppress(size, k) === null) {
        return { cohort_week, size: null, retained: counts.map(() => null), rates: counts.map(() => null) };
      }
      return {
        cohort_week,
        size,
        retained: counts.map((n) => suppress(n, k)),
        rates: counts.map((n) => suppressedRate(n, size, k)),
      };
    }),
  };
}
