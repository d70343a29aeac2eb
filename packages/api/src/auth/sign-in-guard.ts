// Sign-in abuse controls, shared by every server instance (state in PostgreSQL, auth.rate_limits):
//
//  - consume before verify: every attempt takes a point atomically (one upsert per key,
//    rate-limiter-flexible's Drizzle store) BEFORE the password is hashed, so parallel requests and
//    tRPC batches cannot slip past the count: N calls are N attempts.
//  - per (email, ip): a few attempts, then that pair is blocked. A stranger's guesses from their address
//    block only their address for that email, never the owner's.
//  - per ip: bounds password spraying across many emails from one address.
//  - per email (all addresses): bounds distributed guessing; when it is exhausted, only addresses this
//    email has signed in from before (known-good, 30 days) still get through, so a botnet cannot lock the
//    owner out of the place they usually sign in from.
//  - a hash gate: password hashing for unauthenticated callers runs at most `concurrency` at a time with a
//    bounded queue; beyond that the caller gets 429 + Retry-After instead of starving signed-in users.
import { TRPCError } from "@trpc/server";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import { availableParallelism } from "node:os";
import { authRateLimits, type Database } from "@switchboard/db";

export interface SignInLimits {
  /** Attempts per (email, ip) per window; the pair is then blocked for the window. */
  perPair: number;
  /** Attempts per ip (all emails) per window. */
  perIp: number;
  /** Attempts per email (all ips) per hour, beyond which only known-good addresses pass. */
  perEmail: number;
  /** Window of the pair and ip limits, seconds. */
  windowSeconds: number;
}

export const defaultSignInLimits: SignInLimits = { perPair: 5, perIp: 100, perEmail: 30, windowSeconds: 15 * 60 };

export interface SignInGuard {
  /** Takes one attempt for (email, ip) before any password work; throws TOO_MANY_REQUESTS when over a limit. */
  consume(email: string, ip: string | null): Promise<void>;
  /** After a verified sign-in: clears the pair's count and remembers the address as known-good. */
  succeeded(email: string, ip: string | null): Promise<void>;
  /** Runs password hashing for an unauthenticated caller under the bounded gate. */
  hashWork<T>(fn: () => Promise<T>): Promise<T>;
}

export function tooManyAttempts(seconds: number, message = `Too many sign-in attempts. Retry after ${seconds} seconds.`) {
  return new TRPCError({
    code: "TOO_MANY_REQUESTS",
    message,
    // The transports turn this into a Retry-After header.
    cause: Object.assign(new Error("rate limited"), { retryAfterSeconds: seconds }),
  });
}

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export function createSignInGuard(
  database: Database,
  opts: { limits?: Partial<SignInLimits>; hashConcurrency?: number; hashQueue?: number } = {},
): SignInGuard {
  const limits = { ...defaultSignInLimits, ...opts.limits };
  const store = { storeClient: database.db, schema: authRateLimits, clearExpiredByTimeout: true };
  const pair = new RateLimiterDrizzle({
    ...store,
    keyPrefix: "signin:pair",
    points: limits.perPair,
    duration: limits.windowSeconds,
    blockDuration: limits.windowSeconds,
  });
  const perIp = new RateLimiterDrizzle({ ...store, keyPrefix: "signin:ip", points: limits.perIp, duration: limits.windowSeconds });
  const perEmail = new RateLimiterDrizzle({ ...store, keyPrefix: "signin:email", points: limits.perEmail, duration: 3600 });
  const knownGood = new RateLimiterDrizzle({ ...store, keyPrefix: "signin:known", points: 1, duration: 30 * 86_400 });
  const gate = createGate(
    opts.hashConcurrency ?? Math.max(1, Math.floor(availableParallelism() / 2)),
    opts.hashQueue ?? 16,
  );
  const addr = (ip: string | null) => ip ?? "unknown";

  return {
    async consume(email, ip) {
      const pairKey = `${email}|${addr(ip)}`;
      const [p, i, e] = await Promise.allSettled([pair.consume(pairKey), perIp.consume(addr(ip)), perEmail.consume(email)]);
      for (const r of [p, i, e]) {
        // A store failure (database down) is an error, not a verdict.
        if (r.status === "rejected" && !(r.reason instanceof RateLimiterRes)) throw r.reason;
      }
      if (p.status === "rejected") throw tooManyAttempts(retryAfter(p.reason as RateLimiterRes));
      if (i.status === "rejected") throw tooManyAttempts(retryAfter(i.reason as RateLimiterRes));
      if (e.status === "rejected" && !(await knownGood.get(pairKey))) throw tooManyAttempts(retryAfter(e.reason as RateLimiterRes));
    },
    async succeeded(email, ip) {
      const pairKey = `${email}|${addr(ip)}`;
      await Promise.all([pair.delete(pairKey), knownGood.set(pairKey, 1, 30 * 86_400)]);
    },
    hashWork: (fn) => gate(fn),
  };
}

/** A semaphore with a bounded queue: beyond `concurrency` running and `queue` waiting, refuse at once. */
function createGate(concurrency: number, queue: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) {
      if (waiting.length >= queue) throw tooManyAttempts(1, "The server is busy signing people in. Retry in a moment.");
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      if (next) next();
      else running--;
    }
  };
}
