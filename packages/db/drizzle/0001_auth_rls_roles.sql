-- Hand-written part of the schema: what Drizzle cannot express.
--   1. extensions and roles          4. the auth.users -> public.users sync trigger and its backfill
--   2. auth.uid() / auth.jwt()       5. row-level security policies and grants
--   3. membership helpers (private)  6. contact search text functions (indexes: 0003)
-- Roles are cluster-wide, so every CREATE ROLE tolerates a concurrent creator.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
--> statement-breakpoint
DO $$
DECLARE r text;
BEGIN
  -- authenticated: every user request. analyst: insight procedures. switchboard_auth: sign-up/sign-in.
  -- switchboard_facts: the facts pipeline. switchboard_app: the server's login role (owns nothing).
  FOREACH r IN ARRAY ARRAY['authenticated', 'analyst', 'switchboard_auth', 'switchboard_facts'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END;
    END IF;
  END LOOP;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchboard_app') THEN
    BEGIN
      CREATE ROLE switchboard_app LOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  BEGIN
    GRANT authenticated, analyst, switchboard_auth, switchboard_facts TO switchboard_app;
  EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
  END;
  -- A non-superuser migration role must be able to SET ROLE for its own tests and scripts.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT authenticated, analyst, switchboard_auth, switchboard_facts TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS private;
--> statement-breakpoint
REVOKE ALL ON SCHEMA private FROM PUBLIC;
--> statement-breakpoint
ALTER TABLE auth.users ADD CONSTRAINT auth_users_email_check
  CHECK (char_length(email) BETWEEN 3 AND 320 AND position('@' IN email) > 1);
--> statement-breakpoint

-- 2. auth.jwt() / auth.uid(): Supabase semantics, read the claims of the current transaction.
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb, '{}'::jsonb)
$$;
--> statement-breakpoint
-- A missing or malformed `sub` is anonymous (null), never an error.
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN (auth.jwt() ->> 'sub') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN (auth.jwt() ->> 'sub')::uuid
  END
$$;
--> statement-breakpoint
REVOKE ALL ON SCHEMA auth FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA auth TO authenticated, analyst, switchboard_auth, switchboard_facts;
--> statement-breakpoint

-- 3. Membership helpers. SECURITY DEFINER so policies on business_memberships never recurse;
--    evaluated once per statement when policies call them as `(select ...)` / `IN (select ...)`.
CREATE OR REPLACE FUNCTION private.my_business_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT bm.business_id FROM public.business_memberships bm
  WHERE bm.user_id = auth.uid() AND bm.is_active
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.my_admin_business_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT bm.business_id FROM public.business_memberships bm
  WHERE bm.user_id = auth.uid() AND bm.is_active AND bm.role IN ('owner', 'admin')
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.my_owner_business_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT bm.business_id FROM public.business_memberships bm
  WHERE bm.user_id = auth.uid() AND bm.is_active AND bm.role = 'owner'
$$;
--> statement-breakpoint
-- The design note's users_business_isolation, as one join instead of a per-row EXISTS.
CREATE OR REPLACE FUNCTION private.co_member_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT DISTINCT bm2.user_id
  FROM public.business_memberships bm1
  JOIN public.business_memberships bm2 ON bm2.business_id = bm1.business_id AND bm2.is_active
  WHERE bm1.user_id = auth.uid() AND bm1.is_active
$$;
--> statement-breakpoint
-- The creator of a business becomes its owner (the row would otherwise be invisible to them).
CREATE OR REPLACE FUNCTION private.add_business_creator_as_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF NEW.created_by IS NOT NULL THEN
    INSERT INTO public.business_memberships (business_id, user_id, role)
    VALUES (NEW.id, NEW.created_by, 'owner')
    ON CONFLICT (business_id, user_id) DO NOTHING;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER add_business_creator_as_owner
  AFTER INSERT ON public.businesses
  FOR EACH ROW EXECUTE FUNCTION private.add_business_creator_as_owner();
--> statement-breakpoint

-- 4. auth.users -> public.users. One upsert shared by the trigger, the backfill and reconciliation.
--    It writes only mirrored columns: app-owned ones (motivation, onboarding, demographics) survive.
CREATE OR REPLACE FUNCTION private.mirror_user(u auth.users) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  meta jsonb := coalesce(u.raw_user_meta_data, '{}'::jsonb);
  v_full_name text := left(nullif(btrim(meta ->> 'full_name'), ''), 255);
