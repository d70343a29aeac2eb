// Forgotten password: ask for a link by email (the answer is the same for every address), then set a
// new password with the token of the link (/reset-password#token=…, the fragment never reaches a server).
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { errorInfo } from "../lib/errors.ts";
import { useTRPC } from "../lib/trpc.ts";
import { Field } from "../components/ui.tsx";

export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const mutation = useMutation(trpc.passwordReset.request.mutationOptions());
  const info = mutation.error ? errorInfo(mutation.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate({ email });
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Reset your password</h1>
        {mutation.data ? (
          <div className="alert alert-info" role="status">
            {mutation.data.message}
          </div>
        ) : (
          <>
            {info && !info.fieldErrors.email && (
              <div className="alert alert-error" role="alert">
                {info.message}
              </div>
            )}
            <Field label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={info?.fieldErrors.email} required />
            <button className="btn btn-primary" type="submit" disabled={mutation.isPending} style={{ width: "100%" }}>
              {mutation.isPending ? "Sending…" : "Send me a reset link"}
            </button>
          </>
        )}
        <p className="muted small" style={{ marginTop: 16 }}>
          <Link to="/signin">Back to sign in</Link>
        </p>
      </form>
    </div>
  );
}

export function ResetPasswordPage() {
  const trpc = useTRPC();
  const [token] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "");
  const [password, setPassword] = useState("");
  const mutation = useMutation(trpc.passwordReset.confirm.mutationOptions());
  const info = mutation.error ? errorInfo(mutation.error) : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate({ token, password });
  };
  return (
    <div className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>Choose a new password</h1>
        {mutation.isSuccess ? (
          <div className="alert alert-info" role="status">
            Your password was changed and every session of your account was signed out. <Link to="/signin">Sign in</Link>
          </div>
        ) : !token ? (
          <div className="alert alert-error" role="alert">
            This page needs the link from the reset mail. <Link to="/forgot-password">Ask for a new one</Link>
          </div>
        ) : (
          <>
            {info && !info.fieldErrors.password && (
              <div className="alert alert-error" role="alert">
                {info.message}
              </div>
            )}
            <Field
              label="New password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={info?.fieldErrors.password}
              hint="At least 8 characters"
              required
            />
            <button className="btn btn-primary" type="submit" disabled={mutation.isPending} style={{ width: "100%" }}>
              {mutation.isPending ? "Saving…" : "Set new password"}
            </button>
          </>
        )}
      </form>
    </div>
  );
}
