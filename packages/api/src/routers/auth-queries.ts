// Sign-up and sign-in run as the auth service role (switchboard_auth: auth.users only), never as a
// user: there is no user yet. Password hashing happens outside any transaction.
import { TRPCError } from "@trpc/server";
import {
  asAuthService,
  dummyPasswordHash,
  hashPassword,
  rows,
  sql,
  verifyPassword,
  type Database,
  type UserMetaData,
} from "@switchboard/db";
import type { z } from "zod";
import type { ContextInner } from "../context.ts";
import { signAccessToken } from "../auth/jwt.ts";
import type { SignInInput, SignUpInput } from "./auth.types.ts";
import { isUniqueViolation } from "./shared-queries.ts";

interface AuthRow {
  id: string;
  email: string;
  encrypted_password: string | null;
  raw_user_meta_data: UserMetaData;
  banned: boolean;
}

// Same fallback as the users sync trigger, so the session shows what public.users will hold.
const displayName = (email: string, meta: UserMetaData) =>
  meta.display_name?.trim() || meta.full_name?.trim() || email.split("@")[0] || email;

async function session(ctx: ContextInner, user: { id: string; email: string; meta: UserMetaData }) {
  return {
    access_token: await signAccessToken(ctx.config.jwt, user),
    token_type: "bearer" as const,
    expires_in: ctx.config.jwt.ttlSeconds,
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
  const hash = await hashPassword(input.password);
  try {
    const user = await asAuthService(ctx.database, async (tx) => {
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
      return row!;
    });
    return session(ctx, { ...user, meta });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new TRPCError({ code: "CONFLICT", message: "An account with this email already exists" });
    }
    throw error;
  }
}

const invalid = () => new TRPCError({ code: "UNAUTHORIZED", message: "Invalid email or password" });

export async function signIn(ctx: ContextInner, input: z.infer<typeof SignInInput>) {
  const retryAfterMs = ctx.throttle.retryAfterMs(input.email);
  if (retryAfterMs > 0) {
    const seconds = Math.ceil(retryAfterMs / 1000);
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `Too many failed sign-in attempts. Retry after ${seconds} seconds.`,
      // The REST layer turns this into a Retry-After header.
      cause: Object.assign(new Error("sign-in throttled"), { retryAfterSeconds: seconds }),
    });
  }
  const [user] = await lookup(ctx.database, input.email);
  // Unknown email: still pay for one hash comparison, so timing does not reveal which emails exist.
  const ok = await verifyPassword(input.password, user ? user.encrypted_password : await dummyPasswordHash);
  if (!user || !ok) {
    ctx.throttle.recordFailure(input.email);
    throw invalid();
  }
  if (user.banned) throw new TRPCError({ code: "FORBIDDEN", message: "This account is suspended" });
  ctx.throttle.recordSuccess(input.email);
  await asAuthService(ctx.database, async (tx) => {
    // The sync trigger mirrors last_sign_in_at into public.users.last_sign_in.
    await tx.execute(sql`update auth.users set last_sign_in_at = now() where id = ${user.id}::uuid`);
    await tx.execute(
      sql`insert into public.l1_event_facts (user_id, event_type) values (${user.id}::uuid, 'signed_in')`,
    );
  });
  return session(ctx, { id: user.id, email: user.email, meta: user.raw_user_meta_data ?? {} });
}

function lookup(database: Database, email: string) {
  return asAuthService(database, (tx) =>
    rows<AuthRow>(
      tx,
      sql`select id, email, encrypted_password, raw_user_meta_data,
                 coalesce(banned_until > now(), false) as banned
          from auth.users where lower(email) = ${email}`,
    ),
  );
}