BEGIN
  INSERT INTO public.users AS pu
    (id, email, full_name, display_name, avatar_url, phone, is_active, last_sign_in,
     email_validated, created_at, updated_at)
  VALUES (
    u.id,
    u.email,
    v_full_name,
    left(coalesce(nullif(btrim(meta ->> 'display_name'), ''), v_full_name,
                  nullif(split_part(u.email, '@', 1), ''), u.email), 255),
    left(nullif(btrim(meta ->> 'avatar_url'), ''), 500),
    left(nullif(btrim(meta ->> 'phone'), ''), 20),
    NOT coalesce(u.banned_until > now(), false),
    u.last_sign_in_at,
    u.email_confirmed_at IS NOT NULL,
    u.created_at,
    now()
  )
  ON CONFLICT (id) DO UPDATE SET
    email = EXCLUDED.email,
    full_name = EXCLUDED.full_name,
    display_name = EXCLUDED.display_name,
    avatar_url = EXCLUDED.avatar_url,
    phone = EXCLUDED.phone,
    is_active = EXCLUDED.is_active,
    last_sign_in = EXCLUDED.last_sign_in,
    email_validated = EXCLUDED.email_validated,
    created_at = EXCLUDED.created_at,
    updated_at = now();
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.sync_user_data() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM public.users WHERE id = OLD.id;
    RETURN OLD;
  END IF;
  -- Updates that touch no mirrored column (e.g. encrypted_password, raw_app_meta_data) do nothing.
  IF TG_OP = 'UPDATE'
     AND OLD.id = NEW.id
     AND OLD.email IS NOT DISTINCT FROM NEW.email
     AND OLD.raw_user_meta_data IS NOT DISTINCT FROM NEW.raw_user_meta_data
     AND OLD.last_sign_in_at IS NOT DISTINCT FROM NEW.last_sign_in_at
     AND OLD.email_confirmed_at IS NOT DISTINCT FROM NEW.email_confirmed_at
     AND OLD.banned_until IS NOT DISTINCT FROM NEW.banned_until
     AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at THEN
    RETURN NEW;
  END IF;
  PERFORM private.mirror_user(NEW);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sync_user_data_trigger
  AFTER INSERT OR UPDATE OR DELETE ON auth.users
  FOR EACH ROW EXECUTE FUNCTION private.sync_user_data();
