// Single-use secrets for links in mail (invitations, password reset): 32 random bytes as base64url.
// Only the SHA-256 hex of a token is stored, so a database read does not yield a usable link.
import { createHash, randomBytes } from "node:crypto";

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}
