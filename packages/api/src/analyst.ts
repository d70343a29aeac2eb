// Insight procedures: a verified JWT whose user holds the platform role "analyst"
// (auth.users.raw_app_meta_data.roles, checked in the database on every call so a revoke is
// immediate); the insight itself then runs as the database role `analyst`, which cannot read PII.
import { TRPCError } from "@trpc/server";
import { onReadTarget, withAnalyst, withUser, type Tx } from "@switchboard/db";
import { callerIsAnalyst } from "@switchboard/analytics";
import { protectedProcedure } from "./trpc.ts";

export const analystProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const isAnalyst = await withUser(ctx.database, ctx.claims, (tx) => callerIsAnalyst(tx));
  if (!isAnalyst) throw new TRPCError({ code: "FORBIDDEN", message: "Insights are available to analysts only" });
  return next({
    ctx: {
      /**
       * Runs fn in one transaction as the database role analyst — on a read replica when configured
       * (insights read facts only the refresh writes). The analyst check above stays on the primary,
       * so a revoke takes effect at once.
       */
      asAnalyst: <T>(fn: (tx: Tx) => Promise<T>) =>
        onReadTarget(ctx.database, null, (database) => withAnalyst(database, ctx.claims, fn)),
      insightOptions: { k: ctx.config.kAnonymity },
    },
  });
});
