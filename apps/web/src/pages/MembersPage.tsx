// Members of the current business. Owners and admins add people by email, change roles and
// deactivate; the server enforces the same rules (a refused change shows its message).
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useBusiness, useMe } from "../lib/session.tsx";
import { describeError, errorInfo } from "../lib/errors.ts";
import { useToast } from "../components/toast.tsx";
import { NoBusiness } from "../components/Layout.tsx";
import { ErrorBanner, Field, TableSkeleton } from "../components/ui.tsx";
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
  const add = useMutation(
    trpc.businesses.addMember.mutationOptions({
      onSuccess: async () => {
        toast.show(`Added ${email}`);
        setEmail("");
        await invalidate();
      },
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
        <h2 id="add-member">Add a member</h2>
        <p className="muted small">They need a Switchboard account with this email.</p>
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
              Add member
            </button>
          </div>
        </form>
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
