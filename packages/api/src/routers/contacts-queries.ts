// Contact reads and writes. list, byId and search are each ONE statement: the business resolution
// (CTE `biz`), the contacts, and two aliased LEFT JOINs to public.users (assignee `ua`, creator
// `uc`) shaped into the requested detail level in SQL. RLS on public.users hides anyone who is not
// an active co-member, so their joined object comes back null.
import { TRPCError } from "@trpc/server";
import type { SQL } from "drizzle-orm";
import { rows, sql, type Tx } from "@switchboard/db";
import type { z } from "zod";
import type { ContactOutput, IncludeUserDetails } from "./common.types.ts";
import type { ContactSort, CreateContactInput, ListContactsInput, UpdateContactInput } from "./contacts.types.ts";
import {
  appendEvent,
  businessCte,
  cursorTsSql,
  decodeCursor,
  encodeCursor,
  isoSql,
  isUniqueViolation,
  resolveBusiness,
  type Cursor,
} from "./shared-queries.ts";

const userObject = (u: string, level: IncludeUserDetails): SQL => {
  const t = sql.raw(u); // a fixed alias chosen below, never input
  const basic = sql`'id', ${t}.id, 'display_name', ${t}.display_name, 'email', ${t}.email`;
  const fields =
    level === "full"
      ? sql`${basic}, 'full_name', ${t}.full_name, 'phone', ${t}.phone, 'is_active', ${t}.is_active,
            'last_sign_in', ${isoSql(sql`${t}.last_sign_in`)}`
      : basic;
  return sql`case when ${t}.id is null then null else json_build_object(${fields}) end`;
};

/** Select list and joins for a detail level: none needs no join at all. */
function detailColumns(level: IncludeUserDetails): { columns: SQL; joins: SQL } {
  const base = sql`c.id, c.business_id, c.full_name, c.email, c.phone, c.company,
    ${isoSql(sql`c.created_at`)} as created_at, ${isoSql(sql`c.updated_at`)} as updated_at`;
  if (level === "none") {
    return { columns: sql`${base}, c.assigned_to, c.created_by`, joins: sql`` };
  }
  return {
    columns: sql`${base}, ${userObject("ua", level)} as assigned_to, ${userObject("uc", level)} as created_by`,
    joins: sql`left join public.users ua on ua.id = c.assigned_to
               left join public.users uc on uc.id = c.created_by`,
  };
}

type ContactRow = ContactOutput & { cursor_key?: string };

function strip(row: ContactRow): ContactOutput {
  const { cursor_key: _k, ...contact } = row;
  return contact;
}

/** Business check after an empty read: throws NOT_FOUND / BAD_REQUEST when that is why it was empty. */
async function explainEmpty(tx: Tx, requested: string | null) {
  await resolveBusiness(tx, requested);
}

export async function listContacts(
  tx: Tx,
  requested: string | null,
  input: z.infer<typeof ListContactsInput>,
): Promise<{ data: ContactOutput[]; next_cursor: string | null }> {
  const cursor = decodeCursor(input.cursor, input.sort);
  const { columns, joins } = detailColumns(input.include_user_details);
  const { key, order, after } = sortSql(input.sort, cursor);
  const filter =
    input.assigned_to === undefined
      ? sql``
      : input.assigned_to === "me"
        ? sql`and c.assigned_to = auth.uid()`
        : input.assigned_to === "unassigned"
          ? sql`and c.assigned_to is null`
          : sql`and c.assigned_to = ${input.assigned_to}::uuid`;
  const found = await rows<ContactRow>(
    tx,
    sql`with ${businessCte(requested)}
        select ${columns}, ${key} as cursor_key
        from public.contacts c ${joins}
        where c.business_id = (select id from biz) and c.deleted_at is null ${filter} ${after}
        order by ${order}
        limit ${input.limit + 1}`,
  );
  if (found.length === 0) await explainEmpty(tx, requested);
  const page = found.slice(0, input.limit);
  const last = page[page.length - 1];
  const next_cursor =
    found.length > input.limit && last ? encodeCursor({ s: input.sort, k: last.cursor_key!, i: last.id }) : null;
  return { data: page.map(strip), next_cursor };
}

