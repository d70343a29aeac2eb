import { z } from "zod";
import {
  BusinessIdInput,
  Contact,
  CursorInput,
  EmailInput,
  Id,
  IncludeUserDetailsInput,
  LimitInput,
  NameInput,
  OptionalText,
  PhoneInput,
} from "./common.types.ts";

export const contactSorts = ["created_desc", "name_asc", "name_desc"] as const;
export type ContactSort = (typeof contactSorts)[number];

export const AssignedToFilter = z
  .union([z.literal("me"), z.literal("unassigned"), Id])
  .describe('A user id, "me" or "unassigned"');

export const ListContactsInput = z.object({
  businessId: BusinessIdInput,
  include_user_details: IncludeUserDetailsInput,
  limit: LimitInput(200, 50),
  cursor: CursorInput,
  assigned_to: AssignedToFilter.optional(),
  sort: z.enum(contactSorts).default("created_desc"),
});

export const ContactByIdInput = z.object({ businessId: BusinessIdInput, id: Id, include_user_details: IncludeUserDetailsInput });

export const SearchContactsInput = z.object({
  businessId: BusinessIdInput,
  query: z.string().trim().min(1, "Required").max(200),
  include_user_details: IncludeUserDetailsInput,
  limit: LimitInput(100, 20),
});

const contactFields = {
  full_name: NameInput(255),
  email: EmailInput.nullable().optional(),
  phone: PhoneInput.nullable().optional(),
  company: OptionalText(255).nullable().optional(),
  assigned_to: Id.nullable().optional(),
};

export const CreateContactInput = z.object({ businessId: BusinessIdInput, ...contactFields });

export const UpdateContactInput = z
  .object({ businessId: BusinessIdInput, id: Id, ...contactFields, full_name: contactFields.full_name.optional() })
  .refine(
    (v) => ["full_name", "email", "phone", "company", "assigned_to"].some((k) => v[k as keyof typeof v] !== undefined),
    { message: "Nothing to update" },
  );

export const ContactRefInput = z.object({ businessId: BusinessIdInput, id: Id });
export const AssignInput = z.object({ businessId: BusinessIdInput, id: Id, assigned_to: Id.nullable() });
export const BulkAssignInput = z.object({
  businessId: BusinessIdInput,
  ids: z.array(Id).min(1).max(500),
  assigned_to: Id.nullable(),
});

export const ContactPage = z.object({ data: z.array(Contact), next_cursor: z.string().nullable() });
export const ContactList = z.object({ data: z.array(Contact) });
export const DeletedContact = z.object({ id: Id, deleted: z.literal(true) });
export const BulkAssignResult = z.object({ updated: z.number().int() });
