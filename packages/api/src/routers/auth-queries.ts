// Sign-up, sign-in, refresh, sign-out and password change run as the auth service role
// (switchboard_auth: auth.users, auth.sessions, auth.refresh_tokens), never as a user. Password
// hashing happens outside any transaction, under the sign-in guard's gate for unauthenticated callers.
//
// Sessions follow GoTrue: an access token (JWT, `session_id` claim, JWT_TTL_SECONDS) plus a rotating
// refresh token of which only a SHA-256 is stored. Revocation lives in the database: sign-out marks
// the session, refresh-token reuse marks it, and a trigger on auth.users marks every session of a user
// whose password, ban or deletion changes. withUser refuses requests of a revoked session.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import {
  asAuthService,
  dummyPasswordHash,
  hashPassword,
  rows,
  sql,
  verifyPassword,
  type Database,
  type Tx,
  type UserMetaData,
} from "@switchboard/db";
import type { z } from "zod";
import type { ContextInner } from "../context.ts";
import { signAccessToken } from "../auth/jwt.ts";
import type { ChangePasswordInput, RefreshInput, SignInInput, SignOutInput, SignUpInput } from "./auth.types.ts";
import { isUniqueViolation } from "./shared-queries.ts";

interface AuthRow {
  id: string;
  email: string;
  encrypted_password: string | null;
  raw_user_meta_data: UserMetaData;
  /** Banned or deleted: cannot sign in or refresh. */
  blocked: boolean;
}

type SessionUser = { id: string; email: string; meta: UserMetaData };

// Same fallback as the users sync trigger, so the session shows what public.users will hold.
const displayName = (email: string, meta: UserMetaData) =>
  meta.display_name?.trim() || meta.full_name?.trim() || email.split("@")[0] || email;

/** 256 random bits; the database keeps only its SHA-256 (a fast hash suffices for a random secret). */
const newRefreshToken = () => randomBytes(32).toString("base64url");
const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

/** Opens a session with its first refresh token, in the caller's auth-service transaction (one statement). */
async function openSession(tx: Tx, userId: string, ip: string | null) {
  const refreshToken = newRefreshToken();
  const [row] = await rows<{ session_id: string }>(
    tx,
    sql`with s as (insert into auth.sessions (user_id, ip) values (${userId}::uuid, ${ip}) returning id)
        insert into auth.refresh_tokens (token_hash, session_id, user_id)
        select ${tokenHash(refreshToken)}, s.id, ${userId}::uuid from s
        returning session_id`,
  );
  return { sessionId: row!.session_id, refreshToken };
}

async function tokenResponse(ctx: ContextInner, user: SessionUser, session: { sessionId: string; refreshToken: string }) {
  return {
    access_token: await signAccessToken(ctx.config.jwt, user, session.sessionId),
    token_type: "bearer" as const,
    expires_in: ctx.config.jwt.ttlSeconds,
    refresh_token: session.refreshToken,
    user: {
      id: user.id,
      email: user.email,
      display_name: displayName(user.email, user.meta),
      full_name: user.meta.full_name ?? null,
      phone: user.meta.phone ?? null,
    },
  };
}

export async function signUp(ctx: ContextInner, input: z.infer<typeof SignUpInput>) {
  const meta: UserMetaData = { display_name: input.display_name };
  if (input.full_name) meta.full_name = input.full_name;
  if (input.phone) meta.phone = input.phone;
  const hash = await ctx.signInGuard.hashWork(() => hashPassword(input.password));
  try {
    const { user, session } = await asAuthService(ctx.database, async (tx) => {
      const [row] = await rows<{ id: string; email: string }>(
        tx,
        sql`insert into auth.users (email, encrypted_password, raw_user_meta_data)
            values (${input.email}, ${hash}, ${JSON.stringify(meta)}::jsonb)
            returning id, email`,
      );
      // The sync trigger has created public.users by now, so the event's foreign key holds.
      await tx.execute(
        sql`insert into public.l1_event_facts (user_id, event_type) values (${row!.id}::uuid, 'signed_up')`,
      );
      return { user: row!, session: await openSession(tx, row!.id, ctx.ip) };
    });
    return tokenResponse(ctx, { ...user, meta }, session);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new TRPCError({ code: "CONFLICT", message: "An account with this email already exists" });
    }
    throw error;
  }
}

const invalid = () => new TRPCError({ code: "UNAUTHORIZED", message: "Invalid email or password" });

/**
 * One attempt is consumed before anything else; then exactly one password hash is computed whatever
 * the account (unknown, password-less, banned, deleted → a dummy hash), and every failure is the same
 * 401 — nothing distinguishes those accounts from a wrong password, in the answer or in its timing.
 */
