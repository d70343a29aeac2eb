// Catalog checks: every foreign key and every column an RLS policy filters on has an index, RLS is on
// for every tenant table, and the contact list order has its index.
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { rows } from "../src/index.ts";
import { describeDb } from "./harness.ts";

const TENANT_TABLES = [
  "auth.users",
  "public.users",
  "public.businesses",
  "public.business_memberships",
  "public.contacts",
  "public.transactions",
  "public.imports",
  "public.l1_event_facts",
  "public.l1_transaction_facts",
  "public.l1_customer_facts",
  "public.l1_user_activity_days",
  "public.l1_user_milestones",
  "public.l1_activity_daily",
  "public.l1_user_cohort_weeks",
  "public.business_invitations",
  "auth.password_reset_tokens",
  "private.mail_outbox",
];

describeDb("indexes and RLS catalog", (ctx) => {
  it("indexes every foreign key with a full (non-partial) index led by its columns", async () => {
    const fks = await rows<{ tbl: string; conname: string; indexed: boolean }>(
      ctx.database.db,
      sql`select c.conrelid::regclass::text as tbl, c.conname,
                 exists (select 1 from pg_index i
                         where i.indrelid = c.conrelid and i.indpred is null
                           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
                           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey) as indexed
          from pg_constraint c
          where c.contype = 'f' and c.connamespace in ('public'::regnamespace, 'auth'::regnamespace)
          order by 1, 2`,
    );
    expect(fks.length).toBeGreaterThanOrEqual(14);
    expect(fks.filter((f) => !f.indexed)).toEqual([]);
  });

  it("indexes every column an RLS policy filters on", async () => {
    // Columns of the policy's own table named in its USING expression (WITH CHECK only checks new
    // rows and filters nothing). pg_depend is no help: it folds column references into table ones.
    const columns = await rows<{ policy: string; tbl: string; col: string; indexed: boolean }>(
      ctx.database.db,
      sql`select p.policyname as policy, p.schemaname || '.' || p.tablename as tbl, a.attname as col,
                 exists (select 1 from pg_index i where i.indrelid = a.attrelid and i.indkey[0] = a.attnum) as indexed
          from pg_policies p
          join pg_attribute a on a.attrelid = (quote_ident(p.schemaname) || '.' || quote_ident(p.tablename))::regclass
                             and a.attnum > 0 and not a.attisdropped
          where p.qual ~ ('\\m' || a.attname || '\\M')
          order by 2, 3, 1`,
    );
    // Sanity: the query sees the policies it is meant to check.
    expect(columns.map((c) => `${c.tbl}.${c.col}`)).toEqual(
      expect.arrayContaining(["public.contacts.business_id", "public.business_memberships.user_id", "public.businesses.created_by", "auth.users.id"]),
    );
    expect(columns.filter((c) => !c.indexed)).toEqual([]);
  });

  it("has RLS enabled on every tenant table, and policies only for known roles", async () => {
    const tables = await rows<{ tbl: string; rls: boolean }>(
      ctx.database.db,
      sql`select (n.nspname || '.' || c.relname) as tbl, c.relrowsecurity as rls
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.relkind in ('r', 'p') and n.nspname in ('public', 'auth', 'private')`,
    );
    for (const table of TENANT_TABLES) expect(tables.find((t) => t.tbl === table), table).toEqual({ tbl: table, rls: true });
    const roles = await rows<{ role: string }>(
      ctx.database.db,
      sql`select distinct unnest(roles)::text as role from pg_policies order by 1`,
    );
    expect(roles.map((r) => r.role)).toEqual(["analyst", "authenticated", "switchboard_app", "switchboard_auth", "switchboard_facts", "switchboard_mailer"]);
  });

  it("lets only the roles that need them execute private functions (authenticated: the membership helpers)", async () => {
    // Security definer functions in private (mirror, drift report) would expose every user's email.
    const grants = await rows<{ fn: string; role: string }>(
      ctx.database.db,
      sql`select p.proname as fn, r.rolname as role
          from pg_proc p cross join pg_roles r
          where p.pronamespace = 'private'::regnamespace
            and r.rolname in ('authenticated', 'analyst', 'switchboard_auth', 'switchboard_facts', 'switchboard_mailer', 'switchboard_app')
            and has_function_privilege(r.oid, p.oid, 'execute')
          order by 1, 2`,
    );
    // The invitation functions act for auth.uid() only and check the caller's role themselves (0007);
    // accept_invitation_row (takes a whole row, so forgeable) is deliberately not among them.
    expect(grants).toEqual([
      { fn: "accept_invitation", role: "authenticated" },
      { fn: "accept_invitation_by_token", role: "authenticated" },
      { fn: "co_member_ids", role: "authenticated" },
      { fn: "decline_invitation", role: "authenticated" },
      // l1_event_facts partition maintenance (migration 0005): the facts pipeline only; they return counts.
      { fn: "drop_event_partitions_before", role: "switchboard_facts" },
      { fn: "ensure_event_partitions", role: "switchboard_facts" },
      { fn: "has_other_active_owner", role: "authenticated" },
      { fn: "invite_member", role: "authenticated" },
      { fn: "lock_business", role: "authenticated" },
      // Read-your-writes marks (migration 0009): the server's login role, outside any request role.
      { fn: "mark_write", role: "switchboard_app" },
      { fn: "my_admin_business_ids", role: "authenticated" },
      { fn: "my_business_ids", role: "authenticated" },
      { fn: "my_email", role: "authenticated" },
      { fn: "my_invitations", role: "authenticated" },
      { fn: "my_owner_business_ids", role: "authenticated" },
      { fn: "my_role_in", role: "authenticated" },
      // Retention of done mail and finished invitations (migration 0018): the mail worker only.
      { fn: "purge_retained", role: "switchboard_mailer" },
      { fn: "revoke_invitation", role: "authenticated" },
      { fn: "role_rank", role: "authenticated" },
      // Checks membership itself and returns only contact ids (migration 0003).
      { fn: "search_contact_ids", role: "authenticated" },
      { fn: "write_mark", role: "switchboard_app" },
    ]);
  });

  it("has the contact list order index (business_id, created_at, id)", async () => {
    const [found] = await rows<{ n: number }>(
      ctx.database.db,
      sql`select count(*)::int as n from pg_index i
          where i.indrelid = 'public.contacts'::regclass and i.indpred is null
            and (select array_agg(a.attname::text order by k.ord) from unnest(i.indkey) with ordinality k(attnum, ord)
                 join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum) = array['business_id', 'created_at', 'id']`,
    );
    expect(found!.n).toBe(1);
  });

  it("keeps a transaction's contact in the transaction's business, for every role (business-scoped foreign key)", async () => {
    // As the owner (no RLS): only the composite key (business_id, contact_id) → contacts(business_id, id) stops it.
    const db = ctx.database.db;
    const [owner, a, b, contactB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await db.execute(sql`insert into auth.users (id, email) values (${owner}, ${`${owner}@keys.test`})`);
    await db.execute(sql`insert into businesses (id, name, created_by) values (${a}, 'Keys A', ${owner}), (${b}, 'Keys B', ${owner})`);
    await db.execute(sql`insert into contacts (id, business_id, full_name) values (${contactB}, ${b}, 'In B')`);
    const error = await db
      .execute(sql`insert into transactions (business_id, contact_id, amount_cents) values (${a}, ${contactB}, 1)`)
      .then(() => null, (e: unknown) => e as { cause?: { code?: string }; code?: string });
    expect(error?.cause?.code ?? error?.code).toBe("23503");
    await db.execute(sql`insert into transactions (business_id, contact_id, amount_cents) values (${b}, ${contactB}, 1)`);
    // Nor can the contact move to another business away from its transactions.
    await expect(db.execute(sql`update contacts set business_id = ${a} where id = ${contactB}`)).rejects.toThrow();
  });
});
