import type { TRPCRouterRecord } from "@trpc/server";
import { protectedProcedure, publicProcedure } from "../trpc.ts";
import { changePassword, refreshSession, signIn, signOut, signUp } from "./auth-queries.ts";
import { ChangePasswordInput, RefreshInput, Session, SignInInput, SignOutInput, SignOutResult, SignUpInput } from "./auth.types.ts";

export const authRouter = {
  signUp: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/signup", tags: ["auth"], summary: "Create an account and sign in" } })
    .input(SignUpInput)
    .output(Session)
    .mutation(({ ctx, input }) => signUp(ctx, input)),
  signIn: publicProcedure
    .meta({ openapi: { method: "POST", path: "/auth/signin", tags: ["auth"], summary: "Sign in with email and password" } })
    .input(SignInInput)
    .output(Session)
    .mutation(({ ctx, input }) => signIn(ctx, input)),
  refresh: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/refresh",
        tags: ["auth"],
        summary: "Exchange a refresh token for a new access token and refresh token (the old one is spent)",
      },
    })
    .input(RefreshInput)
    .output(Session)
    .mutation(({ ctx, input }) => refreshSession(ctx, input)),
  signOut: publicProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/signout",
        tags: ["auth"],
        summary: "Revoke this session (scope=global: every session; others: all but this one)",
      },
    })
    .input(SignOutInput)
    .output(SignOutResult)
    .mutation(({ ctx, input }) => signOut(ctx, input)),
  changePassword: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/auth/password",
        tags: ["auth"],
        protect: true,
        summary: "Change the password: every other session is revoked; the answer is a fresh session for the caller",
      },
    })
    .input(ChangePasswordInput)
    .output(Session)
    .mutation(({ ctx, input }) => changePassword(ctx, input)),
} satisfies TRPCRouterRecord;
