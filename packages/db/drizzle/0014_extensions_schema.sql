-- Supabase's database linter (splinter, packages/db/test/splinter.test.ts) without WARN or ERROR:
--   extension_in_public: pg_trgm, unaccent and btree_gin move to schema `extensions` (usage for the
--     app's roles: index expressions run unaccent as the writing user; the functions below call the
--     extensions schema-qualified, so no search_path needs it);
--   function_search_path_mutable: the search helpers get `SET search_path = ''` (same results);
--   multiple_permissive_policies: the two SELECT policies on business_invitations become one.
-- Indexes on the helpers keep working: they reference the functions and operator classes by oid.
CREATE SCHEMA IF NOT EXISTS extensions;
--> statement-breakpoint
REVOKE ALL ON SCHEMA extensions FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA extensions TO authenticated, analyst, switchboard_auth, switchboard_facts;
--> statement-breakpoint
ALTER EXTENSION pg_trgm SET SCHEMA extensions;
--> statement-breakpoint
ALTER EXTENSION unaccent SET SCHEMA extensions;
--> statement-breakpoint
ALTER EXTENSION btree_gin SET SCHEMA extensions;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.sb_search_norm(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT SET search_path = '' AS $$
BEGIN
  RETURN lower(extensions.unaccent('extensions.unaccent'::regdictionary, value));
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.sb_contact_search_text(full_name text, email text, company text, phone text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
BEGIN
  RETURN lower(extensions.unaccent('extensions.unaccent'::regdictionary,
           substr(coalesce(' ' || full_name, '') || coalesce(' ' || email, '')
                  || coalesce(' ' || company, '') || coalesce(' ' || phone, ''), 2)));
END
$$;
--> statement-breakpoint
-- The indexed search of 0003, with the trigram operator and function from their new schema.
CREATE OR REPLACE FUNCTION private.search_contact_ids(p_business_id uuid, p_query text, p_limit integer)
RETURNS TABLE (id uuid, rank bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
-- A page, not the default 1000: the caller then reads the hits by primary key instead of hashing the business.
ROWS 20
SET search_path = ''
SET pg_trgm.word_similarity_threshold = 0.3
SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
  v_limit integer := least(greatest(coalesce(p_limit, 20), 1), 200);
  -- Each stage ranks a bounded candidate set: a query matching most of the business is ranked among the first found.
  v_cap integer := greatest(least(greatest(coalesce(p_limit, 20), 1), 200) * 5, 100);
  v_q text := public.sb_search_norm(p_query);
  v_pattern text := public.sb_search_norm(replace(replace(replace(p_query, '\', '\\'), '%', '\%'), '_', '\_'));
  g1 uuid[] := '{}';
  g2 uuid[] := '{}';
  g3 uuid[] := '{}';
  gf uuid[] := '{}';
BEGIN
  IF v_q IS NULL OR v_q = '' OR p_business_id IS NULL
     OR p_business_id NOT IN (SELECT private.my_business_ids()) THEN
    RETURN;
  END IF;
  -- 1. The name starts with the query: first v_limit in name order (btree contacts_business_norm_name_idx).
  g1 := ARRAY(
    SELECT c.id FROM public.contacts c
    WHERE c.business_id = p_business_id AND c.deleted_at IS NULL
      AND public.sb_search_norm(c.full_name) LIKE v_pattern || '%'
    ORDER BY public.sb_search_norm(c.full_name) USING OPERATOR(pg_catalog.~<~), c.id
    LIMIT v_limit);
  -- 2. A word starts with it (contacts_business_search_idx); only while the page is not full.
  IF cardinality(g1) < v_limit THEN
    g2 := ARRAY(
      SELECT c.id FROM public.contacts c
      WHERE c.business_id = p_business_id AND c.deleted_at IS NULL
        AND (public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone) LIKE v_pattern || '%'
             OR public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone) LIKE '% ' || v_pattern || '%')
        AND c.id <> ALL (g1)
      LIMIT v_cap);
  END IF;
  -- 3. Anywhere inside.
  IF cardinality(g1) + cardinality(g2) < v_limit THEN
    g3 := ARRAY(
      SELECT c.id FROM public.contacts c
      WHERE c.business_id = p_business_id AND c.deleted_at IS NULL
        AND public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone) LIKE '%' || v_pattern || '%'
        AND c.id <> ALL (g1) AND c.id <> ALL (g2)
      LIMIT v_cap);
  END IF;
  -- 4. No substring match at all: typos, by word similarity, first in names, then in the whole document.
  IF cardinality(g1) + cardinality(g2) + cardinality(g3) = 0 THEN
    gf := ARRAY(
      SELECT c.id FROM public.contacts c
      WHERE c.business_id = p_business_id AND c.deleted_at IS NULL
        AND v_q OPERATOR(extensions.<%) public.sb_search_norm(c.full_name)
      LIMIT v_cap);
    IF cardinality(gf) = 0 THEN
      gf := ARRAY(
        SELECT c.id FROM public.contacts c
        WHERE c.business_id = p_business_id AND c.deleted_at IS NULL
          AND v_q OPERATOR(extensions.<%) public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone)
        LIMIT v_cap);
    END IF;
  END IF;
  RETURN QUERY
  SELECT h.id, row_number() OVER (ORDER BY h.grp, extensions.word_similarity(v_q, h.doc) DESC, h.full_name, h.id)
  FROM (SELECT c.id, c.full_name,
               public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone) AS doc,
               CASE WHEN c.id = ANY (g1) THEN 1 WHEN c.id = ANY (g2) THEN 2 WHEN c.id = ANY (g3) THEN 3 ELSE 4 END AS grp
        FROM public.contacts c
        WHERE c.id = ANY (g1 || g2 || g3 || gf)) h
  ORDER BY 2
  LIMIT v_limit;
END
$$;
--> statement-breakpoint
DROP POLICY IF EXISTS invitations_managers ON public.business_invitations;
--> statement-breakpoint
DROP POLICY IF EXISTS invitations_invitee ON public.business_invitations;
--> statement-breakpoint
-- Managers read their business's invitations; invitees those addressed to their account's email.
CREATE POLICY invitations_read ON public.business_invitations FOR SELECT TO authenticated
  USING (business_id IN (SELECT private.my_admin_business_ids()) OR email = (SELECT private.my_email()));

