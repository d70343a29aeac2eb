-- Motivation becomes a closed vocabulary (src/vocabulary.ts): legacy free text, which could hold names,
-- phone numbers or anything else a user typed, is mapped to 'other' before the check applies.
UPDATE "users" SET "motivation" = 'other'
WHERE "motivation" IS NOT NULL
  AND "motivation" NOT IN ('grow_sales','organize_contacts','team_collaboration','track_payments','other');--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_motivation_check" CHECK ("users"."motivation" is null or "users"."motivation" in ('grow_sales','organize_contacts','team_collaboration','track_payments','other'));
