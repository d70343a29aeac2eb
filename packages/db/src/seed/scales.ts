// The seed's scales. Every count here is a target; the generator hits user, business, contact and
// transaction counts exactly and the event count in expectation.

export interface ScaleConfig {
  /** Seeds the RNG: the same scale always gives the same data (for the same anchor date). */
  seed: string;
  /** Total users, the two fixed logins included. */
  users: number;
  /** Signups are spread over this many full ISO weeks before the anchor's week. */
  weeks: number;
  /** Signups in the last week / in the first week (growth, so recent cohorts are bigger). */
  growth: number;
  businesses: number;
  /** Contacts per business for the first businesses; the rest share `contactsTotal`. */
  contactsFixed: number[];
  contactsTotal: number;
  transactionsTotal: number;
  /** Expected l1_event_facts rows in total. */
  eventsTotal: number;
  /** Share of onboarded users who join a business (owners aside). */
  joinRate: number;
  /** Share of joiners who join the first (demo) business regardless of its size. */
  firstBusinessShare: number;
  /** Owners of businesses 1.. are spread over this leading share of users (by signup order). */
  ownerSpan: number;
  /** Share of contacts and of transactions that arrive through CSV imports. */
  importedShare: number;
  /** Mean rows of an import. */
  importSize: number;
}

export const SCALES = {
  /** Seconds on PGlite: what the tests use. */
  test: {
    seed: "switchboard-test",
    users: 40,
    weeks: 5,
    growth: 1.5,
    businesses: 2,
    contactsFixed: [120, 60],
    contactsTotal: 180,
    transactionsTotal: 240,
    eventsTotal: 1_500,
    joinRate: 0.5,
    firstBusinessShare: 0.5,
    ownerSpan: 0.1,
    importedShare: 0.4,
    importSize: 25,
  },
  /**
   * What `npm start` loads into an empty database. 600 users rather than the issue's ~40: the
   * analytics layer suppresses counts under 5, and 40 signups over 52 weeks would hide every cohort;
   * 8 to 16 signups a week leave most cohorts and their early retention weeks visible.
   */
  demo: {
    seed: "switchboard-demo",
    users: 600,
    weeks: 52,
    growth: 2,
    businesses: 3,
    contactsFixed: [1_600, 900, 500],
    contactsTotal: 3_000,
    transactionsTotal: 4_000,
    eventsTotal: 60_000,
    joinRate: 0.15,
    firstBusinessShare: 0.3,
    ownerSpan: 0.1,
    importedShare: 0.4,
    importSize: 120,
  },
  /** The benchmark data set: one business with 100k contacts among 1k. */
  bench: {
    seed: "switchboard-bench",
    users: 20_000,
    weeks: 52,
    growth: 3,
    businesses: 1_000,
    contactsFixed: [100_000],
    contactsTotal: 1_000_000,
    transactionsTotal: 1_000_000,
    eventsTotal: 5_000_000,
    joinRate: 0.9,
    firstBusinessShare: 0.003,
    ownerSpan: 0.9,
    importedShare: 0.35,
    importSize: 400,
  },
} as const satisfies Record<string, ScaleConfig>;

export type ScaleName = keyof typeof SCALES;
export const scaleNames = Object.keys(SCALES) as ScaleName[];

export const DEMO_PASSWORD = "switchboard";

/** The two fixed logins every scale contains. */
export const DEMO_LOGINS = [
  { email: "demo@switchboard.test", password: DEMO_PASSWORD, role: "owner" },
  { email: "analyst@switchboard.test", password: DEMO_PASSWORD, role: "analyst" },
] as const satisfies readonly { email: string; password: string; role: string }[];