// Each sort is a keyset over (key, id): the next page starts strictly after the last row seen.
function sortSql(sort: ContactSort, cursor: Cursor | null): { key: SQL; order: SQL; after: SQL } {
  if (sort === "created_desc") {
    return {
      key: cursorTsSql(sql`c.created_at`),
      order: sql`c.created_at desc, c.id desc`,
      after: cursor ? sql`and (c.created_at, c.id) < (${cursor.k}::timestamptz, ${cursor.i}::uuid)` : sql``,
    };
  }
  const asc = sort === "name_asc";
  return {
    key: sql`c.full_name`,
    order: asc ? sql`c.full_name asc, c.id asc` : sql`c.full_name desc, c.id desc`,
    after: cursor
      ? asc
        ? sql`and (c.full_name, c.id) > (${cursor.k}, ${cursor.i}::uuid)`
        : sql`and (c.full_name, c.id) < (${cursor.k}, ${cursor.i}::uuid)`
      : sql``,
  };
}

export async function contactById(
  tx: Tx,
  requested: string | null,
  id: string,
  level: IncludeUserDetails,
): Promise<ContactOutput> {
  const { columns, joins } = detailColumns(level);
  const [row] = await rows<ContactRow>(
    tx,
    sql`with ${businessCte(requested)}
        select ${columns}
        from public.contacts c ${joins}
        where c.business_id = (select id from biz) and c.id = ${id}::uuid and c.deleted_at is null`,
  );
  if (row) return row;
  await explainEmpty(tx, requested);
  throw new TRPCError({ code: "NOT_FOUND", message: "Contact not found" });
}

// Search: private.search_contact_ids (migration 0003) runs the trigram-indexed match for the
// resolved business (it checks membership itself: under RLS the non-leakproof trigram operators
// could not use the index) and returns ranked ids; the contacts and users are read here, through RLS.
export async function searchContacts(
  tx: Tx,
  requested: string | null,
  query: string,
  level: IncludeUserDetails,
  limit: number,
): Promise<{ data: ContactOutput[] }> {
  const { columns, joins } = detailColumns(level);
  const found = await rows<ContactRow>(
    tx,
    sql`with ${businessCte(requested)},
        hits as (select s.id, s.rank from private.search_contact_ids((select id from biz), ${query}, ${limit}) s)
        select ${columns}
        from hits h
        join public.contacts c on c.id = h.id ${joins}
        where c.business_id = (select id from biz) and c.deleted_at is null
        order by h.rank`,
  );
  if (found.length === 0) await explainEmpty(tx, requested);
  return { data: found };
}

const EMAIL_TAKEN = () =>
  new TRPCError({ code: "CONFLICT", message: "A contact with this email already exists in this business" });

/** Runs a write and turns the live-email unique index into a clear 409. */
async function guardEmail<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUniqueViolation(error, "contacts_business_email_key")) throw EMAIL_TAKEN();
    throw error;
  }
}

/** An assignee must be an active member of the contact's business, with an active (not banned or deleted) account. */
async function assertAssignable(tx: Tx, businessId: string, userId: string | null | undefined) {
  if (!userId) return;
  const [ok] = await rows<{ ok: number }>(
    tx,
    sql`select 1 as ok from public.business_memberships bm join public.users u on u.id = bm.user_id
        where bm.business_id = ${businessId}::uuid and bm.user_id = ${userId}::uuid and bm.is_active and u.is_active`,
  );
  if (!ok) throw new TRPCError({ code: "BAD_REQUEST", message: "assigned_to must be an active member of the business" });
}

