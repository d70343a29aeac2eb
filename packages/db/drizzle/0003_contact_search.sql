-- Contact search and name order under RLS (hand-written; see packages/api/src/routers/contacts-queries.ts).
-- 1. The search helpers from 0001 as plpgsql (same results): unaccent() is STABLE, so the SQL versions
--    could not be inlined and ran the SQL-function executor per row (2x the cost of a recheck).
CREATE OR REPLACE FUNCTION public.sb_search_norm(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
BEGIN
  RETURN lower(public.unaccent('public.unaccent'::regdictionary, value));
END
$$;
--> statement-breakpoint
-- concat_ws(' ', ...) spelled with immutable operators: null fields are skipped the same way.
CREATE OR REPLACE FUNCTION public.sb_contact_search_text(full_name text, email text, company text, phone text)
RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN lower(public.unaccent('public.unaccent'::regdictionary,
           substr(coalesce(' ' || full_name, '') || coalesce(' ' || email, '')
                  || coalesce(' ' || company, '') || coalesce(' ' || phone, ''), 2)));
END
$$;
--> statement-breakpoint
-- 2. Per-business search indexes (btree_gin puts business_id in the GIN key, so a search reads only
--    the business's postings, not the whole table's): trigrams of the document and of the name, and
--    the normalized name in byte order for prefix matches (trigrams cannot serve 1-2 letter queries).
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS contacts_business_search_idx ON public.contacts
  USING gin (business_id, public.sb_contact_search_text(full_name, email, company, phone) gin_trgm_ops)
  WHERE deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS contacts_business_name_trgm_idx ON public.contacts
  USING gin (business_id, public.sb_search_norm(full_name) gin_trgm_ops) WHERE deleted_at IS NULL;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS contacts_business_norm_name_idx ON public.contacts
  (business_id, public.sb_search_norm(full_name) text_pattern_ops, id) WHERE deleted_at IS NULL;
--> statement-breakpoint
-- 3. Trigram operators (LIKE, <%) are not leakproof, so under a policy PostgreSQL evaluates them row by
--    row after the policy instead of through an index. This SECURITY DEFINER function runs the indexed
--    search for one business the caller is an active member of (checked inside, from auth.uid()), and
--    returns only ranked contact ids; the caller's statement then reads the contacts through RLS.
--    Rank: name starts with the query, then a word starts with it, then it occurs anywhere, then (only
--    when nothing contains it) typos by word similarity >= 0.3 (default 0.6; lets "alcie" find "alice");
--    within a stage by word similarity, name, id. Stages run in that order and stop once the page is
--    full, each reading a bounded number of candidates from its index. plpgsql with custom plans, so
--    the pattern is a constant when planned and LIKE 'prefix%' becomes a btree range.
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
        AND v_q OPERATOR(public.<%) public.sb_search_norm(c.full_name)
      LIMIT v_cap);
    IF cardinality(gf) = 0 THEN
      gf := ARRAY(
        SELECT c.id FROM public.contacts c
        WHERE c.business_id = p_business_id AND c.deleted_at IS NULL
          AND v_q OPERATOR(public.<%) public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone)
        LIMIT v_cap);
    END IF;
  END IF;
  RETURN QUERY
  SELECT h.id, row_number() OVER (ORDER BY h.grp, public.word_similarity(v_q, h.doc) DESC, h.full_name, h.id)
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
REVOKE EXECUTE ON FUNCTION private.search_contact_ids(uuid, text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.search_contact_ids(uuid, text, integer) TO authenticated;
--> statement-breakpoint
-- 4. The contact list's name sorts (keyset over (full_name, id)) read this index instead of sorting
--    the whole business.
CREATE INDEX IF NOT EXISTS contacts_business_name_idx ON public.contacts (business_id, full_name, id);
