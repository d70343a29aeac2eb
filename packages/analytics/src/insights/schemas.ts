// Input and output schemas of every insight (the tRPC procedures, REST and CSV all use these).
import { z } from "zod";
import { ageRanges, provinceRegions } from "@switchboard/db/schema";
import { motivations } from "@switchboard/db/vocabulary";
import { userSegments } from "../definitions.ts";

/** A real calendar date written YYYY-MM-DD. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Expected a date as YYYY-MM-DD")
  .refine((value) => {
    const d = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
  }, "Not a valid calendar date");

const fromBeforeTo = (v: { from?: string; to?: string }) => !v.from || !v.to || v.from <= v.to;
const fromBeforeToError = { message: "`from` must be on or before `to`", path: ["from"] };
/** Engagement windows are computed per day: one year at most. */
const withinDays = (max: number) => (v: { from?: string; to?: string }) =>
  !v.from || !v.to || (Date.parse(v.to) - Date.parse(v.from)) / 86_400_000 < max;

export const cohortsInput = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    weeks: z.coerce.number().int().min(1, "weeks must be 1..52").max(52, "weeks must be 1..52").default(8),
  })
  .refine(fromBeforeTo, fromBeforeToError)
  .prefault({});

export const intentsInput = z.object({}).optional();

export const segmentsInput = z
  .object({ breakdown: z.enum(["none", "age_range", "province_region"]).default("none") })
  .prefault({});

export const engagementInput = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine(fromBeforeTo, fromBeforeToError)
  .refine(withinDays(366), { message: "The range is at most 366 days", path: ["to"] })
  .prefault({});

export const importQualityInput = z.object({}).optional();

export const reengagementInput = z
  .object({ limit: z.coerce.number().int().min(1, "limit must be 1..1000").max(1000, "limit must be 1..1000").default(100) })
  .prefault({});

export const funnelInput = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine(fromBeforeTo, fromBeforeToError)
  .prefault({});

const count = z.number().int().nullable();
const ratio = z.number().nullable();
const segment = z.enum(userSegments);

export const cohortsOutput = z.object({
  k_anonymity: z.number().int(),
  from: z.string(),
  to: z.string(),
  weeks: z.number().int(),
  cohorts: z.array(z.object({ cohort_week: z.string(), size: count, retained: z.array(count), rates: z.array(ratio) })),
});

export const intentsOutput = z.object({
  k_anonymity: z.number().int(),
  intents: z.array(z.object({ motivation: z.enum(motivations).nullable(), users: count, onboarded: count, share: ratio })),
});

export const segmentsOutput = z.object({
  k_anonymity: z.number().int(),
  breakdown: z.enum(["none", "age_range", "province_region"]),
  segments: z.array(
    z.object({
      segment,
      group: z.enum([...ageRanges, ...provinceRegions]).nullable(),
      users: count,
      avg_total_transactions: ratio,
      avg_total_imports: ratio,
      avg_import_success_rate: ratio,
      avg_transactions_per_import: ratio,
      avg_reengagement_score: ratio,
    }),
  ),
});

export const engagementOutput = z.object({
  k_anonymity: z.number().int(),
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ date: z.string(), dau: count, wau: count, mau: count, stickiness: ratio })),
  summary: z.object({ avg_dau: ratio, avg_mau: ratio, stickiness: ratio }),
});

export const successRateBuckets = ["0-50%", "50-80%", "80-95%", "95-99%", "100%"] as const;
export const txPerImportBuckets = ["0", "0-10", "10-100", "100+"] as const;

export const importQualityOutput = z.object({
  k_anonymity: z.number().int(),
  segments: z.array(
    z.object({
      segment,
      users_with_imports: count,
      import_success_rate: z.array(z.object({ bucket: z.enum(successRateBuckets), users: count })),
      avg_transactions_per_import: z.array(z.object({ bucket: z.enum(txPerImportBuckets), users: count })),
    }),
  ),
});

export const scoreBands = ["0-20", "20-40", "40-60", "60-80", "80-100"] as const;
export const transactionBuckets = ["0", "1-9", "10-99", "100+"] as const;
export const importBuckets = ["0", "1-2", "3-9", "10+"] as const;

export const reengagementOutput = z.object({
  k_anonymity: z.number().int(),
  limit: z.number().int(),
  users: z.array(
    z.object({
      /** A pseudonym valid within this answer only (a new random key per request). */
      id: z.string(),
      score_band: z.enum(scoreBands),
      user_segment: segment,
      age_range: z.enum(ageRanges),
      province_region: z.enum(provinceRegions),
      transactions: z.enum(transactionBuckets),
      imports: z.enum(importBuckets),
    }),
  ),
});

export const funnelSteps = ["signed_up", "onboarding_completed", "first_contact", "first_import"] as const;

export const funnelOutput = z.object({
  k_anonymity: z.number().int(),
  /** The range actually used: from = its Monday, to = its Sunday (whole ISO weeks). */
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Signup weeks in the range left out because one of their cells was 1..k−1. */
  weeks_withheld: z.number().int(),
  steps: z.array(z.object({ step: z.enum(funnelSteps), users: count, rate_from_previous: ratio, rate_from_start: ratio })),
});

export type CohortsInput = z.input<typeof cohortsInput>;
export type CohortsOutput = z.infer<typeof cohortsOutput>;
export type IntentsOutput = z.infer<typeof intentsOutput>;
export type SegmentsInput = z.input<typeof segmentsInput>;
export type SegmentsOutput = z.infer<typeof segmentsOutput>;
export type EngagementInput = z.input<typeof engagementInput>;
export type EngagementOutput = z.infer<typeof engagementOutput>;
export type ImportQualityOutput = z.infer<typeof importQualityOutput>;
export type ReengagementInput = z.input<typeof reengagementInput>;
export type ReengagementOutput = z.infer<typeof reengagementOutput>;
export type FunnelInput = z.input<typeof funnelInput>;
export type FunnelOutput = z.infer<typeof funnelOutput>;
