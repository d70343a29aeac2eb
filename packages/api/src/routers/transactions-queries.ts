// Transactions of a contact. The contact must be live in the caller's business.
import { TRPCError } from "@trpc/server";
import { rows, sql, type Tx } from "@switchboard/db";
import type { z } from "zod";
import type { ListTransactionsInput, RecordTransactionInput, TransactionOut } from "./transactions.types.ts";
import {
  appendEvent,
  cursorTsSql,
  decodeCursor,
  encodeCursor,
  isoSql,
  resolveBusiness,
} from "./shared-queries.ts";

type TransactionRow = z.infer<typeof TransactionOut> & { cursor_key?: string };

const columns = sql`t.id, t.business_id, t.contact_id, t.amount_cents::float8 as amount_cents, t.currency, t.category,
  ${isoSql(sql`t.occurred_at`)} as occurred_at, t.created_by, ${isoSql(sql`t.created_at`)} as created_at`;

async function requireContact(tx: Tx, businessId: string, contactId: string) {
  const [found] = await rows<{ id: string }>(
    tx,
    sql`select id from public.contacts
        where id = ${contactId}::uuid and business_id = ${businessId}::uuid and deleted_at is null`,
  );
  if (!found) throw new TRPCError({ code: "NOT_FOUND", message: "Contact not found" });
}

export async function recordTransaction(
  tx: Tx,
  requested: string | null,
  input: z.infer<typeof RecordTransactionInput>,
): Promise<z.infer<typeof TransactionOut>> {
  const business = await resolveBusiness(tx, requested);
  await requireContact(tx, business.id, input.contact_id);
  const [row] = await rows<TransactionRow>(
    tx,
    sql`insert into public.transactions as t (business_id, contact_id, created_by, amount_cents, currency, category, occurred_at)
        values (${business.id}::uuid, ${input.contact_id}::uuid, auth.uid(), ${input.amount_cents}, ${input.currency},
                ${input.category ?? null}, coalesce(${input.occurred_at ?? null}::timestamptz, now()))
        returning ${columns}`,
  );
  await appendEvent(tx, "transaction_recorded", business.id, { transaction_id: row!.id });
  return row!;
}

export async function listTransactions(
  tx: Tx,
  requested: string | null,
  input: z.infer<typeof ListTransactionsInput>,
): Promise<{ data: z.infer<typeof TransactionOut>[]; next_cursor: string | null }> {
  const cursor = decodeCursor(input.cursor, "occurred_desc");
  const business = await resolveBusiness(tx, requested);
  await requireContact(tx, business.id, input.contact_id);
  const found = await rows<TransactionRow>(
    tx,
    sql`select ${columns}, ${cursorTsSql(sql`t.occurred_at`)} as cursor_key
        from public.transactions t
        where t.business_id = ${business.id}::uuid and t.contact_id = ${input.contact_id}::uuid
          ${cursor ? sql`and (t.occurred_at, t.id) < (${cursor.k}::timestamptz, ${cursor.i}::uuid)` : sql``}
        order by t.occurred_at desc, t.id desc
        limit ${input.limit + 1}`,
  );
  const page = found.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(({ cursor_key: _k, ...t }) => t),
    next_cursor: found.length > input.limit && last ? encodeCursor({ s: "occurred_desc", k: last.cursor_key!, i: last.id }) : null,
  };
}
