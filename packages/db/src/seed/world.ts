// The seed's "world": who signed up when, who owns and joins which business, how big each business
// is. Compact typed arrays only (about 1 MB at bench scale); rows are generated from it on the fly.
import { Rng, hashString, uuidFrom } from "./rng.ts";
import type { ScaleConfig } from "./scales.ts";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Namespaces of the derived ids and RNG streams. */
export const K = {
  user: 1,
  business: 2,
  contact: 3,
  import: 4,
  transaction: 5,
  profile: 6,
  events: 7,
  businessPlan: 8,
  contactRows: 9,
  transactionRows: 10,
  world: 11,
} as const;

export const ROLE_OWNER = 0;
export const ROLE_ADMIN = 1;
export const ROLE_MEMBER = 2;
export const roleNames = ["owner", "admin", "member"] as const;

export const DEMO_USER = 0;
export const ANALYST_USER = 1;

export const motivations = ["grow_sales", "organize_contacts", "team_collaboration", "track_payments"] as const;
export const onboardingSteps = ["profile", "motivation", "business", "team"] as const;
export const accountStatuses = ["active", "suspended", "closed"] as const;

/** Monday 00:00 UTC of the ISO week containing `ms`. */
export function mondayUtc(ms: number): number {
  const day = Math.floor(ms / DAY);
  const weekday = (day + 3) % 7; // 1970-01-01 was a Thursday: Monday = 0
  return (day - weekday) * DAY;
}

export interface World {
  cfg: ScaleConfig;
  seed: number;
  /** "Now" of the data set (ms): every timestamp is at or before it. */
  anchor: number;
  users: number;
  businesses: number;
  userId: string[];
  userCreated: Float64Array;
  /** 1 when onboarding was completed. */
  userOnboarded: Uint8Array;
  /** Index into onboardingSteps of the last step reached, -1 for none. */
  userLastStep: Int8Array;
  userOnboardedAt: Float64Array;
  /** Index into motivations, -1 for unanswered. */
  userMotivation: Int8Array;
  /** Index into accountStatuses. */
  userStatus: Uint8Array;
  /** Activity multiplier (mean 1). */
  userEngagement: Float32Array;
  /** When the user stops coming back (Infinity: never). */
  userChurn: Float64Array;
  /** The business the user belongs to, -1 for none (one membership per user, owners included). */
  userBusiness: Int32Array;
  userJoined: Float64Array;
  userRole: Uint8Array;
  userMemberActive: Uint8Array;
  businessId: string[];
  businessOwner: Int32Array;
  businessCreated: Float64Array;
  businessContacts: Int32Array;
  businessTransactions: Int32Array;
  /** Members of business b (owner first, then by join time): memberUser[memberStart[b] .. memberStart[b+1]). */
  memberStart: Int32Array;
  memberUser: Int32Array;
  /** Sessions per week of a fresh user at engagement 1, calibrated so events land near eventsTotal. */
  sessionBase: number;
}

/** Weekly sessions of a user `weeksSinceSignup` weeks in (before base and engagement): decays to a floor. */
export const sessionCurve = (weeksSinceSignup: number) => 0.15 + 0.85 * Math.exp(-weeksSinceSignup / 3);
/** Mean actions after a sign-in, for a member of a business. */
export const ACTIONS_PER_SESSION = 2.2;

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
export function apportion(total: number, weights: ArrayLike<number>): Int32Array {
  const n = weights.length;
  const out = new Int32Array(n);
  if (n === 0 || total <= 0) return out;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i]!;
  const rema: { i: number; r: number }[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const exact = (total * weights[i]!) / sum;
    out[i] = Math.floor(exact);
    given += out[i]!;
    rema.push({ i, r: exact - out[i]! });
  }
  rema.sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; k < total - given; k++) out[rema[k % n]!.i]! += 1;
  return out;
}

