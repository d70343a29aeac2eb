-- Membership rules enforced by the database (not only the API), invitations with consent, the mail
-- outbox and password reset tokens (tables in 0006). Attacked with raw SQL as `authenticated` in
-- packages/db/test/membership-rules.test.ts.
--   1. roles: switchboard_mailer (the mail worker)
--   2. helpers: role ranks, the caller's role and email, the per-business lock
--   3. business_memberships: no direct INSERT/DELETE by users; a trigger for role rules and the last owner
--   4. businesses.created_by is immutable
--   5. invitations: invite, accept (by id or token), decline, revoke, the invitee's list; RLS for reads
--   6. mail outbox and password reset tokens: grants and RLS for the mailer and the auth service
-- Custom SQLSTATEs (mapped once in packages/api/src/errors.ts): SB001 last active owner, SB003 the
-- caller's role does not allow it, SB004 invitation not found, SB009 already a member, SB029 throttled.

-- 1. The mail worker's role: reads and updates the outbox, nothing else.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'switchboard_mailer') THEN
    BEGIN
      CREATE ROLE switchboard_mailer NOLOGIN NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;
  BEGIN
    GRANT switchboard_mailer TO switchboard_app;
  EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
  END;
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT switchboard_mailer TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint

-- 2. Helpers (SECURITY DEFINER in the non-exposed schema, like the other membership helpers).
CREATE OR REPLACE FUNCTION private.role_rank(p_role text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = '' AS $$
  SELECT CASE p_role WHEN 'owner' THEN 3 WHEN 'admin' THEN 2 WHEN 'member' THEN 1 ELSE 0 END
$$;
--> statement-breakpoint
-- The caller's active role in a business, or null.
CREATE OR REPLACE FUNCTION private.my_role_in(p_business_id uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT bm.role FROM public.business_memberships bm
  WHERE bm.business_id = p_business_id AND bm.user_id = auth.uid() AND bm.is_active
$$;
--> statement-breakpoint
-- The caller's email, normalized like invitation addresses.
CREATE OR REPLACE FUNCTION private.my_email() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT lower(btrim(u.email)) FROM auth.users u WHERE u.id = auth.uid()
$$;
--> statement-breakpoint
-- Serializes membership changes of one business: a second change waits here until the first commits,
-- and its next statement (a fresh snapshot under READ COMMITTED) sees the first's result. False when
-- the business is gone (a cascade from deleting it). A user locks only businesses they belong to.
CREATE OR REPLACE FUNCTION private.lock_business(p_business_id uuid) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  PERFORM 1 FROM public.businesses b
  WHERE b.id = p_business_id
    AND (auth.uid() IS NULL OR EXISTS (SELECT 1 FROM public.business_memberships bm
                                       WHERE bm.business_id = b.id AND bm.user_id = auth.uid()))
  FOR NO KEY UPDATE OF b;
  RETURN FOUND;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.has_other_active_owner(p_business_id uuid, p_user_id uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT EXISTS (SELECT 1 FROM public.business_memberships bm
                 WHERE bm.business_id = p_business_id AND bm.user_id <> p_user_id
                   AND bm.role = 'owner' AND bm.is_active)
$$;
--> statement-breakpoint

-- 3. business_memberships. Users never INSERT or DELETE rows: creating a business (trigger) and
--    accepting an invitation (below) are SECURITY DEFINER and insert for auth.uid() only. Users UPDATE
--    role and is_active only, under RLS (managers of the business, or their own row to leave) and the
--    trigger's rules.
DROP POLICY IF EXISTS memberships_insert ON public.business_memberships;
--> statement-breakpoint
DROP POLICY IF EXISTS memberships_delete ON public.business_memberships;
--> statement-breakpoint
DROP POLICY IF EXISTS memberships_update ON public.business_memberships;
--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON public.business_memberships FROM authenticated;
--> statement-breakpoint
GRANT UPDATE (role, is_active, updated_at) ON public.business_memberships TO authenticated;
--> statement-breakpoint
CREATE POLICY memberships_update ON public.business_memberships FOR UPDATE TO authenticated
  USING (business_id IN (SELECT private.my_admin_business_ids()) OR user_id = (SELECT auth.uid()))
  WITH CHECK (business_id IN (SELECT private.my_admin_business_ids()) OR user_id = (SELECT auth.uid()));
--> statement-breakpoint
-- Who-may-do-what applies to users: any role other than the table's owner (SECURITY DEFINER functions
-- and the migration/operator role are the owner). The last-owner rule applies to everyone, except to
-- cascades from deleting the business or the account.
CREATE OR REPLACE FUNCTION private.enforce_membership_rules() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
DECLARE
  v_by_user boolean := current_user <> (SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID);
  v_actor uuid := auth.uid();
  v_actor_role text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF v_by_user THEN
      RAISE EXCEPTION 'permission denied: memberships are created by accepting an invitation' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;

  IF TG_OP = 'DELETE' THEN
    IF v_by_user THEN
      RAISE EXCEPTION 'permission denied: memberships are deactivated, not deleted' USING ERRCODE = '42501';
    END IF;
    IF OLD.role = 'owner' AND OLD.is_active
       AND EXISTS (SELECT 1 FROM public.users u WHERE u.id = OLD.user_id)
       AND private.lock_business(OLD.business_id)
       AND NOT private.has_other_active_owner(OLD.business_id, OLD.user_id) THEN
      RAISE EXCEPTION 'A business needs at least one active owner' USING ERRCODE = 'SB001';
    END IF;
    RETURN OLD;
  END IF;

  -- UPDATE
  IF NEW.business_id <> OLD.business_id OR NEW.user_id <> OLD.user_id THEN
    RAISE EXCEPTION 'permission denied: a membership cannot be moved' USING ERRCODE = '42501';
  END IF;
  IF NEW.role IS NOT DISTINCT FROM OLD.role AND NEW.is_active IS NOT DISTINCT FROM OLD.is_active THEN
    RETURN NEW;
  END IF;
  -- Every role or status change of a business waits for the previous one, then decides on fresh data.
  PERFORM private.lock_business(OLD.business_id);
  IF v_by_user THEN
    v_actor_role := private.my_role_in(OLD.business_id);
    IF NEW.is_active AND NOT OLD.is_active THEN
      -- Re-adding someone without their consent: only accepting an invitation reactivates.
      RAISE EXCEPTION 'A former member comes back by accepting an invitation' USING ERRCODE = 'SB003';
    END IF;
    IF OLD.user_id = v_actor AND NEW.role = OLD.role AND NOT NEW.is_active THEN
      NULL; -- leaving is always allowed (the last-owner rule below still applies)
    ELSIF private.role_rank(v_actor_role) < 2 THEN
      RAISE EXCEPTION 'Only owners and admins can manage members' USING ERRCODE = 'SB003';
    ELSIF (OLD.role = 'owner' OR NEW.role = 'owner') AND v_actor_role <> 'owner' THEN
      RAISE EXCEPTION 'Only owners can grant, change or remove the owner role' USING ERRCODE = 'SB003';
    ELSIF greatest(private.role_rank(OLD.role), private.role_rank(NEW.role)) > private.role_rank(v_actor_role) THEN
      RAISE EXCEPTION 'Nobody grants or changes a role above their own' USING ERRCODE = 'SB003';
    END IF;
  END IF;
  IF OLD.role = 'owner' AND OLD.is_active AND (NEW.role <> 'owner' OR NOT NEW.is_active)
     AND NOT private.has_other_active_owner(OLD.business_id, OLD.user_id) THEN
    RAISE EXCEPTION 'A business needs at least one active owner' USING ERRCODE = 'SB001';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER enforce_membership_rules
  BEFORE INSERT OR UPDATE OR DELETE ON public.business_memberships
  FOR EACH ROW EXECUTE FUNCTION private.enforce_membership_rules();
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.role_rank(text), private.my_role_in(uuid), private.my_email(),
  private.lock_business(uuid), private.has_other_active_owner(uuid, uuid) TO authenticated;
--> statement-breakpoint

-- 4. businesses.created_by never changes, except to null when that account is deleted (ON DELETE SET NULL).
REVOKE UPDATE ON public.businesses FROM authenticated;
--> statement-breakpoint
GRANT UPDATE (name, updated_at) ON public.businesses TO authenticated;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.keep_business_creator() RETURNS trigger
LANGUAGE plpgsql SET search_path = '' AS $$
BEGIN
  IF NEW.created_by IS DISTINCT FROM OLD.created_by
     AND NOT (NEW.created_by IS NULL AND NOT EXISTS (SELECT 1 FROM public.users u WHERE u.id = OLD.created_by)) THEN
    RAISE EXCEPTION 'businesses.created_by is immutable' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER keep_business_creator
  BEFORE UPDATE OF created_by ON public.businesses
  FOR EACH ROW EXECUTE FUNCTION private.keep_business_creator();
--> statement-breakpoint

-- 5. Invitations. Users read them under RLS (managers: their business's; invitees: those addressed to
--    their account's email) but never the token hash, and write them only through these functions.
ALTER TABLE public.business_invitations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT (id, business_id, email, role, invited_by, status, created_at, expires_at, responded_at, accepted_by)
  ON public.business_invitations TO authenticated;
--> statement-breakpoint
CREATE POLICY invitations_managers ON public.business_invitations FOR SELECT TO authenticated
  USING (business_id IN (SELECT private.my_admin_business_ids()));
--> statement-breakpoint
CREATE POLICY invitations_invitee ON public.business_invitations FOR SELECT TO authenticated
  USING (email = (SELECT private.my_email()));
--> statement-breakpoint
-- Invite (or invite again: the previous pending invitation for that address is replaced). Owners invite
-- any role, admins admins and members. At most p_per_hour invitations per inviter per hour (every
-- invitation counts, re-sends included; concurrent calls of one inviter queue on their users row).
-- The mail (p_subject/p_body, carrying the link with the raw token) goes to the outbox in the same
-- transaction. Answers the same whether or not the address has an account.
CREATE OR REPLACE FUNCTION private.invite_member(
  p_business_id uuid, p_email text, p_role text, p_token_hash text, p_ttl_seconds integer, p_per_hour integer,
  p_subject text DEFAULT NULL, p_body text DEFAULT NULL
) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_actor uuid := auth.uid();
  v_email text := lower(btrim(p_email));
  v_role text;
  v_id uuid;
BEGIN
  IF v_actor IS NULL THEN
    RAISE EXCEPTION 'Sign in required' USING ERRCODE = '42501';
  END IF;
  PERFORM 1 FROM public.users u WHERE u.id = v_actor FOR NO KEY UPDATE;
  v_role := private.my_role_in(p_business_id);
  IF private.role_rank(v_role) < 2 THEN
    RAISE EXCEPTION 'Only owners and admins can invite members' USING ERRCODE = 'SB003';
  END IF;
  IF private.role_rank(p_role) = 0 OR private.role_rank(p_role) > private.role_rank(v_role)
     OR (p_role = 'owner' AND v_role <> 'owner') THEN
    RAISE EXCEPTION 'Only owners can invite owners' USING ERRCODE = 'SB003';
  END IF;
  IF (SELECT count(*) FROM public.business_invitations i
      WHERE i.invited_by = v_actor AND i.created_at > now() - interval '1 hour') >= p_per_hour THEN
    RAISE EXCEPTION 'Too many invitations: try again later' USING ERRCODE = 'SB029';
  END IF;
  -- Active members are listed to the inviter already, so saying so reveals nothing new.
  IF EXISTS (SELECT 1 FROM public.business_memberships bm JOIN auth.users u ON u.id = bm.user_id
             WHERE bm.business_id = p_business_id AND bm.is_active AND lower(btrim(u.email)) = v_email) THEN
    RAISE EXCEPTION 'Already a member of this business' USING ERRCODE = 'SB009';
  END IF;
  UPDATE public.business_invitations i SET status = 'revoked', responded_at = now()
  WHERE i.business_id = p_business_id AND i.email = v_email AND i.status = 'pending';
  INSERT INTO public.business_invitations (business_id, email, role, token_hash, invited_by, expires_at)
  VALUES (p_business_id, v_email, p_role, p_token_hash, v_actor,
          now() + make_interval(secs => least(greatest(coalesce(p_ttl_seconds, 604800), 60), 2592000)))
  RETURNING id INTO v_id;
  IF p_subject IS NOT NULL THEN
    INSERT INTO private.mail_outbox (kind, to_email, subject, body_text, requested_by)
    VALUES ('invitation', v_email, p_subject, p_body, v_actor);
  END IF;
  RETURN v_id;
END
$$;
--> statement-breakpoint
-- Accept: called only by the two functions below (never granted: a caller could forge the row).
-- The caller, signed in with the invited address, joins with the invited role. Inserts
-- auth.uid() only. Refused (as "not found") when the invitation is not pending, expired, addressed to
-- someone else, or its inviter may no longer grant that role (a removed admin's invitations die).
CREATE OR REPLACE FUNCTION private.accept_invitation_row(p_invitation public.business_invitations) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_actor uuid := auth.uid();
BEGIN
  IF p_invitation.id IS NULL OR v_actor IS NULL OR p_invitation.status <> 'pending'
     OR p_invitation.expires_at <= now() OR p_invitation.email IS DISTINCT FROM private.my_email()
     OR NOT EXISTS (SELECT 1 FROM public.business_memberships bm
                    WHERE bm.business_id = p_invitation.business_id AND bm.user_id = p_invitation.invited_by
                      AND bm.is_active AND private.role_rank(bm.role) >= greatest(2, private.role_rank(p_invitation.role))
                      AND (p_invitation.role <> 'owner' OR bm.role = 'owner')) THEN
    RAISE EXCEPTION 'Invitation not found' USING ERRCODE = 'SB004';
  END IF;
  -- A former member comes back with the invited role; an active one keeps theirs.
  INSERT INTO public.business_memberships AS bm (business_id, user_id, role)
  VALUES (p_invitation.business_id, v_actor, p_invitation.role)
  ON CONFLICT (business_id, user_id) DO UPDATE
    SET is_active = true, role = EXCLUDED.role, updated_at = now()
    WHERE NOT bm.is_active;
  UPDATE public.business_invitations i SET status = 'accepted', responded_at = now(), accepted_by = v_actor
  WHERE i.id = p_invitation.id;
  RETURN p_invitation.business_id;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.accept_invitation(p_invitation_id uuid) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_invitation public.business_invitations;
BEGIN
  SELECT * INTO v_invitation FROM public.business_invitations i WHERE i.id = p_invitation_id FOR UPDATE;
  RETURN private.accept_invitation_row(v_invitation);
END
$$;
--> statement-breakpoint
-- By the emailed link: the token proves the mailbox, the signed-in account must still have that address.
CREATE OR REPLACE FUNCTION private.accept_invitation_by_token(p_token_hash text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  v_invitation public.business_invitations;
BEGIN
  SELECT * INTO v_invitation FROM public.business_invitations i WHERE i.token_hash = p_token_hash FOR UPDATE;
  RETURN private.accept_invitation_row(v_invitation);
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION private.decline_invitation(p_invitation_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  UPDATE public.business_invitations i SET status = 'declined', responded_at = now()
  WHERE i.id = p_invitation_id AND i.status = 'pending' AND auth.uid() IS NOT NULL AND i.email = private.my_email();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Invitation not found' USING ERRCODE = 'SB004';
  END IF;
END
$$;
--> statement-breakpoint
-- Revoke: managers of the business, for roles up to their own (owner invitations: owners only).
CREATE OR REPLACE FUNCTION private.revoke_invitation(p_invitation_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  UPDATE public.business_invitations i SET status = 'revoked', responded_at = now()
  WHERE i.id = p_invitation_id AND i.status = 'pending'
    AND private.role_rank(private.my_role_in(i.business_id)) >= greatest(2, private.role_rank(i.role));
  IF NOT FOUND THEN
    RAISE EXCEPTION 'Invitation not found' USING ERRCODE = 'SB004';
  END IF;
END
$$;
--> statement-breakpoint
-- The invitee's pending invitations with what they need to decide (business name, who invited them):
-- rows of businesses and users the invitee cannot otherwise see.
CREATE OR REPLACE FUNCTION private.my_invitations()
RETURNS TABLE (id uuid, business_id uuid, business_name text, role text, invited_by_name text,
               created_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
  SELECT i.id, i.business_id, b.name, i.role, u.display_name::text, i.created_at, i.expires_at
  FROM public.business_invitations i
  JOIN public.businesses b ON b.id = i.business_id
  LEFT JOIN public.users u ON u.id = i.invited_by
  WHERE i.email = private.my_email() AND i.status = 'pending' AND i.expires_at > now()
  ORDER BY i.created_at DESC, i.id
$$;
--> statement-breakpoint
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA private FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.invite_member(uuid, text, text, text, integer, integer, text, text),
  private.accept_invitation(uuid), private.accept_invitation_by_token(text),
  private.decline_invitation(uuid), private.revoke_invitation(uuid), private.my_invitations() TO authenticated;
--> statement-breakpoint

-- 6. Mail outbox (private schema: no user role has any grant) and password reset tokens (auth schema).
ALTER TABLE private.mail_outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT USAGE ON SCHEMA private TO switchboard_mailer, switchboard_auth;
--> statement-breakpoint
GRANT SELECT, UPDATE ON private.mail_outbox TO switchboard_mailer;
--> statement-breakpoint
CREATE POLICY outbox_mailer ON private.mail_outbox FOR ALL TO switchboard_mailer USING (true) WITH CHECK (true);
--> statement-breakpoint
GRANT INSERT ON private.mail_outbox TO switchboard_auth;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE private.mail_outbox_id_seq TO switchboard_auth;
--> statement-breakpoint
CREATE POLICY outbox_auth_insert ON private.mail_outbox FOR INSERT TO switchboard_auth
  WITH CHECK (kind = 'password_reset' AND requested_by IS NULL);
--> statement-breakpoint
ALTER TABLE auth.password_reset_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON auth.password_reset_tokens TO switchboard_auth;
--> statement-breakpoint
CREATE POLICY reset_tokens_auth ON auth.password_reset_tokens FOR ALL TO switchboard_auth USING (true) WITH CHECK (true);
