CREATE TABLE "scheduled_jobs" (
	"name" text PRIMARY KEY NOT NULL,
	"next_run_at" timestamp with time zone NOT NULL,
	"last_claimed_at" timestamp with time zone
);

--> statement-breakpoint
-- Only the facts pipeline claims schedules (the scheduled facts refresh); request roles see nothing.
ALTER TABLE public.scheduled_jobs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON public.scheduled_jobs TO switchboard_facts;
--> statement-breakpoint
CREATE POLICY scheduled_jobs_facts ON public.scheduled_jobs FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
