-- l1_event_facts becomes range-partitioned by month of occurred_at (UTC), without losing a row:
-- the old table is renamed, a partitioned table takes its name (same columns, defaults, sequence,
-- foreign keys, indexes, grants and policies), a partition is created for every month that has rows,
-- the rows are copied, and the old table is dropped — all in the migration's one transaction.
-- Drizzle cannot declare partitioning; schema.ts carries the columns and the key (id, occurred_at).
ALTER TABLE public.l1_event_facts RENAME TO l1_event_facts_unpartitioned;
--> statement-breakpoint
ALTER TABLE public.l1_event_facts_unpartitioned DROP CONSTRAINT l1_event_facts_pkey;
--> statement-breakpoint
DROP INDEX public.l1_event_facts_user_occurred_idx, public.l1_event_facts_occurred_idx, public.l1_event_facts_business_idx;
--> statement-breakpoint
CREATE TABLE public.l1_event_facts (
  "id" bigint DEFAULT nextval('public.l1_event_facts_id_seq'::regclass) NOT NULL,
  "user_id" uuid,
  "business_id" uuid,
  "event_type" text NOT NULL,
  "occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
  "properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
  CONSTRAINT "l1_event_facts_id_occurred_at_pk" PRIMARY KEY ("id", "occurred_at")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
-- The sequence now belongs to the new table (else dropping the old one would drop it).
ALTER SEQUENCE public.l1_event_facts_id_seq OWNED BY public.l1_event_facts.id;
--> statement-breakpoint
ALTER TABLE public.l1_event_facts_unpartitioned DROP CONSTRAINT l1_event_facts_user_id_users_id_fk;
--> statement-breakpoint
ALTER TABLE public.l1_event_facts_unpartitioned DROP CONSTRAINT l1_event_facts_business_id_businesses_id_fk;
--> statement-breakpoint
ALTER TABLE public.l1_event_facts ADD CONSTRAINT "l1_event_facts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE public.l1_event_facts ADD CONSTRAINT "l1_event_facts_business_id_businesses_id_fk" FOREIGN KEY ("business_id") REFERENCES "public"."businesses"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- Partitioned indexes: every partition gets its own (btree: the incremental refresh reads by id and by
-- occurred_at, activity by user; per-partition btrees stay small, and whole months drop with their table).
CREATE INDEX "l1_event_facts_user_occurred_idx" ON public.l1_event_facts USING btree ("user_id", "occurred_at");
--> statement-breakpoint
CREATE INDEX "l1_event_facts_occurred_idx" ON public.l1_event_facts USING btree ("occurred_at");
--> statement-breakpoint
CREATE INDEX "l1_event_facts_business_idx" ON public.l1_event_facts USING btree ("business_id");
--> statement-breakpoint
-- Rows outside every monthly partition (back-dated, far future) land here until their month is created.
CREATE TABLE public.l1_event_facts_default PARTITION OF public.l1_event_facts DEFAULT;
--> statement-breakpoint

-- Access, as before (0001): users append their own activity; analysts and the facts pipeline read.
-- Partitions get no grants: they are reachable only through the parent, where RLS applies.
ALTER TABLE public.l1_event_facts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT INSERT ON public.l1_event_facts TO authenticated, switchboard_auth;
--> statement-breakpoint
GRANT SELECT ON public.l1_event_facts TO analyst, switchboard_facts;
--> statement-breakpoint
CREATE POLICY events_insert_own ON public.l1_event_facts FOR INSERT TO authenticated
  WITH CHECK (user_id = (SELECT auth.uid())
              AND (business_id IS NULL OR business_id IN (SELECT private.my_business_ids())));
--> statement-breakpoint
CREATE POLICY events_insert_auth ON public.l1_event_facts FOR INSERT TO switchboard_auth
  WITH CHECK (business_id IS NULL AND event_type IN ('signed_up', 'signed_in'));
