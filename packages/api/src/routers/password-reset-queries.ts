// Password reset by an emailed single-use token. Runs as the auth service role (there is no signed-in
// user). The request answers the same whether or not the address has an account, and does the same
// one statement either way; the token is stored as its SHA-256 only, expires (1 h by default) and is
// consumed atomically with the password change. Changing encrypted_password is what revokes the
// user's sessions (a trigger on auth.users, see docs/security.md).
import { TRPCError } from "@trpc/server";
import { asAuthService, hashPassword, rows, sql } from "@switchboard/db";
import type { z } from "zod";
import { defaultMailSettings, type ContextInner } from "../context.ts";
import { passwordResetMail, passwordResetUrl } from "../mail/messages.ts";
import { hashToken, newToken } from "../mail/tokens.ts";
import type { PasswordResetConfirmInput, PasswordResetRequested } from "./password-reset.types.ts";

/** Reset mails per account per hour; more requests answer the same and send nothing. */
const RESETS_PER_HOUR = 3;

const REQUESTED = "If an account exists for this email, a link to reset its password is on its way.";

export async function requestPasswordReset(ctx: ContextInner, email: string): Promise<z.infer<typeof PasswordResetRequested>> {
  const mail = ctx.config.mail ?? defaultMailSettings;
  const { token, hash } = newToken();
  const message = passwordResetMail({ url: passwordResetUrl(mail, token), ttlSeconds: mail.passwordResetTtlSeconds });
  await asAuthService(ctx.database, (tx) =>
    tx.execute(
      sql`with account as (
            select u.id, u.email from auth.users u
            where lower(u.email) = ${email}
              and (select count(*) from auth.password_reset_tokens t
                   where t.user_id = u.id and t.created_at > now() - interval '1 hour') < ${RESETS_PER_HOUR}
          ), token as (
            insert into auth.password_reset_tokens (token_hash, user_id, expires_at)
            select ${hash}, a.id, now() + make_interval(secs => ${mail.passwordResetTtlSeconds}::int) from account a
            returning user_id
          )
          insert into private.mail_outbox (kind, to_email, subject, body_text)
          select 'password_reset', a.email, ${message.subject}, ${message.body}
          from account a join token t on t.user_id = a.id`,
    ),
  );
  // Always (the auth service cannot read the outbox back, and the answer must not depend on it anyway).
  ctx.mailer?.kick();
  return { ok: true, message: REQUESTED };
}

const invalidLink = () => new TRPCError({ code: "BAD_REQUEST", message: "This reset link is invalid or has expired" });

export async function confirmPasswordReset(ctx: ContextInner, input: z.infer<typeof PasswordResetConfirmInput>) {
  const tokenHash = hashToken(input.token);
  // Check before hashing: a stranger's garbage tokens cost one index lookup, not a password hash.
  const [valid] = await asAuthService(ctx.database, (tx) =>
    rows<{ ok: number }>(
      tx,
      sql`select 1 as ok from auth.password_reset_tokens where token_hash = ${tokenHash} and used_at is null and expires_at > now()`,
    ),
  );
  if (!valid) throw invalidLink();
  const encrypted = await hashPassword(input.password);
  // One statement: consume the token (only if still unused and unexpired), spend the account's other
  // reset tokens, set the new password. A concurrent confirm with the same token finds it used.
  const changed = await asAuthService(ctx.database, (tx) =>
    rows<{ id: string }>(
      tx,
      sql`with used as (
            update auth.password_reset_tokens set used_at = now()
            where token_hash = ${tokenHash} and used_at is null and expires_at > now()
            returning user_id
          ), others as (
            update auth.password_reset_tokens set used_at = now()
            where user_id in (select user_id from used) and token_hash <> ${tokenHash} and used_at is null
          )
          update auth.users set encrypted_password = ${encrypted}, updated_at = now()
          where id in (select user_id from used)
          returning id`,
    ),
  );
  if (changed.length === 0) throw invalidLink();
  return { ok: true as const };
}
