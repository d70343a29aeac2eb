// Signup → onboarding completed → first contact → first import, for users who signed up in [from, to].
// Each step counts users who also reached every earlier step.
import { rows, sql, type Tx } from "@switchboard/db";
import { funnelInput, funnelSteps, type FunnelInput, type FunnelOutput } from "./schemas.ts";
import { suppress, suppressedRate } from "./suppress.ts";
import type { InsightOptions } from "./options.ts";
import { lastWatermark, newEventsSql } from "./activity.ts";

export async function funnel(tx: Tx, rawInput: FunnelInput, options: InsightOptions): Promise<FunnelOutput> {
  const input = funnelInput.parse(rawInput);
  const k = options.k;
  const from = input.from ?? null;
  const to = input.to ?? null;
  const w = await lastWatermark(tx);
  const [r] = await rows<{ signed_up: number; onboarded: number; contact: number; imported: number }>(
    tx,
    sql`with m as (
          ${w ? sql`select user_id, contact_created, import_completed from l1_user_milestones union all ` : sql``}
          select n.user_id, n.contact_created, n.import_completed from (${newEventsSql(
            w,
            sql`e.user_id, e.event_type = 'contact_created' as contact_created, e.event_type = 'import_completed' as import_completed`,
            sql`e.event_type in ('contact_created', 'import_completed')`,
          )}) n
        ), reached as (
          select user_id, bool_or(contact_created) as contact, bool_or(import_completed) as imported from m group by user_id
        ), c as (
          select u.id, u.onboarding_completed_at is not null as onboarded,
                 coalesce(r.contact, false) as contact, coalesce(r.imported, false) as imported
          from users u left join reached r on r.user_id = u.id
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
