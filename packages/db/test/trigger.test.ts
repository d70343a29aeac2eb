// The auth.users -> public.users sync trigger, its backfill and reconciliation, on both drivers.
import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { driftCount, reconcileUsers, rows, userMirrorDrift, withUser, type Executor } from "../src/index.ts";
import { describeDb } from "./harness.ts";

interface Mirror {
  id: string;
  email: string;
  full_name: string | null;
  display_name: string;
  avatar_url: string | null;
  phone: string | null;
  is_active: boolean;
  last_sign_in: string | null;
  email_validated: boolean;
  created_at: string;
  updated_at: string;
  motivation: string | null;
  onboarding_last_step: string | null;
  onboarding_completed_at: string | null;
  birth_date: string | null;
  province: string | null;
  account_status: string;
}

// Timestamps as ISO text so both drivers compare equal.
async function mirrorOf(db: Executor, id: string): Promise<Mirror | undefined> {
  const [row] = await rows<Mirror>(
    db,
    sql`select id::text, email, full_name, display_name, avatar_url, phone, is_active,
               to_char(last_sign_in at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as last_sign_in,
               email_validated,
               to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as created_at,
               to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as updated_at,
               motivation, onboarding_last_step,
               to_char(onboarding_completed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as onboarding_completed_at,
               birth_date::text, province, account_status
        from public.users where id = ${id}`,
  );
  return row;
}

async function insertAuthUser(db: Executor, email: string, meta: object = {}, id = randomUUID()) {
  await db.execute(
    sql`insert into auth.users (id, email, raw_user_meta_data) values (${id}, ${email}, ${JSON.stringify(meta)}::jsonb)`,
  );
  return id;
}

const APP_OWNED = {
  motivation: "grow_sales",
  onboarding_last_step: "import",
  onboarding_completed_at: "2024-05-01T12:00:00.000000",
  birth_date: "1990-02-03",
  province: "QC",
  account_status: "suspended",
};

