// Request context. createContextInner holds everything a procedure needs (tests build it directly);
// the HTTP adapters only turn a request into its arguments (see apps/server).
import type { Claims, Database } from "@switchboard/db";
import type { JwtConfig } from "./auth/jwt.ts";
import { verifyAccessToken } from "./auth/jwt.ts";
import type { SignInGuard } from "./auth/sign-in-guard.ts";

export interface MailSettings {
  /** Where the web app is served: links in mail point here (e.g. https://app.example.com). */
  publicUrl: string;
  /** True when SMTP delivers mail; otherwise invite links are shown to the inviter and logged. */
  smtp: boolean;
  invitationTtlSeconds: number;
  /** Invitations one user may send per hour (re-sends included). */
  invitationsPerHour: number;
  passwordResetTtlSeconds: number;
}

export const defaultMailSettings: MailSettings = {
  publicUrl: "http://127.0.0.1:3000",
  smtp: false,
  invitationTtlSeconds: 7 * 24 * 3600,
  invitationsPerHour: 20,
  passwordResetTtlSeconds: 3600,
};

/** Something that delivers the outbox soon (the mail worker); called after a commit that enqueued mail. */
export interface OutboxKick {
  kick(): void;
}

export interface ApiConfig {
  jwt: JwtConfig;
  /** k for k-anonymity in insights: counts 1..k-1 are reported as null. */
  kAnonymity: number;
  /** HMAC key for tokenized analytics ids (never stored in the database). */
  analyticsTokenKey: Uint8Array;
  /**
   * Seconds after a rotation in which the just-spent refresh token still answers with its (unchanged)
   * child, for a client whose refresh answer was lost (GoTrue's REFRESH_TOKEN_REUSE_INTERVAL). 0: none.
   * Default 10.
   */
  refreshTokenReuseIntervalSeconds?: number;
  /** Invitations, password reset and mail links (defaultMailSettings when absent). */
  mail?: MailSettings;
}

export interface ContextInner {
  database: Database;
  config: ApiConfig;
  /** Sign-in limiter and hash gate, shared by all requests (state in the database). */
  signInGuard: SignInGuard;
  /** Verified claims, or null for anonymous calls. */
  claims: Claims | null;
  /** Why a presented token was refused (so the error says "expired" rather than "missing"). */
  authError: "expired" | "invalid" | null;
  /** The X-Business-Id header, when the transport has one. */
  businessIdHeader: string | null;
  /** Caller address, for throttling. */
  ip: string | null;
  /** The mail worker, if this process runs one (tests and scripts may not). */
  mailer: OutboxKick | null;
}

export type Context = ContextInner;

export function createContextInner(opts: {
  database: Database;
  config: ApiConfig;
  signInGuard: SignInGuard;
  claims?: Claims | null;
  authError?: "expired" | "invalid" | null;
  businessIdHeader?: string | null;
  ip?: string | null;
  mailer?: OutboxKick | null;
}): ContextInner {
  return {
    database: opts.database,
    config: opts.config,
    signInGuard: opts.signInGuard,
    claims: opts.claims ?? null,
    authError: opts.authError ?? null,
    businessIdHeader: opts.businessIdHeader ?? null,
    ip: opts.ip ?? null,
    mailer: opts.mailer ?? null,
  };
}

/** From transport headers: verifies `Authorization: Bearer …` and reads `X-Business-Id`. */
export async function createContextFromHeaders(
  base: { database: Database; config: ApiConfig; signInGuard: SignInGuard; mailer?: OutboxKick | null },
  headers: { authorization?: string | null; businessId?: string | null; ip?: string | null },
): Promise<ContextInner> {
  let claims: Claims | null = null;
  let authError: ContextInner["authError"] = null;
  const match = headers.authorization?.match(/^Bearer\s+(.+)$/i);
  if (match?.[1]) {
    const result = await verifyAccessToken(base.config.jwt, match[1].trim());
    if (result.ok) claims = result.claims;
    else authError = result.reason;
  } else if (headers.authorization) {
    authError = "invalid";
  }
  return createContextInner({ ...base, claims, authError, businessIdHeader: headers.businessId ?? null, ip: headers.ip ?? null });
}
