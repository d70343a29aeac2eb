// SQL for the generalizations and the derived metrics (see docs/analytics.md for the definitions).
// Shared by the refresh; tests re-derive every value independently in TypeScript.
import { sql } from "@switchboard/db";
import type { SQL } from "drizzle-orm";

export const userSegments = ["new", "active", "power", "at_risk", "dormant"] as const;
export type UserSegment = (typeof userSegments)[number];

/** Generalized age at the reference date: 18-24 … 65+; under 18 or no birth date: unknown. */
export function ageRangeSql(birthDate: SQL, refDate: SQL): SQL {
  return sql`case
    when ${birthDate} is null then 'unknown'
    else (select case
      when a < 18 then 'unknown' when a < 25 then '18-24' when a < 35 then '25-34' when a < 45 then '35-44'
      when a < 55 then '45-54' when a < 65 then '55-64' else '65+' end
      from (select extract(year from age(${refDate}, ${birthDate}))::int as a) as age_years)
  end`;
}

export function provinceRegionSql(province: SQL): SQL {
  return sql`case
    when ${province} in ('NL','PE','NS','NB') then 'Atlantic'
    when ${province} in ('QC','ON') then 'Central'
    when ${province} in ('MB','SK','AB') then 'Prairies'
    when ${province} = 'BC' then 'West Coast'
    when ${province} in ('YT','NT','NU') then 'North'
    else 'unknown' end`;
}

/** Segment rules, first match wins (d = days since last activity, t = days since signup). */
export function segmentSql(f: { status: SQL; d: SQL; t: SQL; activeDays: SQL }): SQL {
  return sql`case
    when ${f.status} <> 'active' then 'dormant'
    when ${f.t} < 14 then 'new'
    when ${f.d} is null or ${f.d} > 60 then 'dormant'
    when ${f.d} > 14 then 'at_risk'
    when ${f.activeDays} >= 12 then 'power'
    else 'active' end`;
}

/** reengagement_score = round(100 · R(d) · (0.6 · F + 0.4 · L), 2); 0 for inactive accounts / never active. */
export function scoreSql(f: { status: SQL; d: SQL; t: SQL; activeDays: SQL; onboarded: SQL }): SQL {
  const recency = sql`(case
    when ${f.d} is null or ${f.d} < 7 then 0::numeric
    when ${f.d} < 14 then (${f.d} - 7)::numeric / 7
    when ${f.d} <= 60 then 1::numeric
    when ${f.d} < 180 then (180 - ${f.d})::numeric / 120
    else 0::numeric end)`;
  const frequency = sql`(least(${f.activeDays}, 20)::numeric / 20)`;
  const lifecycle = sql`(0.5 * least(${f.t}, 90)::numeric / 90 + 0.5 * (case when ${f.onboarded} then 1 else 0 end))`;
  return sql`(case when ${f.status} <> 'active' then 0::float8
    else round(100 * ${recency} * (0.6 * ${frequency} + 0.4 * ${lifecycle}), 2)::float8 end)`;
}
