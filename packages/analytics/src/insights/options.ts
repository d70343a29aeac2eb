export interface InsightOptions {
  /** k-anonymity threshold: counts 1..k−1 are reported as null. */
  k: number;
  /** "Today" for default date ranges (tests pin it). */
  now?: Date;
}
