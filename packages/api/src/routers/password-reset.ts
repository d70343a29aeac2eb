// Password reset: request a link by email (same answer for every address), confirm with its token.
import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc.ts";
import { confirmPasswordReset, requestPasswordReset } from "./password-reset-queries.ts";
import {
  PasswordResetConfirmInput,
  PasswordResetDone,
  PasswordResetRequested,
  PasswordResetRequestInput,
} from "./password-reset.types.ts";

const tags = ["auth"];

export const passwordResetRouter = {
  request: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/password-reset/request", tags, summary: "Mail a single-use password reset link (the same answer whether or not the address has an account)" } })
    .input(PasswordResetRequestInput)
    .output(PasswordResetRequested)
    .mutation(({ ctx, input }) => requestPasswordReset(ctx, input.email)),
  confirm: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/password-reset/confirm", tags, summary: "Set a new password with the token from the reset link (single use, expires)" } })
    .input(PasswordResetConfirmInput)
    .output(PasswordResetDone)
    .mutation(({ ctx, input }) => confirmPasswordReset(ctx, input)),
} satisfies TRPCRouterRecord;
