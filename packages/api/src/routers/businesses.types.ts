import { z } from "zod";
import { EmailInput, Id, IsoTimestamp, MembershipRoleInput, NameInput } from "./common.types.ts";

export const Business = z.object({ id: Id, name: z.string(), role: MembershipRoleInput, created_at: IsoTimestamp });

export const Member = z.object({
  id: Id,
  // null when RLS hides the user: a deactivated member is no longer anyone's co-member.
  display_name: z.string().nullable(),
  email: z.string().nullable(),
  role: MembershipRoleInput,
  is_active: z.boolean(),
});

export const CreateBusinessInput = z.object({ name: NameInput(200) });
export const BusinessPathInput = z.object({ businessId: Id });
export const AddMemberInput = z.object({ businessId: Id, email: EmailInput, role: MembershipRoleInput.default("member") });
export const ChangeRoleInput = z.object({ businessId: Id, userId: Id, role: MembershipRoleInput });
export const DeactivateMemberInput = z.object({ businessId: Id, userId: Id });
