import { z } from "zod";
import { EmailInput, Id, NameInput, OptionalText, PhoneInput } from "./common.types.ts";

const NewPassword = z.string().min(8, "At least 8 characters").max(128);

export const SignUpInput = z.object({
  email: EmailInput,
  password: NewPassword,
  display_name: NameInput(255),
  full_name: OptionalText(255).optional(),
  phone: PhoneInput.optional(),
});

export const SignInInput = z.object({
  email: z.string().trim().min(1).max(320).transform((v) => v.toLowerCase()),
  password: z.string().min(1).max(128),
});

export const SessionUser = z.object({
  id: Id,
  email: z.string(),
  display_name: z.string(),
  full_name: z.string().nullable(),
  phone: z.string().nullable(),
});

/** GoTrue's token response: a short-lived access token and the rotating refresh token of its session. */
export const Session = z.object({
  access_token: z.string(),
  token_type: z.literal("bearer"),
  /** Seconds the access token stays valid. */
  expires_in: z.number().int(),
  /** Single use: exchange it at /auth/refresh for a new pair; reusing a spent one revokes the session. */
  refresh_token: z.string(),
  user: SessionUser,
});

export const RefreshInput = z.object({ refresh_token: z.string().min(1).max(200) });

export const SignOutInput = z
  .object({
    /** local (default): this session; global: every session of the user; others: all but this one. */
    scope: z.enum(["local", "global", "others"]).default("local"),
    /** Identifies the session when the access token has already expired. */
    refresh_token: z.string().min(1).max(200).optional(),
  })
  .default({ scope: "local" });

export const SignOutResult = z.object({ revoked_sessions: z.number().int() });

export const ChangePasswordInput = z.object({
  current_password: z.string().min(1).max(128),
  new_password: NewPassword,
});
