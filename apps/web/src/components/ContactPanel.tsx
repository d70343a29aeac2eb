// The contact detail panel: fields, assignee and creator at the chosen detail level, actions,
// and the contact's transactions with a form to record one.
import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { errorInfo } from "../lib/errors.ts";
import { formatDate, formatDateTime, formatMoney } from "../lib/format.ts";
import { ErrorBanner, Field, Skeleton } from "./ui.tsx";
import { UserRef, type DetailLevel } from "./UserRef.tsx";
import { MemberOptions, type Contact, type MemberOption } from "./ContactForm.tsx";

export function ContactPanel({
  businessId,
  contactId,
  detailLevel,
  members,
  onClose,
  onEdit,
  onDelete,
  onAssign,
}: {
  businessId: string;
  contactId: string;
  detailLevel: DetailLevel;
  members: MemberOption[];
  onClose: () => void;
  onEdit: (contact: Contact) => void;
  onDelete: (contact: Contact) => void;
  onAssign: (contact: Contact, userId: string | null) => void;
}) {
  const trpc = useTRPC();
  const contact = useQuery(trpc.contacts.byId.queryOptions({ businessId, id: contactId, include_user_details: detailLevel }, { placeholderData: (prev) => (prev?.id === contactId ? prev : undefined) }));
  const c = contact.data;
  return (
    <aside className="card panel" aria-label="Contact details">
      <div className="card-head">
        <h2>{c ? c.full_name : <Skeleton width={180} height={20} />}</h2>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </div>
      <ErrorBanner error={contact.error} onRetry={() => void contact.refetch()} />
      {contact.isPending ? (
        <div className="stack">
          <Skeleton />
          <Skeleton width="60%" />
          <Skeleton width="80%" />
        </div>
      ) : c ? (
        <>
          <dl className="props">
            <dt>Email</dt>
            <dd>{c.email ?? "—"}</dd>
            <dt>Phone</dt>
            <dd>{c.phone ?? "—"}</dd>
            <dt>Company</dt>
            <dd>{c.company ?? "—"}</dd>
            <dt>Assigned to</dt>
            <dd data-testid="panel-assignee">
              <UserRef user={c.assigned_to} variant="panel" />
            </dd>
            <dt>Created by</dt>
            <dd data-testid="panel-creator">
              <UserRef user={c.created_by} variant="panel" />
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(c.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(c.updated_at)}</dd>
          </dl>
          <div className="row" style={{ marginBottom: 16 }}>
            <button type="button" className="btn btn-sm" onClick={() => onEdit(c)}>
              Edit
            </button>
            <label className="sr-only" htmlFor="panel-assign">
              Assign to
            </label>
            <select
              id="panel-assign"
              value={c.assigned_to ? (typeof c.assigned_to === "string" ? c.assigned_to : c.assigned_to.id) : ""}
              onChange={(e) => onAssign(c, e.target.value || null)}
            >
              <option value="">Unassigned</option>
              <MemberOptions members={members} />
            </select>
            <span className="spacer" />
            <button type="button" className="btn btn-sm btn-danger" onClick={() => onDelete(c)}>
              Delete
            </button>
          </div>
          <Transactions businessId={businessId} contactId={c.id} />
        </>
      ) : null}
    </aside>
  );
}

function Transactions({ businessId, contactId }: { businessId: string; contactId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.transactions.list.queryOptions({ businessId, contact_id: contactId, limit: 20 }));
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState("CAD");
  const [category, setCategory] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const record = useMutation(
    trpc.transactions.record.mutationOptions({
      onSuccess: async () => {
        setAmount("");
        setCategory("");
        await queryClient.invalidateQueries({ queryKey: trpc.transactions.list.queryKey({ businessId, contact_id: contactId }) });
      },
    }),
  );
  const info = record.error ? errorInfo(record.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const value = Number(amount.replace(",", "."));
    if (!Number.isFinite(value) || amount.trim() === "") {
      setLocalError("Enter an amount, e.g. 49.90");
      return;
    }
    setLocalError(null);
    record.mutate({
      businessId,
      contact_id: contactId,
      amount_cents: Math.round(value * 100),
      currency: currency.trim().toUpperCase() || undefined,
      category: category.trim() || undefined,
    });
  };
  return (
    <section aria-labelledby="tx-heading">
      <h3 id="tx-heading">Transactions</h3>
      <ErrorBanner error={list.error} onRetry={() => void list.refetch()} />
      {list.isPending ? (
        <Skeleton height={60} />
      ) : list.data && list.data.data.length === 0 ? (
        <p className="muted small">No transactions yet.</p>
      ) : (
        <div className="table-wrap" style={{ marginBottom: 12 }}>
          <table aria-label="Transactions">
            <thead>
              <tr>
                <th>Date</th>
                <th>Category</th>
                <th className="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {list.data?.data.map((t) => (
                <tr key={t.id}>
                  <td>{formatDate(t.occurred_at)}</td>
                  <td>{t.category ?? "—"}</td>
                  <td className="num">{formatMoney(t.amount_cents, t.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={submit} noValidate>
        {info && !info.fieldErrors.amount_cents && (
          <div className="alert alert-error" role="alert">
            {info.message}
          </div>
        )}
        <div className="row" style={{ alignItems: "flex-start" }}>
          <div style={{ flex: "1 1 100px" }}>
            <Field label="Amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={localError ?? info?.fieldErrors.amount_cents} />
          </div>
          <div style={{ width: 80 }}>
            <Field label="Currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} error={info?.fieldErrors.currency} />
          </div>
          <div style={{ flex: "1 1 100px" }}>
            <Field label="Category" value={category} onChange={(e) => setCategory(e.target.value)} error={info?.fieldErrors.category} />
          </div>
        </div>
        <button type="submit" className="btn btn-sm btn-primary" disabled={record.isPending}>
          Record transaction
        </button>
      </form>
    </section>
  );
}
