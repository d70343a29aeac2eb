// Row-level security attack suite: a member of business A tries to read, insert, update and delete
// business B's rows in every tenant table, with raw SQL and through withUser; forged claims,
// deactivated memberships, role limits, PII column grants and the server's login role.
import { randomUUID } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { rows, withAnalyst, withUser, type Claims, type Database, type Executor } from "../src/index.ts";
import { describeDb } from "./harness.ts";

const dialect = new PgDialect();

// Fixed ids: two tenants, each with users in every role, and people with no (active) membership.
const U = {
  ownerA: "a0000000-0000-4000-8000-000000000001",
  adminA: "a0000000-0000-4000-8000-000000000002",
  memberA: "a0000000-0000-4000-8000-000000000003",
  inactiveA: "a0000000-0000-4000-8000-000000000004",
  ownerB: "b0000000-0000-4000-8000-000000000001",
  memberB: "b0000000-0000-4000-8000-000000000003",
  outsider: "c0000000-0000-4000-8000-000000000001",
} as const;
const A = "aaaaaaaa-0000-4000-8000-00000000000a";
const B = "bbbbbbbb-0000-4000-8000-00000000000b";
const C = {
  a1: "aaaaaaaa-c000-4000-8000-000000000001",
  a2: "aaaaaaaa-c000-4000-8000-000000000002",
  b1: "bbbbbbbb-c000-4000-8000-000000000001",
  b2: "bbbbbbbb-c000-4000-8000-000000000002",
};
const I = { a: "aaaaaaaa-1000-4000-8000-000000000001", b: "bbbbbbbb-1000-4000-8000-000000000001" };
const T = { a: "aaaaaaaa-7000-4000-8000-000000000001", b: "bbbbbbbb-7000-4000-8000-000000000001" };

async function seedTenants(db: Executor) {
  await db.execute(sql`insert into auth.users (id, email, raw_user_meta_data) values
    (${U.ownerA}, 'owner.a@a.test', '{"full_name":"Owner A","phone":"111"}'),
    (${U.adminA}, 'admin.a@a.test', '{"full_name":"Admin A"}'),
    (${U.memberA}, 'member.a@a.test', '{"full_name":"Member A"}'),
    (${U.inactiveA}, 'inactive.a@a.test', '{"full_name":"Inactive A"}'),
    (${U.ownerB}, 'owner.b@b.test', '{"full_name":"Owner B","phone":"222"}'),
    (${U.memberB}, 'member.b@b.test', '{"full_name":"Member B"}'),
    (${U.outsider}, 'outsider@c.test', '{}')`);
  await db.execute(sql`update public.users set birth_date = '1980-01-01', province = 'BC', motivation = 'other'`);
  // The creator trigger makes ownerA / ownerB owners.
  await db.execute(sql`insert into businesses (id, name, created_by) values (${A}, 'Tenant A', ${U.ownerA}), (${B}, 'Tenant B', ${U.ownerB})`);
  await db.execute(sql`insert into business_memberships (business_id, user_id, role, is_active) values
    (${A}, ${U.adminA}, 'admin', true), (${A}, ${U.memberA}, 'member', true), (${A}, ${U.inactiveA}, 'admin', false),
    (${B}, ${U.memberB}, 'member', true)`);
  await db.execute(sql`insert into contacts (id, business_id, full_name, email, assigned_to, created_by) values
    (${C.a1}, ${A}, 'Alice A', 'alice@x.test', ${U.memberA}, ${U.ownerA}),
    (${C.a2}, ${A}, 'Aaron A', null, null, ${U.ownerA}),
    (${C.b1}, ${B}, 'Bob B', 'bob@x.test', ${U.memberB}, ${U.ownerB}),
    (${C.b2}, ${B}, 'Beth B', null, null, ${U.ownerB})`);
  await db.execute(sql`insert into imports (id, business_id, created_by, filename, status) values
    (${I.a}, ${A}, ${U.ownerA}, 'a.csv', 'completed'), (${I.b}, ${B}, ${U.ownerB}, 'b.csv', 'completed')`);
  await db.execute(sql`insert into transactions (id, business_id, contact_id, created_by, amount_cents, import_id) values
    (${T.a}, ${A}, ${C.a1}, ${U.ownerA}, 1000, ${I.a}), (${T.b}, ${B}, ${C.b1}, ${U.ownerB}, 2000, ${I.b})`);
  await db.execute(sql`insert into l1_event_facts (user_id, business_id, event_type) values
    (${U.memberA}, ${A}, 'contact_created'), (${U.memberB}, ${B}, 'contact_created')`);
  await db.execute(sql`insert into l1_transaction_facts (fact_id, tokenized_user_id, occurred_on, amount_cents, currency)
    values ('f1', 'tok1', '2024-01-01', 100, 'CAD')`);
  await db.execute(sql`insert into l1_customer_facts (tokenized_user_id, user_segment) values ('tok1', 'new')`);
}

