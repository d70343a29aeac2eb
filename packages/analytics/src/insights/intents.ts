// Users per onboarding motivation (users.motivation; null = not answered).
import { rows, sql, type Tx } from "@switchboard/db";
import type { IntentsOutput } from "./schemas.ts";
import { suppress, suppressedRate } from "./suppress.ts";
import type { InsightOptions } from "./options.ts";

export async function intents(tx: Tx, options: InsightOptions): Promise<IntentsOutput> {
  const k = options.k;
  const groups = await rows<{ motivation: string | null; users: number; onboarded: number }>(
    tx,
    sql`select motivation, count(*)::int as users, count(onboarding_completed_at)::int as onboarded
        from users group by motivation order by users desc, motivation asc nulls last`,
  );
  const total = groups.reduce((sum, g) => sum + g.users, 0);
  return {
    k_anonymity: k,
    intents: groups.map((g) =>
      suppress(g.users, k) === null
        ? { motivation: g.motivation, users: null, onboarded: null, share: null }
        : {
            motivation: g.motivation,
            users: g.users,
            onboarded: suppress(g.onboarded, k),
            share: suppressedRate(g.users, total, k),
          },
    ),
  };
}
