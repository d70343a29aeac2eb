// Signup → onboarding completed → first contact → first import, for users who signed up in [from, to].
// Each step counts users who also reached every earlier step.
import { rows, sql, type Tx } from "@switchboard/db";
import { funnelInput, funnelSteps, type FunnelInput, type FunnelOutput } from "./schemas.ts";
import { suppress, suppressedRate } from "./suppress.ts";
import type { InsightOptions } from "./options.ts";

export async function funnel(tx: Tx, rawInput: FunnelInput, options: InsightOptions): Promise<FunnelOutput> {
  const input = funnelInput.parse(rawInput);
  const k = options.k;
  const from = input.from ?? null;
  const to = input.to ?? null;
  const [r] = await rows<{ signed_up: number; onboarded: number; contact: number; imported: number }>(
    tx,
    sql`with c as (
          select u.id, u.onboarding_completed_at is not null as onboarded,
                 exists (select 1 from l1_event_facts e where e.user_id = u.id and e.event_type = 'contact_created') as contact,
                 exists (select 1 from l1_event_facts e where e.user_id = u.id and e.event_type = 'import_completed') as imported
          from users u
          where (${from}::date is null or (u.created_at at time zone 'UTC')::date >= ${from}::date)
            and (${to}::date is null or (u.created_at at time zone 'UTC')::date <= ${to}::date)
        )
        select count(*)::int as signed_up,
               count(*) filter (where onboarded)::int as onboarded,
               count(*) filter (where onboarded and contact)::int as contact,
               count(*) filter (where onboarded and contact and imported)::int as imported
        from c`,
  );
  const counts = [r!.signed_up, r!.onboarded, r!.contact, r!.imported];
  return {
    k_anonymity: k,
    from,
    to,
    steps: funnelSteps.map((step, i) => ({
      step,
      users: suppress(counts[i]!, k),
      rate_from_previous: i === 0 ? null : suppressedRate(counts[i]!, counts[i - 1]!, k),
      rate_from_start: i === 0 ? null : suppressedRate(counts[i]!, counts[0]!, k),
    })),
  };
}
