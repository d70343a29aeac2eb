// Signup → onboarding completed → first contact → first import, for users who signed up in [from, to]
// (snapped to whole ISO weeks). Each step counts users who also reached every earlier step.
// Privacy: the answer is a sum of per-week parts, and a week is included only when every one of its
// cells (dropped before onboarding, before a contact, before an import, imported) is 0 or ≥ k. Any two
// ranges then differ by whole included weeks, whose cells are all 0 or ≥ k, and so are their sums.
import { rows, sql, type Tx } from "@switchboard/db";
import { funnelInput, funnelSteps, type FunnelInput, type FunnelOutput } from "./schemas.ts";
import { publishable, ratio } from "./disclosure.ts";
import type { InsightOptions } from "./options.ts";
import { lastWatermark, newEventsSql } from "./activity.ts";

export async function funnel(tx: Tx, rawInput: FunnelInput, options: InsightOptions): Promise<FunnelOutput> {
  const input = funnelInput.parse(rawInput);
  const k = options.k;
  const from = input.from ? mondayOf(input.from, 0) : null;
  const to = input.to ? mondayOf(input.to, 6) : null;
  const w = await lastWatermark(tx);
  const weeks = await rows<{ signed_up: number; onboarded: number; contact: number; imported: number }>(
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
          select date_trunc('week', u.created_at at time zone 'UTC') as wk, u.onboarding_completed_at is not null as onboarded,
                 coalesce(r.contact, false) as contact, coalesce(r.imported, false) as imported
          from users u left join reached r on r.user_id = u.id
          where (${from}::date is null or (u.created_at at time zone 'UTC')::date >= ${from}::date)
            and (${to}::date is null or (u.created_at at time zone 'UTC')::date <= ${to}::date)
        )
        select count(*)::int as signed_up,
               count(*) filter (where onboarded)::int as onboarded,
               count(*) filter (where onboarded and contact)::int as contact,
               count(*) filter (where onboarded and contact and imported)::int as imported
        from c group by wk`,
  );
  const counts = [0, 0, 0, 0];
  let withheld = 0;
  for (const w of weeks) {
    const cells = [w.signed_up - w.onboarded, w.onboarded - w.contact, w.contact - w.imported, w.imported];
    if (!cells.every((n) => publishable(n, k))) {
      withheld++;
      continue;
    }
    [w.signed_up, w.onboarded, w.contact, w.imported].forEach((n, i) => (counts[i]! += n));
  }
  return {
    k_anonymity: k,
    from,
    to,
    weeks_withheld: withheld,
    steps: funnelSteps.map((step, i) => ({
      step,
      users: counts[i]!,
      rate_from_previous: i === 0 ? null : ratio(counts[i]!, counts[i - 1]!),
      rate_from_start: i === 0 ? null : ratio(counts[i]!, counts[0]!),
    })),
  };
}

/** The Monday of the ISO week of a YYYY-MM-DD date, plus `days`, as YYYY-MM-DD. */
function mondayOf(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const monday = d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday + days * 86_400_000).toISOString().slice(0, 10);
}
