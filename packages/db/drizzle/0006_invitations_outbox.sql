CREATE SCHEMA IF NOT EXISTS "private";
--> statement-breakpoint
CREATE TABLE "auth"."password_reset_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "business_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone,
	"accepted_by" uuid,
	CONSTRAINT "business_invitations_role_check" CHECK ("business_invitations"."role" in ('owner','admin','member')),
	CONSTRAINT "business_invitations_status_check" CHECK ("business_invitations"."status" in ('pending','accepted','declined','revoked')),
	CONSTRAINT "business_invitations_email_check" CHECK ("business_invitations"."email" = lower(btrim("business_invitations"."email")) and position('@' in "business_invitations"."email") > 1)
);
--> statement-breakpoint
CREATE TABLE "private"."mail_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"to_email" text NOT NULL,
	"subject" text NOT NULL,
	"body_text" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"requested_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "mail_outbox_kind_check" CHECK ("private"."mail_outbox"."kind" in ('invitation','password_reset')),
	CONSTRAINT "mail_outbox_status_check" CHECK ("private"."mail_outbox"."status" in ('pending','sent','logged','failed'))
);
--> statement-breakpoint
ALTER TABLE "auth"."password_reset_tokens" ADD CONSTRAINT "password_reset_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "auth"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_invitations" ADD CONSTRAINT "business_invitations_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_invitations" ADD CONSTRAINT "business_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "business_invitations" ADD CONSTRAINT "business_invitations_accepted_by_users_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "private"."mail_outbox" ADD CONSTRAINT "mail_outbox_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "password_reset_tokens_user_idx" ON "auth"."password_reset_tokens" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "business_invitations_token_hash_key" ON "business_invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "business_invitations_pending_key" ON "business_invitations" USING btree ("business_id","email") WHERE "business_invitations"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "business_invitations_business_idx" ON "business_invitations" USING btree ("business_id","created_at");--> statement-breakpoint
CREATE INDEX "business_invitations_email_idx" ON "business_invitations" USING btree ("email");--> statement-breakpoint
CREATE INDEX "business_invitations_invited_by_idx" ON "business_invitations" USING btree ("invited_by","created_at");--> statement-breakpoint
CREATE INDEX "business_invitations_accepted_by_idx" ON "business_invitations" USING btree ("accepted_by");--> statement-breakpoint
CREATE INDEX "mail_outbox_due_idx" ON "private"."mail_outbox" USING btree ("next_attempt_at") WHERE "private"."mail_outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "mail_outbox_requested_by_idx" ON "private"."mail_outbox" USING btree ("requested_by","created_at");