export async function signIn(ctx: ContextInner, input: z.infer<typeof SignInInput>) {
  await ctx.signInGuard.consume(input.email, ctx.ip);
  const [user] = await lookup(ctx.database, input.email);
  const usable = user && user.encrypted_password && !user.blocked ? user : null;
  const stored = usable?.encrypted_password ?? (await dummyPasswordHash);
  const ok = await ctx.signInGuard.hashWork(() => verifyPassword(input.password, stored));
  if (!usable || !ok) throw invalid();
  await ctx.signInGuard.succeeded(input.email, ctx.ip);
  const session = await asAuthService(ctx.database, async (tx) => {
    // The sync trigger mirrors last_sign_in_at into public.users.last_sign_in.
    await tx.execute(sql`update auth.users set last_sign_in_at = now() where id = ${usable.id}::uuid`);
    await tx.execute(
      sql`insert into public.l1_event_facts (user_id, event_type) values (${usable.id}::uuid, 'signed_in')`,
    );
    return openSession(tx, usable.id, ctx.ip);
  });
  return tokenResponse(ctx, { id: usable.id, email: usable.email, meta: usable.raw_user_meta_data ?? {} }, session);
}

function lookup(database: Database, email: string) {
  return asAuthService(database, (tx) =>
    rows<AuthRow>(
      tx,
      sql`select id, email, encrypted_password, raw_user_meta_data,
                 coalesce(banned_until > now(), false) or deleted_at is not null as blocked
          from auth.users where lower(email) = ${email}`,
    ),
  );
}

const refreshRefused = () => new TRPCError({ code: "UNAUTHORIZED", message: "Invalid refresh token" });

/**
 * The child of a refresh token is derived from it (HMAC under the JWT secret), not drawn at random, so
 * a retry with the parent can be answered with the very same child although only hashes are stored.
 * Without the secret a stolen parent yields nothing; with the server's help only inside the window.
 */
const childToken = (ctx: ContextInner, parent: string) =>
  createHmac("sha256", ctx.config.jwt.secret).update(`refresh-token-child:${parent}`).digest("base64url");

/** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL default. */
export const defaultRefreshTokenReuseIntervalSeconds = 10;

/**
 * Rotation (GoTrue): the presented token is spent and its child returned. A spent token presented
 * again means it was copied: the whole session is revoked (the thief's and the owner's tokens both
 * die) and the answer is 401. Concurrent refreshes of one token serialize on its row lock.
 *
 * Reuse interval: a client whose refresh answer was lost retries with the token it still holds. Within
 * refreshTokenReuseIntervalSeconds of its rotation, the spent token whose child is still the session's
 * active token gets that same child again (no new branch). Anything else spent is reuse: a token older
 * than the last rotation (a grandparent), or one presented after the window.
 */
export async function refreshSession(ctx: ContextInner, input: z.infer<typeof RefreshInput>) {
  const next = childToken(ctx, input.refresh_token);
  const reuseSeconds = ctx.config.refreshTokenReuseIntervalSeconds ?? defaultRefreshTokenReuseIntervalSeconds;
  const outcome = await asAuthService(ctx.database, async (tx) => {
    const [row] = await rows<{
      id: number;
      revoked: boolean;
      in_reuse_window: boolean;
      session_id: string;
      session_revoked: boolean;
      user_id: string;
      email: string;
      raw_user_meta_data: UserMetaData;
      blocked: boolean;
    }>(
      tx,
      sql`select rt.id, rt.revoked, rt.updated_at > now() - make_interval(secs => ${reuseSeconds}) as in_reuse_window,
                 rt.session_id, s.revoked_at is not null as session_revoked,
                 u.id as user_id, u.email, u.raw_user_meta_data,
                 coalesce(u.banned_until > now(), false) or u.deleted_at is not null as blocked
          from auth.refresh_tokens rt
          join auth.sessions s on s.id = rt.session_id
          join auth.users u on u.id = rt.user_id
          where rt.token_hash = ${tokenHash(input.refresh_token)}
          for update of rt`,
    );
    if (!row) return null;
    if (row.revoked) {
      // A retry within the window: the child must still be active (locked, so a concurrent rotation of
      // the child is waited for and then seen) and be the one derived from this token.
      const retry =
        reuseSeconds > 0 && row.in_reuse_window
        ? await rows<{ id: number }>(
            tx,
            sql`select id from auth.refresh_tokens
                where parent_id = ${row.id} and session_id = ${row.session_id}::uuid and not revoked
                  and token_hash = ${tokenHash(next)}
                for update`,
          )
        : [];
      if (retry.length > 0) return row.session_revoked || row.blocked ? null : row;
      await tx.execute(
        sql`with s as (update auth.sessions set revoked_at = coalesce(revoked_at, now()), updated_at = now()
                       where id = ${row.session_id}::uuid)
            update auth.refresh_tokens set revoked = true, updated_at = now()
            where session_id = ${row.session_id}::uuid and not revoked`,
      );
      return null; // committed: the revocation stands although the call fails
    }
    if (row.session_revoked || row.blocked) return null;
    await tx.execute(
      sql`with spent as (update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${row.id}),
               s as (update auth.sessions set refreshed_at = now(), updated_at = now() where id = ${row.session_id}::uuid)
          insert into auth.refresh_tokens (token_hash, session_id, user_id, parent_id)
          values (${tokenHash(next)}, ${row.session_id}::uuid, ${row.user_id}::uuid, ${row.id})`,
    );
    return row;
  });
  if (!outcome) throw refreshRefused();
  return tokenResponse(
    ctx,
    { id: outcome.user_id, email: outcome.email, meta: outcome.raw_user_meta_data ?? {} },
    { sessionId: outcome.session_id, refreshToken: next },
  );
}

