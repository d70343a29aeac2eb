// k-anonymity: a count from 1 to k−1 is reported as null, and so is any rate built on it.
export function suppress(n: number, k: number): number | null {
  return n >= 1 && n < k ? null : n;
}

/** numerator / denominator, null when either is suppressed or the denominator is 0. */
export function suppressedRate(numerator: number, denominator: number, k: number): number | null {
  if (suppress(numerator, k) === null || suppress(denominator, k) === null || denominator === 0) return null;
  return numerator / denominator;
}

/** Today (UTC) as YYYY-MM-DD, shifted by `days`. */
export function utcDate(days = 0, from = new Date()): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
