import type { TRPCRouterRecord } from "@trpc/server";
import { markWrite, withUser } from "@switchboard/db";
import type { z } from "zod";
import { toTRPCError } from "../errors.ts";
import { protectedProcedure, userProcedure } from "../trpc.ts";
import { importContactsCsv, listImports } from "./imports-queries.ts";
import { ContactsCsvInput, ImportList, ImportResult, ListImportsInput, type ImportProgress } from "./imports.types.ts";
import { requestedBusinessId } from "./shared-queries.ts";

const tags = ["imports"];
type ProgressEvent = z.infer<typeof ImportProgress>;

export const importsRouter = {
  contactsCsv: userProcedure
    .meta({ openapi: { method: "POST", path: "/imports/contacts", tags, protect: true, summary: "Import contacts from CSV text" } })
    .input(ContactsCsvInput)
    .output(ImportResult)
    .mutation(({ ctx, input }) =>
      importContactsCsv(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input),
    ),
  /**
   * The same import, streamed (httpBatchStreamLink): {type:"progress"} events, then {type:"done"}.
   * It opens its own withUser transaction because the generator outlives the middleware chain.
   */
  contactsCsvStream: protectedProcedure.input(ContactsCsvInput).mutation(async function* ({ ctx, input }) {
    const queue: ProgressEvent[] = [];
    let wake: (() => void) | null = null;
    const push = (event: ProgressEvent) => {
      queue.push(event);
      wake?.();
    };
    let failure: unknown = null;
    let finished = false;
    const run = withUser(ctx.database, ctx.claims, (tx) =>
      importContactsCsv(tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input, (processed, total) =>
        push({ type: "progress", processed, total }),
      ),
    ).then(
      // Committed: mark the writer before "done" so their next read sees the import (read replicas).
      async (result) => (await markWrite(ctx.database, ctx.claims.sub), push({ type: "done", result })),
      (error: unknown) => {
        failure = error;
        wake?.();
      },
    ).finally(() => {
      finished = true;
      wake?.();
    });
    while (true) {
      const next = queue.shift();
      if (next) {
        yield next;
        if (next.type === "done") break;
        continue;
      }
      if (failure) throw toTRPCError(failure);
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
    await run;
  }),
  list: userProcedure
    .meta({ openapi: { method: "GET", path: "/imports", tags, protect: true, summary: "Recent imports of the business" } })
    .input(ListImportsInput)
    .output(ImportList)
    .query(({ ctx, input }) => listImports(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input.limit)),
} satisfies TRPCRouterRecord;