--> statement-breakpoint
-- Drift between auth.users and public.users: rows missing on either side or with different values.
CREATE OR REPLACE FUNCTION private.user_mirror_drift()
RETURNS TABLE (user_id uuid, problem text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  WITH expected AS (
    SELECT u.id, u.email,
           left(nullif(btrim(u.raw_user_meta_data ->> 'full_name'), ''), 255) AS full_name,
           left(coalesce(nullif(btrim(u.raw_user_meta_data ->> 'display_name'), ''),
                         left(nullif(btrim(u.raw_user_meta_data ->> 'full_name'), ''), 255),
                         nullif(split_part(u.email, '@', 1), ''), u.email), 255) AS display_name,
           left(nullif(btrim(u.raw_user_meta_data ->> 'avatar_url'), ''), 500) AS avatar_url,
           left(nullif(btrim(u.raw_user_meta_data ->> 'phone'), ''), 20) AS phone,
           NOT coalesce(u.banned_until > now(), false) AS is_active,
           u.last_sign_in_at AS last_sign_in,
           u.email_confirmed_at IS NOT NULL AS email_validated,
           u.created_at
    FROM auth.users u
  )
  SELECT coalesce(e.id, p.id),
         CASE WHEN p.id IS NULL THEN 'missing in public.users'
              WHEN e.id IS NULL THEN 'orphan in public.users'
              ELSE 'values differ' END
  FROM expected e
  FULL JOIN public.users p ON p.id = e.id
  WHERE p.id IS NULL OR e.id IS NULL
     OR (e.email, e.full_name, e.display_name, e.avatar_url, e.phone, e.is_active, e.last_sign_in,
         e.email_validated, e.created_at)
        IS DISTINCT FROM
        (p.email::text, p.full_name::text, p.display_name::text, p.avatar_url::text, p.phone::text,
         p.is_active, p.last_sign_in, p.email_validated, p.created_at)
$$;
--> statement-breakpoint
-- Backfill: users created before the trigger existed (idempotent upsert).
SELECT private.mirror_user(u) FROM auth.users u;
--> statement-breakpoint

-- 5. Row-level security. Every tenant table: RLS on, policies `to authenticated` only.
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.businesses ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.business_memberships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.contacts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.transactions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.imports ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.l1_event_facts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.l1_transaction_facts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.l1_customer_facts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE public.analytics_refresh_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT USAGE ON SCHEMA private TO authenticated;
--> statement-breakpoint
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA private FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.my_business_ids(), private.my_admin_business_ids(),
  private.my_owner_business_ids(), private.co_member_ids() TO authenticated;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO authenticated, analyst, switchboard_auth, switchboard_facts;
--> statement-breakpoint

-- auth.users: a user reads their own row and edits only their metadata (the trigger syncs it);
-- the auth service signs people up and in; nobody else touches it.
GRANT SELECT (id, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at, last_sign_in_at, created_at, updated_at),
      UPDATE (raw_user_meta_data, updated_at) ON auth.users TO authenticated;
--> statement-breakpoint
CREATE POLICY auth_users_self ON auth.users FOR ALL TO authenticated
  USING (id = (SELECT auth.uid())) WITH CHECK (id = (SELECT auth.uid()));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON auth.users TO switchboard_auth;
--> statement-breakpoint
CREATE POLICY auth_users_service ON auth.users FOR ALL TO switchboard_auth USING (true) WITH CHECK (true);
--> statement-breakpoint

-- public.users: yourself and co-members of an active shared business (read-only but app-owned columns).
GRANT SELECT ON public.users TO authenticated;
--> statement-breakpoint
GRANT UPDATE (motivation, onboarding_last_step, onboarding_completed_at, birth_date, province, updated_at)
  ON public.users TO authenticated;
--> statement-breakpoint
CREATE POLICY users_business_isolation ON public.users FOR SELECT TO authenticated
  USING (id = (SELECT auth.uid()) OR id IN (SELECT private.co_member_ids()));
--> statement-breakpoint
CREATE POLICY users_update_self ON public.users FOR UPDATE TO authenticated
  USING (id = (SELECT auth.uid())) WITH CHECK (id = (SELECT auth.uid()));
--> statement-breakpoint
-- The analyst reads only non-PII columns: never email, names, phone, avatar, birth_date, province.
GRANT SELECT (id, created_at, motivation, onboarding_last_step, onboarding_completed_at, account_status)
  ON public.users TO analyst;
--> statement-breakpoint
CREATE POLICY users_analyst_read ON public.users FOR SELECT TO analyst USING (true);
--> statement-breakpoint

-- businesses
GRANT SELECT, INSERT, UPDATE, DELETE ON public.businesses TO authenticated;
--> statement-breakpoint
CREATE POLICY businesses_select ON public.businesses FOR SELECT TO authenticated
  USING (id IN (SELECT private.my_business_ids()) OR created_by = (SELECT auth.uid()));
--> statement-breakpoint
CREATE POLICY businesses_insert ON public.businesses FOR INSERT TO authenticated
  WITH CHECK (created_by = (SELECT auth.uid()));
--> statement-breakpoint
CREATE POLICY businesses_update ON public.businesses FOR UPDATE TO authenticated
  USING (id IN (SELECT private.my_admin_business_ids()))
  WITH CHECK (id IN (SELECT private.my_admin_business_ids()));
--> statement-breakpoint
CREATE POLICY businesses_delete ON public.businesses FOR DELETE TO authenticated
  USING (id IN (SELECT private.my_owner_business_ids()));
--> statement-breakpoint

-- business_memberships: members read their businesses' memberships (and their own, even inactive);
-- owners and admins write them.
GRANT SELECT, INSERT, UPDATE, DELETE ON public.business_memberships TO authenticated;
--> statement-breakpoint
CREATE POLICY memberships_select ON public.business_memberships FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()) OR business_id IN (SELECT private.my_business_ids()));
--> statement-breakpoint
CREATE POLICY memberships_insert ON public.business_memberships FOR INSERT TO authenticated
  WITH CHECK (business_id IN (SELECT private.my_admin_business_ids()));
--> statement-breakpoint
CREATE POLICY memberships_update ON public.business_memberships FOR UPDATE TO authenticated
  USING (business_id IN (SELECT private.my_admin_business_ids()))
  WITH CHECK (business_id IN (SELECT private.my_admin_business_ids()));
--> statement-breakpoint
CREATE POLICY memberships_delete ON public.business_memberships FOR DELETE TO authenticated
  USING (business_id IN (SELECT private.my_admin_business_ids()));
--> statement-breakpoint

