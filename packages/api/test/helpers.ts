// Test helpers: real contexts over the real database, users signed up through the procedures, and
// callers that authenticate with the bearer token exactly as the HTTP transport does.
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import type { DbContext } from "@switchboard/db/testing";
import { createCallerFactory } from "../src/trpc.ts";
import { appRouter } from "../src/root.ts";
import { createContextFromHeaders, createContextInner, defaultMailSettings, type ApiConfig, type OutboxKick } from "../src/context.ts";
import { createSignInGuard, type SignInGuard } from "../src/auth/sign-in-guard.ts";

export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export function testConfig(): ApiConfig {
  return {
    jwt: { secret: randomBytes(32), ttlSeconds: 900 },
    kAnonymity: 5,
    analyticsTokenKey: randomBytes(32),
    // No SMTP: invite links come back to the inviter. The hourly limit is attacked in invitations.test.ts.
    mail: { ...defaultMailSettings, invitationsPerHour: 1000 },
  };
}

let seq = 0;
export const uniqueEmail = (name: string) =>
  `${name}.${process.pid}.${++seq}.${randomBytes(3).toString("hex")}@example.test`.toLowerCase();

export interface TestUser {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
  caller: Caller;
  /** The same user acting with an explicit X-Business-Id header. */
  withBusiness(businessId: string): Promise<Caller>;
}

export function harness(db: DbContext, opts: { signInGuard?: (database: DbContext["database"]) => SignInGuard; config?: ApiConfig; mailer?: OutboxKick } = {}) {
  const config = opts.config ?? testConfig();
  // Created on first use: the database exists only inside hooks and tests.
  let guard: SignInGuard | undefined;
  const signInGuard = () => (guard ??= (opts.signInGuard ?? createSignInGuard)(db.database));
  const base = () => ({ database: db.database, config, signInGuard: signInGuard(), mailer: opts.mailer ?? null });

  const anonymous = () => createCaller(createContextInner(base()));
  /** An anonymous caller from a given client address (the limiter keys on it). */
  const anonymousFrom = (ip: string) => createCaller(createContextInner({ ...base(), ip }));
  const withHeaders = async (authorization: string | null, businessId?: string | null) =>
    createCaller(await createContextFromHeaders(base(), { authorization, businessId }));

  async function signUp(name: string, extra: { full_name?: string; phone?: string } = {}): Promise<TestUser> {
    const email = uniqueEmail(name);
    const session = await anonymous().auth.signUp({ email, password: "correct horse battery", display_name: name, ...extra });
    const token = session.access_token;
    return {
      id: session.user.id,
      email,
      token,
      refreshToken: session.refresh_token,
      caller: await withHeaders(`Bearer ${token}`),
      withBusiness: (businessId) => withHeaders(`Bearer ${token}`, businessId),
    };
  }

  /** An owner with a fresh business. */
  async function owner(name: string) {
    const user = await signUp(name);
    const business = await user.caller.businesses.create({ name: `${name}'s business` });
    return { ...user, business };
  }

  /** `user` joins the business the only way there is: invited by `by` (owner/admin), then accepting. */
  async function join(by: Caller, businessId: string, user: TestUser, role: "owner" | "admin" | "member" = "member") {
    const created = await by.invitations.create({ businessId, email: user.email, role });
    return user.caller.invitations.acceptByToken({ token: inviteToken(created.invite_url) });
  }

  return { config, signInGuard, anonymous, anonymousFrom, withHeaders, signUp, owner, join };
}

/** The tRPC error code a promise rejects with ("OK" when it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
  return "OK";
}

/** The token of an invitation link (it travels in the URL fragment). */
export function inviteToken(url: string | null): string {
  const token = new URLSearchParams(new URL(url ?? "").hash.slice(1)).get("token");
  if (!token) throw new Error(`no token in ${url}`);
  return token;
}