/** Every row of tenant B, plus the l1 tables no user may write: compared before and after attacks. */
async function snapshotB(db: Executor): Promise<string> {
  const [row] = await rows<{ s: string }>(
    db,
    sql`select concat_ws('|',
      (select json_agg(u order by id)::text from auth.users u where id in (${U.ownerB}, ${U.memberB})),
      (select json_agg(u order by id)::text from public.users u where id in (${U.ownerB}, ${U.memberB})),
      (select json_agg(b)::text from businesses b where id = ${B}),
      (select json_agg(m order by user_id)::text from business_memberships m where business_id = ${B}),
      (select json_agg(c order by id)::text from contacts c where business_id = ${B}),
      (select json_agg(t order by id)::text from transactions t where business_id = ${B}),
      (select json_agg(i order by id)::text from imports i where business_id = ${B}),
      (select json_agg(e order by id)::text from l1_event_facts e where business_id = ${B} or user_id in (${U.ownerB}, ${U.memberB})),
      (select json_agg(f)::text from l1_transaction_facts f),
      (select json_agg(f)::text from l1_customer_facts f),
      (select count(*) from business_memberships where user_id in (${U.memberA}, ${U.ownerA}, ${U.adminA}) and business_id <> ${A})
    ) as s`,
  );
  return row!.s;
}

interface Result {
  rows: Record<string, unknown>[];
  count: number;
}

function normalize(result: unknown): Result {
  if (Array.isArray(result)) return { rows: [...result], count: (result as { count?: number }).count ?? result.length };
  const r = result as { rows: Record<string, unknown>[]; affectedRows?: number };
  return { rows: r.rows, count: r.affectedRows ?? 0 };
}

/** How a statement reaches the database as a user: `claims` is the raw setting (null: never set). */
type Runner = (claims: string | null, statement: SQL, role?: "authenticated" | "analyst") => Promise<Result>;

const claimsOf = (sub: string) => JSON.stringify({ sub, role: "authenticated" });

/** Through withUser / withAnalyst, the helper every request uses. */
function helperRunner(database: () => Database): Runner {
  return async (claims, statement, role = "authenticated") => {
    const parsed = (claims === null || claims === "" ? {} : JSON.parse(claims)) as Claims;
    const run = (tx: Executor) => tx.execute(statement);
    const result = role === "analyst" ? await withAnalyst(database(), parsed, run) : await withUser(database(), parsed, run);
    return normalize(result);
  };
}

const SET_ROLE = "select set_config('role', $1, true)";
const SET_ROLE_AND_CLAIMS = "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)";