-- contacts, transactions, imports: any active member reads and writes their businesses' rows.
GRANT SELECT, INSERT, UPDATE, DELETE ON public.contacts, public.transactions, public.imports TO authenticated;
--> statement-breakpoint
CREATE POLICY contacts_tenant ON public.contacts FOR ALL TO authenticated
  USING (business_id IN (SELECT private.my_business_ids()))
  WITH CHECK (business_id IN (SELECT private.my_business_ids()));
--> statement-breakpoint
-- Foreign-key checks ignore RLS, so the check also pins the contact and the import to the same business
-- (otherwise a member of A could hang a transaction on B's contact).
CREATE POLICY transactions_tenant ON public.transactions FOR ALL TO authenticated
  USING (business_id IN (SELECT private.my_business_ids()))
  WITH CHECK (business_id IN (SELECT private.my_business_ids())
              AND EXISTS (SELECT 1 FROM public.contacts c
                          WHERE c.id = transactions.contact_id AND c.business_id = transactions.business_id)
              AND (transactions.import_id IS NULL
                   OR EXISTS (SELECT 1 FROM public.imports i
                              WHERE i.id = transactions.import_id AND i.business_id = transactions.business_id)));
--> statement-breakpoint
CREATE POLICY imports_tenant ON public.imports FOR ALL TO authenticated
  USING (business_id IN (SELECT private.my_business_ids()))
  WITH CHECK (business_id IN (SELECT private.my_business_ids()));
--> statement-breakpoint

-- l1_event_facts: users append their own activity in their own businesses; nobody but analysts reads.
GRANT INSERT ON public.l1_event_facts TO authenticated, switchboard_auth;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE public.l1_event_facts_id_seq TO authenticated, switchboard_auth;
--> statement-breakpoint
CREATE POLICY events_insert_own ON public.l1_event_facts FOR INSERT TO authenticated
  WITH CHECK (user_id = (SELECT auth.uid())
              AND (business_id IS NULL OR business_id IN (SELECT private.my_business_ids())));
--> statement-breakpoint
CREATE POLICY events_insert_auth ON public.l1_event_facts FOR INSERT TO switchboard_auth
  WITH CHECK (business_id IS NULL AND event_type IN ('signed_up', 'signed_in'));
--> statement-breakpoint

-- Analytics: the analyst reads the l1 tables; the facts pipeline rebuilds them.
GRANT SELECT ON public.l1_event_facts, public.l1_transaction_facts, public.l1_customer_facts TO analyst;
--> statement-breakpoint
CREATE POLICY events_analyst ON public.l1_event_facts FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY tx_facts_analyst ON public.l1_transaction_facts FOR SELECT TO analyst USING (true);
--> statement-breakpoint
CREATE POLICY customer_facts_analyst ON public.l1_customer_facts FOR SELECT TO analyst USING (true);
--> statement-breakpoint
GRANT SELECT ON public.users, public.imports, public.transactions, public.contacts, public.l1_event_facts TO switchboard_facts;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON public.l1_transaction_facts, public.l1_customer_facts, public.analytics_refresh_log TO switchboard_facts;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE public.analytics_refresh_log_id_seq TO switchboard_facts;
--> statement-breakpoint
CREATE POLICY users_facts ON public.users FOR SELECT TO switchboard_facts USING (true);
--> statement-breakpoint
CREATE POLICY imports_facts ON public.imports FOR SELECT TO switchboard_facts USING (true);
--> statement-breakpoint
CREATE POLICY transactions_facts ON public.transactions FOR SELECT TO switchboard_facts USING (true);
--> statement-breakpoint
CREATE POLICY contacts_facts ON public.contacts FOR SELECT TO switchboard_facts USING (true);
--> statement-breakpoint
CREATE POLICY events_facts ON public.l1_event_facts FOR SELECT TO switchboard_facts USING (true);
--> statement-breakpoint
CREATE POLICY tx_facts_facts ON public.l1_transaction_facts FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY customer_facts_facts ON public.l1_customer_facts FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY refresh_log_facts ON public.analytics_refresh_log FOR ALL TO switchboard_facts USING (true) WITH CHECK (true);
--> statement-breakpoint

-- 6. Contact search text: accent- and case-insensitive normalization (the indexes are in 0003).
CREATE OR REPLACE FUNCTION public.sb_search_norm(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT lower(public.unaccent('public.unaccent'::regdictionary, value))
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.sb_contact_search_text(full_name text, email text, company text, phone text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT public.sb_search_norm(concat_ws(' ', full_name, email, company, phone))
$$;
