import { z } from "zod";
import { motivations } from "@switchboard/db/vocabulary";
import { Id, IsoTimestamp, MembershipRoleInput, NameInput, OptionalText, PhoneInput } from "./common.types.ts";

export const MeUser = z.object({
  id: Id,
  email: z.string(),
  display_name: z.string(),
  full_name: z.string().nullable(),
  phone: z.string().nullable(),
  avatar_url: z.string().nullable(),
  motivation: z.enum(motivations).nullable(),
  onboarding_last_step: z.string().nullable(),
  onboarding_completed_at: IsoTimestamp.nullable(),
  is_analyst: z.boolean(),
});

export const Me = z.object({
  user: MeUser,
  memberships: z.array(z.object({ business_id: Id, name: z.string(), role: MembershipRoleInput })),
});

// null clears a field; an omitted field stays as it is.
export const UpdateProfileInput = z
  .object({
    display_name: NameInput(255).optional(),
    full_name: OptionalText(255).nullable().optional(),
    phone: PhoneInput.nullable().optional(),
    avatar_url: z.url({ protocol: /^https?$/ }).max(500).nullable().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to update" });

export const UpdateOnboardingInput = z
  .object({
    // A closed vocabulary (shared with the web form and the database check): anything else is a field error.
    motivation: z.enum(motivations, { error: `Expected one of: ${motivations.join(", ")}` }).nullable().optional(),
    last_step: z.string().trim().min(1).max(64).optional(),
    completed: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: "Nothing to update" });
