-- Read-your-writes with read replicas (packages/db/src/replicas.ts): after a user's write commits, the
-- server records the primary's WAL insert position for that user; their reads go to a replica only once
-- it has replayed past it. One row per user, on the primary (a standby replays it but never reads it).
CREATE TABLE private.write_marks (
  user_id uuid PRIMARY KEY,
  lsn pg_lsn NOT NULL,
  marked_at timestamp with time zone NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE FUNCTION private.mark_write(p_user uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS $$
  INSERT INTO private.write_marks (user_id, lsn) VALUES (p_user, pg_current_wal_insert_lsn())
  ON CONFLICT (user_id) DO UPDATE SET lsn = excluded.lsn, marked_at = now();
$$;
--> statement-breakpoint
CREATE FUNCTION private.write_mark(p_user uuid) RETURNS pg_lsn
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT lsn FROM private.write_marks WHERE user_id = p_user;
$$;
--> statement-breakpoint
-- The server's login role calls them outside any request role (they say nothing about data, only where
-- a read may go); request roles cannot.
REVOKE ALL ON FUNCTION private.mark_write(uuid), private.write_mark(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA private TO switchboard_app;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION private.mark_write(uuid), private.write_mark(uuid) TO switchboard_app;
