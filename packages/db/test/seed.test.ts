import { expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { DEMO_LOGINS, rows, seed, SeedRefusedError, verifyPassword, type Executor } from "../src/index.ts";
import { withLoader } from "../src/seed/loader.ts";
import { describeDb } from "./harness.ts";

const NOW = new Date("2025-06-02T00:00:00Z");

// One fingerprint per table over every column the generator controls (timestamps as epoch so the
// session time zone cannot matter); password hashes are salted and excluded.
const fingerprints = {
  users: sql`select md5(string_agg(concat_ws('|', id, email, display_name, full_name, phone, avatar_url, is_active,
      extract(epoch from created_at), extract(epoch from updated_at), extract(epoch from last_sign_in), motivation,
      onboarding_last_step, extract(epoch from onboarding_completed_at), account_status, birth_date, province), ',' order by id)) as h
    from public.users`,
  memberships: sql`select md5(string_agg(concat_ws('|', business_id, user_id, role, is_active, extract(epoch from created_at)), ','
      order by business_id, user_id)) as h from public.business_memberships`,
  contacts: sql`select md5(string_agg(concat_ws('|', id, business_id, full_name, email, phone, company, assigned_to, created_by,
      extract(epoch from created_at), extract(epoch from updated_at), extract(epoch from deleted_at)), ',' order by id)) as h
    from public.contacts`,
  transactions: sql`select md5(string_agg(concat_ws('|', id, contact_id, created_by, amount_cents, currency, category,
      extract(epoch from occurred_at), import_id), ',' order by id)) as h from public.transactions`,
  imports: sql`select md5(string_agg(concat_ws('|', id, kind, status, rows_total, rows_imported, rows_failed, errors::text,
      extract(epoch from created_at)), ',' order by id)) as h from public.imports`,
  events: sql`select md5(string_agg(concat_ws('|', id, user_id, business_id, event_type, extract(epoch from occurred_at),
      properties::text), ',' order by id)) as h from public.l1_event_facts`,
};

async function fingerprint(db: Executor) {
  const out: Record<string, string> = {};
  for (const [name, query] of Object.entries(fingerprints)) {
    const [row] = await rows<{ h: string | null }>(db, query);
    out[name] = row?.h ?? "empty";
  }
  return out;
}

// The PGlite run records its fingerprint; the PostgreSQL run (same file, after it) must match it.
let firstDriverFingerprint: Record<string, string> | undefined;

describeDb("seed", (ctx) => {
  let first: Record<string, string>;

  it("loads the test scale with the expected counts", async () => {
    const result = await seed(ctx.database, { scale: "test", now: NOW });
    expect(result.rows["auth.users"]).toBe(40);
    expect(result.rows["public.contacts"]).toBe(180);
    expect(result.rows["public.transactions"]).toBe(240);
    expect(result.rows["public.l1_event_facts"]).toBeGreaterThan(500);
    const [counts] = await rows<{ users: number; businesses: number; contacts: number }>(
      ctx.database.db,
      sql`select (select count(*)::int from public.users) as users, (select count(*)::int from public.businesses) as businesses,
                 (select count(*)::int from public.contacts) as contacts`,
    );
    expect(counts).toEqual({ users: 40, businesses: 2, contacts: 180 });
    first = await fingerprint(ctx.database.db);
    expect(Object.values(first)).not.toContain("empty");
  });

  it("mirrors every auth user into public.users (no drift)", async () => {
    const drift = await rows(ctx.database.db, sql`select * from private.user_mirror_drift()`);
    expect(drift).toEqual([]);
  });

  it("has the demo logins with verifiable passwords and the right roles", async () => {
    for (const login of DEMO_LOGINS) {
      const [user] = await rows<{ encrypted_password: string; raw_app_meta_data: { roles?: string[] } }>(
        ctx.database.db,
        sql`select encrypted_password, raw_app_meta_data from auth.users where lower(email) = ${login.email}`,
      );
      expect(user, login.email).toBeDefined();
      expect(await verifyPassword(login.password, user!.encrypted_password)).toBe(true);
      expect(await verifyPassword("not-the-password", user!.encrypted_password)).toBe(false);
      expect(user!.raw_app_meta_data.roles ?? []).toEqual(login.role === "analyst" ? ["analyst"] : []);
    }
    const memberships = await rows<{ email: string; role: string; contacts: number; rank: number }>(
      ctx.database.db,
      sql`select u.email, m.role, (select count(*)::int from public.contacts c where c.business_id = m.business_id) as contacts,
                 (select count(*)::int from public.businesses b2 where (select count(*) from public.contacts c2 where c2.business_id = b2.id)
                    > (select count(*) from public.contacts c where c.business_id = m.business_id)) as rank
            from public.users u join public.business_memberships m on m.user_id = u.id
           where u.email in ('demo@switchboard.test', 'analyst@switchboard.test')`,
    );
    // The demo owner owns the biggest business; the analyst belongs to none.
    expect(memberships).toEqual([{ email: "demo@switchboard.test", role: "owner", contacts: 120, rank: 0 }]);
    const [team] = await rows<{ roles: string[]; assignees: number }>(
      ctx.database.db,
      sql`select array_agg(distinct m.role order by m.role) as roles,
                 (select count(distinct c.assigned_to)::int from public.contacts c where c.business_id = b.id) as assignees
            from public.businesses b join public.business_memberships m on m.business_id = b.id
           where b.name = 'Maple Leaf Outfitters' group by b.id`,
    );
    expect(team!.roles).toContain("owner");
    expect(team!.roles.length).toBeGreaterThan(1);
    expect(team!.assignees).toBeGreaterThan(2);
  });

  it("spreads signups so several weekly cohorts have at least 5 users", async () => {
    const weeks = await rows<{ week: string; n: number }>(
      ctx.database.db,
      sql`select date_trunc('week', created_at at time zone 'UTC')::date::text as week, count(*)::int as n
            from public.users group by 1 having count(*) >= 5`,
    );
    expect(weeks.length).toBeGreaterThanOrEqual(3);
  });

  it("keeps events after signup and app-owned columns filled", async () => {
    const [check] = await rows<{ early: number; motivated: number; onboarded: number; provinces: number; users: number }>(
      ctx.database.db,
      sql`select (select count(*)::int from public.l1_event_facts e join public.users u on u.id = e.user_id
                   where e.occurred_at < u.created_at) as early,
                 count(motivation)::int as motivated, count(onboarding_completed_at)::int as onboarded,
                 count(province)::int as provinces, count(*)::int as users from public.users`,
    );
    expect(check!.early).toBe(0);
    expect(check!.motivated).toBeGreaterThan(check!.users / 2);
    expect(check!.onboarded).toBeGreaterThan(check!.users / 2);
    expect(check!.provinces).toBeGreaterThan(check!.users / 2);
    const [imports] = await rows<{ bad: number; n: number }>(
      ctx.database.db,
      sql`select count(*) filter (where rows_total <> rows_imported + rows_failed)::int as bad, count(*)::int as n from public.imports`,
    );
    expect(imports).toEqual({ bad: 0, n: expect.any(Number) });
    expect(imports!.n).toBeGreaterThan(0);
  });

  it("puts every event in its monthly partition (nothing left in the default partition for the first refresh to move)", async () => {
    const [parts] = await rows<{ parked: number; months: number; events: number }>(
      ctx.database.db,
      sql`select (select count(*) from public.l1_event_facts_default)::int as parked,
                 (select count(*) from pg_inherits where inhparent = 'public.l1_event_facts'::regclass)::int as months,
                 (select count(*) from public.l1_event_facts)::int as events`,
    );
    expect(parts!.events).toBeGreaterThan(0);
    expect(parts!.parked).toBe(0);
    expect(parts!.months).toBeGreaterThan(3);
  });

  it("refuses a database that has users, unless reset", async () => {
    await expect(seed(ctx.database, { scale: "test", now: NOW })).rejects.toThrow(SeedRefusedError);
    await expect(seed(ctx.database, { scale: "test", now: NOW })).rejects.toThrow(/--reset/);
  });

  it("is deterministic: a reset and reseed gives identical tables", async () => {
    await seed(ctx.database, { scale: "test", now: NOW, reset: true });
    expect(await fingerprint(ctx.database.db)).toEqual(first);
    // And a different date shifts the data.
    await seed(ctx.database, { scale: "test", now: new Date("2025-06-09T00:00:00Z"), reset: true });
    expect((await fingerprint(ctx.database.db)).users).not.toEqual(first.users);
  });

  it("fails a bulk load cleanly: a COPY the server rejects throws and rolls back", async () => {
    // Duplicates early (mid-stream error) and at the very end (error after the last chunk).
    for (const dupAt of [10, 299_995]) {
      const lines = function* () {
        for (let i = 0; i < 300_000; i++) yield `${i === dupAt ? 0 : i}\n`;
      };
      await expect(
        withLoader(ctx.database, async (l) => {
          await l.query("create table public.seed_copy_probe (id int primary key)");
          await l.copy("public.seed_copy_probe", ["id"], lines());
        }),
      ).rejects.toThrow(/duplicate key/);
    }
    const [probe] = await rows<{ t: string | null }>(ctx.database.db, sql`select to_regclass('public.seed_copy_probe')::text as t`);
    expect(probe!.t).toBeNull();
  });

  it("gives the same data on both drivers", () => {
    if (firstDriverFingerprint) expect(first).toEqual(firstDriverFingerprint);
    else firstDriverFingerprint = first;
  });
});
