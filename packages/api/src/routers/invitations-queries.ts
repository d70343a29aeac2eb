// Invitations with consent. Owners and admins invite an address with a role; the invitee, signed in
// with that address, accepts (the only way a membership is created, for auth.uid() only) or declines.
// Every state change is one call of a private.* SECURITY DEFINER function that checks the caller's
// role itself (migration 0007_membership_rules.sql); reads run under RLS.
import { TRPCError } from "@trpc/server";
import { rows, sql, type MembershipRole, type Tx } from "@switchboard/db";
import type { z } from "zod";
import { defaultMailSettings, type ApiConfig } from "../context.ts";
import { invitationMail, invitationUrl } from "../mail/messages.ts";
import { hashToken, newToken } from "../mail/tokens.ts";
import type { CreatedInvitation, Invitation, InvitationDecision, MyInvitation } from "./invitations.types.ts";
import type { Business } from "./businesses.types.ts";
import { isoSql } from "./shared-queries.ts";

type InvitationOut = z.infer<typeof Invitation>;

const invitationSelect = sql`select i.id, i.email, i.role,
    case when i.status = 'pending' and i.expires_at <= now() then 'expired' else i.status end as status,
    i.invited_by, u.display_name as invited_by_name,
    ${isoSql(sql`i.created_at`)} as created_at, ${isoSql(sql`i.expires_at`)} as expires_at,
    ${isoSql(sql`i.responded_at`)} as responded_at
  from public.business_invitations i
  left join public.users u on u.id = i.invited_by`;

/** The caller's role in the business with what the mail needs; NOT_FOUND / FORBIDDEN like requireManager. */
async function inviterContext(tx: Tx, businessId: string) {
  const [row] = await rows<{ role: MembershipRole; business_name: string; inviter_name: string }>(
    tx,
    sql`select bm.role, b.name as business_name, u.display_name as inviter_name
        from public.business_memberships bm
        join public.businesses b on b.id = bm.business_id
        join public.users u on u.id = bm.user_id
        where bm.business_id = ${businessId}::uuid and bm.user_id = auth.uid() and bm.is_active`,
  );
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Business not found" });
  if (row.role === "member") throw new TRPCError({ code: "FORBIDDEN", message: "Only owners and admins can manage members" });
  return row;
}

export async function createInvitation(
  tx: Tx,
  config: ApiConfig,
  input: { businessId: string; email: string; role: MembershipRole },
): Promise<z.infer<typeof CreatedInvitation>> {
  const mail = config.mail ?? defaultMailSettings;
  const inviter = await inviterContext(tx, input.businessId);
  const { token, hash } = newToken();
  const url = invitationUrl(mail, token);
  const message = invitationMail({
    businessName: inviter.business_name,
    inviterName: inviter.inviter_name,
    role: input.role,
    url,
    expiresAt: new Date(Date.now() + mail.invitationTtlSeconds * 1000),
  });
  const [created] = await rows<{ id: string }>(
    tx,
    sql`select private.invite_member(${input.businessId}::uuid, ${input.email}, ${input.role}, ${hash},
          ${mail.invitationTtlSeconds}::int, ${mail.invitationsPerHour}::int, ${message.subject}, ${message.body}) as id`,
  );
  const [invitation] = await rows<InvitationOut>(tx, sql`${invitationSelect} where i.id = ${created!.id}::uuid`);
  return { invitation: invitation!, invite_url: mail.smtp ? null : url };
}

export async function listInvitations(tx: Tx, businessId: string): Promise<{ data: InvitationOut[] }> {
  await inviterContext(tx, businessId);
  const data = await rows<InvitationOut>(
    tx,
    sql`${invitationSelect} where i.business_id = ${businessId}::uuid
        order by (i.status = 'pending' and i.expires_at > now()) desc, i.created_at desc, i.id`,
  );
  return { data };
}

export async function revokeInvitation(tx: Tx, businessId: string, invitationId: string): Promise<z.infer<typeof InvitationDecision>> {
  await inviterContext(tx, businessId);
  const [found] = await rows<{ ok: number }>(
    tx,
    sql`select 1 as ok from public.business_invitations where id = ${invitationId}::uuid and business_id = ${businessId}::uuid`,
  );
  if (!found) throw new TRPCError({ code: "NOT_FOUND", message: "Invitation not found, expired or no longer valid" });
  await tx.execute(sql`select private.revoke_invitation(${invitationId}::uuid)`);
  return { id: invitationId, status: "revoked" };
}

export async function myInvitations(tx: Tx): Promise<{ data: z.infer<typeof MyInvitation>[] }> {
  const data = await rows<z.infer<typeof MyInvitation>>(
    tx,
    sql`select id, business_id, business_name, role, invited_by_name,
               ${isoSql(sql`created_at`)} as created_at, ${isoSql(sql`expires_at`)} as expires_at
        from private.my_invitations()`,
  );
  return { data };
}

async function joined(tx: Tx, businessId: string): Promise<z.infer<typeof Business>> {
  // The membership was created by the previous statement of this transaction, so RLS shows the business now.
  const [row] = await rows<z.infer<typeof Business>>(
    tx,
    sql`select b.id, b.name, bm.role, ${isoSql(sql`b.created_at`)} as created_at
        from public.business_memberships bm join public.businesses b on b.id = bm.business_id
        where bm.business_id = ${businessId}::uuid and bm.user_id = auth.uid() and bm.is_active`,
  );
  return row!;
}

export async function acceptInvitation(tx: Tx, invitationId: string) {
  const [row] = await rows<{ business_id: string }>(tx, sql`select private.accept_invitation(${invitationId}::uuid) as business_id`);
  return joined(tx, row!.business_id);
}

export async function acceptInvitationByToken(tx: Tx, token: string) {
  const [row] = await rows<{ business_id: string }>(
    tx,
    sql`select private.accept_invitation_by_token(${hashToken(token)}) as business_id`,
  );
  return joined(tx, row!.business_id);
}

export async function declineInvitation(tx: Tx, invitationId: string): Promise<z.infer<typeof InvitationDecision>> {
  await tx.execute(sql`select private.decline_invitation(${invitationId}::uuid)`);
  return { id: invitationId, status: "declined" };
}
