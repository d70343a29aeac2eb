import { z } from "zod";
import { EmailInput, Id, NameInput, OptionalText, PhoneInput } from "./common.types.ts";

export const SignUpInput = z.object({
  email: EmailInput,
  password: z.string().min(8, "At least 8 characters").max(128),
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

export const Session = z.object({
  access_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number().int(),
  user: SessionUser,
});
