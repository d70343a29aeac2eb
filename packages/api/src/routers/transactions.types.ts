import { z } from "zod";
import { BusinessIdInput, CursorInput, Id, IsoTimestamp, LimitInput } from "./common.types.ts";

export const RecordTransactionInput = z.object({
  businessId: BusinessIdInput,
  contact_id: Id,
  // Cents, signed (refunds are negative), bounded well inside JavaScript's safe integers.
  amount_cents: z.number().int().min(-1e13).max(1e13).refine((v) => v !== 0, { message: "Must not be zero" }),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, "Three-letter ISO 4217 code")
    .transform((v) => v.toUpperCase())
    .default("CAD"),
  category: z.string().trim().min(1).max(64).optional(),
  occurred_at: IsoTimestamp.optional(),
});

export const ListTransactionsInput = z.object({
  businessId: BusinessIdInput,
  contact_id: Id,
  limit: LimitInput(200, 50),
  cursor: CursorInput,
});

export const TransactionOut = z.object({
  id: Id,
  business_id: Id,
  contact_id: Id,
  amount_cents: z.number().int(),
  currency: z.string(),
  category: z.string().nullable(),
  occurred_at: IsoTimestamp,
  created_by: Id.nullable(),
  created_at: IsoTimestamp,
});

export const TransactionPage = z.object({ data: z.array(TransactionOut), next_cursor: z.string().nullable() });
