// Cohort retention heat colours: a share 0..1 maps onto a light→deep blue scale; suppressed
// cells (counts below k, reported as null) get no colour and are marked separately.

export type CohortCell = { kind: "value"; share: number; count: number | null } | { kind: "suppressed" } | { kind: "empty" };

/** Interpolates between two RGB colours; share is clamped to [0, 1]. */
export function heatColor(share: number): string {
  const t = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const from = [239, 246, 255];
  const to = [30, 64, 175];
  const [r, g, b] = from.map((f, i) => Math.round(f + (to[i]! - f) * t));
  return `rgb(${r}, ${g}, ${b})`;
}

/** Dark text on light cells, white text on dark ones, so every value stays readable. */
export function heatTextColor(share: number): string {
  return share >= 0.5 ? "#fff" : "#0f172a";
}

export function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

export interface CohortInput {
  to: string;
  weeks: number;
  cohorts: { cohort_week: string; size: number | null; retained: (number | null)[]; rates: (number | null)[] }[];
}

export interface CohortRow {
  cohortWeek: string;
  /** null: the whole cohort is smaller than k and suppressed. */
  size: number | null;
  cells: CohortCell[];
}

const DAY_MS = 86_400_000;

/**
 * The retention triangle: week i of a cohort that has not started by `to` is empty (the triangle's
 * missing corner), a null rate is suppressed (k-anonymity), anything else is a coloured value.
 */
export function cohortRows(output: CohortInput): CohortRow[] {
  const end = Date.parse(`${output.to}T00:00:00Z`);
  return output.cohorts.map((c) => {
    const start = Date.parse(`${c.cohort_week}T00:00:00Z`);
    const cells: CohortCell[] = Array.from({ length: output.weeks }, (_, week) => {
      if (start + week * 7 * DAY_MS > end) return { kind: "empty" };
      const rate = c.rates[week];
      if (rate === null || rate === undefined) return { kind: "suppressed" };
      return { kind: "value", share: rate, count: c.retained[week] ?? null };
    });
    return { cohortWeek: c.cohort_week, size: c.size, cells };
  });
}
