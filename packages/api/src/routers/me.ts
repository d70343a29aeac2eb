import type { TRPCRouterRecord } from "@trpc/server";
import { userProcedure } from "../trpc.ts";
import { getMe, updateOnboarding, updateProfile } from "./me-queries.ts";
import { Me, UpdateOnboardingInput, UpdateProfileInput } from "./me.types.ts";

export const meRouter = {
  get: userProcedure
    .meta({ openapi: { method: "GET", path: "/me", tags: ["me"], protect: true, summary: "My account and memberships" } })
    .output(Me)
    .query(({ ctx }) => getMe(ctx.tx)),
  updateProfile: userProcedure
    .meta({ openapi: { method: "PATCH", path: "/me", tags: ["me"], protect: true, summary: "Update my profile" } })
    .input(UpdateProfileInput)
    .output(Me)
    .mutation(({ ctx, input }) => updateProfile(ctx.tx, input)),
  updateOnboarding: userProcedure
    .meta({ openapi: { method: "PATCH", path: "/me/onboarding", tags: ["me"], protect: true, summary: "Record onboarding progress" } })
    .input(UpdateOnboardingInput)
    .output(Me)
    .mutation(({ ctx, input }) => updateOnboarding(ctx.tx, input)),
} satisfies TRPCRouterRecord;
