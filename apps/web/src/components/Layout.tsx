// The signed-in frame: brand, navigation, business switcher, account menu; pages render in <Outlet>.
import { Suspense } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { pendingInvitationToken } from "../pages/InvitationsPage.tsx";
import { Link, NavLink, Outlet, useNavigate } from "react-router";
import { useAuth } from "../lib/auth.tsx";
import { useBusiness, useMe } from "../lib/session.tsx";
import { PageSkeleton } from "./ui.tsx";

export function Layout() {
  const me = useMe();
  const { signOut } = useAuth();
  const { memberships, businessId, select, canManageMembers } = useBusiness();
  const navigate = useNavigate();
  const isAnalyst = me.data?.user.is_analyst === true;
  const trpc = useTRPC();
  const invitations = useQuery({ ...trpc.invitations.mine.queryOptions(), staleTime: 30_000 });
  const pending = invitations.data?.data.length ?? 0;
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/contacts" className="brand">
          Switchboard
        </Link>
        <nav className="nav" aria-label="Main">
          <NavLink to="/contacts">Contacts</NavLink>
          <NavLink to="/import">Import</NavLink>
          {canManageMembers && <NavLink to="/members">Members</NavLink>}
          <NavLink to="/businesses">Businesses</NavLink>
          {(pending > 0 || pendingInvitationToken()) && (
            <NavLink to="/invitations">
              Invitations{pending > 0 && <span className="badge"> {pending}</span>}
            </NavLink>
          )}
          {isAnalyst && <NavLink to="/insights">Insights</NavLink>}
        </nav>
        <div className="topbar-right">
          {memberships.length > 0 && (
            <>
              <label htmlFor="business-switcher" className="sr-only">
                Business
              </label>
              <select
                id="business-switcher"
                value={businessId ?? ""}
                onChange={(e) => {
                  if (e.target.value === "__new") navigate("/businesses?new=1");
                  else select(e.target.value);
                }}
              >
                {memberships.map((m) => (
                  <option key={m.business_id} value={m.business_id}>
                    {m.name}
                  </option>
                ))}
                <option value="__new">+ New business…</option>
              </select>
            </>
          )}
          <NavLink to="/profile" className="btn btn-ghost btn-sm hide-sm" title={me.data?.user.email}>
            {me.data?.user.display_name ?? "Profile"}
          </NavLink>
          <button type="button" className="btn btn-sm" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main className="main">
        <Suspense fallback={<PageSkeleton />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

/** Shown by business-scoped pages when the user has no business yet. */
export function NoBusiness() {
  return (
    <div className="card empty">
      <h2>No business yet</h2>
      <p>Contacts, imports and members live in a business. Create one to get started, or answer an invitation.</p>
      <div className="row" style={{ justifyContent: "center" }}>
        <Link className="btn btn-primary" to="/businesses?new=1">
          Create a business
        </Link>
        <Link className="btn" to="/invitations">
          Invitations
        </Link>
      </div>
    </div>
  );
}
