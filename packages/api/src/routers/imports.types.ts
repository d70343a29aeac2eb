import { z } from "zod";
import { BusinessIdInput, Id, IsoTimestamp, LimitInput } from "./common.types.ts";

export const MAX_CSV_BYTES = 5 * 1024 * 1024;
export const MAX_CSV_ROWS = 50_000;

export const ContactsCsvInput = z.object({
  businessId: BusinessIdInput,
  filename: z.string().trim().min(1).max(255).optional(),
  csv: z
    .string()
    .min(1, "Empty file")
    .max(MAX_CSV_BYTES, "File too large (max 5 MB)")
    .refine((v) => Buffer.byteLength(v, "utf8") <= MAX_CSV_BYTES, { message: "File too large (max 5 MB)" })
    .describe("The CSV text: a header row (full_name required; email, phone, company, assigned_to_email optional)"),
});

export const RowError = z.object({ line: z.number().int(), reason: z.string() });

export const ImportOut = z.object({
  id: Id,
  filename: z.string().nullable(),
  status: z.enum(["pending", "running", "completed", "failed"]),
  rows_total: z.number().int(),
  rows_imported: z.number().int(),
  rows_failed: z.number().int(),
  created_by: Id.nullable(),
  created_at: IsoTimestamp,
  finished_at: IsoTimestamp.nullable(),
});

export const ImportResult = z.object({ import: ImportOut, errors: z.array(RowError) });

export const ImportProgress = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), processed: z.number().int(), total: z.number().int() }),
  z.object({ type: z.literal("done"), result: ImportResult }),
]);

export const ListImportsInput = z.object({ businessId: BusinessIdInput, limit: LimitInput(100, 20) });
export const ImportList = z.object({ data: z.array(ImportOut) });
