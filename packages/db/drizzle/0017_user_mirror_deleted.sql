-- A (soft-)deleted account (auth.users.deleted_at, 0011) is mirrored like a ban: public.users.is_active
-- = false, so co-members see it inactive and it can no longer be chosen as an assignee. Same functions
-- as 0001, with deleted_at in is_active (mirror, drift) and in the trigger's "mirrored columns" check.
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
    u.deleted_at IS NULL AND NOT coalesce(u.banned_until > now(), false),
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
     AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at
     AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at THEN
    RETURN NEW;
  END IF;
  PERFORM private.mirror_user(NEW);
  RETURN NEW;
END
$$;
--> statement-breakpoint
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
           u.deleted_at IS NULL AND NOT coalesce(u.banned_until > now(), false) AS is_active,
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
-- Accounts deleted before this migration.
SELECT private.mirror_user(u) FROM auth.users u WHERE u.deleted_at IS NOT NULL;
