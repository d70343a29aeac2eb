-- Sessions, refresh tokens and the sign-in limiter (tables: 0005). Hand-written here:
--   1. nobody but the auth service reads or writes sessions and refresh tokens (RLS on, no user policy)
--   2. the limiter table is written by the server's login role itself (one upsert per key)
--   3. auth.require_live_session(): the per-request check inside withUser's claims statement
--   4. the trigger that revokes every session of a user whose password, ban or deletion changes
ALTER TABLE auth.sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE auth.refresh_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE auth.rate_limits ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON auth.sessions, auth.refresh_tokens, auth.rate_limits FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON auth.sessions, auth.refresh_tokens TO switchboard_auth;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE auth.refresh_tokens_id_seq TO switchboard_auth;
--> statement-breakpoint
CREATE POLICY sessions_service ON auth.sessions FOR ALL TO switchboard_auth USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY refresh_tokens_service ON auth.refresh_tokens FOR ALL TO switchboard_auth USING (true) WITH CHECK (true);
--> statement-breakpoint
-- The limiter runs before anyone is known, outside any transaction, as the login role (NOINHERIT, so
-- the grant is direct). It is the only table switchboard_app can touch without SET ROLE.
GRANT USAGE ON SCHEMA auth TO switchboard_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.rate_limits TO switchboard_app;
--> statement-breakpoint
CREATE POLICY rate_limits_server ON auth.rate_limits FOR ALL TO switchboard_app USING (true) WITH CHECK (true);
--> statement-breakpoint
-- Called in the same statement that sets the role and claims (withUser), so the request path stays
-- one statement + claims. Raises 28000 (mapped to 401) when the session was revoked, the user is
-- banned or deleted, or the session belongs to someone else. Its privilege is checked as the login role.
CREATE OR REPLACE FUNCTION auth.require_live_session(p_session_id text, p_user_id text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  PERFORM 1
  FROM auth.sessions s
  JOIN auth.users u ON u.id = s.user_id
  WHERE s.id = p_session_id::uuid
    AND s.user_id = p_user_id::uuid
    AND s.revoked_at IS NULL
    AND u.deleted_at IS NULL
    AND (u.banned_until IS NULL OR u.banned_until <= now());
  IF NOT FOUND THEN
    RAISE EXCEPTION 'session is not live' USING ERRCODE = '28000';
  END IF;
  RETURN true;
END
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION auth.require_live_session(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth.require_live_session(text, text) TO switchboard_app, authenticated;
--> statement-breakpoint
-- A new password, a ban (or its change) or a deletion ends every session of the user at once:
-- refresh tokens stop working and live access tokens fail their next request. Whoever changes the
-- credential (password change, password reset, an operator's ban) needs no code of their own for it;
-- the password-change procedure opens a fresh session for its caller after this has run.
CREATE OR REPLACE FUNCTION private.revoke_sessions_on_credential_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
  UPDATE auth.sessions SET revoked_at = now(), updated_at = now()
  WHERE user_id = NEW.id AND revoked_at IS NULL;
  UPDATE auth.refresh_tokens SET revoked = true, updated_at = now()
  WHERE user_id = NEW.id AND NOT revoked;
  RETURN NEW;
END
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION private.revoke_sessions_on_credential_change() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER revoke_sessions_on_credential_change
  AFTER UPDATE OF encrypted_password, banned_until, deleted_at ON auth.users
  FOR EACH ROW
  WHEN (OLD.encrypted_password IS DISTINCT FROM NEW.encrypted_password
        OR OLD.banned_until IS DISTINCT FROM NEW.banned_until
        OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
  EXECUTE FUNCTION private.revoke_sessions_on_credential_change();
