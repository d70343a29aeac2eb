// Businesses and memberships. Memberships are created only by accepting an invitation (see
// invitations-queries.ts); changes go through RLS and the database's membership rules.
import { TRPCError } from "@trpc/server";
import { rows, sql, type MembershipRole, type Tx } from "@switchboard/db";
import type { SQL } from "drizzle-orm";
import type { z } from "zod";
import type { Business, Member } from "./businesses.types.ts";
import { isoSql, resolveBusiness, type ResolvedBusiness } from "./shared-queries.ts";

type BusinessOut = z.infer<typeof Business>;
type MemberOut = z.infer<typeof Member>;

export async function createBusiness(tx: Tx, name: string): Promise<BusinessOut> {
  // A trigger makes created_by the owner (the row is only visible to its creator until then).
  const [row] = await rows<BusinessOut>(
    tx,
    sql`insert into public.businesses (name, created_by) values (${name}, auth.uid())
        returning id, name, 'owner' as role, ${isoSql(sql`created_at`)} as created_at`,
  );
  return row!;
}

export async function listBusinesses(tx: Tx): Promise<{ data: BusinessOut[] }> {
  const data = await rows<BusinessOut>(
    tx,
    sql`select b.id, b.name, bm.role, ${isoSql(sql`b.created_at`)} as created_at
        from public.business_memberships bm
        join public.businesses b on b.id = bm.business_id
        where bm.user_id = auth.uid() and bm.is_active
        order by b.created_at, b.id`,
  );
  return { data };
}

const memberSelect = sql`select bm.user_id as id, u.display_name, u.email, bm.role, bm.is_active
  from public.business_memberships bm
  left join public.users u on u.id = bm.user_id`;

export async function listMembers(tx: Tx, businessId: string): Promise<{ data: MemberOut[] }> {
  await resolveBusiness(tx, businessId);
  const data = await rows<MemberOut>(
    tx,
    sql`${memberSelect} where bm.business_id = ${businessId}::uuid
        order by bm.is_active desc, bm.created_at, bm.user_id`,
  );
  return { data };
}

/** The caller's membership, which must be owner or admin: a plain member gets FORBIDDEN. */
export async function requireManager(tx: Tx, businessId: string): Promise<ResolvedBusiness> {
  const business = await resolveBusiness(tx, businessId);
  if (business.role === "member") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only owners and admins can manage members" });
  }
  return business;
}

// Role rules (nobody above their own role, owners only by owners, never without an active owner, no
// re-activation without an invitation) are enforced by the database (trigger on business_memberships,
// migration 0007), under a per-business lock: each change below is one UPDATE, and a refusal arrives as
// one of the SQLSTATEs mapped in errors.ts.
async function updateMembership(tx: Tx, businessId: string, userId: string, change: SQL): Promise<MemberOut> {
  const [row] = await rows<MemberOut>(
    tx,
    sql`with changed as (
          update public.business_memberships set ${change}, updated_at = now()
          where business_id = ${businessId}::uuid and user_id = ${userId}::uuid
          returning user_id, role, is_active)
        select c.user_id as id, u.display_name, u.email, c.role, c.is_active
        from changed c left join public.users u on u.id = c.user_id`,
  );
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Member not found" });
  return row;
}

export function changeRole(tx: Tx, caller: ResolvedBusiness, userId: string, role: MembershipRole) {
  return updateMembership(tx, caller.id, userId, sql`role = ${role}`);
}

export function deactivateMember(tx: Tx, caller: ResolvedBusiness, userId: string) {
  return updateMembership(tx, caller.id, userId, sql`is_active = false`);
}

/** The caller leaves a business (their own membership, deactivated); never its last active owner. */
export async function leaveBusiness(tx: Tx, businessId: string): Promise<{ business_id: string; left: true }> {
  const changed = await rows<{ business_id: string }>(
    tx,
    sql`update public.business_memberships set is_active = false, updated_at = now()
        where business_id = ${businessId}::uuid and user_id = auth.uid() and is_active
        returning business_id`,
  );
  if (changed.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: "Business not found" });
  return { business_id: businessId, left: true };
}
