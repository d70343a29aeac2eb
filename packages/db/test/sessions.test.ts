// Sessions in the database (issue 8, finding 5): auth.sessions, auth.refresh_tokens and the limiter's
// auth.rate_limits are out of reach of `authenticated` (raw SQL); the trigger on auth.users revokes every
// session when a password, ban or deletion changes; withUser refuses the claims of a revoked session.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { rows, withUser, type Executor } from "../src/index.ts";
import { describeDb } from "./harness.ts";

function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error as { message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) parts.push(String(e.message));
  return parts.join(" / ");
}

describeDb("sessions in the database", (ctx) => {
  const db = () => ctx.database.db;
  const alice = randomUUID();
  const bob = randomUUID();

  /** A session with one refresh token for the user, written as the owner (as the auth service would). */
  async function openSession(db: Executor, userId: string) {
    const [row] = await rows<{ id: string }>(db, sql`insert into auth.sessions (user_id) values (${userId}::uuid) returning id::text`);
    await db.execute(
      sql`insert into auth.refresh_tokens (token_hash, session_id, user_id) values (${randomUUID()}, ${row!.id}::uuid, ${userId}::uuid)`,
    );
    return row!.id;
  }
  const live = async (sessionId: string) => {
    const [row] = await rows<{ revoked: boolean; tokens_revoked: boolean }>(
      db(),
      sql`select s.revoked_at is not null as revoked, bool_and(rt.revoked) as tokens_revoked
          from auth.sessions s join auth.refresh_tokens rt on rt.session_id = s.id where s.id = ${sessionId}::uuid group by s.id`,
    );
    return !row!.revoked && !row!.tokens_revoked;
  };
  /** Raw SQL as `authenticated` with the user's claims (no session check: the attacker's own transaction). */
  const asUser = async (sub: string, statement: SQL) => {
    try {
      await withUser(ctx.database, { sub, role: "authenticated" }, (tx) => tx.execute(statement));
      return "allowed";
    } catch (error) {
      return errorText(error);
    }
  };

  beforeAll(async () => {
    await db().execute(sql`insert into auth.users (id, email, encrypted_password) values
      (${alice}::uuid, ${`alice.${alice}@x.test`}, 'scrypt$old'), (${bob}::uuid, ${`bob.${bob}@x.test`}, 'scrypt$old')`);
  });

  it("authenticated can neither read nor write sessions, refresh tokens or the limiter's state", async () => {
    const mine = await openSession(db(), alice);
    await db().execute(sql`insert into auth.rate_limits (key, points) values ('signin:pair:x', 1)`);
    const attacks: [string, SQL][] = [
      ["read own sessions", sql`select * from auth.sessions where user_id = ${alice}::uuid`],
      ["read refresh tokens", sql`select token_hash from auth.refresh_tokens`],
      ["un-revoke a session", sql`update auth.sessions set revoked_at = null where id = ${mine}::uuid`],
      ["forge a session", sql`insert into auth.sessions (user_id) values (${alice}::uuid)`],
      ["forge a refresh token", sql`insert into auth.refresh_tokens (token_hash, session_id, user_id) values ('x', ${mine}::uuid, ${alice}::uuid)`],
      ["delete sessions", sql`delete from auth.sessions`],
      ["read the limiter", sql`select * from auth.rate_limits`],
      ["reset the limiter", sql`delete from auth.rate_limits`],
      ["lift a ban", sql`update auth.users set banned_until = null where id = ${alice}::uuid`],
      ["set a password", sql`update auth.users set encrypted_password = 'x' where id = ${alice}::uuid`],
      ["call the revocation trigger function", sql`select private.revoke_sessions_on_credential_change()`],
    ];
    for (const [name, statement] of attacks) expect(await asUser(alice, statement), name).toMatch(/permission denied/);
    expect(await live(mine)).toBe(true);
  });

  it("the trigger revokes every session of the user when the password, ban or deletion changes, and nothing else does", async () => {
    const cases: [string, SQL][] = [
      ["password", sql`update auth.users set encrypted_password = 'scrypt$new' where id = ${alice}::uuid`],
      ["ban", sql`update auth.users set banned_until = now() + interval '1 hour' where id = ${alice}::uuid`],
      ["unban", sql`update auth.users set banned_until = null where id = ${alice}::uuid`],
      ["deletion", sql`update auth.users set deleted_at = now() where id = ${alice}::uuid`],
    ];
    for (const [name, change] of cases) {
      const [a1, a2, b1] = [await openSession(db(), alice), await openSession(db(), alice), await openSession(db(), bob)];
      // Unrelated updates (profile, last sign-in) leave sessions alone.
      await db().execute(sql`update auth.users set raw_user_meta_data = '{"display_name":"A"}', last_sign_in_at = now() where id = ${alice}::uuid`);
      expect([await live(a1), await live(a2)], `${name}: before`).toEqual([true, true]);
      await db().execute(change);
      expect([await live(a1), await live(a2), await live(b1)], name).toEqual([false, false, true]);
    }
    await db().execute(sql`update auth.users set deleted_at = null where id = ${alice}::uuid`);
  });

  it("withUser refuses the claims of a revoked, foreign or unknown session (28000), before any statement of the request", async () => {
    const session = await openSession(db(), bob);
    const read = (claims: { sub: string; session_id: string }) =>
      withUser(ctx.database, { ...claims, role: "authenticated" }, (tx) => rows<{ uid: string }>(tx, sql`select auth.uid()::text as uid`))
        .then((r) => r[0]!.uid)
        .catch((error: unknown) => {
          for (let e = error as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) if (e.code) return `error ${e.code}`;
          return errorText(error);
        });
    expect(await read({ sub: bob, session_id: session })).toBe(bob);
    expect(await read({ sub: alice, session_id: session })).toBe("error 28000");
    expect(await read({ sub: bob, session_id: randomUUID() })).toBe("error 28000");
    await db().execute(sql`update auth.sessions set revoked_at = now() where id = ${session}::uuid`);
    expect(await read({ sub: bob, session_id: session })).toBe("error 28000");
  });

  // PGlite has no login roles; the server's real login role exists only on a PostgreSQL server.
  it.skipIf(ctx.kind !== "postgres")("postgres only: the login role switchboard_app runs the session check and the limiter, and reads no session", async () => {
    const session = await openSession(db(), bob);
    const url = new URL(ctx.url!);
    url.username = "switchboard_app";
    const app = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const [row] = await app.begin(async (tx) => {
        const claims = JSON.stringify({ sub: bob, role: "authenticated", session_id: session });
        return tx.unsafe(
          "select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true), auth.require_live_session($2, $3) as live",
          [claims, session, bob],
        );
      });
      expect(row!.live).toBe(true);
      await app.unsafe("insert into auth.rate_limits (key, points) values ('signin:ip:test', 1) on conflict (key) do update set points = auth.rate_limits.points + 1");
      for (const table of ["auth.sessions", "auth.refresh_tokens", "auth.users"]) {
        await expect(app.unsafe(`select 1 from ${table}`), table).rejects.toThrow(/permission denied/);
      }
    } finally {
      await app.end();
    }
  });
});
