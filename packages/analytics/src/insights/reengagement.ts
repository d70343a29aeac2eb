// The best reengagement targets: top N tokenized ids by reengagement_score, generalized attributes only.
import { rows, sql, type Tx } from "@switchboard/db";
import { reengagementInput, type ReengagementInput, type ReengagementOutput } from "./schemas.ts";
import type { InsightOptions } from "./options.ts";

export async function reengagement(tx: Tx, rawInput: ReengagementInput, options: InsightOptions): Promise<ReengagementOutput> {
  const { limit } = reengagementInput.parse(rawInput);
  const users = await rows<ReengagementOutput["users"][number]>(
    tx,
    sql`select tokenized_user_id, reengagement_score, user_segment, age_range, province_region,
               total_transactions, total_imports
        from l1_customer_facts where reengagement_score > 0
        order by reengagement_score desc, tokenized_user_id asc limit ${limit}`,
  );
  return { k_anonymity: options.k, limit, users };
}