export function buildWorld(cfg: ScaleConfig, anchor: number): World {
  const seed = hashString(cfg.seed);
  const U = cfg.users;
  const B = cfg.businesses;
  if (U < 3 || B < 1) throw new Error("a scale needs at least 3 users and 1 business");
  const rng = new Rng(seed, K.world);
  const firstWeek = mondayUtc(anchor) - cfg.weeks * WEEK;

  // Signups: more each week (growth), uniform within the week, in chronological index order.
  const userCreated = new Float64Array(U);
  userCreated[DEMO_USER] = firstWeek + 9 * HOUR;
  userCreated[ANALYST_USER] = firstWeek + DAY + 10 * HOUR;
  const weekWeights = Array.from({ length: cfg.weeks }, (_, w) => cfg.growth ** (w / Math.max(1, cfg.weeks - 1)));
  const perWeek = apportion(U - 2, weekWeights);
  let u = 2;
  for (let w = 0; w < cfg.weeks; w++) {
    const start = firstWeek + w * WEEK;
    const times = Array.from({ length: perWeek[w]! }, () => start + Math.floor(rng.next() * WEEK));
    times.sort((a, b) => a - b);
    for (const t of times) userCreated[u++] = t;
  }

  const userId = Array.from({ length: U }, (_, i) => uuidFrom(seed, K.user, i));
  const userOnboarded = new Uint8Array(U);
  const userLastStep = new Int8Array(U).fill(-1);
  const userOnboardedAt = new Float64Array(U).fill(NaN);
  const userMotivation = new Int8Array(U).fill(-1);
  const userStatus = new Uint8Array(U);
  const userEngagement = new Float32Array(U);
  const userChurn = new Float64Array(U).fill(Infinity);

  // Business owners: the demo login owns business 0; the others are spread over the early signups.
  const businessOwner = new Int32Array(B);
  const ownerSpan = Math.max(B - 1, Math.floor((U - 2) * cfg.ownerSpan));
  if (B - 1 > U - 2) throw new Error("more businesses than possible owners");
  for (let b = 1; b < B; b++) businessOwner[b] = 2 + Math.floor(((b - 1) * ownerSpan) / Math.max(1, B - 1));
  const isOwner = new Uint8Array(U);
  for (let b = 0; b < B; b++) isOwner[businessOwner[b]!] = 1;

  for (let i = 0; i < U; i++) {
    const r = new Rng(seed, K.user, i);
    const owner = isOwner[i] === 1;
    const fixed = i === DEMO_USER || i === ANALYST_USER;
    userMotivation[i] = r.chance(0.12) && !fixed ? -1 : r.int(0, motivations.length - 1);
    const completes = fixed || owner || r.chance(0.8);
    userOnboarded[i] = completes ? 1 : 0;
    userLastStep[i] = completes ? onboardingSteps.length - 1 : r.int(-1, onboardingSteps.length - 2);
    if (completes) userOnboardedAt[i] = userCreated[i]! + r.between(2 * 60_000, 3 * DAY);
    const statusRoll = r.next();
    userStatus[i] = fixed || owner || statusRoll < 0.93 ? 0 : statusRoll < 0.96 ? 1 : 2;
    userEngagement[i] = Math.exp(1.1 * r.normal() - 0.605); // log-normal, mean 1: a few heavy users
    const churnMean = completes ? 6 * WEEK : 1.5 * WEEK;
    if (!fixed && r.chance(owner ? 0.2 : 0.65)) userChurn[i] = userCreated[i]! + r.exp(churnMean);
    if (userStatus[i] !== 0) userChurn[i] = Math.min(userChurn[i]!, userCreated[i]! + r.exp(4 * WEEK));
  }
  userEngagement[DEMO_USER] = 2.5;
  userEngagement[ANALYST_USER] = 0.6;

  const businessId = Array.from({ length: B }, (_, b) => uuidFrom(seed, K.business, b));
  const businessCreated = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const created = userCreated[businessOwner[b]!]! + (b === 0 ? 2 * HOUR : rng.between(HOUR, 2 * DAY));
    businessCreated[b] = Math.min(created, anchor - HOUR);
  }

  // Contacts: the first businesses have fixed sizes, the others share the rest (log-normal weights).
  const businessContacts = new Int32Array(B);
  const fixedCount = Math.min(B, cfg.contactsFixed.length);
  let fixedSum = 0;
  for (let b = 0; b < fixedCount; b++) fixedSum += (businessContacts[b] = cfg.contactsFixed[b]!);
  if (B > fixedCount) {
    const weights = Array.from({ length: B - fixedCount }, () => Math.exp(rng.normal()));
    apportion(Math.max(0, cfg.contactsTotal - fixedSum), weights).forEach((n, k) => (businessContacts[fixedCount + k] = n));
  }
  const businessTransactions = apportion(cfg.transactionsTotal, businessContacts);

  // Memberships: one per user; joiners pick among businesses whose owner signed up before them.
  const userBusiness = new Int32Array(U).fill(-1);
  const userJoined = new Float64Array(U).fill(NaN);
  const userRole = new Uint8Array(U).fill(ROLE_MEMBER);
  const userMemberActive = new Uint8Array(U);
  for (let b = 0; b < B; b++) {
    const o = businessOwner[b]!;
    userBusiness[o] = b;
    userJoined[o] = businessCreated[b]!;
    userRole[o] = ROLE_OWNER;
    userMemberActive[o] = 1;
  }
  let available = 1;
  for (let i = 2; i < U; i++) {
    while (available < B && businessOwner[available]! < i) available++;
    if (isOwner[i]) continue;
    const r = new Rng(seed, K.businessPlan, -1, i);
    if (!r.chance(userOnboarded[i] ? cfg.joinRate : cfg.joinRate * 0.1)) continue;
    const b = r.chance(cfg.firstBusinessShare) ? 0 : r.int(0, available - 1);
    userBusiness[i] = b;
    userJoined[i] = Math.min(anchor - 60_000, Math.max(userCreated[i]!, businessCreated[b]!) + r.between(10 * 60_000, 5 * DAY));
    userRole[i] = r.chance(0.15) ? ROLE_ADMIN : ROLE_MEMBER;
    userMemberActive[i] = r.chance(0.95) ? 1 : 0;
  }

  // Members per business, owner first then by join time (CSR layout).
  const memberStart = new Int32Array(B + 1);
  for (let i = 0; i < U; i++) if (userBusiness[i]! >= 0) memberStart[userBusiness[i]! + 1]! += 1;
  for (let b = 0; b < B; b++) memberStart[b + 1]! += memberStart[b]!;
  const memberUser = new Int32Array(memberStart[B]!);
  const fill = memberStart.slice(0, B);
  for (let i = 0; i < U; i++) {
    const b = userBusiness[i]!;
    if (b >= 0) memberUser[fill[b]!++] = i;
  }
  for (let b = 0; b < B; b++) {
    const slice = memberUser.subarray(memberStart[b]!, memberStart[b + 1]!);
    slice.sort((x, y) => userJoined[x]! - userJoined[y]! || x - y);
  }

  const world: World = {
    cfg, seed, anchor, users: U, businesses: B, userId, userCreated, userOnboarded, userLastStep, userOnboardedAt,
    userMotivation, userStatus, userEngagement, userChurn, userBusiness, userJoined, userRole, userMemberActive,
    businessId, businessOwner, businessCreated, businessContacts, businessTransactions, memberStart, memberUser,
    sessionBase: 1,
  };
  world.sessionBase = calibrateSessions(world);
  return world;
}

