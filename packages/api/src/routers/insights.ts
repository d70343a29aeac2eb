// insights.*: analyst-only, aggregated and k-anonymized answers over the analytics layer
// (packages/analytics). Same procedures over REST: GET /api/v1/insights/<name>.
import type { TRPCRouterRecord } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import {
  cohorts, cohortsInput, cohortsOutput, engagement, engagementInput, engagementOutput, funnel, funnelInput,
  funnelOutput, importQuality, importQualityInput, importQualityOutput, intents, intentsInput, intentsOutput,
  reengagement, reengagementInput, reengagementOutput, segments, segmentsInput, segmentsOutput,
} from "@switchboard/analytics";
import { analystProcedure } from "../analyst.ts";

const meta = (path: string, summary: string): OpenApiMeta => ({
  openapi: {
    method: "GET",
    path: `/insights/${path}`,
    summary,
    tags: ["insights"],
    protect: true,
    errorResponses: { 400: "Invalid parameters", 401: "Sign in required", 403: "Analysts only" },
  },
});

export const insightsRouter = {
  cohorts: analystProcedure
    .meta(meta("cohorts", "Weekly signup cohorts and their weekly retention"))
    .input(cohortsInput)
    .output(cohortsOutput)
    .query(({ ctx, input }) => ctx.asAnalyst((tx) => cohorts(tx, input, ctx.insightOptions))),
  intents: analystProcedure
    .meta(meta("intents", "Users per onboarding motivation"))
    .input(intentsInput)
    .output(intentsOutput)
    .query(({ ctx }) => ctx.asAnalyst((tx) => intents(tx, ctx.insightOptions))),
  segments: analystProcedure
    .meta(meta("segments", "Users and average metrics per segment, optionally by age range or region"))
    .input(segmentsInput)
    .output(segmentsOutput)
    .query(({ ctx, input }) => ctx.asAnalyst((tx) => segments(tx, input, ctx.insightOptions))),
  engagement: analystProcedure
    .meta(meta("engagement", "Daily, weekly and monthly active users and stickiness"))
    .input(engagementInput)
    .output(engagementOutput)
    .query(({ ctx, input }) => ctx.asAnalyst((tx) => engagement(tx, input, ctx.insightOptions))),
  importQuality: analystProcedure
    .meta(meta("import-quality", "Distribution of import success and transactions per import, by segment"))
    .input(importQualityInput)
    .output(importQualityOutput)
    .query(({ ctx }) => ctx.asAnalyst((tx) => importQuality(tx, ctx.insightOptions))),
  reengagement: analystProcedure
    .meta(meta("reengagement", "Top reengagement targets by tokenized id"))
    .input(reengagementInput)
    .output(reengagementOutput)
    .query(({ ctx, input }) => ctx.asAnalyst((tx) => reengagement(tx, input, ctx.insightOptions))),
  funnel: analystProcedure
    .meta(meta("funnel", "Signup → onboarding → first contact → first import"))
    .input(funnelInput)
    .output(funnelOutput)
    .query(({ ctx, input }) => ctx.asAnalyst((tx) => funnel(tx, input, ctx.insightOptions))),
} satisfies TRPCRouterRecord;
