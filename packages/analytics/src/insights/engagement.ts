// DAU / WAU / MAU per UTC day over a range (rolling 1, 7 and 30 days ending that day) and stickiness.
import { rows, sql, type Tx } from "@switchboard/db";
import { engagementInput, type EngagementInput, type EngagementOutput } from "./schemas.ts";
import { suppress, suppressedRate, utcDate } from "./suppress.ts";
import type { InsightOptions } from "./options.ts";
import { activityDaysSql, lastWatermark } from "./activity.ts";

export async function engagement(tx: Tx, rawInput: EngagementInput, options: InsightOptions): Promise<EngagementOutput> {
  const input = engagementInput.parse(rawInput);
  const k = options.k;
  const to = input.to ?? utcDate(0, options.now);
  const from = input.from ?? utcDate(-29, new Date(`${to}T00:00:00Z`));
  const w = await lastWatermark(tx);
  // In-memory sort and hash for the ~200k (user, day) rows of a 30-day range at bench scale (default 4MB spills).
  await tx.execute(sql`set local work_mem = '64MB'`);
  // Each (user, active day a) covers the days d in [a, min(next active day, a + N)) for a rolling
  // N-day window (N = 1, 7, 30): disjoint per user, so DAU/WAU/MAU are running sums of +1/−1 steps
  // (no distinct count per day). A duplicate (user, day) row covers nothing, so rollup rows and new
  // events may overlap.
  const days = await rows<{ date: string; dau: number; wau: number; mau: number }>(
    tx,
    sql`with act as (
          ${activityDaysSql(w, sql`(${from}::date - 29)`, sql`${to}::date`, true)}
        ), seq as (
          select day, lead(day) over (partition by user_id order by day) as nxt from act
        ), per_day as (
          select s.d, sum(s.dau) as dau, sum(s.wau) as wau, sum(s.mau) as mau
          from seq cross join lateral (values
            (seq.day, 1, 1, 1),
            (least(coalesce(seq.nxt, seq.day + 1), seq.day + 1), -1, 0, 0),
            (least(coalesce(seq.nxt, seq.day + 7), seq.day + 7), 0, -1, 0),
            (least(coalesce(seq.nxt, seq.day + 30), seq.day + 30), 0, 0, -1)) as s(d, dau, wau, mau)
          where s.d <= ${to}::date
          group by s.d
        ), running as (
          select g.d::date as day,
                 sum(coalesce(p.dau, 0)) over w as dau, sum(coalesce(p.wau, 0)) over w as wau,
                 sum(coalesce(p.mau, 0)) over w as mau
          from generate_series(${from}::date - 29, ${to}::date, interval '1 day') as g(d)
          left join per_day p on p.d = g.d::date
          window w as (order by g.d)
        )
        select to_char(day, 'YYYY-MM-DD') as date, dau::int as dau, wau::int as wau, mau::int as mau
        from running where day >= ${from}::date order by day`,
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