--> statement-breakpoint
CREATE POLICY events_analyst ON public.l1_event_facts FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY events_facts ON public.l1_event_facts FOR SELECT TO switchboard_facts USING (true);
--> statement-breakpoint

-- One month's partition, l1_event_facts_YYYY_MM for [month, month + 1) in UTC. Rows of that month
-- already in the default partition move into it first (ATTACH would refuse them otherwise).
-- Returns false when it exists. Definer: the facts pipeline (switchboard_facts) owns no tables.
CREATE FUNCTION private.create_event_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  m date := date_trunc('month', p_month)::date;
  part text := format('l1_event_facts_%s', to_char(m, 'YYYY_MM'));
  lo timestamptz := m::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(format('public.%I', part)) IS NOT NULL THEN
    RETURN false;
  END IF;
  -- Inserts routed to the default partition wait until the month is attached (a moment, once a month).
  LOCK TABLE public.l1_event_facts_default IN ACCESS EXCLUSIVE MODE;
  EXECUTE format('CREATE TABLE public.%I (LIKE public.l1_event_facts INCLUDING DEFAULTS)', part);
  EXECUTE format('WITH moved AS (DELETE FROM public.l1_event_facts_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
                  INSERT INTO public.%I SELECT * FROM moved', part) USING lo, hi;
  EXECUTE format('ALTER TABLE public.l1_event_facts ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  RETURN true;
END
$$;
--> statement-breakpoint

-- Partitions for the months that have rows in the default partition, the current month and
-- p_months_ahead months after it. Returns how many it created. Serialized by an advisory lock.
CREATE FUNCTION private.ensure_event_partitions(p_months_ahead integer DEFAULT 2) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  m date;
  created integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('switchboard:l1_event_facts partitions'));
  FOR m IN
    SELECT DISTINCT date_trunc('month', d.occurred_at AT TIME ZONE 'UTC')::date FROM public.l1_event_facts_default d
    UNION
    SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => g))::date
    FROM generate_series(0, greatest(p_months_ahead, 0)) AS g
    ORDER BY 1
  LOOP
    IF private.create_event_partition(m) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END
$$;
--> statement-breakpoint

-- Retention: drops the monthly partitions that end on or before p_cutoff (and deletes older rows the
-- default partition may hold). Returns how many partitions it dropped.
CREATE FUNCTION private.drop_event_partitions_before(p_cutoff timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  part record;
  dropped integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('switchboard:l1_event_facts partitions'));
  FOR part IN
    SELECT c.relname,
           (to_date(substr(c.relname, 16), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC' AS upper_bound
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.l1_event_facts'::regclass AND c.relname ~ '^l1_event_facts_[0-9]{4}_[0-9]{2}$'
    ORDER BY c.relname
  LOOP
    IF part.upper_bound <= p_cutoff THEN
      EXECUTE format('DROP TABLE public.%I', part.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  DELETE FROM public.l1_event_facts_default WHERE occurred_at < p_cutoff;
  RETURN dropped;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION private.create_event_partition(date), private.ensure_event_partitions(integer),
  private.drop_event_partitions_before(timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA private TO switchboard_facts;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.ensure_event_partitions(integer), private.drop_event_partitions_before(timestamptz) TO switchboard_facts;
--> statement-breakpoint

-- The conversion: a partition per month with rows (and the next ones), then every row, then the old table goes.
SELECT private.create_event_partition(m)
FROM (SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date AS m FROM public.l1_event_facts_unpartitioned) months;
--> statement-breakpoint
SELECT private.ensure_event_partitions(2);
--> statement-breakpoint
INSERT INTO public.l1_event_facts (id, user_id, business_id, event_type, occurred_at, properties)
SELECT id, user_id, business_id, event_type, occurred_at, properties FROM public.l1_event_facts_unpartitioned;
--> statement-breakpoint
DROP TABLE public.l1_event_facts_unpartitioned;
