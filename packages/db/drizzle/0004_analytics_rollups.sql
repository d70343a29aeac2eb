CREATE TABLE "l1_activity_daily" (
	"day" date PRIMARY KEY NOT NULL,
	"dau" integer NOT NULL,
	"wau" integer NOT NULL,
	"mau" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "l1_user_activity_days" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "l1_user_activity_days_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "l1_user_milestones" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"contact_created" boolean DEFAULT false NOT NULL,
	"import_completed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "l1_user_activity_days" ADD CONSTRAINT "l1_user_activity_days_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "l1_user_milestones" ADD CONSTRAINT "l1_user_milestones_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "l1_user_activity_days_day_idx" ON "l1_user_activity_days" USING btree ("day","user_id");
--> statement-breakpoint
-- Rollups of l1_event_facts: same audience as l1_event_facts (analysts read, the facts pipeline writes).
ALTER TABLE public.l1_user_activity_days ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.l1_user_milestones ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.l1_activity_daily ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON public.l1_user_activity_days, public.l1_user_milestones, public.l1_activity_daily TO analyst;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.l1_user_activity_days, public.l1_user_milestones, public.l1_activity_daily TO switchboard_facts;
--> statement-breakpoint
CREATE POLICY activity_days_analyst ON public.l1_user_activity_days FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY milestones_analyst ON public.l1_user_milestones FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY activity_daily_analyst ON public.l1_activity_daily FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY activity_daily_facts ON public.l1_activity_daily FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY activity_days_facts ON public.l1_user_activity_days FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY milestones_facts ON public.l1_user_milestones FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint
-- Insights combine the rollups with the events after the last refresh's watermark, so analysts read
-- the watermark columns (only those).
GRANT SELECT (id, finished_at, watermark, event_id_watermark) ON public.analytics_refresh_log TO analyst;
--> statement-breakpoint
CREATE POLICY refresh_log_analyst ON public.analytics_refresh_log FOR SELECT TO analyst USING (true);
--> statement-breakpoint
-- The rollups start empty: forget the watermarks so the next refresh is a full one that fills them.
DELETE FROM public.analytics_refresh_log;
