// Your profile: the name teammates see, and optional full name / phone.
import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useMe } from "../lib/session.tsx";
import { errorInfo } from "../lib/errors.ts";
import { useToast } from "../components/toast.tsx";
import { Field } from "../components/ui.tsx";

export function ProfilePage() {
  const me = useMe();
  const user = me.data?.user;
  if (!user) return null;
  return <ProfileForm key={user.id} user={user} />;
}

function ProfileForm({ user }: { user: { email: string; display_name: string; full_name: string | null; phone: string | null } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ display_name: user.display_name, full_name: user.full_name ?? "", phone: user.phone ?? "" });
  const update = useMutation(
    trpc.me.updateProfile.mutationOptions({
      onSuccess: async () => {
        toast.show("Profile saved");
        await queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
      },
    }),
  );
  const info = update.error ? errorInfo(update.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ display_name: form.display_name, full_name: form.full_name.trim() || null, phone: form.phone.trim() || null });
  };
  return (
    <>
      <div className="page-head">
        <h1>Your profile</h1>
      </div>
      <form className="card" style={{ maxWidth: 520 }} onSubmit={submit} noValidate>
        <p className="muted">Signed in as {user.email}</p>
        {info && (
          <div className="alert alert-error" role="alert">
            {info.message}
          </div>
        )}
        <Field label="Display name" value={form.display_name} onChange={(e) => setForm((f) => ({ ...f, display_name: e.target.value }))} error={info?.fieldErrors.display_name} />
        <Field label="Full name" value={form.full_name} onChange={(e) => setForm((f) => ({ ...f, full_name: e.target.value }))} error={info?.fieldErrors.full_name} />
        <Field label="Phone" type="tel" value={form.phone} onChange={(e) => setForm((f) => ({ ...f, phone: e.target.value }))} error={info?.fieldErrors.phone} />
        <button type="submit" className="btn btn-primary" disabled={update.isPending}>
          Save
        </button>
      </form>
    </>
  );
}
