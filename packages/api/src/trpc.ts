// tRPC, top to bottom: context → initTRPC (meta for OpenAPI, an error formatter that flattens zod
// errors) → publicProcedure / protectedProcedure / userProcedure.
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { ZodError, z } from "zod";
import { markWrite, onReadTarget, withUser, type Tx } from "@switchboard/db";
import type { Context } from "./context.ts";
import { toTRPCError } from "./errors.ts";
import { StorableInput } from "./text.ts";

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      return {
        ...shape,
        // Last line of defence on every tRPC response: a 500 never carries an underlying message.
        message: error.code === "INTERNAL_SERVER_ERROR" ? "Internal error" : shape.message,
        data: {
          ...shape.data,
          stack: undefined,
          // Field errors for forms: { fieldErrors: { email: ["Invalid email"] }, formErrors: [] }.
          zodError: cause instanceof ZodError ? z.flattenError(cause) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** Maps database errors (unique violation, RLS refusal, bad uuid…) to stable tRPC codes, once. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

/**
 * U+0000 and lone surrogates in any string of any input are a 400 with a field error, before the
 * procedure's own schema runs: PostgreSQL cannot store them (22021/22P05), and no route should have
 * to remember that.
 */
const rejectInvalidText = t.middleware(async ({ getRawInput, next }) => {
  const checked = StorableInput.safeParse(await getRawInput());
  if (!checked.success) throw new TRPCError({ code: "BAD_REQUEST", message: checked.error.issues[0]!.message, cause: checked.error });
  return next();
});


/**
 * Read replicas: after a mutation commits, its user is marked on the primary so their reads see it
 * (read-your-writes, packages/db/src/replicas.ts). The user is the caller, or the one signed up/in.
 */
const markWrites = t.middleware(async ({ ctx, type, next }) => {
  const result = await next();
  if (type === "mutation" && result.ok && ctx.database.replicas) {
    const userId = ctx.claims?.sub ?? (result.data as { user?: { id?: unknown } } | undefined)?.user?.id;
    if (typeof userId === "string") await markWrite(ctx.database, userId);
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors).use(rejectInvalidText).use(markWrites);

/** A verified JWT is required. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.claims) {
    const message =
      ctx.authError === "expired" ? "Access token expired" : ctx.authError === "invalid" ? "Invalid access token" : "Sign in required";
    throw new TRPCError({ code: "UNAUTHORIZED", message });
  }
  return next({ ctx: { claims: ctx.claims } });
});

/**
 * The whole procedure runs in one transaction as role `authenticated` with the caller's claims
 * (withUser): RLS sees auth.uid(). Any error rolls the transaction back: nothing is half-written.
 * Queries run on a read replica when one is configured and has the caller's writes.
 */
export const userProcedure = protectedProcedure.use(async ({ ctx, next, type }) => {
  const run = (database: typeof ctx.database) =>
    withUser(database, ctx.claims, async (tx: Tx) => {
      const result = await next({ ctx: { tx } });
      if (!result.ok) throw result.error; // rethrow so withUser rolls back
      return result;
    });
  // Queries may run on a read replica (one that has the caller's own writes), falling back to the primary.
  return type === "query" ? onReadTarget(ctx.database, ctx.claims.sub, run) : run(ctx.database);
});
