// Throttles repeated failed sign-ins per email (in memory, per process): after `maxFailures` failures
// inside `windowMs`, further attempts for that email are refused until the window passes.
export interface SignInThrottle {
  /** ms to wait before another attempt is allowed, or 0. */
  retryAfterMs(email: string): number;
  recordFailure(email: string): void;
  recordSuccess(email: string): void;
}

export function createSignInThrottle(opts: { maxFailures?: number; windowMs?: number; now?: () => number } = {}): SignInThrottle {
  const maxFailures = opts.maxFailures ?? 5;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const now = opts.now ?? Date.now;
  const failures = new Map<string, number[]>();
  const key = (email: string) => email.trim().toLowerCase();
  const recent = (email: string) => {
    const list = (failures.get(key(email)) ?? []).filter((t) => now() - t < windowMs);
    if (list.length) failures.set(key(email), list);
    else failures.delete(key(email));
    return list;
  };
  return {
    retryAfterMs(email) {
      const list = recent(email);
      if (list.length < maxFailures) return 0;
      return Math.max(1, windowMs - (now() - list[list.length - maxFailures]!));
    },
    recordFailure(email) {
      failures.set(key(email), [...recent(email), now()]);
    },
    recordSuccess(email) {
      failures.delete(key(email));
    },
  };
}
