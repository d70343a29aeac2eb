// Create or edit a contact. Validation is the server's: its field errors appear under each input.
import { useState, type FormEvent } from "react";
import { useMutation } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../lib/trpc.ts";
import { errorInfo } from "../lib/errors.ts";
import { Field } from "./ui.tsx";
import type { UserField } from "./UserRef.tsx";

export type Contact = RouterOutputs["contacts"]["byId"];
export interface MemberOption {
  id: string;
  label: string;
}

/** The co-members as <option>s of an assignee select. */
export function MemberOptions({ members }: { members: MemberOption[] }) {
  return members.map((m) => (
    <option key={m.id} value={m.id}>
      {m.label}
    </option>
  ));
}

function userId(user: UserField): string {
  if (!user) return "";
  return typeof user === "string" ? user : user.id;
}

export function ContactForm({
  businessId,
  contact,
  members,
  onSaved,
  onCancel,
}: {
  businessId: string;
  contact?: Contact;
  members: MemberOption[];
  onSaved: (contact: Contact) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const [form, setForm] = useState({
    full_name: contact?.full_name ?? "",
    email: contact?.email ?? "",
    phone: contact?.phone ?? "",
    company: contact?.company ?? "",
    assigned_to: userId(contact?.assigned_to),
  });
  const create = useMutation(trpc.contacts.create.mutationOptions({ onSuccess: onSaved }));
  const update = useMutation(trpc.contacts.update.mutationOptions({ onSuccess: onSaved }));
  const mutation = contact ? update : create;
  const info = mutation.error ? errorInfo(mutation.error) : null;
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Blank optional fields mean "none" (null), not an empty string the server would reject.
    const values = {
      full_name: form.full_name,
      email: form.email.trim() || null,
      phone: form.phone.trim() || null,
      company: form.company.trim() || null,
      assigned_to: form.assigned_to || null,
    };
    if (contact) update.mutate({ businessId, id: contact.id, ...values });
    else create.mutate({ businessId, ...values });
  };

  return (
    <form onSubmit={submit} noValidate>
      {info && (
        <div className="alert alert-error" role="alert">
          {info.message}
        </div>
      )}
      <Field label="Full name" value={form.full_name} onChange={set("full_name")} error={info?.fieldErrors.full_name} required autoFocus />
      <Field label="Email" type="email" value={form.email} onChange={set("email")} error={info?.fieldErrors.email} />
      <Field label="Phone" type="tel" value={form.phone} onChange={set("phone")} error={info?.fieldErrors.phone} />
      <Field label="Company" value={form.company} onChange={set("company")} error={info?.fieldErrors.company} />
      <div className="field">
        <label htmlFor="contact-assignee">Assigned to</label>
        <select id="contact-assignee" value={form.assigned_to} onChange={set("assigned_to")}>
          <option value="">Unassigned</option>
          <MemberOptions members={members} />
        </select>
        {info?.fieldErrors.assigned_to && <span className="field-error">{info.fieldErrors.assigned_to}</span>}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={mutation.isPending}>
          {mutation.isPending ? "Saving…" : contact ? "Save changes" : "Create contact"}
        </button>
      </div>
    </form>
  );
}
