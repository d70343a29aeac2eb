// Pieces every feature router uses: business resolution, ISO timestamps in SQL, opaque cursors,
// event facts. All SQL is parameterized; nothing from input is ever spliced into SQL text.
import { TRPCError } from "@trpc/server";
import type { SQL } from "drizzle-orm";
import { rows, sql, type Executor, type MembershipRole } from "@switchboard/db";
import { z } from "zod";
import { Id } from "./common.types.ts";

/** The id a call asks for: input `businessId`, else the X-Business-Id header, else none (validated). */
export function requestedBusinessId(input: string | undefined, header: string | null): string | null {
  if (input) return input;
  if (header == null || header === "") return null;
  const parsed = Id.safeParse(header.trim());
  if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", message: "X-Business-Id must be a uuid" });
  return parsed.data;
}

export interface ResolvedBusiness {
  id: string;
  role: MembershipRole;
}

/**
 * The caller's business: the requested one if they are an active member of it, else their only
 * active membership. Not a member (or no such business) → NOT_FOUND; several and none asked → 400.
 */
export async function resolveBusiness(tx: Executor, requested: string | null): Promise<ResolvedBusiness> {
  const found = await rows<{ business_id: string; role: MembershipRole }>(
    tx,
    sql`select bm.business_id, bm.role from public.business_memberships bm
        where bm.user_id = auth.uid() and bm.is_active
          and (${requested}::uuid is null or bm.business_id = ${requested}::uuid)
        limit 2`,
  );
  if (found.length === 1) return { id: found[0]!.business_id, role: found[0]!.role };
  if (found.length > 1) throw new TRPCError({ code: "BAD_REQUEST", message: "X-Business-Id required: you belong to several businesses" });
  throw new TRPCError({ code: "NOT_FOUND", message: "Business not found" });
}

/**
 * CTE `biz(id)`: the same resolution as resolveBusiness folded into a read statement. It yields no
 * row when the caller is not a member or must choose, so the statement returns nothing and the
 * caller runs resolveBusiness once to say why.
 */
export function businessCte(requested: string | null): SQL {
  // Two shapes, so each is a plain index lookup on business_memberships_user_id_idx; `(select
  // auth.uid())` is evaluated once per statement, not per membership row.
  if (requested === null) {
    return sql`biz as (
      select (array_agg(bm.business_id))[1] as id
      from public.business_memberships bm
      where bm.user_id = (select auth.uid()) and bm.is_active
      having count(*) = 1
    )`;
  }
  return sql`biz as (
    select bm.business_id as id
    from public.business_memberships bm
    where bm.user_id = (select auth.uid()) and bm.is_active and bm.business_id = ${requested}::uuid
  )`;
}

/** A timestamptz as an ISO string with milliseconds, the same on every driver. */
export const isoSql = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/** Full precision (microseconds) for keyset cursors: a millisecond key would skip or repeat rows. */
export const cursorTsSql = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

// Cursors are base64url JSON {s: sort, k: key, i: id}: opaque to clients, validated on the way in.
const CursorShape = z.object({ s: z.string(), k: z.string().max(400), i: Id });
export type Cursor = z.infer<typeof CursorShape>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(value: string | undefined, sort: string): Cursor | null {
  if (!value) return null;
  try {
    const parsed = CursorShape.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    if (parsed.success && parsed.data.s === sort) return parsed.data;
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw new TRPCError({ code: "BAD_REQUEST", message: "Invalid cursor" });
}

export const eventTypes = [
  "signed_in",
  "contact_created",
  "contact_updated",
  "contact_deleted",
  "import_completed",
  "transaction_recorded",
  "onboarding_step",
] as const;
export type EventType = (typeof eventTypes)[number];

/** Appends one activity fact for the caller (auth.uid()) inside the current transaction. */
export async function appendEvent(
  tx: Executor,
  type: EventType,
  businessId: string | null,
  properties: Record<string, unknown> = {},
): Promise<void> {
  await tx.execute(
    sql`insert into public.l1_event_facts (user_id, business_id, event_type, properties)
        values (auth.uid(), ${businessId}::uuid, ${type}, ${JSON.stringify(properties)}::jsonb)`,
  );
}

/** 23505 on the named unique index (under Drizzle's and the drivers' wrappers). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: string; constraint?: string; constraint_name?: string; message?: string; cause?: unknown };
    if (e.code === "23505") {
      if (!constraint) return true;
      const name = e.constraint ?? e.constraint_name ?? "";
      return name === constraint || (e.message ?? "").includes(constraint);
    }
    current = e.cause;
  }
  return false;
}
