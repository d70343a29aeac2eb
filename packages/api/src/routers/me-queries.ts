// The caller's own account. Profile fields live in auth.users metadata (the only auth.users column
// a user may write); the sync trigger copies them into public.users. Onboarding is app-owned.
import { TRPCError } from "@trpc/server";
import { rows, sql, type Tx } from "@switchboard/db";
import type { z } from "zod";
import type { Me, UpdateOnboardingInput, UpdateProfileInput } from "./me.types.ts";
import { appendEvent, isoSql } from "./shared-queries.ts";

export async function getMe(tx: Tx): Promise<z.infer<typeof Me>> {
  const [user] = await rows<z.infer<typeof Me>["user"]>(
    tx,
    sql`select u.id, u.email, u.display_name, u.full_name, u.phone, u.avatar_url, u.motivation,
               u.onboarding_last_step, ${isoSql(sql`u.onboarding_completed_at`)} as onboarding_completed_at,
               coalesce(au.raw_app_meta_data -> 'roles' ? 'analyst', false) as is_analyst
        from public.users u
        join auth.users au on au.id = u.id
        where u.id = auth.uid()`,
  );
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Account not found" });
  const memberships = await rows<z.infer<typeof Me>["memberships"][number]>(
    tx,
    sql`select b.id as business_id, b.name, bm.role
        from public.business_memberships bm
        join public.businesses b on b.id = bm.business_id
        where bm.user_id = auth.uid() and bm.is_active
        order by b.created_at, b.id`,
  );
  return { user, memberships };
}

export async function updateProfile(tx: Tx, input: z.infer<typeof UpdateProfileInput>) {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const key of ["display_name", "full_name", "phone", "avatar_url"] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (value === null || value === "") remove.push(key);
    else set[key] = value;
  }
  // `- text[]` drops cleared keys; `||` merges the rest: other metadata keys survive.
  const updated = await rows<{ id: string }>(
    tx,
    sql`update auth.users
        set raw_user_meta_data = (raw_user_meta_data - ${`{${remove.join(",")}}`}::text[]) || ${JSON.stringify(set)}::jsonb,
            updated_at = now()
        where id = auth.uid()
        returning id`,
  );
  if (updated.length !== 1) throw new TRPCError({ code: "UNAUTHORIZED", message: "Account not found" });
  return getMe(tx);
}

export async function updateOnboarding(tx: Tx, input: z.infer<typeof UpdateOnboardingInput>) {
  const completed = input.completed;
  const updated = await rows<{ id: string }>(
    tx,
    sql`update public.users set
          motivation = case when ${input.motivation !== undefined} then ${input.motivation ?? null} else motivation end,
          onboarding_last_step = coalesce(${input.last_step ?? null}, onboarding_last_step),
          onboarding_completed_at = case
            when ${completed === true} then coalesce(onboarding_completed_at, now())
            when ${completed === false} then null
            else onboarding_completed_at end,
          updated_at = now()
        where id = auth.uid()
        returning id`,
  );
  if (updated.length !== 1) throw new TRPCError({ code: "UNAUTHORIZED", message: "Account not found" });
  await appendEvent(tx, "onboarding_step", null, {
    ...(input.last_step ? { step: input.last_step } : {}),
    ...(completed !== undefined ? { completed } : {}),
    ...(input.motivation !== undefined ? { motivation_set: input.motivation !== null } : {}),
  });
  return getMe(tx);
}
