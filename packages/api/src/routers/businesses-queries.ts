// Businesses and memberships. Writes go through RLS (only owners/admins may write memberships);
// the rules RLS cannot express (owner-only grants, at least one active owner) are checked here
// under row locks, so two concurrent demotions cannot both succeed.
import { TRPCError } from "@trpc/server";
import { rows, sql, type MembershipRole, type Tx } from "@switchboard/db";
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

async function member(tx: Tx, businessId: string, userId: string): Promise<MemberOut> {
  const [row] = await rows<MemberOut>(
    tx,
    sql`${memberSelect} where bm.business_id = ${businessId}::uuid and bm.user_id = ${userId}::uuid`,
  );
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Member not found" });
  return row;
}

/** The caller's membership, which must be owner or admin: a plain member gets FORBIDDEN. */
export async function requireManager(tx: Tx, businessId: string): Promise<ResolvedBusiness> {
  const business = await resolveBusiness(tx, businessId);
  if (business.role === "member") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only owners and admins can manage members" });
  }
  return business;
}

function assertCanGrant(caller: ResolvedBusiness, role: MembershipRole) {
  if (role === "owner" && caller.role !== "owner") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only owners can grant the owner role" });
  }
}

export async function addMember(
  tx: Tx,
  caller: ResolvedBusiness,
  userId: string,
  role: MembershipRole,
): Promise<MemberOut> {
  assertCanGrant(caller, role);
  // A deactivated member comes back with the new role; an active one is a conflict.
  const changed = await rows<{ user_id: string }>(
    tx,
    sql`insert into public.business_memberships as bm (business_id, user_id, role)
        values (${caller.id}::uuid, ${userId}::uuid, ${role})
        on conflict (business_id, user_id) do update
          set is_active = true, role = excluded.role, updated_at = now()
          where not bm.is_active
        returning user_id`,
  );
  if (changed.length === 0) throw new TRPCError({ code: "CONFLICT", message: "Already a member of this business" });
  return member(tx, caller.id, userId);
}

/** Locks the business's membership rows, returns the target's and the number of active owners. */
async function lockMemberships(tx: Tx, businessId: string, userId: string) {
  const locked = await rows<{ user_id: string; role: MembershipRole; is_active: boolean }>(
    tx,
    sql`select user_id, role, is_active from public.business_memberships
        where business_id = ${businessId}::uuid and (user_id = ${userId}::uuid or (role = 'owner' and is_active))
        order by user_id
        for update`,
  );
  const target = locked.find((m) => m.user_id === userId);
  if (!target) throw new TRPCError({ code: "NOT_FOUND", message: "Member not found" });
  const activeOwners = locked.filter((m) => m.role === "owner" && m.is_active).length;
  return { target, activeOwners };
}

const lastOwner = () =>
  new TRPCError({ code: "BAD_REQUEST", message: "A business needs at least one active owner" });

export async function changeRole(tx: Tx, caller: ResolvedBusiness, userId: string, role: MembershipRole) {
  assertCanGrant(caller, role);
  const { target, activeOwners } = await lockMemberships(tx, caller.id, userId);
  if (target.role === "owner" && caller.role !== "owner") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only owners can change an owner's role" });
  }
  if (target.role === "owner" && target.is_active && role !== "owner" && activeOwners <= 1) throw lastOwner();
  await tx.execute(
    sql`update public.business_memberships set role = ${role}, updated_at = now()
        where business_id = ${caller.id}::uuid and user_id = ${userId}::uuid`,
  );
  return member(tx, caller.id, userId);
}

export async function deactivateMember(tx: Tx, caller: ResolvedBusiness, userId: string) {
  const { target, activeOwners } = await lockMemberships(tx, caller.id, userId);
  if (target.role === "owner" && caller.role !== "owner") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only owners can deactivate an owner" });
  }
  if (target.role === "owner" && target.is_active && activeOwners <= 1) throw lastOwner();
  await tx.execute(
    sql`update public.business_memberships set is_active = false, updated_at = now()
        where business_id = ${caller.id}::uuid and user_id = ${userId}::uuid`,
  );
  return member(tx, caller.id, userId);
}
