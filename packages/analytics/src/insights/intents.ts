// Users per onboarding motivation (users.motivation, a closed vocabulary; null = not answered).
import { rows, sql, type Tx } from "@switchboard/db";
import type { IntentsOutput } from "./schemas.ts";
import type { InsightOptions } from "./options.ts";
import { publishChain, ratio, suppressCells } from "./disclosure.ts";

export async function intents(tx: Tx, options: InsightOptions): Promise<IntentsOutput> {
  const k = options.k;
  const groups = await rows<{ motivation: IntentsOutput["intents"][number]["motivation"]; users: number; onboarded: number }>(
    tx,
    sql`select motivation, count(*)::int as users, count(onboarding_completed_at)::int as onboarded
        from users group by motivation order by users desc, motivation asc nulls last`,
  );
  const total = groups.reduce((sum, g) => sum + g.users, 0);
  // The groups partition all users, whose number is public (share = users / total): complementary
  // suppression keeps the hidden groups at 0 or ≥ k users together. Within a shown group, (users,
  // onboarded) is a nested pair.
  const hidden = suppressCells(groups.map((g) => g.users), [groups.map((_, i) => i)], k);
  return {
    k_anonymity: k,
    intents: groups.map((g, i) => {
      if (hidden[i]) return { motivation: g.motivation, users: null, onboarded: null, share: null };
      const onboarded = publishChain([g.users, g.onboarded], k)[1]!;
      return { motivation: g.motivation, users: g.users, onboarded, share: ratio(g.users, total) };
    }),
  };
}
