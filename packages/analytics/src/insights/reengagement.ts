// Re-engagement targets: the best-scoring lapsed users, as rows of generalized attributes.
// Privacy: a row is shown only when its quasi-identifiers (segment, age range, region, score band,
// transaction and import buckets) are shared by at least k candidates (score > 0), so "limit 1" and
// "limit N" both describe groups of ≥ k people; exact scores and totals are never shown. Row ids are
// HMACs of the tokenized id under a random key drawn per request: unlinkable across exports.
import { createHmac, randomBytes } from "node:crypto";
import { rows, sql, type Tx } from "@switchboard/db";
import { reengagementInput, type ReengagementInput, type ReengagementOutput } from "./schemas.ts";
import type { InsightOptions } from "./options.ts";

type Row = Omit<ReengagementOutput["users"][number], "id"> & { tokenized_user_id: string };

export async function reengagement(tx: Tx, rawInput: ReengagementInput, options: InsightOptions): Promise<ReengagementOutput> {
  const { limit } = reengagementInput.parse(rawInput);
  const found = await rows<Row>(
    tx,
    sql`with c as (
          select tokenized_user_id, reengagement_score, user_segment, age_range, province_region,
                 case when reengagement_score < 20 then '0-20' when reengagement_score < 40 then '20-40'
                      when reengagement_score < 60 then '40-60' when reengagement_score < 80 then '60-80'
                      else '80-100' end as score_band,
                 case when total_transactions = 0 then '0' when total_transactions < 10 then '1-9'
                      when total_transactions < 100 then '10-99' else '100+' end as transactions,
                 case when total_imports = 0 then '0' when total_imports < 3 then '1-2'
                      when total_imports < 10 then '3-9' else '10+' end as imports
          from l1_customer_facts where reengagement_score > 0
        ), sized as (
          select c.*, count(*) over (partition by user_segment, age_range, province_region, score_band, transactions, imports) as class_size
          from c
        )
        select tokenized_user_id, score_band, user_segment, age_range, province_region, transactions, imports
        from sized where class_size >= ${options.k}
        order by reengagement_score desc, tokenized_user_id asc limit ${limit}`,
  );
  const exportKey = randomBytes(32);
  return {
    k_anonymity: options.k,
    limit,
    users: found.map(({ tokenized_user_id, ...row }) => ({
      id: createHmac("sha256", exportKey).update(tokenized_user_id).digest("hex").slice(0, 32),
      ...row,
    })),
  };
}
