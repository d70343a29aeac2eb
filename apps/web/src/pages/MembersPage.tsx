// Members of the current business. Owners and admins invite people by email (they join only by
// accepting), see and revoke pending invitations, change roles and deactivate; the database enforces
// the same rules (a refused change shows its message).
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useBusiness, useMe } from "../lib/session.tsx";
import { describeError, errorInfo } from "../lib/errors.ts";
import { useToast } from "../components/toast.tsx";
import { NoBusiness } from "../components/Layout.tsx";
import { ErrorBanner, Field, TableSkeleton } from "../components/ui.tsx";
import { formatDate } from "../lib/format.ts";
import { NotAvailablePage } from "./NotAvailablePage.tsx";

const ROLES = ["owner", "admin", "member"] as const;
type Role = (typeof ROLES)[number];

export function MembersPage() {
  const { businessId, current, canManageMembers } = useBusiness();
  if (!businessId) return <NoBusiness />;
  if (!canManageMembers) return <NotAvailablePage />;
  return <Members businessId={businessId} businessName={current?.name ?? ""} />;
}

function Members({ businessId, businessName }: { businessId: string; businessName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useMe();
  const members = useQuery(trpc.businesses.members.queryOptions({ businessId }));
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.businesses.members.queryKey({ businessId }) });
  const onError = (error: unknown) => toast.show(describeError(error), { tone: "error" });

  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [inviteLink, setInviteLink] = useState<{ email: string; url: string } | null>(null);
  const invitations = useQuery(trpc.invitations.list.queryOptions({ businessId }));
  const invalidateInvitations = () => queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey({ businessId }) });
  const add = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: async (created) => {
        toast.show(`Invitation sent to ${created.invitation.email}`);
        // Without SMTP the server sends no mail: the inviter passes the link on themself.
        setInviteLink(created.invite_url ? { email: created.invitation.email, url: created.invite_url } : null);
        setEmail("");
        await invalidateInvitations();
      },
    }),
  );
  const revoke = useMutation(
    trpc.invitations.revoke.mutationOptions({
      onSuccess: async () => {
        toast.show("Invitation revoked");
        await invalidateInvitations();
      },
      onError,
    }),
  );
  const changeRole = useMutation(trpc.businesses.changeRole.mutationOptions({ onSuccess: invalidate, onError }));
  const deactivate = useMutation(
    trpc.businesses.deactivateMember.mutationOptions({
      onSuccess: async () => {
        toast.show("Member deactivated");
        await invalidate();
      },
      onError,
    }),
  );
  const addInfo = add.error ? errorInfo(add.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ businessId, email, role });
  };

  return (
    <>
      <div className="page-head">
        <h1>Members of {businessName}</h1>
      </div>
      <section className="card" aria-labelledby="add-member">
        <h2 id="add-member">Invite someone</h2>
        <p className="muted small">They join only if they accept, signed in with this email (new people can sign up with it).</p>
        {addInfo && !addInfo.fieldErrors.email && (
          <div className="alert alert-error" role="alert">
            {addInfo.message}
          </div>
        )}
        <form className="row" onSubmit={submit} noValidate style={{ alignItems: "flex-end" }}>
          <div style={{ flex: "1 1 240px" }}>
            <Field label="Member email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={addInfo?.fieldErrors.email} required />
          </div>
          <div className="field">
            <label htmlFor="new-member-role">Role</label>
            <select id="new-member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <button type="submit" className="btn btn-primary" disabled={add.isPending || !email}>
              Send invitation
            </button>
          </div>
        </form>
        {inviteLink && (
          <div className="alert" role="status" style={{ marginTop: 12 }}>
            <p className="small">
              This server sends no mail. Give {inviteLink.email} this link (it works once, for that email):
            </p>
            <input aria-label="Invitation link" readOnly value={inviteLink.url} onFocus={(e) => e.currentTarget.select()} style={{ width: "100%" }} />
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="invitation-list">
        <h2 id="invitation-list">Invitations</h2>
        <ErrorBanner error={invitations.error} onRetry={() => void invitations.refetch()} />
        {invitations.isPending ? (
          <TableSkeleton rows={2} columns={4} />
        ) : invitations.data && invitations.data.data.length === 0 ? (
          <p className="muted small">No invitations yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Role</th>
                  <th>Status</th>
                  <th className="hide-sm">Expires</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {invitations.data?.data.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{i.role}</td>
                    <td>
                      <span className={`badge${i.status === "pending" ? "" : i.status === "accepted" ? " badge-ok" : " badge-bad"}`}>{i.status}</span>
                    </td>
                    <td className="hide-sm">{formatDate(i.expires_at)}</td>
                    <td>
                      {i.status === "pending" && (
                        <button
                          type="button"
                          className="btn btn-sm btn-danger"
                          disabled={revoke.isPending}
                          onClick={() => revoke.mutate({ businessId, invitationId: i.id })}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="member-list">
        <h2 id="member-list">Members</h2>
        <ErrorBanner error={members.error} onRetry={() => void members.refetch()} />
        {members.isPending ? (
          <TableSkeleton rows={4} columns={4} />
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="hide-sm">Email</th>
                  <th>Role</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {members.data?.data.map((m) => {
                  const self = m.id === me.data?.user.id;
                  return (
                    <tr key={m.id}>
                      <td>
                        {m.display_name ?? <span className="muted">Former member</span>}
                        {self && <span className="muted small"> (you)</span>}
                      </td>
                      <td className="hide-sm">{m.email}</td>
                      <td>
                        <label className="sr-only" htmlFor={`role-${m.id}`}>
                          Role of {m.display_name ?? m.email ?? "member"}
                        </label>
                        <select
                          id={`role-${m.id}`}
                          value={m.role}
                          disabled={!m.is_active || changeRole.isPending}
                          onChange={(e) => changeRole.mutate({ businessId, userId: m.id, role: e.target.value as Role })}
                        >
                          {ROLES.map((r) => (
                            <option key={r}>{r}</option>
                          ))}
                        </select>
                      </td>
                      <td>{m.is_active ? <span className="badge badge-ok">active</span> : <span className="badge badge-bad">deactivated</span>}</td>
                      <td>
                        {m.is_active && !self && (
                          <button
                            type="button"
                            className="btn btn-sm btn-danger"
                            disabled={deactivate.isPending}
                            onClick={() => {
                              if (confirm(`Deactivate ${m.display_name ?? m.email ?? "this member"}? They lose access to this business.`)) {
                                deactivate.mutate({ businessId, userId: m.id });
                              }
                            }}
                          >
                            Deactivate
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
