// Users and average fact metrics per user_segment, optionally per age_range or province_region.
import { rows, sql, type Tx, ageRanges, provinceRegions } from "@switchboard/db";
import { userSegments } from "../definitions.ts";
import { segmentsInput, type SegmentsInput, type SegmentsOutput } from "./schemas.ts";
import { publishable, suppressCells } from "./disclosure.ts";
import type { InsightOptions } from "./options.ts";

type Group = SegmentsOutput["segments"][number]["group"];

export async function segments(tx: Tx, rawInput: SegmentsInput, options: InsightOptions): Promise<SegmentsOutput> {
  const { breakdown } = segmentsInput.parse(rawInput);
  const k = options.k;
  // The breakdown column is chosen by a parameterized CASE, never by interpolating the input.
  const result = await rows<{
    segment: string;
    grp: string | null;
    users: number;
    sum_tx: number;
    sum_imports: number;
    n_rate: number;
    sum_rate: number | null;
    n_per_import: number;
    sum_per_import: number | null;
    sum_score: number | null;
  }>(
    tx,
    sql`select user_segment as segment,
               case ${breakdown} when 'age_range' then age_range when 'province_region' then province_region end as grp,
               count(*)::int as users,
               sum(total_transactions)::float8 as sum_tx, sum(total_imports)::float8 as sum_imports,
               count(import_success_rate)::int as n_rate, sum(import_success_rate) as sum_rate,
               count(avg_transactions_per_import)::int as n_per_import, sum(avg_transactions_per_import) as sum_per_import,
               sum(reengagement_score) as sum_score
        from l1_customer_facts where user_segment is not null
        group by 1, 2`,
  );
  const groupOrder: readonly string[] =
    breakdown === "age_range" ? ageRanges : breakdown === "province_region" ? provinceRegions : [];
  const segmentOrder: readonly string[] = userSegments;
  result.sort(
    (a, b) =>
      segmentOrder.indexOf(a.segment) - segmentOrder.indexOf(b.segment) ||
      groupOrder.indexOf(a.grp ?? "") - groupOrder.indexOf(b.grp ?? ""),
  );
  // Which cells are hidden. The segment totals partition all users (a public number): complementary
  // suppression over them is what the breakdown "none" shows. A breakdown never says more about a
  // segment hidden there (its row is hidden whole), and within every other segment, whose total is
  // public, the hidden cells add up to 0 or ≥ k users.
  const totals = new Map<string, number>();
  for (const r of result) totals.set(r.segment, (totals.get(r.segment) ?? 0) + r.users);
  const segmentNames = [...totals.keys()];
  const segmentHidden = suppressCells(
    segmentNames.map((name) => totals.get(name)!),
    [segmentNames.map((_, i) => i)],
    k,
  );
  const hiddenSegments = new Set(segmentNames.filter((_, i) => segmentHidden[i]));
  let hidden: boolean[];
  if (breakdown === "none") {
    hidden = result.map((r) => hiddenSegments.has(r.segment));
  } else {
    const rowsOf = segmentNames.map((name) => result.flatMap((r, i) => (r.segment === name ? [i] : [])));
    hidden = suppressCells(
      result.map((r) => r.users),
      [...rowsOf, result.map((_, i) => i)],
      k,
      result.map((r) => hiddenSegments.has(r.segment)),
    );
  }
  const avg = (sum: number | null, n: number) => (!publishable(n, k) || n === 0 || sum === null ? null : sum / n);
  return {
    k_anonymity: k,
    breakdown,
    segments: result.map((r, index) => {
      const base = { segment: r.segment as SegmentsOutput["segments"][number]["segment"], group: r.grp as Group };
      if (hidden[index]) {
        return {
          ...base,
          users: null,
          avg_total_transactions: null,
          avg_total_imports: null,
          avg_import_success_rate: null,
          avg_transactions_per_import: null,
          avg_reengagement_score: null,
        };
      }
      return {
        ...base,
        users: r.users,
        avg_total_transactions: r.sum_tx / r.users,
        avg_total_imports: r.sum_imports / r.users,
        avg_import_success_rate: avg(r.sum_rate, r.n_rate),
        avg_transactions_per_import: avg(r.sum_per_import, r.n_per_import),
        avg_reengagement_score: avg(r.sum_score, r.users),
      };
    }),
  };
}