export async function createContact(tx: Tx, requested: string | null, input: z.infer<typeof CreateContactInput>) {
  const business = await resolveBusiness(tx, requested);
  await assertAssignable(tx, business.id, input.assigned_to);
  const [row] = await guardEmail(() =>
    rows<{ id: string }>(
      tx,
      sql`insert into public.contacts (business_id, full_name, email, phone, company, assigned_to, created_by)
          values (${business.id}::uuid, ${input.full_name}, ${input.email ?? null}, ${input.phone ?? null},
                  ${input.company ?? null}, ${input.assigned_to ?? null}::uuid, auth.uid())
          returning id`,
    ),
  );
  await appendEvent(tx, "contact_created", business.id, { contact_id: row!.id, source: "api" });
  return contactById(tx, business.id, row!.id, "basic");
}

export async function updateContact(tx: Tx, requested: string | null, input: z.infer<typeof UpdateContactInput>) {
  const business = await resolveBusiness(tx, requested);
  await assertAssignable(tx, business.id, input.assigned_to);
  const set = (field: string, value: unknown, cast = sql``) =>
    value === undefined ? sql`` : sql`, ${sql.identifier(field)} = ${value}${cast}`;
  const updated = await guardEmail(() =>
    rows<{ id: string }>(
      tx,
      sql`update public.contacts set updated_at = now()
            ${set("full_name", input.full_name)} ${set("email", input.email)} ${set("phone", input.phone)}
            ${set("company", input.company)} ${set("assigned_to", input.assigned_to, sql`::uuid`)}
          where id = ${input.id}::uuid and business_id = ${business.id}::uuid and deleted_at is null
          returning id`,
    ),
  );
  if (updated.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: "Contact not found" });
  const fields = ["full_name", "email", "phone", "company", "assigned_to"].filter(
    (k) => input[k as keyof typeof input] !== undefined,
  );
  await appendEvent(tx, "contact_updated", business.id, { contact_id: input.id, fields });
  return contactById(tx, business.id, input.id, "basic");
}

export async function deleteContact(tx: Tx, requested: string | null, id: string) {
  const business = await resolveBusiness(tx, requested);
  const deleted = await rows<{ id: string }>(
    tx,
    sql`update public.contacts set deleted_at = now(), updated_at = now()
        where id = ${id}::uuid and business_id = ${business.id}::uuid and deleted_at is null
        returning id`,
  );
  if (deleted.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: "Contact not found" });
  await appendEvent(tx, "contact_deleted", business.id, { contact_id: id });
  return { id, deleted: true as const };
}

export async function restoreContact(tx: Tx, requested: string | null, id: string) {
  const business = await resolveBusiness(tx, requested);
  const restored = await guardEmail(() =>
    rows<{ id: string }>(
      tx,
      sql`update public.contacts set deleted_at = null, updated_at = now()
          where id = ${id}::uuid and business_id = ${business.id}::uuid and deleted_at is not null
          returning id`,
    ),
  );
  if (restored.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: "Deleted contact not found" });
  await appendEvent(tx, "contact_updated", business.id, { contact_id: id, fields: ["deleted_at"], restored: true });
  return contactById(tx, business.id, id, "basic");
}

export async function assignContacts(
  tx: Tx,
  requested: string | null,
  ids: string[],
  assignedTo: string | null,
): Promise<number> {
  const business = await resolveBusiness(tx, requested);
  await assertAssignable(tx, business.id, assignedTo);
  const unique = [...new Set(ids)];
  const updated = await rows<{ id: string }>(
    tx,
    sql`update public.contacts set assigned_to = ${assignedTo}::uuid, updated_at = now()
        where business_id = ${business.id}::uuid and deleted_at is null
          and id in (select jsonb_array_elements_text(${JSON.stringify(unique)}::jsonb)::uuid)
        returning id`,
  );
  // All or nothing: one unknown id rolls the whole assignment back.
  if (updated.length !== unique.length) throw new TRPCError({ code: "NOT_FOUND", message: "Contact not found" });
  await tx.execute(
    sql`insert into public.l1_event_facts (user_id, business_id, event_type, properties)
        select auth.uid(), ${business.id}::uuid, 'contact_updated',
               jsonb_build_object('contact_id', id, 'fields', jsonb_build_array('assigned_to'))
        from jsonb_array_elements_text(${JSON.stringify(unique)}::jsonb) as id`,
  );
  return updated.length;
}