describeDb("users sync trigger", (ctx) => {
  const db = () => ctx.database.db;

  it("mirrors an insert with every mapped column", async () => {
    const id = randomUUID();
    await db().execute(sql`
      insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at, last_sign_in_at, created_at)
      values (${id}, 'Mia.Wong@Example.com',
              '{"display_name":"  Mia  ","full_name":"Mia Wong","avatar_url":"https://x.test/a.png","phone":"+1 514 555 0101"}',
              '2024-01-02T03:04:05Z', '2024-03-04T05:06:07.123456Z', '2023-12-31T23:59:59Z')`);
    expect(await mirrorOf(db(), id)).toMatchObject({
      email: "Mia.Wong@Example.com",
      display_name: "Mia",
      full_name: "Mia Wong",
      avatar_url: "https://x.test/a.png",
      phone: "+1 514 555 0101",
      is_active: true,
      email_validated: true,
      last_sign_in: "2024-03-04T05:06:07.123456",
      created_at: "2023-12-31T23:59:59.000000",
      account_status: "active",
      motivation: null,
    });
  });

  it("falls back display_name: metadata display_name, then full_name, then the email's local part", async () => {
    const a = await insertAuthUser(db(), "a1@example.com", { display_name: "Disp", full_name: "Full" });
    const b = await insertAuthUser(db(), "b1@example.com", { display_name: "   ", full_name: " Full B " });
    const c = await insertAuthUser(db(), "carol.smith+tag@example.com", { display_name: "", full_name: "" });
    const d = await insertAuthUser(db(), "dave@example.com"); // no metadata at all
    const e = await insertAuthUser(db(), "eve@example.com", { full_name: 42 }); // non-string JSON is text
    expect((await mirrorOf(db(), a))?.display_name).toBe("Disp");
    expect(await mirrorOf(db(), b)).toMatchObject({ display_name: "Full B", full_name: "Full B" });
    expect(await mirrorOf(db(), c)).toMatchObject({ display_name: "carol.smith+tag", full_name: null });
    expect((await mirrorOf(db(), d))?.display_name).toBe("dave");
    expect((await mirrorOf(db(), e))?.display_name).toBe("42");
  });

  it("trims and truncates oversized metadata instead of failing the sign-up", async () => {
    const id = await insertAuthUser(db(), "long@example.com", {
      display_name: "D".repeat(400),
      full_name: ` ${"F".repeat(300)} `,
      avatar_url: `https://x.test/${"a".repeat(600)}`,
      phone: "+1 (514) 555-0101 ext. 12345 call after 5",
    });
    const m = await mirrorOf(db(), id);
    expect(m?.display_name).toBe("D".repeat(255));
    expect(m?.full_name).toBe("F".repeat(255));
    expect(m?.avatar_url).toHaveLength(500);
    expect(m?.phone).toBe("+1 (514) 555-0101 ex");
    const emptyPhone = await insertAuthUser(db(), "nophone@example.com", { phone: "   " });
    expect((await mirrorOf(db(), emptyPhone))?.phone).toBeNull();
  });

  it("maps email_confirmed_at, banned_until and last_sign_in_at on update", async () => {
    const id = await insertAuthUser(db(), "flags@example.com");
    expect(await mirrorOf(db(), id)).toMatchObject({ email_validated: false, is_active: true, last_sign_in: null });
    await db().execute(sql`update auth.users set email_confirmed_at = now() where id = ${id}`);
    expect((await mirrorOf(db(), id))?.email_validated).toBe(true);
    await db().execute(sql`update auth.users set banned_until = now() + interval '1 day' where id = ${id}`);
    expect((await mirrorOf(db(), id))?.is_active).toBe(false);
    await db().execute(sql`update auth.users set banned_until = now() - interval '1 day' where id = ${id}`);
    expect((await mirrorOf(db(), id))?.is_active).toBe(true);
    await db().execute(sql`update auth.users set banned_until = 'infinity' where id = ${id}`);
    expect((await mirrorOf(db(), id))?.is_active).toBe(false);
    await db().execute(sql`update auth.users set banned_until = null, last_sign_in_at = '2025-06-07T08:09:10Z' where id = ${id}`);
    expect(await mirrorOf(db(), id)).toMatchObject({ is_active: true, last_sign_in: "2025-06-07T08:09:10.000000" });
    await db().execute(sql`update auth.users set email_confirmed_at = null, email = 'flags2@example.com' where id = ${id}`);
    expect(await mirrorOf(db(), id)).toMatchObject({ email_validated: false, email: "flags2@example.com", display_name: "flags2" });
  });

  it("a (soft-)deleted account is inactive like a banned one; undeleting restores it unless banned", async () => {
    const id = await insertAuthUser(db(), "softdeleted@example.com");
    await db().execute(sql`update auth.users set deleted_at = now() where id = ${id}`);
    expect((await mirrorOf(db(), id))?.is_active).toBe(false);
    await db().execute(sql`update auth.users set deleted_at = null where id = ${id}`);
    expect((await mirrorOf(db(), id))?.is_active).toBe(true);
    await db().execute(sql`update auth.users set deleted_at = now(), banned_until = 'infinity' where id = ${id}`);
    await db().execute(sql`update auth.users set deleted_at = null where id = ${id}`);
    expect((await mirrorOf(db(), id))?.is_active).toBe(false);
  });

  it("ignores updates that touch no mirrored column, and re-syncs on those that do", async () => {
    const id = await insertAuthUser(db(), "quiet@example.com", { full_name: "Quiet" });
    // A sentinel the trigger would overwrite (updated_at = now()) if it fired.
    await db().execute(sql`update public.users set updated_at = '2000-01-01T00:00:00Z' where id = ${id}`);
    await db().execute(sql`update auth.users set encrypted_password = 'x', raw_app_meta_data = '{"roles":["analyst"]}', updated_at = now() where id = ${id}`);
    // Same metadata, re-written: not a change either.
    await db().execute(sql`update auth.users set raw_user_meta_data = '{"full_name":"Quiet"}' where id = ${id}`);
    expect((await mirrorOf(db(), id))?.updated_at).toBe("2000-01-01T00:00:00.000000");
    await db().execute(sql`update auth.users set raw_user_meta_data = '{"full_name":"Loud"}' where id = ${id}`);
    const m = await mirrorOf(db(), id);
    expect(m?.display_name).toBe("Loud");
    expect(m?.updated_at).not.toBe("2000-01-01T00:00:00.000000");
  });

  it("never overwrites app-owned columns on any auth update", async () => {
    const id = await insertAuthUser(db(), "owned@example.com", { full_name: "Owned" });
    await db().execute(sql`
      update public.users set motivation = ${APP_OWNED.motivation}, onboarding_last_step = ${APP_OWNED.onboarding_last_step},
        onboarding_completed_at = ${APP_OWNED.onboarding_completed_at + "Z"}, birth_date = ${APP_OWNED.birth_date},
        province = ${APP_OWNED.province}, account_status = ${APP_OWNED.account_status}
      where id = ${id}`);
    const updates = [
      sql`update auth.users set email = 'owned2@example.com' where id = ${id}`,
      sql`update auth.users set raw_user_meta_data = '{"full_name":"Owned Two","phone":"123"}' where id = ${id}`,
      sql`update auth.users set last_sign_in_at = now(), email_confirmed_at = now() where id = ${id}`,
      sql`update auth.users set banned_until = now() + interval '1 hour' where id = ${id}`,
      sql`update auth.users set created_at = '2020-01-01T00:00:00Z' where id = ${id}`,
      sql`update auth.users set encrypted_password = 'y', raw_app_meta_data = '{}' where id = ${id}`,
      sql`select private.mirror_user(u) from auth.users u where u.id = ${id}`,
    ];
    for (const update of updates) {
      await db().execute(update);
      expect(await mirrorOf(db(), id)).toMatchObject(APP_OWNED);
    }
    expect(await mirrorOf(db(), id)).toMatchObject({
      email: "owned2@example.com",
      display_name: "Owned Two",
      phone: "123",
      is_active: false,
      email_validated: true,
      created_at: "2020-01-01T00:00:00.000000",
    });
  });

  it("a user's own metadata edit (as authenticated) re-mirrors through the security definer trigger", async () => {
    const id = await insertAuthUser(db(), "self@example.com", { full_name: "Self" });
    await withUser(ctx.database, { sub: id, role: "authenticated" }, (tx) =>
      tx.execute(sql`update auth.users set raw_user_meta_data = '{"display_name":"Me"}' where id = ${id}`),
    );
    expect((await mirrorOf(db(), id))?.display_name).toBe("Me");
  });

  it("delete removes the mirror row", async () => {
    const id = await insertAuthUser(db(), "gone@example.com");
    expect(await mirrorOf(db(), id)).toBeDefined();
    await db().execute(sql`delete from auth.users where id = ${id}`);
    expect(await mirrorOf(db(), id)).toBeUndefined();
  });

  it("backfills users created while the trigger was off, once, idempotently, keeping app-owned columns", async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const kept = await insertAuthUser(db(), "kept@example.com", { full_name: "Kept" });
    await db().execute(sql`update public.users set motivation = 'track_payments' where id = ${kept}`);
    await db().transaction(async (tx) => {
      await tx.execute(sql`alter table auth.users disable trigger sync_user_data_trigger`);
      for (const [i, id] of ids.entries()) await insertAuthUser(tx, `early${i}@example.com`, { full_name: `Early ${i}` }, id);
      await tx.execute(sql`alter table auth.users enable trigger sync_user_data_trigger`);
    });
    const count = async () =>
      (await rows<{ n: number }>(db(), sql`select count(*)::int as n from public.users where id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})`))[0]!.n;
    expect(await count()).toBe(0);
    const before = await userMirrorDrift(db());
    expect(before.missing).toBe(3);
    await db().execute(sql`select private.mirror_user(u) from auth.users u`);
    await db().execute(sql`select private.mirror_user(u) from auth.users u`);
    expect(await count()).toBe(3);
    expect((await mirrorOf(db(), ids[2]!))?.display_name).toBe("Early 2");
    expect((await mirrorOf(db(), kept))?.motivation).toBe("track_payments");
    expect(driftCount(await userMirrorDrift(db()))).toBe(0);
    const [{ n }] = (await rows<{ n: number }>(db(), sql`select count(*)::int as n from (select id from public.users group by id having count(*) > 1) d`)) as [{ n: number }];
    expect(n).toBe(0);
  });

  it("accepts the plain-SQL seed inserts with every other column defaulted", async () => {
    const owner = randomUUID();
    const helper = randomUUID();
    await db().execute(sql`insert into auth.users (id, email, raw_user_meta_data, created_at)
      values (${owner}, 'seed-owner@example.com', '{"full_name":"Seed Owner"}', '2024-01-01T00:00:00Z'),
             (${helper}, 'seed-helper@example.com', '{}', now())`);
    const [biz] = await rows<{ id: string }>(db(), sql`insert into businesses (name) values ('Seed Co') returning id`);
    await db().execute(sql`insert into business_memberships (business_id, user_id, role)
      values (${biz!.id}, ${owner}, 'owner'), (${biz!.id}, ${helper}, 'member')`);
    await db().execute(sql`insert into contacts (business_id, full_name, assigned_to, created_by)
      values (${biz!.id}, 'Seed Contact', ${helper}, ${owner})`);
    await db().execute(sql`insert into l1_event_facts (user_id, business_id, event_type, occurred_at)
      values (${owner}, ${biz!.id}, 'contact_created', now())`);
    const [check] = await rows<{ users: number; members: number; contacts: number; events: number; created: string }>(
      db(),
      sql`select (select count(*) from public.users where id in (${owner}, ${helper}))::int as users,
                 (select count(*) from business_memberships where business_id = ${biz!.id} and is_active)::int as members,
                 (select count(*) from contacts where business_id = ${biz!.id} and deleted_at is null)::int as contacts,
                 (select count(*) from l1_event_facts where business_id = ${biz!.id})::int as events,
                 (select created_at::date::text from public.users where id = ${owner}) as created`,
    );
    expect(check).toEqual({ users: 2, members: 2, contacts: 1, events: 1, created: "2024-01-01" });
  });

  it("rejects malformed emails with a check violation, not a half-made user", async () => {
    const id = randomUUID();
    await expect(insertAuthUser(db(), "no-at-sign", {}, id)).rejects.toThrow();
    await expect(insertAuthUser(db(), "@example.com", {}, id)).rejects.toThrow();
    expect(await mirrorOf(db(), id)).toBeUndefined();
  });
});

