// First sign-in: why you're here (motivation), then your profile. Every step is saved as it is
// left (me.updateOnboarding), so closing the tab resumes at the same step; "Skip" finishes at once.
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../lib/trpc.ts";
import { useMe } from "../lib/session.tsx";
import { errorInfo } from "../lib/errors.ts";
import { ErrorBanner, Field } from "../components/ui.tsx";
import { motivationLabels, motivations, type Motivation } from "@switchboard/db/vocabulary";

// The closed vocabulary the API and the database accept (one list: @switchboard/db/vocabulary).
export const MOTIVATIONS = motivations.map((value) => ({ value, ...motivationLabels[value] }));

const STEPS = ["motivation", "profile"] as const;

export function OnboardingPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const me = useMe();
  const user = me.data?.user;
  const [step, setStep] = useState<(typeof STEPS)[number]>(user?.onboarding_last_step === "profile" ? "profile" : "motivation");
  const [motivation, setMotivation] = useState<Motivation | "">(user?.motivation ?? "");
  const [profile, setProfile] = useState({ full_name: user?.full_name ?? "", phone: user?.phone ?? "" });

  const onboarding = useMutation(trpc.me.updateOnboarding.mutationOptions());
  const updateProfile = useMutation(trpc.me.updateProfile.mutationOptions());
  const profileErrors = updateProfile.error ? errorInfo(updateProfile.error).fieldErrors : {};

  const finish = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.me.get.queryKey() });
    const fresh = queryClient.getQueryData(trpc.me.get.queryKey());
    navigate(fresh && fresh.memberships.length > 0 ? "/contacts" : "/businesses?new=1", { replace: true });
  };

  const skip = async () => {
    await onboarding.mutateAsync({ last_step: step, completed: true });
    await finish();
  };

  const saveMotivation = async (e: FormEvent) => {
    e.preventDefault();
    await onboarding.mutateAsync({ motivation: motivation || undefined, last_step: "profile" });
    setStep("profile");
  };

  const saveProfile = async (e: FormEvent) => {
    e.preventDefault();
    const changes: { full_name?: string; phone?: string } = {};
    if (profile.full_name.trim()) changes.full_name = profile.full_name.trim();
    if (profile.phone.trim()) changes.phone = profile.phone.trim();
    if (Object.keys(changes).length > 0) await updateProfile.mutateAsync(changes);
    await onboarding.mutateAsync({ last_step: "done", completed: true });
    await finish();
  };

  const stepIndex = STEPS.indexOf(step);
  const busy = onboarding.isPending || updateProfile.isPending;
  return (
    <div className="auth-page">
      <div className="card" style={{ width: "100%", maxWidth: 620 }}>
        <div className="steps" aria-label={`Step ${stepIndex + 1} of ${STEPS.length}`}>
          {STEPS.map((s, i) => (
            <span key={s} className={i <= stepIndex ? "done" : ""} />
          ))}
        </div>
        <ErrorBanner error={onboarding.error ?? (Object.keys(profileErrors).length === 0 ? updateProfile.error : null)} />
        {step === "motivation" ? (
          <form onSubmit={(e) => void saveMotivation(e).catch(() => undefined)}>
            <h1>Welcome{user ? `, ${user.display_name}` : ""}! What brings you to Switchboard?</h1>
            <p className="muted">Pick the one that fits best. You can skip this.</p>
            <div className="choice-grid" role="radiogroup" aria-label="Motivation">
              {MOTIVATIONS.map((m) => (
                <label key={m.value} className="choice">
                  <input type="radio" name="motivation" value={m.value} checked={motivation === m.value} onChange={() => setMotivation(m.value)} />
                  <span>
                    {m.label}
                    <small>{m.hint}</small>
                  </span>
                </label>
              ))}
            </div>
            <div className="row">
              <button type="button" className="btn btn-ghost" onClick={() => void skip().catch(() => undefined)} disabled={busy}>
                Skip
              </button>
              <span className="spacer" />
              <button type="submit" className="btn btn-primary" disabled={busy || !motivation}>
                Continue
              </button>
            </div>
          </form>
        ) : (
          <form onSubmit={(e) => void saveProfile(e).catch(() => undefined)} noValidate>
            <h1>About you</h1>
            <p className="muted">Teammates see this when you are assigned a contact. Both are optional.</p>
            <Field label="Full name" value={profile.full_name} onChange={(e) => setProfile((p) => ({ ...p, full_name: e.target.value }))} error={profileErrors.full_name} />
            <Field label="Phone" type="tel" value={profile.phone} onChange={(e) => setProfile((p) => ({ ...p, phone: e.target.value }))} error={profileErrors.phone} />
            <div className="row">
              <button type="button" className="btn btn-ghost" onClick={() => setStep("motivation")} disabled={busy}>
                Back
              </button>
              <button type="button" className="btn btn-ghost" onClick={() => void skip().catch(() => undefined)} disabled={busy}>
                Skip
              </button>
              <span className="spacer" />
              <button type="submit" className="btn btn-primary" disabled={busy}>
                Finish
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
