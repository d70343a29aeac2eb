// Access tokens: HS256 JWTs signed with jose. Claims follow Supabase: sub, role, email.
import { SignJWT, jwtVerify, errors } from "jose";
import type { Claims } from "@switchboard/db";

export interface JwtConfig {
  secret: Uint8Array;
  /** Seconds an access token stays valid. */
  ttlSeconds: number;
  issuer?: string;
}

export async function signAccessToken(config: JwtConfig, user: { id: string; email: string }): Promise<string> {
  return new SignJWT({ role: "authenticated", email: user.email })
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
    return { ok: true, claims: { ...payload, sub: payload.sub, role: "authenticated", email: payload.email as string | undefined } };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, reason: "expired" };
    return { ok: false, reason: "invalid" };
  }
}
