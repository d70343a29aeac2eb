// Closed vocabularies of user-entered answers that analysts see (docs/analytics.md). Dependency-free:
// the database schema (check constraint), the API's zod enums and the web form all use this one list.

/** Why a user signed up (onboarding). Anything else is refused; legacy free text became "other". */
export const motivations = ["grow_sales", "organize_contacts", "team_collaboration", "track_payments", "other"] as const;
export type Motivation = (typeof motivations)[number];

/** Human-readable labels (web form, insights page). */
export const motivationLabels: Record<Motivation, { label: string; hint: string }> = {
  grow_sales: { label: "Grow sales", hint: "Follow up with leads and customers" },
  organize_contacts: { label: "Organize contacts", hint: "One clean list instead of many" },
  team_collaboration: { label: "Work as a team", hint: "Share and assign contacts" },
  track_payments: { label: "Track payments", hint: "See what each contact paid" },
  other: { label: "Something else", hint: "None of the above" },
};
