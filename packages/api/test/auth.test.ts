import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import type { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { createSignInGuard } from "../src/auth/sign-in-guard.ts";
import { verifyAccessToken } from "../src/auth/jwt.ts";
import { codeOf, harness, uniqueEmail } from "./helpers.ts";

describeDb("auth and me", (db) => {
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    h = harness(db, { signInGuard: (database) => createSignInGuard(database, { limits: { perPair: 3, windowSeconds: 60 } }) });
  });
  const password = "correct horse battery";

  describe("signUp", () => {
    it("writes auth.users (hashed) and the trigger creates public.users", async () => {
      const email = uniqueEmail("Sam");
      const session = await h.anonymous().auth.signUp({
        email: `  ${email.toUpperCase()} `,
        password,
        display_name: " Sam ",
        full_name: "Sam Spade",
        phone: "+1 514 555 0100",
      });
      expect(session).toMatchObject({ token_type: "bearer", expires_in: 900, refresh_token: expect.any(String), user: { email, display_name: "Sam" } });
      const verified = await verifyAccessToken(h.config.jwt, session.access_token);
      expect(verified).toMatchObject({ ok: true, claims: { sub: session.user.id, role: "authenticated", email, session_id: expect.any(String) } });
      const [auth] = await rows<{ encrypted_password: string }>(
        db.database.db,
        sql`select encrypted_password from auth.users where id = ${session.user.id}::uuid`,
      );
      expect(auth!.encrypted_password).toMatch(/^scrypt\$/);
      expect(auth!.encrypted_password).not.toContain(password);
      const [pub] = await rows<{ display_name: string; full_name: string; phone: string }>(
        db.database.db,
        sql`select display_name, full_name, phone from public.users where id = ${session.user.id}::uuid`,
      );
      expect(pub).toEqual({ display_name: "Sam", full_name: "Sam Spade", phone: "+1 514 555 0100" });
    });

    it("refuses a duplicate email (any case) with CONFLICT and bad input with BAD_REQUEST", async () => {
      const email = uniqueEmail("dup");
      await h.anonymous().auth.signUp({ email, password, display_name: "Dup" });
      expect(await codeOf(h.anonymous().auth.signUp({ email: email.toUpperCase(), password, display_name: "Dup2" }))).toBe("CONFLICT");
      expect(await codeOf(h.anonymous().auth.signUp({ email: "not-an-email", password, display_name: "X" }))).toBe("BAD_REQUEST");
      expect(await codeOf(h.anonymous().auth.signUp({ email: uniqueEmail("s"), password: "short", display_name: "X" }))).toBe("BAD_REQUEST");
      expect(await codeOf(h.anonymous().auth.signUp({ email: uniqueEmail("s"), password, display_name: "x".repeat(256) }))).toBe("BAD_REQUEST");
      const [{ n }] = (await rows<{ n: number }>(
        db.database.db,
        sql`select count(*)::int as n from auth.users where lower(email) = ${email}`,
      )) as [{ n: number }];
      expect(n).toBe(1);
    });
  });

  describe("signIn", () => {
    it("returns a token, sets last_sign_in (mirrored) and appends signed_in", async () => {
      const user = await h.signUp("ivy");
      const session = await h.anonymous().auth.signIn({ email: user.email.toUpperCase(), password });
      expect(session.user.id).toBe(user.id);
      const [row] = await rows<{ last_sign_in: unknown; events: number }>(
        db.database.db,
        sql`select u.last_sign_in,
                   (select count(*)::int from public.l1_event_facts e where e.user_id = u.id and e.event_type = 'signed_in') as events
            from public.users u where u.id = ${user.id}::uuid`,
      );
      expect(row!.last_sign_in).not.toBeNull();
      expect(row!.events).toBe(1);
      const me = await (await h.withHeaders(`Bearer ${session.access_token}`)).me.get();
      expect(me.user.id).toBe(user.id);
    });

    it("wrong password and unknown email are the same 401; repeated failures are throttled", async () => {
      const user = await h.signUp("tess");
      const wrong = h.anonymous().auth.signIn({ email: user.email, password: "wrong password!" });
      const unknown = h.anonymous().auth.signIn({ email: uniqueEmail("nobody"), password });
      const [a, b] = await Promise.allSettled([wrong, unknown]);
      expect(a.status).toBe("rejected");
      expect(b.status).toBe("rejected");
      const ea = (a as PromiseRejectedResult).reason as TRPCError;
      const eb = (b as PromiseRejectedResult).reason as TRPCError;
      expect([ea.code, ea.message]).toEqual(["UNAUTHORIZED", "Invalid email or password"]);
      expect([eb.code, eb.message]).toEqual([ea.code, ea.message]);

      await codeOf(h.anonymous().auth.signIn({ email: user.email, password: "wrong again" }));
      await codeOf(h.anonymous().auth.signIn({ email: user.email, password: "wrong thrice" }));
      // Limited now (3 attempts per email and address): even the right password is refused until the window passes.
      const throttled = h.anonymous().auth.signIn({ email: user.email, password });
      await expect(throttled).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", cause: { retryAfterSeconds: expect.any(Number) } });
      expect(((await throttled.catch((e: TRPCError) => e)) as TRPCError).message).toMatch(/^Too many sign-in attempts\. Retry after \d+ seconds\.$/);
      // The limiter's state is in the database, shared by every instance; end its window there.
      await db.database.db.execute(sql`update auth.rate_limits set expire = now() - interval '1 second' where key like ${`%${user.email}%`}`);
      await expect(h.anonymous().auth.signIn({ email: user.email, password })).resolves.toMatchObject({ user: { id: user.id } });
    });
  });

  describe("me", () => {
    it("get, updateProfile through auth metadata (synced), updateOnboarding on app columns", async () => {
      const user = await h.signUp("mia");
      const me = await user.caller.me.get();
      expect(me).toMatchObject({ user: { id: user.id, email: user.email, display_name: "mia", is_analyst: false }, memberships: [] });

      const updated = await user.caller.me.updateProfile({ display_name: "Mia W", full_name: "Mia Wallace", phone: "514-555-0199" });
      expect(updated.user).toMatchObject({ display_name: "Mia W", full_name: "Mia Wallace", phone: "514-555-0199" });
      const cleared = await user.caller.me.updateProfile({ phone: null });
      expect(cleared.user).toMatchObject({ display_name: "Mia W", phone: null });
      const [meta] = await rows<{ raw_user_meta_data: Record<string, unknown> }>(
        db.database.db,
        sql`select raw_user_meta_data from auth.users where id = ${user.id}::uuid`,
      );
      expect(meta!.raw_user_meta_data).toEqual({ display_name: "Mia W", full_name: "Mia Wallace" });
      expect(await codeOf(user.caller.me.updateProfile({}))).toBe("BAD_REQUEST");
      expect(await codeOf(user.caller.me.updateProfile({ phone: "call me maybe" }))).toBe("BAD_REQUEST");

      const ob = await user.caller.me.updateOnboarding({ motivation: "grow_sales", last_step: "import" });
      expect(ob.user).toMatchObject({ motivation: "grow_sales", onboarding_last_step: "import", onboarding_completed_at: null });
      const done = await user.caller.me.updateOnboarding({ completed: true, last_step: "done" });
      expect(done.user.onboarding_completed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(done.user.motivation).toBe("grow_sales");
      const [events] = await rows<{ n: number }>(
        db.database.db,
        sql`select count(*)::int as n from public.l1_event_facts where user_id = ${user.id}::uuid and event_type = 'onboarding_step'`,
      );
      expect(events!.n).toBe(2);
    });

    it("is_analyst reflects app metadata roles", async () => {
      const user = await h.signUp("ana");
      await db.database.db.execute(
        sql`update auth.users set raw_app_meta_data = '{"roles":["analyst"]}' where id = ${user.id}::uuid`,
      );
      expect((await user.caller.me.get()).user.is_analyst).toBe(true);
    });
  });
});
