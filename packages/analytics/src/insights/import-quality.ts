// Distribution of import_success_rate and avg_transactions_per_import per segment (users with imports).
import { rows, sql, type Tx } from "@switchboard/db";
import { userSegments } from "../definitions.ts";
import { successRateBuckets, txPerImportBuckets, type ImportQualityOutput } from "./schemas.ts";
import { suppressCells } from "./disclosure.ts";
import type { InsightOptions } from "./options.ts";

export async function importQuality(tx: Tx, options: InsightOptions): Promise<ImportQualityOutput> {
  const k = options.k;
  const result = await rows<{ segment: string; kind: "rate" | "per_import" | "all"; bucket: string; users: number }>(
    tx,
    sql`with f as (
          select user_segment, import_success_rate, avg_transactions_per_import
          from l1_customer_facts where total_imports > 0 and user_segment is not null
        )
        select user_segment as segment, 'all' as kind, '' as bucket, count(*)::int as users from f group by 1
        union all
        select user_segment, 'rate', case
                 when import_success_rate < 0.5 then '0-50%' when import_success_rate < 0.8 then '50-80%'
                 when import_success_rate < 0.95 then '80-95%' when import_success_rate < 1 then '95-99%'
                 else '100%' end, count(*)::int
        from f where import_success_rate is not null group by 1, 3
        union all
        select user_segment, 'per_import', case
                 when avg_transactions_per_import = 0 then '0' when avg_transactions_per_import < 10 then '0-10'
                 when avg_transactions_per_import < 100 then '10-100' else '100+' end, count(*)::int
        from f where avg_transactions_per_import is not null group by 1, 3`,
  );
  const find = (segment: string, kind: string, bucket: string) =>
    result.find((r) => r.segment === segment && r.kind === kind && r.bucket === bucket)?.users ?? 0;
  // Segments with importers partition the users with imports (complementary suppression over them).
  // Within a shown segment each histogram partitions its importers — the success-rate one together with
  // the importers without a rate (no rows) — so a hidden bucket is never total − visible buckets.
  const present = userSegments.filter((segment) => find(segment, "all", "") > 0);
  const totals = present.map((segment) => find(segment, "all", ""));
  const segmentHidden = suppressCells(totals, [totals.map((_, i) => i)], k);
  const histogram = (counts: number[]) => {
    const hidden = suppressCells(counts, [counts.map((_, i) => i)], k);
    return counts.map((n, i) => (hidden[i] ? null : n));
  };
  return {
    k_anonymity: k,
    segments: present.map((segment, index) => {
      if (segmentHidden[index]) {
        return {
          segment,
          users_with_imports: null,
          import_success_rate: successRateBuckets.map((bucket) => ({ bucket, users: null })),
          avg_transactions_per_import: txPerImportBuckets.map((bucket) => ({ bucket, users: null })),
        };
      }
      const total = totals[index]!;
      const rates = successRateBuckets.map((bucket) => find(segment, "rate", bucket));
      const withoutRate = total - rates.reduce((a, b) => a + b, 0);
      const shownRates = histogram([...rates, withoutRate]);
      const shownPerImport = histogram(txPerImportBuckets.map((bucket) => find(segment, "per_import", bucket)));
      return {
        segment,
        users_with_imports: total,
        import_success_rate: successRateBuckets.map((bucket, i) => ({ bucket, users: shownRates[i] ?? null })),
        avg_transactions_per_import: txPerImportBuckets.map((bucket, i) => ({ bucket, users: shownPerImport[i] ?? null })),
      };
    }),
  };
}