/** Raw SQL on the driver: begin; set_config(role, claims); statement; commit (rollback on error). */
function rawRunner(ctx: { database: Database; url: string | undefined }, client: () => postgres.Sql | undefined): Runner {
  return async (claims, statement, role = "authenticated") => {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    const setup = claims === null ? [SET_ROLE, [role]] : [SET_ROLE_AND_CLAIMS, [role, claims]];
    const pgClient = client();
    if (pgClient) {
      return pgClient.begin(async (tx) => {
        await tx.unsafe(setup[0] as string, setup[1] as string[]);
        return normalize(await tx.unsafe(text, params as never[]));
      }) as Promise<Result>;
    }
    const pg = (ctx.database.db as unknown as { $client: PGlite }).$client;
    return pg.transaction(async (tx) => {
      await tx.query(setup[0] as string, setup[1] as string[]);
      return normalize(await tx.query(text, params));
    });
  };
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message));
  return parts.join(" / ");
}

type Outcome = "empty" | "denied" | "rls";
const PATTERN: Record<Exclude<Outcome, "empty">, RegExp> = {
  denied: /permission denied/,
  rls: /row-level security/,
};

async function expectOutcome(run: Promise<Result>, outcome: Outcome, label: string) {
  let result: Result | undefined;
  let error: unknown;
  try {
    result = await run;
  } catch (e) {
    error = e;
  }
  if (outcome === "empty") {
    expect(error === undefined ? "" : errorText(error), label).toBe("");
    expect({ rows: result!.rows.length, count: result!.count }, label).toEqual({ rows: 0, count: 0 });
  } else {
    expect(error, `${label}: expected an error, got ${JSON.stringify(result)}`).toBeDefined();
    expect(errorText(error), label).toMatch(PATTERN[outcome]);
  }
}

interface Attack {
  name: string;
  statement: SQL;
  outcome: Outcome;
}

