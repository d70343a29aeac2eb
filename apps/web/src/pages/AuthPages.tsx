// Sign in and sign up. Both end with an access token; the session then loads me.get.
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { useAuth } from "../lib/auth.tsx";
import { errorInfo } from "../lib/errors.ts";
import { useTRPC } from "../lib/trpc.ts";
import { Field } from "../components/ui.tsx";

export function SignInPage() {
  const trpc = useTRPC();
  const { signIn, notice } = useAuth();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const mutation = useMutation(trpc.auth.signIn.mutationOptions({ onSuccess: (session) => signIn(session) }));
  const info = mutation.error ? errorInfo(mutation.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate({ email, password });
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Sign in to Switchboard</h1>
        {notice && !info && <div className="alert alert-info">{notice}</div>}
        {info && (
          <div className="alert alert-error" role="alert">
            {info.message}
          </div>
        )}
        <Field label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={info?.fieldErrors.email} required />
        <Field label="Password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} error={info?.fieldErrors.password} required />
        <button className="btn btn-primary" type="submit" disabled={mutation.isPending} style={{ width: "100%" }}>
          {mutation.isPending ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted small" style={{ marginTop: 16 }}>
          New here? <Link to="/signup">Create an account</Link> · <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </form>
    </div>
  );
}

export function SignUpPage() {
  const trpc = useTRPC();
  const { signIn } = useAuth();
  const [form, setForm] = useState({ email: "", password: "", display_name: "" });
  const mutation = useMutation(trpc.auth.signUp.mutationOptions({ onSuccess: (session) => signIn(session) }));
  const info = mutation.error ? errorInfo(mutation.error) : null;
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate(form);
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Create your account</h1>
        {info && (
          <div className="alert alert-error" role="alert">
            {info.message}
          </div>
        )}
        <Field label="Name" autoComplete="nickname" value={form.display_name} onChange={set("display_name")} error={info?.fieldErrors.display_name} required />
        <Field label="Email" type="email" autoComplete="email" value={form.email} onChange={set("email")} error={info?.fieldErrors.email} required />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set("password")}
          error={info?.fieldErrors.password}
          hint="At least 8 characters"
          required
        />
        <button className="btn btn-primary" type="submit" disabled={mutation.isPending} style={{ width: "100%" }}>
          {mutation.isPending ? "Creating account…" : "Create account"}
        </button>
        <p className="muted small" style={{ marginTop: 16 }}>
          Already have an account? <Link to="/signin">Sign in</Link>
        </p>
      </form>
    </div>
  );
}
