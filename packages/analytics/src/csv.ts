// Insight outputs as CSV: one flat table per insight; cells quoted and neutralized by csv-cell.ts (the
// same code as the web app's import error file).
import { csvText } from "./csv-cell.ts";
import type {
  CohortsOutput,
  EngagementOutput,
  FunnelOutput,
  ImportQualityOutput,
  IntentsOutput,
  ReengagementOutput,
  SegmentsOutput,
} from "./insights/schemas.ts";

export type Cell = string | number | boolean | null | undefined;
export interface Table {
  columns: string[];
  rows: Cell[][];
}

export function toCsv(table: Table): string {
  return csvText(table.columns, table.rows);
}

export type InsightName = "cohorts" | "intents" | "segments" | "engagement" | "importQuality" | "reengagement" | "funnel";

export function insightTable(name: "cohorts", output: CohortsOutput): Table;
export function insightTable(name: InsightName, output: unknown): Table;
export function insightTable(name: InsightName, output: unknown): Table {
  switch (name) {
    case "cohorts": {
      const o = output as CohortsOutput;
      const weeks = Array.from({ length: o.weeks }, (_, i) => i);
      return {
        columns: ["cohort_week", "size", ...weeks.map((i) => `retained_${i}`), ...weeks.map((i) => `rate_${i}`)],
        rows: o.cohorts.map((c) => [c.cohort_week, c.size, ...c.retained, ...c.rates]),
      };
    }
    case "intents": {
      const o = output as IntentsOutput;
      return {
        columns: ["motivation", "users", "onboarded", "share"],
        rows: o.intents.map((i) => [i.motivation, i.users, i.onboarded, i.share]),
      };
    }
    case "segments": {
      const o = output as SegmentsOutput;
      const columns = [
        "segment", "group", "users", "avg_total_transactions", "avg_total_imports",
        "avg_import_success_rate", "avg_transactions_per_import", "avg_reengagement_score",
      ] as const;
      return { columns: [...columns], rows: o.segments.map((s) => columns.map((c) => s[c])) };
    }
    case "engagement": {
      const o = output as EngagementOutput;
      return {
        columns: ["date", "dau", "wau", "mau", "stickiness"],
        rows: o.days.map((d) => [d.date, d.dau, d.wau, d.mau, d.stickiness]),
      };
    }
    case "importQuality": {
      const o = output as ImportQualityOutput;
      return {
        columns: ["segment", "metric", "bucket", "users"],
        rows: o.segments.flatMap((s) => [
          [s.segment, "users_with_imports", "", s.users_with_imports],
          ...s.import_success_rate.map((b) => [s.segment, "import_success_rate", b.bucket, b.users]),
          ...s.avg_transactions_per_import.map((b) => [s.segment, "avg_transactions_per_import", b.bucket, b.users]),
        ]),
      };
    }
    case "reengagement": {
      const o = output as ReengagementOutput;
      const columns = ["id", "score_band", "user_segment", "age_range", "province_region", "transactions", "imports"] as const;
      return { columns: [...columns], rows: o.users.map((u) => columns.map((c) => u[c])) };
    }
    case "funnel": {
      const o = output as FunnelOutput;
      return {
        columns: ["step", "users", "rate_from_previous", "rate_from_start", "weeks_withheld"],
        rows: o.steps.map((s) => [s.step, s.users, s.rate_from_previous, s.rate_from_start, o.weeks_withheld]),
      };
    }
  }
}