/** Onboarding events a user emits at signup: signed_up plus one per step reached. */
export const onboardingEvents = (w: World, i: number) => 1 + (w.userLastStep[i]! + 1);

/** Chooses the per-week session base so the expected number of events is cfg.eventsTotal. */
function calibrateSessions(w: World): number {
  let fixedEvents = 0;
  let perBase = 0;
  for (let i = 0; i < w.users; i++) {
    fixedEvents += onboardingEvents(w, i);
    const end = Math.min(w.anchor, w.userChurn[i]!);
    const joined = w.userBusiness[i]! >= 0 ? w.userJoined[i]! : Infinity;
    for (let k = 0, start = w.userCreated[i]!; start < end; k++, start += WEEK) {
      const span = Math.min(WEEK, end - start) / WEEK;
      // Only members act after signing in, and only once they have joined.
      const perSession = 1 + (start + WEEK / 2 >= joined ? ACTIONS_PER_SESSION : 0);
      perBase += sessionCurve(k) * w.userEngagement[i]! * span * perSession;
    }
  }
  return Math.max(0.05, (w.cfg.eventsTotal - fixedEvents) / Math.max(1, perBase));
}

/** Members of business b who had joined by time t (binary search; the owner joined first). */
export function memberAt(w: World, b: number, t: number, r: Rng): number {
  const lo = w.memberStart[b]!;
  const hi = w.memberStart[b + 1]!;
  let a = lo;
  let z = hi;
  while (a < z) {
    const mid = (a + z) >>> 1;
    if (w.userJoined[w.memberUser[mid]!]! <= t) a = mid + 1;
    else z = mid;
  }
  const count = Math.max(1, a - lo);
  return w.memberUser[lo + Math.floor(r.next() * count)]!;
}
