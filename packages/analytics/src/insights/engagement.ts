// DAU / WAU / MAU per UTC day over a range (rolling 1, 7 and 30 days ending that day) and stickiness.
import { rows, sql, type Tx } from "@switchboard/db";
import { engagementInput, type EngagementInput, type EngagementOutput } from "./schemas.ts";
import { utcDate } from "./suppress.ts";
import { publishChain, ratio } from "./disclosure.ts";
import type { InsightOptions } from "./options.ts";
import { activityDaysSql, lastWatermark, newEventsSql } from "./activity.ts";

export async function engagement(tx: Tx, rawInput: EngagementInput, options: InsightOptions): Promise<EngagementOutput> {
  const input = engagementInput.parse(rawInput);
  const k = options.k;
  const to = input.to ?? utcDate(0, options.now);
  const from = input.from ?? utcDate(-29, new Date(`${to}T00:00:00Z`));
  const w = await lastWatermark(tx);
  type Day = { date: string; dau: number; wau: number; mau: number };
  // Exact for every day: the counts the last refresh stored (l1_activity_daily, from the rollup; no row
  // = nobody active) plus the users active in the window only through events newer than that refresh
  // (few: checked against the rollup one by one). Before any refresh, everything is counted live.
  const days = w
    ? await rows<Day>(
        tx,
        sql`with days as (
              select d::date as day from generate_series(${from}::date, ${to}::date, interval '1 day') as d
            ), nd as (
              select distinct n.user_id, n.day from (${newEventsSql(
                w,
                sql`e.user_id, (e.occurred_at at time zone 'UTC')::date as day`,
                sql`e.occurred_at >= ((${from}::date - 29)::timestamp at time zone 'UTC')
                    and e.occurred_at < ((${to}::date + 1)::timestamp at time zone 'UTC')`,
              )}) n
            ), cand as (
              select days.day as d, nd.user_id, bool_or(nd.day = days.day) as in1, bool_or(nd.day > days.day - 7) as in7
              from days join nd on nd.day > days.day - 30 and nd.day <= days.day
              group by days.day, nd.user_id
            ), added as (
              select c.d,
                     count(*) filter (where c.in1 and not exists (select 1 from l1_user_activity_days a
                       where a.user_id = c.user_id and a.day = c.d)) as dau,
                     count(*) filter (where c.in7 and not exists (select 1 from l1_user_activity_days a
                       where a.user_id = c.user_id and a.day > c.d - 7 and a.day <= c.d)) as wau,
                     count(*) filter (where not exists (select 1 from l1_user_activity_days a
                       where a.user_id = c.user_id and a.day > c.d - 30 and a.day <= c.d)) as mau
              from cand c group by c.d
            )
            select to_char(days.day, 'YYYY-MM-DD') as date,
                   (coalesce(s.dau, 0) + coalesce(n.dau, 0))::int as dau,
                   (coalesce(s.wau, 0) + coalesce(n.wau, 0))::int as wau,
                   (coalesce(s.mau, 0) + coalesce(n.mau, 0))::int as mau
            from days left join l1_activity_daily s on s.day = days.day left join added n on n.d = days.day
            order by days.day`,
      )
    : await rows<Day>(
        tx,
        sql`with days as (
              select d::date as day from generate_series(${from}::date, ${to}::date, interval '1 day') as d
            ), act as (
              ${activityDaysSql(w, sql`(${from}::date - 29)`, sql`${to}::date`)}
            )
            select to_char(days.day, 'YYYY-MM-DD') as date,
                   count(distinct act.user_id) filter (where act.day = days.day)::int as dau,
                   count(distinct act.user_id) filter (where act.day > days.day - 7)::int as wau,
                   count(distinct act.user_id)::int as mau
            from days left join act on act.day > days.day - 30 and act.day <= days.day
            group by days.day order by days.day`,
      );
  // MAU ⊇ WAU ⊇ DAU of a day are nested: published as a chain (no two differ by 1..k−1). Each day's
  // numbers depend on that day only, so ranges need no snapping. The summary is computed from the
  // published numbers only: it tells nothing the days do not already tell.
  const shown = days.map((d) => {
    const [mau = null, wau = null, dau = null] = publishChain([d.mau, d.wau, d.dau], k);
    return { date: d.date, dau, wau, mau, stickiness: ratio(dau, mau) };
  });
  const mean = (values: (number | null)[]) => {
    const present = values.filter((v): v is number => v !== null);
    return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
  };
  const both = shown.filter((d) => d.dau !== null && d.mau !== null);
  const sumMau = both.reduce((s, d) => s + d.mau!, 0);
  return {
    k_anonymity: k,
    from,
    to,
    days: shown,
    summary: {
      avg_dau: mean(shown.map((d) => d.dau)),
      avg_mau: mean(shown.map((d) => d.mau)),
      stickiness: sumMau > 0 ? both.reduce((s, d) => s + d.dau!, 0) / sumMau : null,
    },
  };
}