/** What an active member (any role) of A tries against B, per table. */
const crossTenantAttacks = (self: string): Attack[] => [
  // auth.users
  { name: "auth.users read", statement: sql`select id, email from auth.users where id in (${U.ownerB}, ${U.memberB})`, outcome: "empty" },
  { name: "auth.users insert", statement: sql`insert into auth.users (id, email) values (${randomUUID()}, 'evil@b.test')`, outcome: "denied" },
  { name: "auth.users update", statement: sql`update auth.users set raw_user_meta_data = '{"full_name":"pwned"}' where id = ${U.memberB}`, outcome: "empty" },
  { name: "auth.users delete", statement: sql`delete from auth.users where id = ${U.memberB}`, outcome: "denied" },
  // public.users
  { name: "users read", statement: sql`select id, email, phone from public.users where id in (${U.ownerB}, ${U.memberB}, ${U.outsider})`, outcome: "empty" },
  { name: "users insert", statement: sql`insert into public.users (id, email, display_name) values (${U.outsider}, 'x@x.test', 'x')`, outcome: "denied" },
  { name: "users update", statement: sql`update public.users set motivation = 'other' where id in (${U.ownerB}, ${U.memberB})`, outcome: "empty" },
  { name: "users delete", statement: sql`delete from public.users where id = ${U.memberB}`, outcome: "denied" },
  // businesses
  { name: "businesses read", statement: sql`select id, name from businesses where id = ${B}`, outcome: "empty" },
  { name: "businesses insert as B's owner", statement: sql`insert into businesses (name, created_by) values ('evil', ${U.ownerB})`, outcome: "rls" },
  { name: "businesses update", statement: sql`update businesses set name = 'pwned' where id = ${B}`, outcome: "empty" },
  { name: "businesses delete", statement: sql`delete from businesses where id = ${B}`, outcome: "empty" },
  // business_memberships
  { name: "memberships read", statement: sql`select * from business_memberships where business_id = ${B}`, outcome: "empty" },
  { name: "memberships insert self into B", statement: sql`insert into business_memberships (business_id, user_id, role) values (${B}, ${self}, 'owner')`, outcome: "denied" },
  { name: "memberships update", statement: sql`update business_memberships set is_active = false where business_id = ${B}`, outcome: "empty" },
  { name: "memberships delete", statement: sql`delete from business_memberships where business_id = ${B}`, outcome: "denied" },
  // contacts
  { name: "contacts read", statement: sql`select * from contacts where business_id = ${B} or id in (${C.b1}, ${C.b2})`, outcome: "empty" },
  { name: "contacts insert", statement: sql`insert into contacts (business_id, full_name) values (${B}, 'evil')`, outcome: "rls" },
  { name: "contacts update", statement: sql`update contacts set full_name = 'pwned' where business_id = ${B}`, outcome: "empty" },
  { name: "contacts move A->B", statement: sql`update contacts set business_id = ${B} where id = ${C.a2}`, outcome: "rls" },
  { name: "contacts delete", statement: sql`delete from contacts where id = ${C.b1}`, outcome: "empty" },
  // transactions
  { name: "transactions read", statement: sql`select * from transactions where business_id = ${B} or contact_id = ${C.b1}`, outcome: "empty" },
  { name: "transactions insert", statement: sql`insert into transactions (business_id, contact_id, amount_cents) values (${B}, ${C.b1}, 1)`, outcome: "rls" },
  { name: "transactions insert on B's contact", statement: sql`insert into transactions (business_id, contact_id, amount_cents) values (${A}, ${C.b1}, 1)`, outcome: "rls" },
  { name: "transactions insert on B's import", statement: sql`insert into transactions (business_id, contact_id, amount_cents, import_id) values (${A}, ${C.a1}, 1, ${I.b})`, outcome: "rls" },
  { name: "transactions update", statement: sql`update transactions set amount_cents = 0 where business_id = ${B}`, outcome: "empty" },
  { name: "transactions move A->B", statement: sql`update transactions set business_id = ${B}, contact_id = ${C.b1} where id = ${T.a}`, outcome: "rls" },
  { name: "transactions delete", statement: sql`delete from transactions where id = ${T.b}`, outcome: "empty" },
  // imports
  { name: "imports read", statement: sql`select * from imports where business_id = ${B}`, outcome: "empty" },
  { name: "imports insert", statement: sql`insert into imports (business_id, filename) values (${B}, 'evil.csv')`, outcome: "rls" },
  { name: "imports update", statement: sql`update imports set status = 'failed' where business_id = ${B}`, outcome: "empty" },
  { name: "imports move A->B", statement: sql`update imports set business_id = ${B} where id = ${I.a}`, outcome: "rls" },
  { name: "imports delete", statement: sql`delete from imports where id = ${I.b}`, outcome: "empty" },
  // l1_event_facts: users only append their own activity
  { name: "events read", statement: sql`select * from l1_event_facts`, outcome: "denied" },
  { name: "events insert into B", statement: sql`insert into l1_event_facts (user_id, business_id, event_type) values (${self}, ${B}, 'x')`, outcome: "rls" },
  { name: "events insert as B's member", statement: sql`insert into l1_event_facts (user_id, business_id, event_type) values (${U.memberB}, ${A}, 'x')`, outcome: "rls" },
  { name: "events update", statement: sql`update l1_event_facts set event_type = 'x' where business_id = ${B}`, outcome: "denied" },
  { name: "events delete", statement: sql`delete from l1_event_facts where business_id = ${B}`, outcome: "denied" },
  // l1_transaction_facts / l1_customer_facts: analysts and the pipeline only
  { name: "tx facts read", statement: sql`select * from l1_transaction_facts`, outcome: "denied" },
  { name: "tx facts insert", statement: sql`insert into l1_transaction_facts (fact_id, tokenized_user_id, occurred_on, amount_cents, currency) values ('evil', 't', '2024-01-01', 1, 'CAD')`, outcome: "denied" },
  { name: "tx facts update", statement: sql`update l1_transaction_facts set amount_cents = 0`, outcome: "denied" },
  { name: "tx facts delete", statement: sql`delete from l1_transaction_facts`, outcome: "denied" },
  { name: "customer facts read", statement: sql`select * from l1_customer_facts`, outcome: "denied" },
  { name: "customer facts insert", statement: sql`insert into l1_customer_facts (tokenized_user_id) values ('evil')`, outcome: "denied" },
  { name: "customer facts update", statement: sql`update l1_customer_facts set user_segment = 'x'`, outcome: "denied" },
  { name: "customer facts delete", statement: sql`delete from l1_customer_facts`, outcome: "denied" },
  // l1_user_activity_days / l1_user_cohort_weeks (rollups of the events): analysts and the pipeline only
  { name: "activity days read", statement: sql`select * from l1_user_activity_days`, outcome: "denied" },
  { name: "cohort weeks read", statement: sql`select * from l1_user_cohort_weeks`, outcome: "denied" },
  { name: "cohort weeks insert", statement: sql`insert into l1_user_cohort_weeks (user_id, cohort_week, active_weeks) values (${self}, '2024-01-01', 1)`, outcome: "denied" },
  { name: "cohort weeks update", statement: sql`update l1_user_cohort_weeks set active_weeks = 0`, outcome: "denied" },
  { name: "cohort weeks delete", statement: sql`delete from l1_user_cohort_weeks`, outcome: "denied" },
];

