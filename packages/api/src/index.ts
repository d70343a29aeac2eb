import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./root.ts";

export { appRouter, type AppRouter } from "./root.ts";
export { createCallerFactory } from "./trpc.ts";
export * from "./context.ts";
export * from "./auth/jwt.ts";
export * from "./auth/sign-in-guard.ts";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export { isConnectionFailure, ServiceUnavailable, toTRPCError } from "./errors.ts";
export { invalidTextIssues, SafeString } from "./text.ts";
export { MAX_CSV_BYTES } from "./routers/imports.types.ts";
export * from "./mail/outbox.ts";
