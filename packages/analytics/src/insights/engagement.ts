// DAU / WAU / MAU per UTC day over a range (rolling 1, 7 and 30 days ending that day) and stickiness.
import { rows, sql, type Tx } from "@switchboard/db";
import { engagementInput, type EngagementInput, type EngagementOutput } from "./schemas.ts";
import { suppress, suppressedRate, utcDate } from "./suppress.ts";
import type { InsightOptions } from "./options.ts";

export async function engagement(tx: Tx, rawInput: EngagementInput, options: InsightOptions): Promise<EngagementOutput> {
  const input = engagementInput.parse(rawInput);
  const k = options.k;
  const to = input.to ?? utcDate(0, options.now);
  const from = input.from ?? utcDate(-29, new Date(`${to}T00:00:00Z`));
  const days = await rows<{ date: string; dau: number; wau: number; mau: number }>(
    tx,
    sql`with days as (
          select d::date as day from generate_series(${from}::date, ${to}::date, interval '1 day') as d
        ), act as (
          select distinct e.user_id, (e.occurred_at at time zone 'UTC')::date as day
          from l1_event_facts e
          where e.user_id is not null
            and e.occurred_at >= ((${from}::date - 29)::timestamp at time zone 'UTC')
            and e.occurred_at < ((${to}::date + 1)::timestamp at time zone 'UTC')
        )
        select to_char(days.day, 'YYYY-MM-DD') as date,
               count(distinct act.user_id) filter (where act.day = days.day)::int as dau,
               count(distinct act.user_id) filter (where act.day > days.day - 7)::int as wau,
               count(distinct act.user_id)::int as mau
        from days left join act on act.day > days.day - 30 and act.day <= days.day
        group by days.day order by days.day`,
  );
  const sumDau = days.reduce((s, d) => s + d.dau, 0);
  const sumMau = days.reduce((s, d) => s + d.mau, 0);
  const avgDau = days.length ? sumDau / days.length : 0;
  const avgMau = days.length ? sumMau / days.length : 0;
  const hidden = avgMau > 0 && avgMau < k;
  return {
    k_anonymity: k,
    from,
    to,
    days: days.map((d) => ({
      date: d.date,
      dau: suppress(d.dau, k),
      wau: suppress(d.wau, k),
      mau: suppress(d.mau, k),
      stickiness: suppressedRate(d.dau, d.mau, k),
    })),
    summary: hidden
      ? { avg_dau: null, avg_mau: null, stickiness: null }
      : { avg_dau: avgDau, avg_mau: avgMau, stickiness: sumMau > 0 ? sumDau / sumMau : null },
  };
}
