-- Contact search and name order under RLS (hand-written; see packages/api/src/routers/contacts-queries.ts).
-- 1. Trigram operators (LIKE, <%) are not leakproof, so under a policy PostgreSQL evaluates them row by
--    row after the policy instead of through contacts_search_trgm_idx (seconds on a 100k-contact
--    business). This SECURITY DEFINER function runs the indexed search for one business the caller is
--    an active member of (checked inside, from auth.uid()), and returns only ranked contact ids; the
--    caller's statement then reads the contacts themselves through RLS.
--    Ranking: name starts with the query, a word starts with it, then word similarity. The 0.3 word
--    similarity threshold (default 0.6) lets one typo through ("alcie" finds "alice").
CREATE OR REPLACE FUNCTION private.search_contact_ids(p_business_id uuid, p_query text, p_limit integer)
RETURNS TABLE (id uuid, rank bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
SET pg_trgm.word_similarity_threshold = 0.3
AS $$
  -- Two phases, both trigram-indexed (the match terms are expressions of the parameters, so they
  -- are index conditions): substring matches; then, only when there are none, fuzzy word matches
  -- (typos). Each phase ranks at most 2000 candidates, which bounds a query that matches most of
  -- the business (such a query is ranked among the first 2000 found).
  WITH exact AS MATERIALIZED (
    SELECT c.id, c.full_name, public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone) AS doc, true AS substring
    FROM public.contacts c
    WHERE c.business_id = p_business_id
      AND p_business_id IN (SELECT private.my_business_ids())
      AND c.deleted_at IS NULL
      AND public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone)
            LIKE '%' || public.sb_search_norm(replace(replace(replace(p_query, '\', '\\'), '%', '\%'), '_', '\_')) || '%'
    LIMIT 2000
  ),
  fuzzy AS MATERIALIZED (
    SELECT c.id, c.full_name, public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone) AS doc, false AS substring
    FROM public.contacts c
    WHERE NOT EXISTS (SELECT 1 FROM exact)
      AND c.business_id = p_business_id
      AND p_business_id IN (SELECT private.my_business_ids())
      AND c.deleted_at IS NULL
      AND public.sb_search_norm(p_query)
            OPERATOR(public.<%) public.sb_contact_search_text(c.full_name, c.email, c.company, c.phone)
      AND c.id NOT IN (SELECT e.id FROM exact e)
    LIMIT 2000
  ),
  q AS (
    -- LIKE wildcards in the query are literal; escaping commutes with unaccent/lower.
    SELECT public.sb_search_norm(p_query) AS q,
           public.sb_search_norm(replace(replace(replace(p_query, '\', '\\'), '%', '\%'), '_', '\_')) AS pattern
  )
  SELECT h.id,
         row_number() OVER (ORDER BY (public.sb_search_norm(h.full_name) LIKE q.pattern || '%') DESC,
                                     (' ' || h.doc LIKE '% ' || q.pattern || '%') DESC,
                                     h.substring DESC,
                                     public.word_similarity(q.q, h.doc) DESC, h.full_name, h.id) AS rank
  FROM (SELECT * FROM exact UNION ALL SELECT * FROM fuzzy) h, q
  ORDER BY rank
  LIMIT least(greatest(p_limit, 1), 200)
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION private.search_contact_ids(uuid, text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.search_contact_ids(uuid, text, integer) TO authenticated;
--> statement-breakpoint
-- 2. The contact list's name sorts (keyset over (full_name, id)) read this index instead of sorting
--    the whole business.
CREATE INDEX IF NOT EXISTS contacts_business_name_idx ON public.contacts (business_id, full_name, id);
