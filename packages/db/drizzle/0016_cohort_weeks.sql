CREATE TABLE "l1_user_cohort_weeks" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"cohort_week" date NOT NULL,
	"active_weeks" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "l1_user_cohort_weeks" ADD CONSTRAINT "l1_user_cohort_weeks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- A rollup of l1_event_facts like l1_user_activity_days: analysts read it, the facts pipeline writes it.
ALTER TABLE public.l1_user_cohort_weeks ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON public.l1_user_cohort_weeks TO analyst;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.l1_user_cohort_weeks TO switchboard_facts;
--> statement-breakpoint
CREATE POLICY cohort_weeks_analyst ON public.l1_user_cohort_weeks FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY cohort_weeks_facts ON public.l1_user_cohort_weeks FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint
-- Filled from the activity rollup as of the last refresh (the same rows a full refresh writes), so the
-- last watermark stays valid and no refresh is needed after the upgrade.
INSERT INTO public.l1_user_cohort_weeks (user_id, cohort_week, active_weeks)
SELECT u.id, u.wk,
       coalesce(bit_or(1::bigint << ((a.day - u.wk) / 7)) FILTER (WHERE a.day >= u.wk AND a.day < u.wk + 364), 0)
FROM (SELECT id, date_trunc('week', created_at AT TIME ZONE 'UTC')::date AS wk FROM public.users
      WHERE created_at IS NOT NULL) u
LEFT JOIN public.l1_user_activity_days a ON a.user_id = u.id
GROUP BY u.id, u.wk;
