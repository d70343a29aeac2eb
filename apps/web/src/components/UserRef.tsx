// How a contact's assignee or creator is shown at each "User details" level:
// none → the bare user id, basic → name + email, full → also full name, phone, status, last sign-in.
import { formatDateTime } from "../lib/format.ts";

export type DetailLevel = "none" | "basic" | "full";

export interface UserDetails {
  id: string;
  display_name?: string | null;
  email?: string | null;
  full_name?: string | null;
  phone?: string | null;
  is_active?: boolean | null;
  last_sign_in?: string | null;
}

export type UserField = string | UserDetails | null | undefined;

export function userLabel(user: UserField): string {
  if (!user) return "";
  if (typeof user === "string") return user;
  return user.display_name || user.email || user.id;
}

export function UserRef({ user, variant = "cell" }: { user: UserField; variant?: "cell" | "panel" }) {
  if (!user) return <span className="muted">Unassigned</span>;
  if (typeof user === "string") {
    return (
      <span className="mono" title={user}>
        {variant === "cell" ? `${user.slice(0, 8)}…` : user}
      </span>
    );
  }
  const full = user.full_name !== undefined || user.phone !== undefined || user.is_active !== undefined || user.last_sign_in !== undefined;
  return (
    <span className="user-ref">
      <span>{user.display_name || user.full_name || user.id}</span>
      {user.email && <span className="email">{user.email}</span>}
      {full && (
        <>
          {user.full_name && <span className="email">{user.full_name}</span>}
          {user.phone && <span className="email">{user.phone}</span>}
          {user.is_active === false && <span className="badge badge-bad">inactive</span>}
          {variant === "panel" && user.last_sign_in !== undefined && (
            <span className="email">Last sign-in: {formatDateTime(user.last_sign_in)}</span>
          )}
        </>
      )}
    </span>
  );
}
