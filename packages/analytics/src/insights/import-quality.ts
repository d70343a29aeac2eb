// Distribution of import_success_rate and avg_transactions_per_import per segment (users with imports).
import { rows, sql, type Tx } from "@switchboard/db";
import { userSegments } from "../definitions.ts";
import { successRateBuckets, txPerImportBuckets, type ImportQualityOutput } from "./schemas.ts";
import { suppress } from "./suppress.ts";
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
  return {
    k_anonymity: k,
    segments: userSegments
      .filter((segment) => find(segment, "all", "") > 0)
      .map((segment) => {
        const hidden = suppress(find(segment, "all", ""), k) === null;
        const cell = (kind: string, bucket: string) => (hidden ? null : suppress(find(segment, kind, bucket), k));
        return {
          segment,
          users_with_imports: hidden ? null : find(segment, "all", ""),
          import_success_rate: successRateBuckets.map((bucket) => ({ bucket, users: cell("rate", bucket) })),
          avg_transactions_per_import: txPerImportBuckets.map((bucket) => ({ bucket, users: cell("per_import", bucket) })),
        };
      }),
  };
}
