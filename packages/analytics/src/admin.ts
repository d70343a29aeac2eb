// Operator actions on the platform role `analyst` (auth.users.raw_app_meta_data.roles), run on the
// owner connection: sign-up never sets app metadata, so this is the only way to become an analyst.
import { rows, sql, type Executor } from "@switchboard/db";

/** Adds "analyst" to the user's roles; false when no user has that email. */
export async function grantAnalyst(db: Executor, email: string): Promise<boolean> {
  const updated = await rows<{ id: string }>(
    db,
    sql`update auth.users set
          raw_app_meta_data = jsonb_set(raw_app_meta_data, '{roles}',
            (select coalesce(jsonb_agg(distinct r), '[]'::jsonb) from jsonb_array_elements_text(
               coalesce(raw_app_meta_data -> 'roles', '[]'::jsonb) || '["analyst"]'::jsonb) as r)),
          updated_at = now()
        where lower(email) = lower(${email}) returning id`,
  );
  return updated.length > 0;
}

/** Removes "analyst" from the user's roles; false when no user has that email. */
export async function revokeAnalyst(db: Executor, email: string): Promise<boolean> {
  const updated = await rows<{ id: string }>(
    db,
    sql`update auth.users set
          raw_app_meta_data = jsonb_set(raw_app_meta_data, '{roles}',
            (select coalesce(jsonb_agg(r), '[]'::jsonb) from jsonb_array_elements_text(
               coalesce(raw_app_meta_data -> 'roles', '[]'::jsonb)) as r where r <> 'analyst')),
          updated_at = now()
        where lower(email) = lower(${email}) returning id`,
  );
  return updated.length > 0;
}

/** Whether the signed-in caller holds the platform role analyst (readable under withUser: own row). */
export async function callerIsAnalyst(tx: Executor): Promise<boolean> {
  const [r] = await rows<{ ok: boolean }>(
    tx,
    sql`select coalesce(raw_app_meta_data -> 'roles' @> '["analyst"]'::jsonb, false) as ok
        from auth.users where id = auth.uid()`,
  );
  return r?.ok === true;
}
