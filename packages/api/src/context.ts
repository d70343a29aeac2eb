// Request context. createContextInner holds everything a procedure needs (tests build it directly);
// the HTTP adapters only turn a request into its arguments (see apps/server).
import type { Claims, Database } from "@switchboard/db";
import type { JwtConfig } from "./auth/jwt.ts";
import { verifyAccessToken } from "./auth/jwt.ts";
import type { SignInThrottle } from "./auth/throttle.ts";

export interface ApiConfig {
  jwt: JwtConfig;
  /** k for k-anonymity in insights: counts 1..k-1 are reported as null. */
  kAnonymity: number;
  /** HMAC key for tokenized analytics ids (never stored in the database). */
  analyticsTokenKey: Uint8Array;
}

export interface ContextInner {
  database: Database;
  config: ApiConfig;
  throttle: SignInThrottle;
  /** Verified claims, or null for anonymous calls. */
  claims: Claims | null;
  /** Why a presented token was refused (so the error says "expired" rather than "missing"). */
  authError: "expired" | "invalid" | null;
  /** The X-Business-Id header, when the transport has one. */
  businessIdHeader: string | null;
  /** Caller address, for throttling. */
  ip: string | null;
}

export type Context = ContextInner;

export function createContextInner(opts: {
  database: Database;
  config: ApiConfig;
  throttle: SignInThrottle;
  claims?: Claims | null;
  authError?: "expired" | "invalid" | null;
  businessIdHeader?: string | null;
  ip?: string | null;
}): ContextInner {
  return {
    database: opts.database,
    config: opts.config,
    throttle: opts.throttle,
    claims: opts.claims ?? null,
    authError: opts.authError ?? null,
    businessIdHeader: opts.businessIdHeader ?? null,
    ip: opts.ip ?? null,
  };
}

/** From transport headers: verifies `Authorization: Bearer …` and reads `X-Business-Id`. */
export async function createContextFromHeaders(
  base: { database: Database; config: ApiConfig; throttle: SignInThrottle },
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
