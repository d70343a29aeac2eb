import { z } from "zod";
import { EmailInput, Id, IsoTimestamp, MembershipRoleInput } from "./common.types.ts";
import { Business } from "./businesses.types.ts";

export const invitationStates = ["pending", "accepted", "declined", "revoked", "expired"] as const;

/** An invitation as the business's owners and admins see it (never the token or its hash). */
export const Invitation = z.object({
  id: Id,
  email: z.string(),
  role: MembershipRoleInput,
  status: z.enum(invitationStates).describe("expired: pending past expires_at"),
  invited_by: Id.nullable(),
  invited_by_name: z.string().nullable(),
  created_at: IsoTimestamp,
  expires_at: IsoTimestamp,
  responded_at: IsoTimestamp.nullable(),
});

export const CreatedInvitation = z.object({
  invitation: Invitation,
  // The same answer whether or not the address has an account; the link only without SMTP.
  invite_url: z
    .string()
    .nullable()
    .describe("The invitation link, shown to the inviter only when the server sends no mail (no SMTP configured); null otherwise"),
});

/** An invitation as its invitee sees it: enough to decide. */
export const MyInvitation = z.object({
  id: Id,
  business_id: Id,
  business_name: z.string(),
  role: MembershipRoleInput,
  invited_by_name: z.string().nullable(),
  created_at: IsoTimestamp,
  expires_at: IsoTimestamp,
});

export const CreateInvitationInput = z.object({
  businessId: Id,
  email: EmailInput,
  role: MembershipRoleInput.default("member"),
});
export const BusinessInvitationsInput = z.object({ businessId: Id });
export const RevokeInvitationInput = z.object({ businessId: Id, invitationId: Id });
export const InvitationIdInput = z.object({ invitationId: Id });
// base64url of 32 random bytes (43 characters); bounded so nothing large is hashed.
export const AcceptByTokenInput = z.object({ token: z.string().trim().min(20).max(128) });

export const InvitationDecision = z.object({ id: Id, status: z.enum(["declined", "revoked"]) });
export const JoinedBusiness = Business;
