-- Retention: done mail (sent, logged, failed; bodies already cleared) older than p_outbox_days and
-- invitations answered, revoked or expired more than p_invitation_days ago are deleted, at most p_batch
-- rows of each per call (the mail worker calls it until a call deletes less). 0 days keeps everything.
-- SECURITY DEFINER so the mail worker's role needs no DELETE grant on either table.
CREATE OR REPLACE FUNCTION private.purge_retained(p_outbox_days int, p_invitation_days int, p_batch int)
RETURNS TABLE (outbox int, invitations int)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
DECLARE
  n_outbox int := 0;
  n_invitations int := 0;
BEGIN
  IF p_outbox_days > 0 THEN
    DELETE FROM private.mail_outbox WHERE id IN (
      SELECT o.id FROM private.mail_outbox o
      WHERE o.status <> 'pending'
        AND coalesce(o.sent_at, o.created_at) < now() - make_interval(days => p_outbox_days)
      LIMIT p_batch FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS n_outbox = ROW_COUNT;
  END IF;
  IF p_invitation_days > 0 THEN
    DELETE FROM public.business_invitations WHERE id IN (
      SELECT i.id FROM public.business_invitations i
      WHERE (i.status <> 'pending' OR i.expires_at < now())
        AND coalesce(i.responded_at, i.expires_at) < now() - make_interval(days => p_invitation_days)
      LIMIT p_batch FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS n_invitations = ROW_COUNT;
  END IF;
  RETURN QUERY SELECT n_outbox, n_invitations;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION private.purge_retained(int, int, int) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.purge_retained(int, int, int) TO switchboard_mailer;