/** Counts of what a session can see in every readable tenant table. */
const VISIBLE = sql`select
  (select count(*) from auth.users)::int as auth_users,
  (select count(*) from public.users)::int as users,
  (select count(*) from businesses)::int as businesses,
  (select count(*) from business_memberships)::int as memberships,
  (select count(*) from contacts)::int as contacts,
  (select count(*) from transactions)::int as transactions,
  (select count(*) from imports)::int as imports`;
const NOTHING = { auth_users: 0, users: 0, businesses: 0, memberships: 0, contacts: 0, transactions: 0, imports: 0 };

describeDb("row-level security", (ctx) => {
  let pgClient: postgres.Sql | undefined;
  let before = "";
  const db = () => ctx.database.db;
  const raw = rawRunner(ctx, () => pgClient);
  const helper = helperRunner(() => ctx.database);
  const modes: [string, Runner][] = [
    ["raw SQL", raw],
    ["withUser", helper],
  ];

  beforeAll(async () => {
    await seedTenants(db());
    if (ctx.url) pgClient = postgres(ctx.url, { max: 1, onnotice: () => {} });
    before = await snapshotB(db());
  });
  afterAll(async () => {
    await pgClient?.end();
  });

  for (const [mode, run] of modes) {
    for (const attacker of ["memberA", "ownerA"] as const) {
      it(`${mode}: ${attacker} of A can neither read nor write anything of B, in any table`, async () => {
        const self = U[attacker];
        for (const attack of crossTenantAttacks(self)) {
          await expectOutcome(run(claimsOf(self), attack.statement), attack.outcome, `${mode} ${attacker} ${attack.name}`);
        }
        expect(await snapshotB(db())).toBe(before);
        // The same session does see and write its own tenant (so "empty" above is RLS, not breakage).
        const own = await run(claimsOf(self), VISIBLE);
        expect(own.rows[0]).toMatchObject({ auth_users: 1, businesses: 1, contacts: 2, transactions: 1, imports: 1 });
        const inserted = await run(claimsOf(self), sql`insert into contacts (business_id, full_name) values (${A}, ${`by ${attacker} ${mode}`})`);
        expect(inserted.count).toBe(1);
        await db().execute(sql`delete from contacts where full_name = ${`by ${attacker} ${mode}`}`);
      });
    }

    it(`${mode}: forged, malformed, empty or absent claims see nothing and write nothing`, async () => {
      const stranger = randomUUID();
      const forged: (string | null)[] = [
        claimsOf(stranger),
        claimsOf("not-a-uuid"),
        claimsOf(`${U.memberA}' or '1'='1`),
        JSON.stringify({ sub: null, role: "authenticated" }),
        JSON.stringify({ role: "service_role" }),
        "{}",
        "",
        null,
      ];
      for (const claims of forged) {
        const seen = await run(claims, VISIBLE);
        expect(seen.rows[0], `claims ${claims}`).toEqual(NOTHING);
        const uid = await run(claims, sql`select auth.uid() as uid`);
        // A well-formed but unknown sub is a user with no memberships; anything else is anonymous.
        expect(uid.rows[0]).toEqual({ uid: claims === claimsOf(stranger) ? stranger : null });
        await expectOutcome(run(claims, sql`insert into contacts (business_id, full_name) values (${A}, 'forged')`), "rls", `claims ${claims}`);
        await expectOutcome(run(claims, sql`update contacts set full_name = 'forged'`), "empty", `claims ${claims}`);
        await expectOutcome(run(claims, sql`insert into businesses (name) values ('forged')`), "rls", `claims ${claims}`);
      }
      expect(await snapshotB(db())).toBe(before);
    });

    it(`${mode}: a deactivated membership sees nothing of its business and writes nothing`, async () => {
      const claims = claimsOf(U.inactiveA);
      const seen = await run(claims, VISIBLE);
      // Only themself (auth and public users) and their own (inactive) membership row.
      expect(seen.rows[0]).toEqual({ ...NOTHING, auth_users: 1, users: 1, memberships: 1 });
      await expectOutcome(run(claims, sql`select id from contacts where business_id = ${A}`), "empty", "inactive read");
      await expectOutcome(run(claims, sql`insert into contacts (business_id, full_name) values (${A}, 'x')`), "rls", "inactive insert");
      await expectOutcome(run(claims, sql`update contacts set full_name = 'x' where business_id = ${A}`), "empty", "inactive update");
      // Their former admin role gives them no power over memberships (not even to reactivate themself).
      await expect(run(claims, sql`update business_memberships set is_active = true where user_id = ${U.inactiveA}`), "reactivate").rejects.toThrow();
      await expectOutcome(run(claims, sql`update business_memberships set role = 'owner' where business_id = ${A} and user_id <> ${U.inactiveA}`), "empty", "inactive changes others");
      await expectOutcome(run(claims, sql`select id from businesses`), "empty", "inactive businesses");
    });
  }

  // The full rule set (roles, last owner, invitations) is attacked in membership-rules.test.ts.
  it("a plain member cannot write memberships; an admin can, within their business, but never insert", async () => {
    const run = raw;
    const member = claimsOf(U.memberA);
    await expectOutcome(run(member, sql`insert into business_memberships (business_id, user_id) values (${A}, ${U.outsider})`), "denied", "member adds");
    await expect(run(member, sql`update business_memberships set role = 'owner' where user_id = ${U.memberA}`), "member promotes self").rejects.toThrow(/owner/);
    await expectOutcome(run(member, sql`update business_memberships set is_active = false where user_id = ${U.ownerA}`), "empty", "member deactivates owner");
    await expectOutcome(run(member, sql`delete from business_memberships where business_id = ${A}`), "denied", "member deletes");
    const admin = claimsOf(U.adminA);
    // Joining takes the invitee's consent: not even an admin inserts a membership.
    await expectOutcome(run(admin, sql`insert into business_memberships (business_id, user_id) values (${A}, ${U.outsider})`), "denied", "admin adds");
    await db().execute(sql`insert into business_memberships (business_id, user_id) values (${A}, ${U.outsider})`);
    expect((await run(claimsOf(U.outsider), sql`select id from contacts`)).rows).toHaveLength(2);
    expect((await run(admin, sql`update business_memberships set role = 'admin' where business_id = ${A} and user_id = ${U.outsider}`)).count).toBe(1);
    expect((await run(admin, sql`update business_memberships set is_active = false where business_id = ${A} and user_id = ${U.outsider}`)).count).toBe(1);
    expect((await run(claimsOf(U.outsider), sql`select id from contacts`)).rows).toHaveLength(0);
    await expectOutcome(run(admin, sql`delete from business_memberships where business_id = ${A} and user_id = ${U.outsider}`), "denied", "admin deletes");
    await db().execute(sql`delete from business_memberships where business_id = ${A} and user_id = ${U.outsider}`);
    await expectOutcome(run(admin, sql`insert into business_memberships (business_id, user_id) values (${B}, ${U.outsider})`), "denied", "admin adds to B");
    expect(await snapshotB(db())).toBe(before);
  });

  it("public.users: a member sees themself and active co-members only", async () => {
    const seen = await withUser(ctx.database, { sub: U.memberA, role: "authenticated" }, (tx) =>
      rows<{ id: string }>(tx, sql`select id::text from public.users order by id`),
    );
    expect(seen.map((r) => r.id)).toEqual([U.ownerA, U.adminA, U.memberA].sort());
    const outsider = await withUser(ctx.database, { sub: U.outsider, role: "authenticated" }, (tx) =>
      rows<{ id: string }>(tx, sql`select id::text from public.users`),
    );
    expect(outsider).toEqual([{ id: U.outsider }]);
  });

  it("users update app-owned columns of their own row only, never mirrored or admin columns", async () => {
    const run = helper;
    const me = claimsOf(U.memberA);
    const forbidden: [string, SQL][] = [
      ["email", sql`'x@a.test'`], ["display_name", sql`'x'`], ["full_name", sql`'x'`], ["phone", sql`'1'`],
      ["avatar_url", sql`'x'`], ["is_active", sql`false`], ["email_validated", sql`true`],
      ["account_status", sql`'closed'`], ["created_at", sql`now()`], ["last_sign_in", sql`now()`],
    ];
    for (const [column, value] of forbidden) {
      await expectOutcome(run(me, sql`update public.users set ${sql.identifier(column)} = ${value} where id = ${U.memberA}`), "denied", `update users.${column}`);
    }
    expect((await run(me, sql`update public.users set motivation = 'grow_sales', onboarding_last_step = 'done', province = 'ON', birth_date = '1991-01-01' where id = ${U.memberA}`)).count).toBe(1);
    await expectOutcome(run(me, sql`update public.users set motivation = 'track_payments' where id = ${U.ownerA}`), "empty", "update co-member");
    // In auth.users only their own metadata: never roles (raw_app_meta_data), ban, email or password.
    for (const [column, value] of [["raw_app_meta_data", sql`'{"roles":["analyst"]}'`], ["banned_until", sql`null`], ["email", sql`'new@a.test'`], ["encrypted_password", sql`'x'`], ["email_confirmed_at", sql`now()`]] as const) {
      await expectOutcome(run(me, sql`update auth.users set ${sql.identifier(column)} = ${value} where id = ${U.memberA}`), "denied", `update auth.users.${column}`);
    }
    await expectOutcome(run(me, sql`select * from private.user_mirror_drift()`), "denied", "drift report");
    await expectOutcome(run(me, sql`select private.mirror_user(u) from auth.users u`), "denied", "mirror_user");
    await expectOutcome(run(me, sql`select encrypted_password from auth.users`), "denied", "read password hashes");
    await expectOutcome(run(me, sql`select banned_until from auth.users`), "denied", "read bans");
    const [mine] = await rows<{ motivation: string; email: string }>(db(), sql`select motivation, email from public.users where id = ${U.memberA}`);
    expect(mine).toEqual({ motivation: "grow_sales", email: "member.a@a.test" });
  });

  it("the analyst role is denied PII columns and every operational table, and reads the l1 tables", async () => {
    for (const [mode, run] of modes) {
      const analyst = (statement: SQL) => run(claimsOf(U.outsider), statement, "analyst");
      for (const column of ["email", "full_name", "display_name", "phone", "avatar_url", "birth_date", "province", "last_sign_in", "is_active"]) {
        await expectOutcome(analyst(sql`select ${sql.identifier(column)} from public.users`), "denied", `${mode} analyst users.${column}`);
      }
      await expectOutcome(analyst(sql`select * from public.users`), "denied", `${mode} analyst users.*`);
      for (const table of ["contacts", "businesses", "business_memberships", "transactions", "imports"]) {
        await expectOutcome(analyst(sql`select 1 from ${sql.identifier(table)}`), "denied", `${mode} analyst ${table}`);
      }
      await expectOutcome(analyst(sql`select 1 from auth.users`), "denied", `${mode} analyst auth.users`);
      await expectOutcome(analyst(sql`select private.co_member_ids()`), "denied", `${mode} analyst private`);
      await expectOutcome(analyst(sql`update l1_customer_facts set user_segment = 'x'`), "denied", `${mode} analyst writes facts`);
      const ok = await analyst(sql`select count(id)::int as users, count(created_at)::int as created,
          count(motivation)::int as motivated, count(onboarding_last_step)::int as steps,
          count(onboarding_completed_at)::int as completed, count(account_status)::int as statuses,
          (select count(*) from l1_event_facts)::int as events, (select count(*) from l1_transaction_facts)::int as tx,
          (select count(*) from l1_customer_facts)::int as customers
        from public.users`);
      expect(ok.rows[0]).toMatchObject({ users: 7, created: 7, statuses: 7, events: 2, tx: 1, customers: 1 });
    }
  });

  it("claims never leak between ~50 concurrent withUser calls of two tenants", async () => {
    const users = [U.memberA, U.memberB];
    const calls = Array.from({ length: 50 }, (_, i) => {
      const sub = users[i % 2]!;
      return withUser(ctx.database, { sub, role: "authenticated" }, async (tx) => {
        const [first] = await rows<{ uid: string }>(tx, sql`select auth.uid()::text as uid`);
        // Yield between statements so other calls get every chance to interleave.
        await new Promise((resolve) => setImmediate(resolve));
        const contacts = await rows<{ business_id: string }>(tx, sql`select business_id::text from contacts`);
        const [last] = await rows<{ uid: string; role: string }>(tx, sql`select auth.uid()::text as uid, current_user as role`);
        return { sub, first: first!.uid, last: last!.uid, role: last!.role, businesses: [...new Set(contacts.map((c) => c.business_id))] };
      });
    });
    const results = await Promise.all(calls);
    for (const r of results) {
      expect(r).toEqual({ sub: r.sub, first: r.sub, last: r.sub, role: "authenticated", businesses: [r.sub === U.memberA ? A : B] });
    }
    // And the owner connection is back to itself afterwards (role and claims were transaction-local).
    const [after] = await rows<{ uid: string | null; role: string }>(db(), sql`select auth.uid() as uid, current_user as role`);
    expect(after).toMatchObject({ uid: null });
    expect(after!.role).not.toBe("authenticated");
  });

  // PGlite is one in-process connection with no login roles, so connecting as switchboard_app exists
  // only on a PostgreSQL server (the suite's postgres run, which CI always does).
  it.skipIf(ctx.kind !== "postgres")("postgres only: the login role switchboard_app reads nothing without SET ROLE and only its tenant as authenticated", async () => {
    const url = new URL(ctx.url!);
    url.username = "switchboard_app";
    const app = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const [me] = await app`select current_user as role, r.rolsuper, r.rolbypassrls,
          (select count(*) from pg_class c where c.relowner = r.oid and c.relnamespace in ('public'::regnamespace, 'auth'::regnamespace))::int as owned
        from pg_roles r where r.rolname = current_user`;
      expect(me).toEqual({ role: "switchboard_app", rolsuper: false, rolbypassrls: false, owned: 0 });
      for (const table of ["public.contacts", "public.users", "public.businesses", "public.business_memberships", "public.transactions", "public.imports", "auth.users", "public.l1_event_facts", "public.l1_customer_facts"]) {
        await expect(app.unsafe(`select 1 from ${table}`), table).rejects.toThrow(/permission denied/);
      }
      await expect(app.unsafe("set role postgres")).rejects.toThrow(/permission denied/);
      const seen = await app.begin(async (tx) => {
        await tx.unsafe(SET_ROLE_AND_CLAIMS, ["authenticated", claimsOf(U.memberB)]);
        return tx`select business_id::text from contacts`;
      });
      expect(seen.map((r) => r.business_id)).toEqual([B, B]);
      // Role and claims ended with the transaction.
      await expect(app.unsafe("select 1 from public.contacts")).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });
});
