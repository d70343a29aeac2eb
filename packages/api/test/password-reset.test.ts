// Password reset by emailed single-use token: the same answer for registered and unknown addresses,
// the token only as a hash, single use, expiring, bound to the account; garbage tokens cost no hash.
import { rows, sql, withAnalyst, withUser } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { beforeAll, expect, it } from "vitest";
import { codeOf, harness, uniqueEmail } from "./helpers.ts";

describeDb("password reset", (db) => {
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    h = harness(db);
  });

  /** The reset link's token, read from the mail in the outbox (as the recipient would). */
  async function mailedToken(email: string): Promise<string | null> {
    const [mail] = await rows<{ body_text: string }>(
      db.database.db,
      sql`select body_text from private.mail_outbox where to_email = ${email} and kind = 'password_reset' order by id desc limit 1`,
    );
    return mail?.body_text.match(/reset-password#token=([A-Za-z0-9_-]+)/)?.[1] ?? null;
  }

  it("answers the same for an account and for an unknown address; only the account gets mail", async () => {
    const user = await h.signUp("forgetful");
    const ghost = uniqueEmail("ghost");
    const a = await h.anonymous().passwordReset.request({ email: user.email.toUpperCase() });
    const b = await h.anonymous().passwordReset.request({ email: ghost });
    expect(a).toEqual(b);
    expect(await mailedToken(user.email)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await mailedToken(ghost)).toBeNull();
    const [stored] = await rows<{ n: number; hashed: boolean }>(
      db.database.db,
      sql`select count(*)::int as n, bool_and(token_hash ~ '^[0-9a-f]{64}$') as hashed from auth.password_reset_tokens where user_id = ${user.id}::uuid`,
    );
    expect(stored).toEqual({ n: 1, hashed: true });
  });

  it("the token sets a new password once; the old password and the spent token stop working", async () => {
    const user = await h.signUp("resetter");
    await h.anonymous().passwordReset.request({ email: user.email });
    const token = (await mailedToken(user.email))!;
    expect(await h.anonymous().passwordReset.confirm({ token, password: "a brand new secret" })).toEqual({ ok: true });
    expect(await codeOf(h.anonymous().auth.signIn({ email: user.email, password: "correct horse battery" }))).toBe("UNAUTHORIZED");
    expect((await h.anonymous().auth.signIn({ email: user.email, password: "a brand new secret" })).user.id).toBe(user.id);
    expect(await codeOf(h.anonymous().passwordReset.confirm({ token, password: "yet another secret" }))).toBe("BAD_REQUEST");
    expect((await h.anonymous().auth.signIn({ email: user.email, password: "a brand new secret" })).user.id).toBe(user.id);
  });

  it("a reset revokes the account's sessions: old refresh tokens and access tokens stop working", async () => {
    const user = await h.signUp("stolen");
    const session = await h.anonymous().auth.signIn({ email: user.email, password: "correct horse battery" });
    const attacker = await h.withHeaders(`Bearer ${session.access_token}`);
    expect((await attacker.me.get()).user.id).toBe(user.id);
    await h.anonymous().passwordReset.request({ email: user.email });
    await h.anonymous().passwordReset.confirm({ token: (await mailedToken(user.email))!, password: "locked out attacker" });
    expect(await codeOf(h.anonymous().auth.refresh({ refresh_token: session.refresh_token }))).toBe("UNAUTHORIZED");
    expect(await codeOf(attacker.me.get())).toBe("UNAUTHORIZED");
    expect(await codeOf(user.caller.me.get())).toBe("UNAUTHORIZED");
  });

  it("expired, guessed and superseded tokens are refused; a used token spends the account's others", async () => {
    const user = await h.signUp("expiry");
    await h.anonymous().passwordReset.request({ email: user.email });
    const first = (await mailedToken(user.email))!;
    await h.anonymous().passwordReset.request({ email: user.email });
    const second = (await mailedToken(user.email))!;
    expect(second).not.toBe(first);
    await db.database.db.execute(sql`update auth.password_reset_tokens set expires_at = now() - interval '1 second'
      where user_id = ${user.id}::uuid and created_at = (select min(created_at) from auth.password_reset_tokens where user_id = ${user.id}::uuid)`);
    expect(await codeOf(h.anonymous().passwordReset.confirm({ token: first, password: "expired link pw" }))).toBe("BAD_REQUEST");
    expect(await codeOf(h.anonymous().passwordReset.confirm({ token: "A".repeat(43), password: "guessed link pw" }))).toBe("BAD_REQUEST");
    expect(await codeOf(h.anonymous().passwordReset.confirm({ token: "short", password: "guessed link pw" }))).toBe("BAD_REQUEST");
    await h.anonymous().passwordReset.request({ email: user.email });
    const third = (await mailedToken(user.email))!;
    expect(await h.anonymous().passwordReset.confirm({ token: second, password: "second link pw" })).toEqual({ ok: true });
    expect(await codeOf(h.anonymous().passwordReset.confirm({ token: third, password: "third link pw" }))).toBe("BAD_REQUEST");
    expect((await h.anonymous().auth.signIn({ email: user.email, password: "second link pw" })).user.id).toBe(user.id);
  });

  it("a flood of requests sends at most 3 mails an hour per account, with the same answer", async () => {
    const user = await h.signUp("flooded");
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await h.anonymous().passwordReset.request({ email: user.email }));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    const [sent] = await rows<{ n: number }>(
      db.database.db,
      sql`select count(*)::int as n from private.mail_outbox where to_email = ${user.email} and kind = 'password_reset'`,
    );
    expect(sent!.n).toBe(3);
  });

  it("users and analysts cannot read reset tokens", async () => {
    const user = await h.signUp("curious");
    const claims = { sub: user.id, role: "authenticated" as const };
    for (const run of [withUser, withAnalyst]) {
      const error = await run(db.database, claims, (tx) => tx.execute(sql`select * from auth.password_reset_tokens`)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(String((error as { cause?: Error } | null)?.cause?.message ?? error)).toMatch(/permission denied/);
    }
  });
});
