import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { withUser } from "@switchboard/db";
import { z } from "zod";
import { protectedProcedure, userProcedure } from "../trpc.ts";
import { userIdByEmail } from "./auth-queries.ts";
import {
  addMember,
  changeRole,
  createBusiness,
  deactivateMember,
  listBusinesses,
  listMembers,
  requireManager,
} from "./businesses-queries.ts";
import {
  AddMemberInput,
  Business,
  BusinessPathInput,
  ChangeRoleInput,
  CreateBusinessInput,
  DeactivateMemberInput,
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
  // Three short transactions: a user cannot see accounts outside their businesses (RLS), so the
  // email lookup alone runs as the auth service — only after the caller proved to be an owner/admin.
  addMember: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/businesses/{businessId}/members", tags, protect: true, summary: "Add a member by email (owners and admins)" } })
    .input(AddMemberInput)
    .output(Member)
    .mutation(async ({ ctx, input }) => {
      await withUser(ctx.database, ctx.claims, (tx) => requireManager(tx, input.businessId));
      const userId = await userIdByEmail(ctx.database, input.email);
      if (!userId) throw new TRPCError({ code: "NOT_FOUND", message: "No account with this email" });
      return withUser(ctx.database, ctx.claims, async (tx) =>
        addMember(tx, await requireManager(tx, input.businessId), userId, input.role),
      );
    }),
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
