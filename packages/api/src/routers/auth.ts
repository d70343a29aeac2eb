import type { TRPCRouterRecord } from "@trpc/server";
import { publicProcedure } from "../trpc.ts";
import { signIn, signUp } from "./auth-queries.ts";
import { Session, SignInInput, SignUpInput } from "./auth.types.ts";

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
} satisfies TRPCRouterRecord;
