ALTER TABLE "analytics_refresh_log" ADD COLUMN "event_id_watermark" bigint;--> statement-breakpoint
ALTER TABLE "l1_customer_facts" ADD COLUMN "active_days_30" integer DEFAULT 0 NOT NULL;