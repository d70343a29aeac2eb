import type { TRPCRouterRecord } from "@trpc/server";
import { userProcedure } from "../trpc.ts";
import { listTransactions, recordTransaction } from "./transactions-queries.ts";
import { ListTransactionsInput, RecordTransactionInput, TransactionOut, TransactionPage } from "./transactions.types.ts";
import { requestedBusinessId } from "./shared-queries.ts";

const tags = ["transactions"];

export const transactionsRouter = {
  record: userProcedure
    .meta({ openapi: { method: "POST", path: "/contacts/{contact_id}/transactions", tags, protect: true, summary: "Record a transaction for a contact" } })
    .input(RecordTransactionInput)
    .output(TransactionOut)
    .mutation(({ ctx, input }) => recordTransaction(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input)),
  list: userProcedure
    .meta({ openapi: { method: "GET", path: "/contacts/{contact_id}/transactions", tags, protect: true, summary: "A contact's transactions, newest first" } })
    .input(ListTransactionsInput)
    .output(TransactionPage)
    .query(({ ctx, input }) => listTransactions(ctx.tx, requestedBusinessId(input.businessId, ctx.businessIdHeader), input)),
} satisfies TRPCRouterRecord;