describeDb("reconcileUsers", (ctx) => {
  const db = () => ctx.database.db;
  let ids: string[] = [];

  beforeAll(async () => {
    ids = [];
    for (let i = 0; i < 5; i++) ids.push(await insertAuthUser(db(), `rec${i}@example.com`, { full_name: `Rec ${i}` }));
    await db().execute(sql`update public.users set motivation = 'team_collaboration' where id = ${ids[1]}`);
  });

  it("reports no drift when the trigger did its job", async () => {
    const result = await reconcileUsers(ctx.database);
    expect(driftCount(result.before)).toBe(0);
    expect(result.before.authUsers).toBe(result.before.mirroredUsers);
    expect(result.after).toBeUndefined();
  });

  it("finds missing, orphaned and differing rows, and --fix repairs them without touching app-owned columns", async () => {
    const missing = randomUUID();
    // Replica mode silences user triggers and foreign-key actions: the only way to make real drift.
    await db().transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await insertAuthUser(tx, "missing@example.com", {}, missing);
      await tx.execute(sql`update auth.users set raw_user_meta_data = '{"full_name":"Changed"}' where id = ${ids[1]}`);
      await tx.execute(sql`delete from auth.users where id = ${ids[2]}`);
    });
    const report = await reconcileUsers(ctx.database);
    expect(report.before).toMatchObject({ missing: 1, orphaned: 1, differing: 1 });
    expect(report.before.sample).toEqual(
      expect.arrayContaining([
        { user_id: missing, problem: "missing in public.users" },
        { user_id: ids[2], problem: "orphan in public.users" },
        { user_id: ids[1], problem: "values differ" },
      ]),
    );
    expect(report.after).toBeUndefined();
    // Reporting alone changed nothing.
    expect(driftCount(await userMirrorDrift(db()))).toBe(3);

    const fixed = await reconcileUsers(ctx.database, { fix: true });
    expect(fixed).toMatchObject({ remirrored: 2, deletedOrphans: 1 });
    expect(driftCount(fixed.after!)).toBe(0);
    expect(await mirrorOf(db(), ids[1]!)).toMatchObject({ display_name: "Changed", motivation: "team_collaboration" });
    expect(await mirrorOf(db(), ids[2]!)).toBeUndefined();
    expect((await mirrorOf(db(), missing))?.display_name).toBe("missing");
  });

  it("reports an expired ban as drift (nothing fires when time passes) and the fix reactivates the user", async () => {
    await db().execute(sql`update auth.users set banned_until = now() + interval '1 day' where id = ${ids[3]}`);
    expect((await mirrorOf(db(), ids[3]!))?.is_active).toBe(false);
    // Simulate the ban running out without a trigger: move it into the past in replica mode.
    await db().transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update auth.users set banned_until = now() - interval '1 second' where id = ${ids[3]}`);
    });
    const report = await reconcileUsers(ctx.database, { fix: true });
    expect(report.before.sample).toEqual([{ user_id: ids[3], problem: "values differ" }]);
    expect((await mirrorOf(db(), ids[3]!))?.is_active).toBe(true);
  });

  it("reports a deleted user still active in the mirror as drift and the fix deactivates them", async () => {
    await db().transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update auth.users set deleted_at = now() where id = ${ids[4]}`);
    });
    expect((await mirrorOf(db(), ids[4]!))?.is_active).toBe(true);
    const report = await reconcileUsers(ctx.database, { fix: true });
    expect(report.before.sample).toEqual([{ user_id: ids[4], problem: "values differ" }]);
    expect(driftCount(report.after!)).toBe(0);
    expect((await mirrorOf(db(), ids[4]!))?.is_active).toBe(false);
  });
});
