import { z } from "zod";
import { Id, IsoTimestamp, MembershipRoleInput, NameInput } from "./common.types.ts";

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
export const ChangeRoleInput = z.object({ businessId: Id, userId: Id, role: MembershipRoleInput });
export const DeactivateMemberInput = z.object({ businessId: Id, userId: Id });
export const LeftBusiness = z.object({ business_id: Id, left: z.literal(true) });
