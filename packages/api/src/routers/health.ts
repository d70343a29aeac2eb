import type { TRPCRouterRecord } from "@trpc/server";
import { sql } from "@switchboard/db";
import { publicProcedure } from "../trpc.ts";

export const healthRouter = {
  ping: publicProcedure.query(async ({ ctx }) => {
    await ctx.database.db.execute(sql`select 1`);
    return { ok: true as const };
  }),
} satisfies TRPCRouterRecord;
