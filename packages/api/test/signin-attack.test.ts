// Sign-in attacks (issue 8, findings 2, 3, 4, 8): parallel guessing, batched guessing, locking the
// owner out from another address, probing for password-less or banned accounts. Against the real
// database of each driver, through the procedures.
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import type { TRPCError } from "@trpc/server";
import { beforeAll, expect, it } from "vitest";
import { createSignInGuard } from "../src/auth/sign-in-guard.ts";
import { harness, uniqueEmail } from "./helpers.ts";

const password = "correct horse battery";

/** code + message of a settled sign-in: what a client can observe. */
const outcome = (r: PromiseSettledResult<unknown>) =>
  r.status === "fulfilled" ? "OK" : `${(r.reason as TRPCError).code}: ${(r.reason as TRPCError).message}`;

describeDb("sign-in attacks", (db) => {
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    h = harness(db);
  });

  it("100 parallel guesses with one right password: at most the limit is evaluated", async () => {
    const victim = await h.signUp("parallel");
    const attacker = h.anonymousFrom("203.0.113.10");
    const guesses = Array.from({ length: 100 }, (_, i) => (i === 99 ? password : `wrong guess ${i}`));
    const results = await Promise.allSettled(guesses.map((p) => attacker.auth.signIn({ email: victim.email, password: p })));
    const evaluated = results.filter((r) => r.status === "fulfilled" || (r.reason as TRPCError).code === "UNAUTHORIZED");
    expect(evaluated.length).toBeLessThanOrEqual(5);
    // The right password came last: it was refused without being evaluated.
    expect(outcome(results[99]!)).toMatch(/^TOO_MANY_REQUESTS/);
  });

  it("one batch of 300 sign-ins counts as 300 attempts", async () => {
    const victim = await h.signUp("batch");
    // A tRPC batch shares one context: the procedures run in parallel with the same caller.
    const attacker = h.anonymousFrom("203.0.113.11");
    const results = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => attacker.auth.signIn({ email: victim.email, password: `guess ${i}` })),
    );
    const evaluated = results.filter((r) => r.status === "rejected" && (r.reason as TRPCError).code === "UNAUTHORIZED");
    expect(evaluated.length).toBeLessThanOrEqual(5);
    expect(results.filter((r) => outcome(r).startsWith("TOO_MANY_REQUESTS")).length).toBeGreaterThanOrEqual(295);
  });

  it("a stranger's wrong passwords from another address do not lock the owner out", async () => {
    const owner = await h.signUp("lockout");
    const stranger = h.anonymousFrom("198.51.100.66");
    for (let i = 0; i < 12; i++) await Promise.allSettled([stranger.auth.signIn({ email: owner.email, password: `nope ${i}` })]);
    const blocked = await Promise.allSettled([stranger.auth.signIn({ email: owner.email, password })]);
    expect(outcome(blocked[0]!)).toMatch(/^TOO_MANY_REQUESTS/);
    // The owner, from their own address, signs in at once with the right password.
    const session = await h.anonymousFrom("192.0.2.7").auth.signIn({ email: owner.email, password });
    expect(session.user.id).toBe(owner.id);
  });

  it("password hashing for unauthenticated callers is bounded: beyond the gate's queue, 429 at once", async () => {
    const guard = createSignInGuard(db.database, { hashConcurrency: 1, hashQueue: 2 });
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const running = guard.hashWork(() => blocker);
    const queued = [guard.hashWork(async () => "q1"), guard.hashWork(async () => "q2")];
    await expect(guard.hashWork(async () => "over")).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS", cause: { retryAfterSeconds: 1 } });
    release();
    await running;
    expect(await Promise.all(queued)).toEqual(["q1", "q2"]);

    // A flood of sign-ins (distinct emails and addresses, so the limiter lets them through) meets the gate.
    const flood = harness(db, { signInGuard: (database) => createSignInGuard(database, { hashConcurrency: 1, hashQueue: 2 }) });
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => flood.anonymousFrom(`198.18.0.${i + 1}`).auth.signIn({ email: uniqueEmail("flood"), password })),
    );
    const outcomes = results.map(outcome);
    expect(outcomes.filter((o) => o === "TOO_MANY_REQUESTS: The server is busy signing people in. Retry in a moment.").length).toBeGreaterThan(0);
    expect(outcomes.every((o) => o === "UNAUTHORIZED: Invalid email or password" || o.startsWith("TOO_MANY_REQUESTS"))).toBe(true);
  });

  it("unknown, password-less and banned accounts answer exactly like a wrong password", async () => {
    const wrong = await h.signUp("wrongpw");
    const banned = await h.signUp("banned");
    const passwordless = uniqueEmail("sso");
    await db.database.db.execute(sql`insert into auth.users (email) values (${passwordless})`);
    await db.database.db.execute(sql`update auth.users set banned_until = now() + interval '1 day' where id = ${banned.id}::uuid`);
    const from = (n: number) => h.anonymousFrom(`192.0.2.${100 + n}`);
    const results = await Promise.allSettled([
      from(1).auth.signIn({ email: wrong.email, password: "not the password" }),
      from(2).auth.signIn({ email: uniqueEmail("nobody"), password }),
      from(3).auth.signIn({ email: passwordless, password }),
      from(4).auth.signIn({ email: banned.email, password }),
    ]);
    expect(results.map(outcome)).toEqual(Array(4).fill("UNAUTHORIZED: Invalid email or password"));
    // The banned user's right password did not count as a success anywhere.
    const [row] = await rows<{ last_sign_in_at: unknown }>(
      db.database.db,
      sql`select last_sign_in_at from auth.users where id = ${banned.id}::uuid`,
    );
    expect(row!.last_sign_in_at).toBeNull();
  });
});
