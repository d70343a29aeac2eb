// Zod schemas shared by the feature routers: ids, business context, detail levels, cursors, outputs.
import { z } from "zod";

/** Any 8-4-4-4-12 hex id (PostgreSQL accepts them all); a malformed one is a 400, never a 500. */
export const Id = z.guid({ message: "Invalid id" });

/** tRPC input `businessId`; over REST the `X-Business-Id` header fills it (see business-queries.ts). */
export const BusinessIdInput = Id.optional().describe(
  "Business to act in. Optional when the caller has exactly one active membership (REST: X-Business-Id header).",
);

export const IsoTimestamp = z.iso.datetime({ offset: true });

export const includeUserDetailsLevels = ["none", "basic", "full"] as const;
export type IncludeUserDetails = (typeof includeUserDetailsLevels)[number];
export const IncludeUserDetailsInput = z
  .enum(includeUserDetailsLevels)
  .default("basic")
  .describe("none: user ids; basic: {id, display_name, email}; full: basic + full_name, phone, is_active, last_sign_in");

export const LimitInput = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);

export const CursorInput = z.string().max(512).optional().describe("Opaque cursor from a previous page's next_cursor");

const trimmed = (max: number) => z.string().trim().max(max);
export const EmailInput = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: "Invalid email" }))
  .transform((v) => v.toLowerCase());
// Digits with optional +, spaces, dots, dashes and parentheses; 7 to 15 digits (E.164 length).
export const PhoneInput = trimmed(20).regex(/^\+?[0-9 ().-]+$/, "Invalid phone number").refine(
  (v) => {
    const digits = v.replace(/\D/g, "").length;
    return digits >= 7 && digits <= 15;
  },
  { message: "Invalid phone number" },
);
export const NameInput = (max = 255) => trimmed(max).min(1, "Required");
export const OptionalText = (max = 255) => trimmed(max).transform((v) => (v === "" ? null : v));

/** A user as another member sees them, at the `basic` level. */
export const BasicUser = z.object({ id: Id, display_name: z.string(), email: z.string() });
/** `full` adds contact details and activity. */
export const FullUser = BasicUser.extend({
  full_name: z.string().nullable(),
  phone: z.string().nullable(),
  is_active: z.boolean().nullable(),
  last_sign_in: IsoTimestamp.nullable(),
});
// Order matters: zod tries full first, so a full object keeps its extra fields.
export const UserRef = z
  .union([FullUser, BasicUser, Id])
  .nullable()
  .describe("none: the user id; basic/full: the user object. null when unset or when the user is no longer a co-member");

export const Contact = z.object({
  id: Id,
  business_id: Id,
  full_name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  assigned_to: UserRef,
  created_by: UserRef,
  created_at: IsoTimestamp,
  updated_at: IsoTimestamp,
});
export type ContactOutput = z.infer<typeof Contact>;

export const membershipRoleValues = ["owner", "admin", "member"] as const;
export const MembershipRoleInput = z.enum(membershipRoleValues);
