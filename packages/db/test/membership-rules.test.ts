// Membership rules enforced by PostgreSQL itself, attacked with raw SQL as `authenticated` (the API is
// not in the way): no direct INSERT into business_memberships, nobody grants or changes a role above
// their own, owners only by owners, no re-activation without consent, the last active owner can be
// neither demoted, deactivated, deleted nor leave (under a lock), businesses.created_by is immutable,
// invitations change state only through their functions, and the mail outbox is nobody's to read.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { rows, type Database } from "../src/index.ts";
import { describeDb } from "./harness.ts";

const dialect = new PgDialect();

interface Result {
  rows: Record<string, unknown>[];
  count: number;
}
const normalize = (result: unknown): Result => {
  if (Array.isArray(result)) return { rows: [...result], count: (result as { count?: number }).count ?? result.length };
  const r = result as { rows: Record<string, unknown>[]; affectedRows?: number };
  return { rows: r.rows, count: r.affectedRows ?? 0 };
};

/** begin; role + claims of `sub` (or none); statement; commit — on the driver, no helper in between. */
function rawAs(ctx: { database: Database }, client: () => postgres.Sql | undefined) {
  return async (sub: string | null, statement: SQL, role: "authenticated" | "analyst" = "authenticated"): Promise<Result> => {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    const claims = sub ? JSON.stringify({ sub, role: "authenticated" }) : "";
    const setup = "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)";
    const pg = client();
    if (pg) {
      return pg.begin(async (tx) => {
        await tx.unsafe(setup, [role, claims]);
        return normalize(await tx.unsafe(text, params as never[]));
      }) as Promise<Result>;
    }
    const lite = (ctx.database.db as unknown as { $client: PGlite }).$client;
    return lite.transaction(async (tx) => {
      await tx.query(setup, [role, claims]);
      return normalize(await tx.query(text, params));
    });
  };
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message));
  return parts.join(" / ");
}

/** The statement must fail with a message matching `pattern` (and so change nothing). */
async function refused(run: Promise<Result>, pattern: RegExp, label: string) {
  let result: Result | undefined;
  try {
    result = await run;
  } catch (error) {
    expect(errorText(error), label).toMatch(pattern);
    return;
  }
  throw new Error(`${label}: expected a refusal, got ${JSON.stringify(result)}`);
}

const DENIED = /permission denied/;
const ROLE_RULE = /role|owner|invitation|permission denied/i;
const LAST_OWNER = /at least one active owner/;

const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