/** Revokes the caller's session (named by the access token, or by a refresh token once that expired). */
export async function signOut(ctx: ContextInner, input: z.infer<typeof SignOutInput>) {
  const byToken = ctx.claims ? { sessionId: ctx.claims.session_id ?? null, userId: ctx.claims.sub } : null;
  const revoked = await asAuthService(ctx.database, async (tx) => {
    let target = byToken;
    if (!target && input.refresh_token) {
      const [row] = await rows<{ session_id: string; user_id: string }>(
        tx,
        sql`select session_id, user_id from auth.refresh_tokens where token_hash = ${tokenHash(input.refresh_token)}`,
      );
      target = row ? { sessionId: row.session_id, userId: row.user_id } : null;
    }
    if (!target?.sessionId) return null;
    const scope =
      input.scope === "global"
        ? sql`user_id = ${target.userId}::uuid`
        : input.scope === "others"
          ? sql`user_id = ${target.userId}::uuid and id <> ${target.sessionId}::uuid`
          : sql`id = ${target.sessionId}::uuid and user_id = ${target.userId}::uuid`;
    const sessions = await rows<{ id: string }>(
      tx,
      sql`update auth.sessions set revoked_at = now(), updated_at = now() where ${scope} and revoked_at is null returning id`,
    );
    return sessions.length;
  });
  if (revoked === null) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError === "expired" ? "Access token expired" : "Sign in required" });
  }
  return { revoked_sessions: revoked };
}

/**
 * Changes the password of the caller. The trigger on auth.users revokes every session of the user,
 * this one included; the caller then gets a fresh session in the same transaction (the answer), so
 * only the other sessions end. Consumes a sign-in attempt: a stolen access token cannot brute-force
 * the current password.
 */
export async function changePassword(ctx: ContextInner & { claims: NonNullable<ContextInner["claims"]> }, input: z.infer<typeof ChangePasswordInput>) {
  const { sub, session_id: sessionId } = ctx.claims;
  const [current] = await asAuthService(ctx.database, (tx) =>
    rows<{ email: string; encrypted_password: string | null; raw_user_meta_data: UserMetaData; live: boolean }>(
      tx,
      sql`select u.email, u.encrypted_password, u.raw_user_meta_data,
                 exists (select 1 from auth.sessions s where s.id::text = ${sessionId ?? ""} and s.user_id = u.id
                         and s.revoked_at is null) and u.deleted_at is null and not coalesce(u.banned_until > now(), false) as live
          from auth.users u where u.id = ${sub}::uuid`,
    ),
  );
  if (!current?.live) throw new TRPCError({ code: "UNAUTHORIZED", message: "Session revoked" });
  await ctx.signInGuard.consume(current.email.toLowerCase(), ctx.ip);
  const ok = await verifyPassword(input.current_password, current.encrypted_password ?? (await dummyPasswordHash));
  if (!current.encrypted_password || !ok) throw new TRPCError({ code: "FORBIDDEN", message: "Current password is incorrect" });
  const hash = await hashPassword(input.new_password);
  const session = await asAuthService(ctx.database, async (tx) => {
    const changed = await rows<{ id: string }>(
      tx,
      sql`update auth.users set encrypted_password = ${hash}, updated_at = now()
          where id = ${sub}::uuid and encrypted_password = ${current.encrypted_password}
          returning id`,
    );
    if (!changed.length) throw new TRPCError({ code: "CONFLICT", message: "The password was changed meanwhile; sign in again" });
    return openSession(tx, sub, ctx.ip);
  });
  await ctx.signInGuard.succeeded(current.email.toLowerCase(), ctx.ip);
  return tokenResponse(ctx, { id: sub, email: current.email, meta: current.raw_user_meta_data ?? {} }, session);
}
