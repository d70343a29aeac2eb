// Sessions (issue 8, finding 5): refresh rotation and reuse, sign-out, password change, bans and
// deletions. Revocation lives in the database, so each attack checks both tokens a client holds:
// the refresh token (refused at once) and the access token (refused on its next request).
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { beforeAll, expect, it } from "vitest";
import { codeOf, harness, testConfig, type TestUser } from "./helpers.ts";

const password = "correct horse battery";

describeDb("session attacks", (db) => {
  let h: ReturnType<typeof harness>;
  // REFRESH_TOKEN_REUSE_INTERVAL_SECONDS=0: every second use of a spent token is reuse (no retry window).
  let strict: ReturnType<typeof harness>;
  beforeAll(() => {
    const config = testConfig(); // one JWT secret: each harness accepts the other's access tokens
    h = harness(db, { config: { ...config, refreshTokenReuseIntervalSeconds: 10 } });
    strict = harness(db, { config: { ...config, refreshTokenReuseIntervalSeconds: 0 } });
  });

  /** Is this access token still accepted? (me.get is the cheapest user procedure) */
  const accessWorks = async (token: string) => codeOf((await h.withHeaders(`Bearer ${token}`)).me.get());
  const refresh = (refresh_token: string) => h.anonymous().auth.refresh({ refresh_token });
  const strictRefresh = (refresh_token: string) => strict.anonymous().auth.refresh({ refresh_token });
  const sessionRevoked = async (refreshToken: string) => {
    const [row] = await rows<{ revoked: boolean }>(
      db.database.db,
      sql`select s.revoked_at is not null as revoked from auth.sessions s
          join auth.refresh_tokens rt on rt.session_id = s.id where rt.token_hash = encode(sha256(convert_to(${refreshToken}, 'utf8')), 'hex')`,
    );
    return row!.revoked;
  };
  const signInAgain = (user: TestUser, ip = "192.0.2.50") => h.anonymousFrom(ip).auth.signIn({ email: user.email, password });

  it("refresh rotates: new pair works, the refresh token is single-use, refresh tokens are stored hashed", async () => {
    const user = await h.signUp("rotate");
    const next = await refresh(user.refreshToken);
    expect(next).toMatchObject({ token_type: "bearer", user: { id: user.id } });
    expect(next.refresh_token).not.toBe(user.refreshToken);
    expect(await accessWorks(next.access_token)).toBe("OK");
    const stored = await rows<{ token_hash: string }>(
      db.database.db,
      sql`select token_hash from auth.refresh_tokens where user_id = ${user.id}::uuid`,
    );
    expect(stored).toHaveLength(2);
    expect(stored.map((r) => r.token_hash)).not.toContain(user.refreshToken);
    expect(stored.map((r) => r.token_hash)).not.toContain(next.refresh_token);
  });

  // Setup: reuse interval 0 (strict), else the replay right after rotation would be the retry window's
  // "lost answer" case (tested below, with the window and after it).
  it("reusing a spent refresh token revokes the whole session: both tokens die", async () => {
    const user = await strict.signUp("reuse");
    const stolen = user.refreshToken;
    const legit = await strictRefresh(stolen); // the owner refreshes; `stolen` is now spent
    expect(await codeOf(strictRefresh(stolen))).toBe("UNAUTHORIZED"); // the thief replays it
    expect(await codeOf(strictRefresh(legit.refresh_token))).toBe("UNAUTHORIZED");
    expect(await accessWorks(legit.access_token)).toBe("UNAUTHORIZED");
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
    // Another session of the same user is untouched.
    const other = await signInAgain(user);
    expect(await accessWorks(other.access_token)).toBe("OK");
  });

  it("two parallel refreshes of one token (interval 0): at most one succeeds, and the session is then revoked", async () => {
    const user = await strict.signUp("race");
    const results = await Promise.allSettled([strictRefresh(user.refreshToken), strictRefresh(user.refreshToken)]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeLessThanOrEqual(1);
    for (const r of results) if (r.status === "fulfilled") expect(await accessWorks(r.value.access_token)).toBe("UNAUTHORIZED");
  });

  it("reuse interval: a retry of the just-rotated token answers the same child; the session lives, no new branch", async () => {
    const user = await h.signUp("retry");
    const first = await refresh(user.refreshToken); // the answer is "lost"
    const retry = await refresh(user.refreshToken); // the client retries with the token it still holds
    expect(retry.refresh_token).toBe(first.refresh_token);
    expect(await accessWorks(retry.access_token)).toBe("OK");
    expect(await sessionRevoked(retry.refresh_token)).toBe(false);
    const [{ n }] = (await rows<{ n: number }>(
      db.database.db,
      sql`select count(*)::int as n from auth.refresh_tokens where user_id = ${user.id}::uuid`,
    )) as [{ n: number }];
    expect(n).toBe(2); // the root and its one child: the retry minted nothing
    const next = await refresh(retry.refresh_token); // the child rotates as usual
    expect(await accessWorks(next.access_token)).toBe("OK");
  });

  it("reuse interval: two parallel refreshes of one token both get the same child (row lock), the session lives", async () => {
    const user = await h.signUp("raceok");
    const [a, b] = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
    expect(a.refresh_token).toBe(b.refresh_token);
    expect(await sessionRevoked(a.refresh_token)).toBe(false);
    const active = await rows<{ id: number }>(
      db.database.db,
      sql`select id from auth.refresh_tokens where user_id = ${user.id}::uuid and not revoked`,
    );
    expect(active).toHaveLength(1);
  });

  it("reuse interval: the same retry after the window is reuse and revokes the session", async () => {
    const user = await h.signUp("late");
    const first = await refresh(user.refreshToken);
    // The rotation happened 11 s ago (interval 10): moved in the database, no sleep.
    await db.database.db.execute(
      sql`update auth.refresh_tokens set updated_at = updated_at - interval '11 seconds'
          where token_hash = encode(sha256(convert_to(${user.refreshToken}, 'utf8')), 'hex')`,
    );
    expect(await codeOf(refresh(user.refreshToken))).toBe("UNAUTHORIZED");
    expect(await codeOf(refresh(first.refresh_token))).toBe("UNAUTHORIZED");
    expect(await accessWorks(first.access_token)).toBe("UNAUTHORIZED");
  });

  it("reuse interval: a grandparent token within the window is reuse and revokes the session", async () => {
    const user = await h.signUp("grand");
    const child = await refresh(user.refreshToken);
    const grandchild = await refresh(child.refresh_token);
    expect(await codeOf(refresh(user.refreshToken))).toBe("UNAUTHORIZED"); // older than the last rotation
    expect(await codeOf(refresh(grandchild.refresh_token))).toBe("UNAUTHORIZED");
    expect(await accessWorks(grandchild.access_token)).toBe("UNAUTHORIZED");
  });

  it("reuse interval: a retry on a revoked session is refused", async () => {
    const user = await h.signUp("retryrevoked");
    const first = await refresh(user.refreshToken);
    await (await h.withHeaders(`Bearer ${first.access_token}`)).auth.signOut({ scope: "local" });
    expect(await codeOf(refresh(user.refreshToken))).toBe("UNAUTHORIZED");
  });

  it("garbage refresh tokens are refused", async () => {
    expect(await codeOf(refresh("not-a-token"))).toBe("UNAUTHORIZED");
  });

  it("sign-out revokes this session only; scope=global revokes every session", async () => {
    const user = await h.signUp("signout");
    const second = await signInAgain(user);
    const result = await user.caller.auth.signOut({ scope: "local" });
    expect(result).toEqual({ revoked_sessions: 1 });
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
    expect(await codeOf(refresh(user.refreshToken))).toBe("UNAUTHORIZED");
    expect(await accessWorks(second.access_token)).toBe("OK");

    const third = await signInAgain(user);
    await (await h.withHeaders(`Bearer ${third.access_token}`)).auth.signOut({ scope: "global" });
    expect(await accessWorks(second.access_token)).toBe("UNAUTHORIZED");
    expect(await codeOf(refresh(second.refresh_token))).toBe("UNAUTHORIZED");
    expect(await accessWorks(third.access_token)).toBe("UNAUTHORIZED");
  });

  it("sign-out with only the refresh token (the access token already expired) revokes the session", async () => {
    const user = await h.signUp("signoutrt");
    expect(await h.anonymous().auth.signOut({ refresh_token: user.refreshToken })).toEqual({ revoked_sessions: 1 });
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
    expect(await codeOf(h.anonymous().auth.signOut({}))).toBe("UNAUTHORIZED");
  });

  it("password change revokes the other sessions and hands the caller a fresh one", async () => {
    const user = await h.signUp("pwchange");
    const laptop = await signInAgain(user);
    expect(await codeOf(user.caller.auth.changePassword({ current_password: "wrong", new_password: "new password 1" }))).toBe("FORBIDDEN");
    const fresh = await user.caller.auth.changePassword({ current_password: password, new_password: "new password 1" });
    expect(await accessWorks(fresh.access_token)).toBe("OK");
    expect(await accessWorks(laptop.access_token)).toBe("UNAUTHORIZED");
    expect(await codeOf(refresh(laptop.refresh_token))).toBe("UNAUTHORIZED");
    // The caller's old tokens belong to the old session: replaced, not kept.
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
    expect(await codeOf(refresh(fresh.refresh_token))).toBe("OK");
    expect(await codeOf(signInAgain(user))).toBe("UNAUTHORIZED");
    expect(await codeOf(h.anonymousFrom("192.0.2.51").auth.signIn({ email: user.email, password: "new password 1" }))).toBe("OK");
  });

  it("a ban ends the session at once: refresh refused, access token refused on its next request", async () => {
    const user = await h.signUp("banme");
    expect(await accessWorks(user.token)).toBe("OK");
    await db.database.db.execute(sql`update auth.users set banned_until = now() + interval '1 day' where id = ${user.id}::uuid`);
    expect(await codeOf(refresh(user.refreshToken))).toBe("UNAUTHORIZED");
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
    expect(await codeOf(user.caller.contacts.list({}))).toBe("UNAUTHORIZED");
    // Lifting the ban does not resurrect the revoked session.
    await db.database.db.execute(sql`update auth.users set banned_until = null where id = ${user.id}::uuid`);
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
  });

  it("a (soft) deletion ends every session; a hard delete removes them", async () => {
    const user = await h.signUp("deleteme");
    await db.database.db.execute(sql`update auth.users set deleted_at = now() where id = ${user.id}::uuid`);
    expect(await codeOf(refresh(user.refreshToken))).toBe("UNAUTHORIZED");
    expect(await accessWorks(user.token)).toBe("UNAUTHORIZED");
    expect(await codeOf(signInAgain(user))).toBe("UNAUTHORIZED");

    const other = await h.signUp("harddelete");
    await db.database.db.execute(sql`delete from auth.users where id = ${other.id}::uuid`);
    expect(await codeOf(refresh(other.refreshToken))).toBe("UNAUTHORIZED");
    expect(await accessWorks(other.token)).toBe("UNAUTHORIZED");
  });
});
