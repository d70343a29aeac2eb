import { z } from "zod";
import { EmailInput } from "./common.types.ts";

export const PasswordResetRequestInput = z.object({ email: EmailInput });
export const PasswordResetConfirmInput = z.object({
  // base64url of 32 random bytes; bounded so nothing large is hashed.
  token: z.string().trim().min(20).max(128),
  password: z.string().min(8, "At least 8 characters").max(128),
});

/** The same answer for every address, registered or not. */
export const PasswordResetRequested = z.object({ ok: z.literal(true), message: z.string() });
export const PasswordResetDone = z.object({ ok: z.literal(true) });
