import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { userProcedure } from "../trpc.ts";
import {
  changeRole,
  createBusiness,
  deactivateMember,
  leaveBusiness,
  listBusinesses,
  listMembers,
  requireManager,
} from "./businesses-queries.ts";
import {
  Business,
  BusinessPathInput,
  ChangeRoleInput,
  CreateBusinessInput,
  DeactivateMemberInput,
  LeftBusiness,
  Member,
} from "./businesses.types.ts";

const tags = ["businesses"];

export const businessesRouter = {
  create: userProcedure
    .meta({ openapi: { method: "POST", path: "/businesses", tags, protect: true, summary: "Create a business (you become its owner)" } })
    .input(CreateBusinessInput)
    .output(Business)
    .mutation(({ ctx, input }) => createBusiness(ctx.tx, input.name)),
  list: userProcedure
    .meta({ openapi: { method: "GET", path: "/businesses", tags, protect: true, summary: "Businesses I am an active member of" } })
    .output(z.object({ data: z.array(Business) }))
    .query(({ ctx }) => listBusinesses(ctx.tx)),
  members: userProcedure
    .meta({ openapi: { method: "GET", path: "/businesses/{businessId}/members", tags, protect: true, summary: "Members of a business" } })
    .input(BusinessPathInput)
    .output(z.object({ data: z.array(Member) }))
    .query(({ ctx, input }) => listMembers(ctx.tx, input.businessId)),
  // People join only by accepting an invitation (invitations.create / invitations.accept).
  leave: userProcedure
    .meta({ openapi: { method: "POST", path: "/businesses/{businessId}/leave", tags, protect: true, summary: "Leave a business (not as its last active owner)" } })
    .input(BusinessPathInput)
    .output(LeftBusiness)
    .mutation(({ ctx, input }) => leaveBusiness(ctx.tx, input.businessId)),
  changeRole: userProcedure
    .meta({ openapi: { method: "PATCH", path: "/businesses/{businessId}/members/{userId}", tags, protect: true, summary: "Change a member's role (owners and admins)" } })
    .input(ChangeRoleInput)
    .output(Member)
    .mutation(async ({ ctx, input }) =>
      changeRole(ctx.tx, await requireManager(ctx.tx, input.businessId), input.userId, input.role),
    ),
  deactivateMember: userProcedure
    .meta({ openapi: { method: "DELETE", path: "/businesses/{businessId}/members/{userId}", tags, protect: true, summary: "Deactivate a member (owners and admins)" } })
    .input(DeactivateMemberInput)
    .output(Member)
    .mutation(async ({ ctx, input }) =>
      deactivateMember(ctx.tx, await requireManager(ctx.tx, input.businessId), input.userId),
    ),
} satisfies TRPCRouterRecord;