describeDb("membership rules in the database", (ctx) => {
  let pgClient: postgres.Sql | undefined;
  const db = () => ctx.database.db;
  const as = rawAs(ctx, () => pgClient);
  let n = 0;

  /** A fresh business: owner, admin, member, a deactivated admin, and an outsider with an account. */
  async function team() {
    const tag = `${++n}${randomBytes(2).toString("hex")}`;
    const ids = { owner: randomUUID(), admin: randomUUID(), member: randomUUID(), inactive: randomUUID(), outsider: randomUUID() };
    for (const [name, id] of Object.entries(ids)) {
      await db().execute(sql`insert into auth.users (id, email) values (${id}, ${`${name}.${tag}@rules.test`})`);
    }
    const [biz] = await rows<{ id: string }>(db(), sql`insert into businesses (name, created_by) values (${`Biz ${tag}`}, ${ids.owner}) returning id::text`);
    const business = biz!.id;
    await db().execute(sql`insert into business_memberships (business_id, user_id, role, is_active) values
      (${business}, ${ids.admin}, 'admin', true), (${business}, ${ids.member}, 'member', true), (${business}, ${ids.inactive}, 'admin', false)`);
    const email = (name: keyof typeof ids) => `${name}.${tag}@rules.test`;
    return { ...ids, business, email };
  }

  const membership = async (business: string, user: string) => {
    const [row] = await rows<{ role: string; is_active: boolean }>(
      db(),
      sql`select role, is_active from business_memberships where business_id = ${business} and user_id = ${user}`,
    );
    return row ?? null;
  };

  beforeAll(async () => {
    if (ctx.url) pgClient = postgres(ctx.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await pgClient?.end();
  });

  it("nobody inserts a membership directly: not an owner, not an admin, not the outsider themself", async () => {
    const t = await team();
    for (const actor of [t.owner, t.admin, t.outsider]) {
      await refused(as(actor, sql`insert into business_memberships (business_id, user_id, role) values (${t.business}, ${t.outsider}, 'member')`), DENIED, `insert by ${actor}`);
    }
    // Upserting a deactivated member back in is an insert too.
    await refused(
      as(t.owner, sql`insert into business_memberships (business_id, user_id, role) values (${t.business}, ${t.inactive}, 'admin')
        on conflict (business_id, user_id) do update set is_active = true`),
      DENIED,
      "upsert",
    );
    expect(await membership(t.business, t.outsider)).toBeNull();
    expect(await membership(t.business, t.inactive)).toEqual({ role: "admin", is_active: false });
  });

  it("nobody grants or changes a role above their own; owners only by owners", async () => {
    const t = await team();
    const attempts: [string, string, SQL][] = [
      ["admin promotes self to owner", t.admin, sql`update business_memberships set role = 'owner' where business_id = ${t.business} and user_id = ${t.admin}`],
      ["admin promotes member to owner", t.admin, sql`update business_memberships set role = 'owner' where business_id = ${t.business} and user_id = ${t.member}`],
      ["admin demotes the owner", t.admin, sql`update business_memberships set role = 'member' where business_id = ${t.business} and user_id = ${t.owner}`],
      ["admin deactivates the owner", t.admin, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.owner}`],
      ["member promotes self", t.member, sql`update business_memberships set role = 'admin' where business_id = ${t.business} and user_id = ${t.member}`],
      ["member deactivates the admin", t.member, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.admin}`],
      ["deactivated admin reactivates self", t.inactive, sql`update business_memberships set is_active = true where business_id = ${t.business} and user_id = ${t.inactive}`],
      // Reactivating someone is adding them without their consent: only accepting an invitation does that.
      ["owner reactivates a former member", t.owner, sql`update business_memberships set is_active = true where business_id = ${t.business} and user_id = ${t.inactive}`],
      ["owner moves a membership to another user", t.owner, sql`update business_memberships set user_id = ${t.outsider} where business_id = ${t.business} and user_id = ${t.member}`],
      ["owner deletes a membership", t.owner, sql`delete from business_memberships where business_id = ${t.business} and user_id = ${t.member}`],
      ["admin deletes the owner's membership", t.admin, sql`delete from business_memberships where business_id = ${t.business} and user_id = ${t.owner}`],
    ];
    for (const [label, actor, statement] of attempts) {
      const before = await rows(db(), sql`select * from business_memberships where business_id = ${t.business} order by user_id`);
      let result: Result | undefined;
      let error: unknown;
      try {
        result = await as(actor, statement);
      } catch (e) {
        error = e;
      }
      // Refused outright, or (RLS) matched no row: either way nothing changed.
      if (!error) expect(result!.count, label).toBe(0);
      else expect(errorText(error), label).toMatch(ROLE_RULE);
      expect(await rows(db(), sql`select * from business_memberships where business_id = ${t.business} order by user_id`), label).toEqual(before);
    }
    // What the rules allow still works: admin manages members, owner manages everyone.
    expect((await as(t.admin, sql`update business_memberships set role = 'admin' where business_id = ${t.business} and user_id = ${t.member}`)).count).toBe(1);
    expect((await as(t.admin, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.member}`)).count).toBe(1);
    expect((await as(t.owner, sql`update business_memberships set role = 'owner' where business_id = ${t.business} and user_id = ${t.admin}`)).count).toBe(1);
    expect(await membership(t.business, t.admin)).toEqual({ role: "owner", is_active: true });
  });

  it("the last active owner can be neither demoted, deactivated, deleted nor leave", async () => {
    const t = await team();
    await refused(as(t.owner, sql`update business_memberships set role = 'admin' where business_id = ${t.business} and user_id = ${t.owner}`), LAST_OWNER, "demote self");
    await refused(as(t.owner, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.owner}`), LAST_OWNER, "leave");
    // Not even the migration role (superuser, no RLS) deletes or demotes the last owner.
    await refused(db().execute(sql`delete from business_memberships where business_id = ${t.business} and user_id = ${t.owner}`).then(normalize), LAST_OWNER, "owner connection deletes");
    await refused(db().execute(sql`update business_memberships set role = 'member' where business_id = ${t.business} and role = 'owner'`).then(normalize), LAST_OWNER, "owner connection demotes");
    expect(await membership(t.business, t.owner)).toEqual({ role: "owner", is_active: true });
    // With a second owner the first may leave; a member may always leave.
    await as(t.owner, sql`update business_memberships set role = 'owner' where business_id = ${t.business} and user_id = ${t.admin}`);
    expect((await as(t.owner, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.owner}`)).count).toBe(1);
    expect((await as(t.member, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.member}`)).count).toBe(1);
    await refused(as(t.admin, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.admin}`), LAST_OWNER, "new last owner leaves");
    // Deleting the business (owner) or the account (operator) still cascades.
    expect((await as(t.admin, sql`delete from businesses where id = ${t.business}`)).count).toBe(1);
    const u = await team();
    await db().execute(sql`delete from auth.users where id = ${u.owner}`);
    expect(await membership(u.business, u.owner)).toBeNull();
  });

  it("businesses.created_by is immutable", async () => {
    const t = await team();
    for (const actor of [t.owner, t.admin]) {
      await refused(as(actor, sql`update businesses set created_by = ${actor} where id = ${t.business}`), /permission denied|created_by/, `created_by by ${actor}`);
      await refused(as(actor, sql`update businesses set created_by = null where id = ${t.business}`), /permission denied|created_by/, `created_by null by ${actor}`);
    }
    await refused(db().execute(sql`update businesses set created_by = ${t.admin} where id = ${t.business}`).then(normalize), /created_by/, "owner connection");
    expect((await as(t.admin, sql`update businesses set name = 'Renamed' where id = ${t.business}`)).count).toBe(1);
  });

  it("invitations: only their functions write them; the invitee alone accepts, once, with the right email", async () => {
    const t = await team();
    const token = randomBytes(32).toString("base64url");
    // Direct writes are refused to everyone.
    for (const actor of [t.owner, t.admin, t.outsider]) {
      await refused(as(actor, sql`insert into business_invitations (business_id, email, role, token_hash, invited_by, expires_at)
        values (${t.business}, ${t.email("outsider")}, 'owner', ${sha256(token)}, ${t.owner}, now() + interval '1 day')`), DENIED, "insert invitation");
    }
    // Admin cannot invite an owner; member cannot invite at all; outsider cannot invite into the business.
    await refused(as(t.admin, sql`select private.invite_member(${t.business}::uuid, ${t.email("outsider")}, 'owner', ${sha256(token)}, 3600, 100)`), ROLE_RULE, "admin invites owner");
    await refused(as(t.member, sql`select private.invite_member(${t.business}::uuid, ${t.email("outsider")}, 'member', ${sha256(token)}, 3600, 100)`), ROLE_RULE, "member invites");
    await refused(as(t.outsider, sql`select private.invite_member(${t.business}::uuid, ${t.email("outsider")}, 'member', ${sha256(token)}, 3600, 100)`), ROLE_RULE, "outsider invites");
    const [inv] = (await as(t.admin, sql`select private.invite_member(${t.business}::uuid, ${t.email("outsider")}, 'admin', ${sha256(token)}, 3600, 100) as id`)).rows as { id: string }[];
    const id = inv!.id;
    // Nobody reads the token hash; the outsider sees the invitation addressed to them, the member does not.
    await refused(as(t.admin, sql`select token_hash from business_invitations`), DENIED, "read token hash");
    expect((await as(t.outsider, sql`select id from business_invitations`)).rows).toEqual([{ id }]);
    expect((await as(t.member, sql`select id from business_invitations`)).rows).toEqual([]);
    await refused(as(t.owner, sql`update business_invitations set role = 'owner' where id = ${id}`), DENIED, "update invitation");
    await refused(as(t.owner, sql`delete from business_invitations where id = ${id}`), DENIED, "delete invitation");
    // The admin cannot accept it for themself; nor can someone holding the token with another email.
    await refused(as(t.admin, sql`select private.accept_invitation(${id}::uuid)`), /not found/i, "admin accepts");
    await refused(as(t.member, sql`select private.accept_invitation_by_token(${sha256(token)})`), /not found/i, "other email with token");
    await refused(as(t.outsider, sql`select private.accept_invitation_by_token(${sha256("guess")})`), /not found/i, "wrong token");
    expect(await membership(t.business, t.outsider)).toBeNull();
    // The invitee accepts: a membership for auth.uid() with the invited role. Once.
    await as(t.outsider, sql`select private.accept_invitation_by_token(${sha256(token)})`);
    expect(await membership(t.business, t.outsider)).toEqual({ role: "admin", is_active: true });
    await refused(as(t.outsider, sql`select private.accept_invitation(${id}::uuid)`), /not found/i, "reuse");
    // Expired, revoked and declined invitations cannot be accepted.
    const other = await team();
    const make = async (role = "member") => {
      const tk = randomBytes(32).toString("base64url");
      const [r] = (await as(other.owner, sql`select private.invite_member(${other.business}::uuid, ${other.email("outsider")}, ${role}, ${sha256(tk)}, 3600, 100) as id`)).rows as { id: string }[];
      return { id: r!.id, tk };
    };
    const expired = await make();
    await db().execute(sql`update business_invitations set expires_at = now() - interval '1 second' where id = ${expired.id}`);
    await refused(as(other.outsider, sql`select private.accept_invitation(${expired.id}::uuid)`), /not found/i, "expired");
    const revoked = await make();
    await as(other.owner, sql`select private.revoke_invitation(${revoked.id}::uuid)`);
    await refused(as(other.outsider, sql`select private.accept_invitation_by_token(${sha256(revoked.tk)})`), /not found/i, "revoked");
    const declined = await make();
    await refused(as(other.admin, sql`select private.decline_invitation(${declined.id}::uuid)`), /not found/i, "admin declines for the invitee");
    await as(other.outsider, sql`select private.decline_invitation(${declined.id}::uuid)`);
    await refused(as(other.outsider, sql`select private.accept_invitation(${declined.id}::uuid)`), /not found/i, "declined");
    expect(await membership(other.business, other.outsider)).toBeNull();
  });

  it("an inviter who lost their role cannot let their invitations in; a flood is throttled", async () => {
    const t = await team();
    const [inv] = (await as(t.admin, sql`select private.invite_member(${t.business}::uuid, ${t.email("outsider")}, 'admin', ${sha256("x1")}, 3600, 100) as id`)).rows as { id: string }[];
    await as(t.owner, sql`update business_memberships set is_active = false where business_id = ${t.business} and user_id = ${t.admin}`);
    await refused(as(t.outsider, sql`select private.accept_invitation(${inv!.id}::uuid)`), /not found/i, "orphaned invitation");
    // Throttle: the limit (3 here) counts every invitation sent in the last hour, re-sends included.
    for (let i = 0; i < 3; i++) {
      await as(t.owner, sql`select private.invite_member(${t.business}::uuid, ${`flood${i % 2}@rules.test`}, 'member', ${sha256(`f${i}`)}, 3600, 3)`);
    }
    await refused(as(t.owner, sql`select private.invite_member(${t.business}::uuid, 'flood9@rules.test', 'member', ${sha256("f9")}, 3600, 3)`), /too many/i, "flood");
  });

  it("analysts and members read neither invitations nor the mail outbox", async () => {
    const t = await team();
    await as(t.owner, sql`select private.invite_member(${t.business}::uuid, ${t.email("outsider")}, 'member', ${sha256("a1")}, 3600, 100)`);
    for (const statement of [sql`select * from business_invitations`, sql`select * from private.mail_outbox`]) {
      await refused(as(t.outsider, statement, "analyst"), DENIED, "analyst");
    }
    for (const actor of [t.owner, t.outsider]) {
      await refused(as(actor, sql`select * from private.mail_outbox`), DENIED, "outbox read");
      await refused(as(actor, sql`delete from private.mail_outbox`), DENIED, "outbox delete");
    }
  });

  // PGlite is one connection, so two transactions can never overlap there; the lock is PostgreSQL's.
  it.skipIf(ctx.kind !== "postgres")("postgres only: two owners demoting each other concurrently cannot both succeed", async () => {
    const t = await team();
    await db().execute(sql`update business_memberships set role = 'owner' where business_id = ${t.business} and user_id = ${t.admin}`);
    const a = postgres(ctx.url!, { max: 1, onnotice: () => {} });
    const b = postgres(ctx.url!, { max: 1, onnotice: () => {} });
    const setup = "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)";
    const claims = (sub: string) => JSON.stringify({ sub, role: "authenticated" });
    try {
      let releaseA!: () => void;
      const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
      let aUpdated!: () => void;
      const aHasUpdated = new Promise<void>((resolve) => (aUpdated = resolve));
      const first = a.begin(async (tx) => {
        await tx.unsafe(setup, [claims(t.owner)]);
        await tx.unsafe("update business_memberships set role = 'member' where business_id = $1 and user_id = $2", [t.business, t.admin]);
        aUpdated();
        await aMayCommit;
      });
      await aHasUpdated;
      const second = b.begin(async (tx) => {
        await tx.unsafe(setup, [claims(t.admin)]);
        await tx.unsafe("update business_memberships set role = 'member' where business_id = $1 and user_id = $2", [t.business, t.owner]);
      });
      // Wait until the second transaction queues behind the first's lock (bounded: if it never blocks,
      // it must still see the first's result once that commits).
      for (let i = 0; i < 100; i++) {
        const [waiting] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (waiting!.n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      releaseA();
      const results = await Promise.allSettled([first, second]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
      // Refused as the last owner, or because the demoted caller is no longer an owner: either way, refused.
      expect(errorText((results[1] as PromiseRejectedResult).reason)).toMatch(/at least one active owner|owner/);
      const [owners] = await rows<{ n: number }>(db(), sql`select count(*)::int as n from business_memberships where business_id = ${t.business} and role = 'owner' and is_active`);
      expect(owners!.n).toBe(1);
    } finally {
      await a.end();
      await b.end();
    }
  });
});
