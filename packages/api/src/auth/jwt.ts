// Access tokens: HS256 JWTs signed with jose. Claims follow Supabase: sub, role, email, session_id.
// Every token names its session; withUser checks the session is live on each request.
import { SignJWT, jwtVerify, errors } from "jose";
import type { Claims } from "@switchboard/db";

export interface JwtConfig {
  secret: Uint8Array;
  /** Seconds an access token stays valid. */
  ttlSeconds: number;
  issuer?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function signAccessToken(config: JwtConfig, user: { id: string; email: string }, sessionId: string): Promise<string> {
  return new SignJWT({ role: "authenticated", email: user.email, session_id: sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuedAt()
    .setIssuer(config.issuer ?? "switchboard")
    .setExpirationTime(`${config.ttlSeconds}s`)
    .sign(config.secret);
}

export type VerifyResult = { ok: true; claims: Claims } | { ok: false; reason: "expired" | "invalid" };

export async function verifyAccessToken(config: JwtConfig, token: string): Promise<VerifyResult> {
  try {
    const { payload } = await jwtVerify(token, config.secret, {
      algorithms: ["HS256"],
      issuer: config.issuer ?? "switchboard",
    });
    if (typeof payload.sub !== "string" || payload.role !== "authenticated") return { ok: false, reason: "invalid" };
    // A token without a session cannot be revoked: refuse it.
    if (typeof payload.session_id !== "string" || !UUID.test(payload.session_id)) return { ok: false, reason: "invalid" };
    return { ok: true, claims: { ...payload, sub: payload.sub, role: "authenticated", email: payload.email as string | undefined } };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}
