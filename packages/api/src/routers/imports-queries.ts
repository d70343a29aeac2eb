// Contacts CSV import: parse (csv-parse), validate every row, drop duplicates by email (already in
// the business or earlier in the file), insert the valid rows in multi-row batches, record the
// import with its per-row errors. One transaction: a file that fails as a whole writes nothing.
import { TRPCError } from "@trpc/server";
import { rows, sql, type Tx } from "@switchboard/db";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { EmailInput, NameInput, OptionalText, PhoneInput } from "./common.types.ts";
import { MAX_CSV_ROWS, type ImportOut, type ImportResult } from "./imports.types.ts";
import { appendEvent, isoSql, resolveBusiness } from "./shared-queries.ts";

type ImportResultOut = z.infer<typeof ImportResult>;
export type ImportProgressFn = (processed: number, total: number) => void | Promise<void>;

const HEADERS = ["full_name", "email", "phone", "company", "assigned_to_email"] as const;
type Header = (typeof HEADERS)[number];
const BATCH = 1000;

/** A macrotask turn: awaiting resolved promises alone never lets I/O (other requests, streamed progress) run. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const CsvRow = z.object({
  full_name: NameInput(255),
  email: z.preprocess(blankToUndefined, EmailInput.optional()),
  phone: z.preprocess(blankToUndefined, PhoneInput.optional()),
  company: z.preprocess(blankToUndefined, OptionalText(255).optional()),
  assigned_to_email: z.preprocess(blankToUndefined, EmailInput.optional()),
});

interface ParsedRecord {
  line: number;
  values: string[];
}

function parseCsv(csv: string): { header: string[]; records: ParsedRecord[] } {
  let parsed: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    parsed = parse(csv, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TRPCError({ code: "BAD_REQUEST", message: `Malformed CSV: ${message}` });
  }
  const [head, ...body] = parsed;
  if (!head) throw new TRPCError({ code: "BAD_REQUEST", message: "The file has no header row" });
  if (body.length > MAX_CSV_ROWS) {
    throw new TRPCError({ code: "BAD_REQUEST", message: `Too many rows: ${body.length} (max ${MAX_CSV_ROWS})` });
  }
  // info.lines is where a record ends; a quoted field can span lines, so count back to its start
  // (raw may also carry skipped empty lines before it and the line break after it).
  const startLine = (p: (typeof parsed)[number]) =>
    p.info.lines - (p.raw.replace(/^[\r\n]+|[\r\n]+$/g, "").match(/\n/g)?.length ?? 0);
  return {
    header: head.record.map((h) => h.trim().toLowerCase()),
    records: body.map((p) => ({ line: startLine(p), values: p.record })),
  };
}

export async function importContactsCsv(
  tx: Tx,
  requested: string | null,
  input: { filename?: string; csv: string },
  onProgress?: ImportProgressFn,
): Promise<ImportResultOut> {
  const business = await resolveBusiness(tx, requested);
  const { header, records } = parseCsv(input.csv);
  if (!header.includes("full_name")) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "The header row must include full_name" });
  }
  const column = new Map<Header, number>();
  for (const name of HEADERS) if (header.includes(name)) column.set(name, header.indexOf(name));

  const errors: { line: number; reason: string }[] = [];
  const valid: { line: number; row: z.infer<typeof CsvRow> }[] = [];
  for (const [i, record] of records.entries()) {
    if (i > 0 && i % BATCH === 0) await yieldToEventLoop();
    const raw = Object.fromEntries([...column].map(([name, i]) => [name, record.values[i] ?? ""]));
    const result = CsvRow.safeParse(raw);
    if (result.success) valid.push({ line: record.line, row: result.data });
    else {
      const issue = result.error.issues[0]!;
      errors.push({ line: record.line, reason: `${issue.path.join(".") || "row"}: ${issue.message}` });
    }
  }

  // Existing live emails and the business's active members, each in one statement.
  const emails = [...new Set(valid.flatMap((v) => (v.row.email ? [v.row.email] : [])))];
  const taken = new Set(
    (
      await rows<{ email: string }>(
        tx,
        sql`select lower(email) as email from public.contacts
            where business_id = ${business.id}::uuid and deleted_at is null and email is not null
              and lower(email) in (select jsonb_array_elements_text(${JSON.stringify(emails)}::jsonb))`,
      )
    ).map((r) => r.email),
  );
  const needsMembers = valid.some((v) => v.row.assigned_to_email);
  const members = new Map(
    needsMembers
      ? (
          await rows<{ email: string; id: string }>(
            tx,
            sql`select lower(u.email) as email, u.id from public.business_memberships bm
                join public.users u on u.id = bm.user_id
                where bm.business_id = ${business.id}::uuid and bm.is_active and u.is_active`,
          )
        ).map((m) => [m.email, m.id])
      : [],
  );

  const toInsert: { line: number; row: z.infer<typeof CsvRow>; assignee: string | null }[] = [];
  for (const { line, row } of valid) {
    if (row.email && taken.has(row.email)) {
      errors.push({ line, reason: "duplicate email" });
      continue;
    }
    const assignee = row.assigned_to_email ? members.get(row.assigned_to_email) : null;
    if (assignee === undefined) {
      errors.push({ line, reason: "assigned_to_email: not an active member of the business" });
      continue;
    }
    if (row.email) taken.add(row.email);
    toInsert.push({ line, row, assignee });
  }

  const total = records.length;
  let processed = total - toInsert.length;
  let imported = 0;
  await onProgress?.(processed, total);
  for (let start = 0; start < toInsert.length; start += BATCH) {
    const batch = toInsert.slice(start, start + BATCH);
    const values = sql.join(
      batch.map(
        ({ row, assignee }) =>
          sql`(${business.id}::uuid, ${row.full_name}, ${row.email ?? null}, ${row.phone ?? null}, ${row.company ?? null},
               ${assignee}::uuid, auth.uid())`,
      ),
      sql`, `,
    );
    // A concurrent writer may have taken an email since the check: that row is skipped, not fatal.
    const inserted = await rows<{ email: string | null }>(
      tx,
      sql`insert into public.contacts (business_id, full_name, email, phone, company, assigned_to, created_by)
          values ${values}
          on conflict do nothing
          returning lower(email) as email`,
    );
    imported += inserted.length;
    if (inserted.length < batch.length) {
      const landed = new Set(inserted.map((r) => r.email));
      for (const { line, row } of batch) {
        if (row.email && !landed.has(row.email)) errors.push({ line, reason: "duplicate email" });
      }
    }
    processed += batch.length;
    await onProgress?.(processed, total);
    // On PGlite the statement above ran on this thread: let other requests and the progress stream through.
    await yieldToEventLoop();
  }

  errors.sort((a, b) => a.line - b.line);
  const status = imported === 0 && errors.length > 0 ? "failed" : "completed";
  const [record] = await rows<z.infer<typeof ImportOut>>(
    tx,
    sql`insert into public.imports (business_id, created_by, kind, filename, status, rows_total, rows_imported,
                                    rows_failed, errors, finished_at)
        values (${business.id}::uuid, auth.uid(), 'contacts', ${input.filename ?? null}, ${status}, ${total},
                ${imported}, ${errors.length}, ${JSON.stringify(errors)}::jsonb, now())
        returning ${importColumns}`,
  );
  await appendEvent(tx, "import_completed", business.id, {
    import_id: record!.id,
    rows_total: total,
    rows_imported: imported,
    rows_failed: errors.length,
  });
  return { import: record!, errors };
}

const importColumns = sql`id, filename, status, rows_total, rows_imported, rows_failed, created_by,
  ${isoSql(sql`created_at`)} as created_at, ${isoSql(sql`finished_at`)} as finished_at`;

export async function listImports(tx: Tx, requested: string | null, limit: number) {
  const business = await resolveBusiness(tx, requested);
  const data = await rows<z.infer<typeof ImportOut>>(
    tx,
    sql`select ${importColumns} from public.imports
        where business_id = ${business.id}::uuid
        order by created_at desc, id desc
        limit ${limit}`,
  );
  return { data };
}
