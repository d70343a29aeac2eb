// Invitations: owners/admins invite an address with a role; the invitee accepts or declines. See
// invitations-queries.ts for the rules and packages/db/drizzle/0007_membership_rules.sql for where they live.
import type { TRPCRouterRecord } from "@trpc/server";
import { withUser } from "@switchboard/db";
import { z } from "zod";
import { protectedProcedure, userProcedure } from "../trpc.ts";
import { Business } from "./businesses.types.ts";
import {
  acceptInvitation,
  acceptInvitationByToken,
  createInvitation,
  declineInvitation,
  listInvitations,
  myInvitations,
  revokeInvitation,
} from "./invitations-queries.ts";
import {
  AcceptByTokenInput,
  BusinessInvitationsInput,
  CreateInvitationInput,
  CreatedInvitation,
  Invitation,
  InvitationDecision,
  InvitationIdInput,
  MyInvitation,
  RevokeInvitationInput,
} from "./invitations.types.ts";

const tags = ["invitations"];

export const invitationsRouter = {
  create: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/businesses/{businessId}/invitations", tags, protect: true, summary: "Invite an email address with a role (owners and admins); the same answer whether or not it has an account" } })
    .input(CreateInvitationInput)
    .output(CreatedInvitation)
    .mutation(async ({ ctx, input }) => {
      const created = await withUser(ctx.database, ctx.claims, (tx) => createInvitation(tx, ctx.config, input));
      // After the commit, so the worker finds the outbox row; delivery never holds up the answer.
      ctx.mailer?.kick();
      return created;
    }),
  list: userProcedure
    .meta({ openapi: { method: "GET", path: "/businesses/{businessId}/invitations", tags, protect: true, summary: "Invitations of a business (owners and admins)" } })
    .input(BusinessInvitationsInput)
    .output(z.object({ data: z.array(Invitation) }))
    .query(({ ctx, input }) => listInvitations(ctx.tx, input.businessId)),
  revoke: userProcedure
    .meta({ openapi: { method: "DELETE", path: "/businesses/{businessId}/invitations/{invitationId}", tags, protect: true, summary: "Revoke a pending invitation (owners and admins)" } })
    .input(RevokeInvitationInput)
    .output(InvitationDecision)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.tx, input.businessId, input.invitationId)),
  mine: userProcedure
    .meta({ openapi: { method: "GET", path: "/invitations", tags, protect: true, summary: "Pending invitations addressed to my email" } })
    .output(z.object({ data: z.array(MyInvitation) }))
    .query(({ ctx }) => myInvitations(ctx.tx)),
  accept: userProcedure
    .meta({ openapi: { method: "POST", path: "/invitations/{invitationId}/accept", tags, protect: true, summary: "Accept an invitation addressed to my email: I join the business" } })
    .input(InvitationIdInput)
    .output(Business)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.tx, input.invitationId)),
  acceptByToken: userProcedure
    .meta({ openapi: { method: "POST", path: "/invitations/accept", tags, protect: true, summary: "Accept an invitation by the token of its link (signed in with the invited email)" } })
    .input(AcceptByTokenInput)
    .output(Business)
    .mutation(({ ctx, input }) => acceptInvitationByToken(ctx.tx, input.token)),
  decline: userProcedure
    .meta({ openapi: { method: "POST", path: "/invitations/{invitationId}/decline", tags, protect: true, summary: "Decline an invitation addressed to my email" } })
    .input(InvitationIdInput)
    .output(InvitationDecision)
    .mutation(({ ctx, input }) => declineInvitation(ctx.tx, input.invitationId)),
} satisfies TRPCRouterRecord;
