// Row generators: each yields PostgreSQL COPY text lines for one table, regenerated from the world
// and per-business / per-user RNG streams, so tables can be produced one after another in any run.
import { fakerEN_CA } from "@faker-js/faker";
import { Rng, uuidFrom } from "./rng.ts";
import {
  ACTIONS_PER_SESSION, ANALYST_USER, DAY, DEMO_USER, HOUR, K, ROLE_OWNER, WEEK, accountStatuses, memberAt,
  motivations, onboardingSteps, roleNames, sessionCurve, type World,
} from "./world.ts";

// ---------------------------------------------------------------------------------------------
// COPY text format
// ---------------------------------------------------------------------------------------------
const NULL = "\\N";
const SPECIAL = /[\\\t\n\r]/;
/** A text value for COPY: backslash, tab and line breaks escaped; null as \N. */
export function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return NULL;
  return SPECIAL.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : value;
}
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
let cachedDay = NaN;
let cachedPrefix = "";
/** A timestamp for COPY (ISO 8601, UTC). Hand-rolled: Date#toISOString dominated the generator's profile. */
export function ts(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NULL;
  const t = Math.floor(ms);
  const day = Math.floor(t / 86_400_000);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let rest = t - day * 86_400_000;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  return `${cachedPrefix}${PAD2[Math.floor(rest / 60)]}:${PAD2[rest % 60]}:${PAD2[sec]}.${PAD3[milli]}Z`;
}
const json = (value: unknown) => text(JSON.stringify(value));
const line = (fields: string[]) => fields.join("\t") + "\n";

// ---------------------------------------------------------------------------------------------
// Name pools, drawn once from faker under a fixed seed (faker per row would be the bottleneck).
// ---------------------------------------------------------------------------------------------
interface Pools {
  first: string[];
  last: string[];
  companies: string[];
  /** The same names as email-safe slugs, index for index. */
  firstSlug: string[];
  lastSlug: string[];
  companyDomain: string[];
}
/** Lower-case ASCII letters only, for email local parts. */
const slug = (s: string) => s.normalize("NFD").toLowerCase().replace(/[^a-z]/g, "") || "x";
const poolCache = new Map<number, Pools>();
function pools(seed: number): Pools {
  let p = poolCache.get(seed);
  if (!p) {
    fakerEN_CA.seed(seed);
    const first = Array.from({ length: 400 }, () => fakerEN_CA.person.firstName());
    const last = Array.from({ length: 400 }, () => fakerEN_CA.person.lastName());
    const companies = Array.from({ length: 300 }, () => fakerEN_CA.company.name());
    p = {
      first, last, companies,
      firstSlug: first.map(slug),
      lastSlug: last.map(slug),
      companyDomain: companies.map((c) => `${slug(c).slice(0, 20)}.example.com`),
    };
    poolCache.set(seed, p);
  }
  return p;
}

const AREA_CODES = ["416", "514", "604", "403", "613", "902", "204", "306", "709", "867"];
const phone = (r: Rng) => `+1-${r.pick(AREA_CODES)}-555-${String(r.int(0, 9999)).padStart(4, "0")}`;
const dateOnly = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// Canadian provinces and territories by rough population share.
const provinceWeights = [
  ["ON", 38.5], ["QC", 22], ["BC", 13.8], ["AB", 11.8], ["MB", 3.6], ["SK", 3], ["NS", 2.6], ["NB", 2.1],
  ["NL", 1.3], ["PE", 0.4], ["NT", 0.15], ["YT", 0.12], ["NU", 0.1],
] as const;

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------
export interface Profile {
  email: string;
  fullName: string;
  displayName: string | undefined;
  phone: string | undefined;
  avatarUrl: string | undefined;
  birthDate: string | null;
  province: string | null;
}

export function profile(w: World, i: number): Profile {
  const r = new Rng(w.seed, K.profile, i);
  const p = pools(w.seed);
  const first = r.pick(p.first);
  const last = r.pick(p.last);
  const age = 18 + Math.floor(Math.abs(r.normal()) * 16 + r.next() * 8);
  const birth = w.anchor - age * 365.25 * DAY - r.next() * 365 * DAY;
  const base = {
    phone: r.chance(0.5) ? phone(r) : undefined,
    avatarUrl: r.chance(0.2) ? `https://avatars.example.com/${w.userId[i]!.slice(0, 8)}.png` : undefined,
    birthDate: r.chance(0.9) ? dateOnly(birth) : null,
    province: r.chance(0.95) ? r.weighted(provinceWeights) : null,
  };
  if (i === DEMO_USER) return { ...base, email: "demo@switchboard.test", fullName: "Demo Owner", displayName: "Demo Owner" };
  if (i === ANALYST_USER)
    return { ...base, email: "analyst@switchboard.test", fullName: "Demo Analyst", displayName: "Demo Analyst" };
  return {
    ...base,
    email: `${slug(first)}.${slug(last)}${i}@${r.pick(["example.com", "example.org", "example.net"])}`,
    fullName: `${first} ${last}`,
    displayName: r.chance(0.7) ? first : undefined, // else the trigger derives it from full_name
  };
}

export const authUserColumns = [
  "id", "email", "encrypted_password", "raw_user_meta_data", "raw_app_meta_data", "email_confirmed_at",
  "banned_until", "created_at", "updated_at",
] as const;

/** auth.users rows: only the two fixed logins get a password hash (passed in: hashing is salted). */
export function* authUserRows(w: World, passwordHash: string): Generator<string> {
  for (let i = 0; i < w.users; i++) {
    const p = profile(w, i);
    const r = new Rng(w.seed, K.profile, i, 1);
    const created = w.userCreated[i]!;
    const meta: Record<string, string> = { full_name: p.fullName };
    if (p.displayName) meta.display_name = p.displayName;
    if (p.phone) meta.phone = p.phone;
    if (p.avatarUrl) meta.avatar_url = p.avatarUrl;
    const fixed = i === DEMO_USER || i === ANALYST_USER;
    yield line([
      w.userId[i]!,
      text(p.email),
      fixed ? text(passwordHash) : NULL,
      json(meta),
      i === ANALYST_USER ? '{"roles":["analyst"]}' : "{}",
      fixed || r.chance(0.9) ? ts(created + r.between(30_000, 2 * HOUR)) : NULL,
      w.userStatus[i] === 0 ? NULL : "2999-01-01T00:00:00.000Z", // suspended or closed: banned
      ts(created),
      ts(created),
    ]);
  }
}

export const userAppColumns = [
  "id", "motivation", "onboarding_last_step", "onboarding_completed_at", "account_status", "birth_date", "province",
] as const;

/** The app-owned columns of public.users (applied after the trigger mirrored auth.users). */
export function* userAppRows(w: World): Generator<string> {
  for (let i = 0; i < w.users; i++) {
    const p = profile(w, i);
    const m = w.userMotivation[i]!;
    const step = w.userLastStep[i]!;
    yield line([
      w.userId[i]!,
      m < 0 ? NULL : motivations[m]!,
      step < 0 ? NULL : onboardingSteps[step]!,
      ts(w.userOnboardedAt[i]),
      accountStatuses[w.userStatus[i]!]!,
      text(p.birthDate),
      text(p.province),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Businesses and memberships
// ---------------------------------------------------------------------------------------------
export const businessColumns = ["id", "name", "created_by", "created_at", "updated_at"] as const;

export function businessName(w: World, b: number): string {
  if (b === 0) return "Maple Leaf Outfitters";
  const p = pools(w.seed);
  const r = new Rng(w.seed, K.business, b);
  return w.businesses > p.companies.length ? `${r.pick(p.companies)} #${b}` : p.companies[(b * 7) % p.companies.length]!;
}

/** Businesses with created_by set: the database trigger adds the owner membership. */
export function* businessRows(w: World): Generator<string> {
  for (let b = 0; b < w.businesses; b++) {
    const created = w.businessCreated[b]!;
    yield line([w.businessId[b]!, text(businessName(w, b)), w.userId[w.businessOwner[b]!]!, ts(created), ts(created)]);
  }
}

export const membershipColumns = ["business_id", "user_id", "role", "is_active", "created_at", "updated_at"] as const;

/** Memberships other than owners (those come from the businesses trigger). */
export function* membershipRows(w: World): Generator<string> {
  for (let i = 0; i < w.users; i++) {
    const b = w.userBusiness[i]!;
    if (b < 0 || w.userRole[i] === ROLE_OWNER) continue;
    const joined = w.userJoined[i]!;
    const active = w.userMemberActive[i] === 1;
    const updated = active ? joined : joined + (w.anchor - joined) * new Rng(w.seed, K.businessPlan, -2, i).next();
    yield line([w.businessId[b]!, w.userId[i]!, roleNames[w.userRole[i]!]!, active ? "t" : "f", ts(joined), ts(updated)]);
  }
}

// ---------------------------------------------------------------------------------------------
// Per-business plan: imports, and when / by whom each contact was created
// ---------------------------------------------------------------------------------------------
interface ImportPlan {
  id: string;
  kind: "contacts" | "transactions";
  status: "completed" | "failed";
  filename: string;
  created: number;
  finished: number;
  creator: number;
  total: number;
  imported: number;
  failed: number;
  errors: { line: number; reason: string }[];
  /** Rows [first, first + imported) of the contacts / transactions of the business come from it. */
  first: number;
}

export interface BusinessPlan {
  imports: ImportPlan[];
  contactCreated: Float64Array;
  contactCreator: Int32Array;
}

const contactErrors = ["invalid email", "missing full_name", "duplicate email in this business", "phone too long"];
const transactionErrors = ["invalid amount", "unknown contact", "invalid date", "unsupported currency"];

/** A time in [from, anchor), skewed towards the recent end (activity grows). */
const recentBetween = (w: World, r: Rng, from: number) => from + (w.anchor - HOUR - from) * Math.sqrt(r.next());

export function businessPlan(w: World, b: number): BusinessPlan {
  const r = new Rng(w.seed, K.businessPlan, b);
  const created = w.businessCreated[b]!;
  const nContacts = w.businessContacts[b]!;
  const nTx = w.businessTransactions[b]!;
  const imports: ImportPlan[] = [];
  const month = (ms: number) => new Date(ms).toISOString().slice(0, 7);

  const chunked = (kind: ImportPlan["kind"], n: number) => {
    const importedRows = Math.min(n, Math.round(n * w.cfg.importedShare * r.between(0.6, 1.4)));
    for (let first = 0; first < importedRows; ) {
      const size = Math.min(importedRows - first, Math.max(1, Math.round(w.cfg.importSize * r.between(0.4, 1.6))));
      const at = Math.floor(recentBetween(w, r, created));
      const failed = r.chance(0.4) ? 0 : Math.max(1, Math.round(size * r.between(0.005, 0.12)));
      const total = size + failed;
      const lines = new Set<number>();
      while (lines.size < Math.min(failed, 5)) lines.add(r.int(2, total + 1));
      const reasons = kind === "contacts" ? contactErrors : transactionErrors;
      imports.push({
        id: uuidFrom(w.seed, K.import, b, imports.length),
        kind, status: "completed",
        filename: `${kind}-${month(at)}${imports.length > 0 ? `-${imports.length}` : ""}.csv`,
        created: at,
        finished: at + 500 + total * 2 + Math.floor(r.next() * 3000),
        creator: memberAt(w, b, at, r),
        total, imported: size, failed,
        errors: [...lines].sort((x, y) => x - y).map((l) => ({ line: l, reason: r.pick(reasons) })),
        first,
      });
      first += size;
    }
    return importedRows;
  };
  chunked("contacts", nContacts);
  chunked("transactions", nTx);
  // A few imports that failed outright (bad header): nothing imported.
  for (let k = r.poisson(nContacts > 0 ? 0.8 : 0); k > 0; k--) {
    const at = Math.floor(recentBetween(w, r, created));
    const total = r.int(5, Math.max(6, w.cfg.importSize));
    imports.push({
      id: uuidFrom(w.seed, K.import, b, imports.length),
      kind: r.chance(0.7) ? "contacts" : "transactions", status: "failed",
      filename: `upload-${month(at)}.csv`, created: at, finished: at + 300 + Math.floor(r.next() * 1000),
      creator: memberAt(w, b, at, r), total, imported: 0, failed: total,
      errors: [{ line: 1, reason: r.pick(["missing required column: full_name", "not a CSV file", "empty file"]) }],
      first: 0,
    });
  }

  const contactCreated = new Float64Array(nContacts);
  const contactCreator = new Int32Array(nContacts);
  for (const imp of imports) {
    if (imp.kind !== "contacts" || imp.status !== "completed") continue;
    for (let j = 0; j < imp.imported; j++) {
      contactCreated[imp.first + j] = imp.created + 200 + j * 2;
      contactCreator[imp.first + j] = imp.creator;
    }
  }
  const manualFrom = imports.filter((i) => i.kind === "contacts" && i.status === "completed").reduce((n, i) => n + i.imported, 0);
  for (let c = manualFrom; c < nContacts; c++) {
    const at = Math.floor(recentBetween(w, r, created));
    contactCreated[c] = at;
    contactCreator[c] = memberAt(w, b, at, r);
  }
  return { imports, contactCreated, contactCreator };
}

export const importColumns = [
  "id", "business_id", "created_by", "kind", "filename", "status", "rows_total", "rows_imported", "rows_failed",
  "errors", "created_at", "finished_at",
] as const;

export function* importRows(w: World): Generator<string> {
  for (let b = 0; b < w.businesses; b++) {
    for (const imp of businessPlan(w, b).imports) {
      yield line([
        imp.id, w.businessId[b]!, w.userId[imp.creator]!, imp.kind, text(imp.filename), imp.status, String(imp.total),
        String(imp.imported), String(imp.failed), json(imp.errors), ts(imp.created), ts(imp.finished),
      ]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Contacts and transactions
// ---------------------------------------------------------------------------------------------
export const contactColumns = [
  "id", "business_id", "full_name", "email", "phone", "company", "assigned_to", "created_by", "created_at",
  "updated_at", "deleted_at",
] as const;

export function* contactRows(w: World): Generator<string> {
  const p = pools(w.seed);
  for (let b = 0; b < w.businesses; b++) {
    const plan = businessPlan(w, b);
    const r = new Rng(w.seed, K.contactRows, b);
    const members = w.memberUser.subarray(w.memberStart[b]!, w.memberStart[b + 1]!);
    const activeMembers = Array.from(members).filter((u) => w.userMemberActive[u] === 1);
    const bid = w.businessId[b]!;
    for (let c = 0; c < plan.contactCreated.length; c++) {
      const f = r.int(0, p.first.length - 1);
      const l = r.int(0, p.last.length - 1);
      const co = r.chance(0.7) ? r.int(0, p.companies.length - 1) : -1;
      const created = plan.contactCreated[c]!;
      const updated = r.chance(0.3) ? created + (w.anchor - created) * r.next() : created;
      const deleted = r.chance(0.03) ? updated + (w.anchor - updated) * r.next() : null;
      // The contact index keeps emails unique per business (the partial unique index on lower(email)).
      const email = r.chance(0.9)
        ? `${p.firstSlug[f]}.${p.lastSlug[l]}.${c}@${co >= 0 ? p.companyDomain[co] : "example.net"}`
        : null;
      yield line([
        uuidFrom(w.seed, K.contact, b, c), bid, text(`${p.first[f]} ${p.last[l]}`), text(email), r.chance(0.75) ? phone(r) : NULL,
        co >= 0 ? text(p.companies[co]) : NULL, activeMembers.length > 0 && r.chance(0.7) ? w.userId[r.pick(activeMembers)]! : NULL,
        w.userId[plan.contactCreator[c]!]!, ts(created), ts(updated), ts(deleted),
      ]);
    }
  }
}

export const transactionColumns = [
  "id", "business_id", "contact_id", "created_by", "amount_cents", "currency", "category", "occurred_at", "import_id",
  "created_at",
] as const;

const categories = [["product", 40], ["service", 25], ["subscription", 20], ["consulting", 10], ["other", 5]] as const;

export function* transactionRows(w: World): Generator<string> {
  for (let b = 0; b < w.businesses; b++) {
    const nTx = w.businessTransactions[b]!;
    const nContacts = w.businessContacts[b]!;
    if (nTx === 0 || nContacts === 0) continue;
    const plan = businessPlan(w, b);
    const r = new Rng(w.seed, K.transactionRows, b);
    const bid = w.businessId[b]!;
    const txImports = plan.imports.filter((i) => i.kind === "transactions" && i.status === "completed");
    let imp = 0;
    for (let k = 0; k < nTx; k++) {
      while (imp < txImports.length && k >= txImports[imp]!.first + txImports[imp]!.imported) imp++;
      const via = imp < txImports.length && k >= txImports[imp]!.first ? txImports[imp]! : undefined;
      let c = r.int(0, nContacts - 1);
      const latest = via ? via.created : w.anchor - 60_000;
      // Prefer a contact that existed by then; after a few tries take the contact's own creation time.
      for (let tries = 0; tries < 3 && plan.contactCreated[c]! > latest; tries++) c = r.int(0, nContacts - 1);
      const from = plan.contactCreated[c]!;
      const occurred = from < latest ? from + (latest - from) * r.next() : from;
      const amount = Math.max(100, Math.round(Math.exp(8.3 + 1.1 * r.normal())));
      yield line([
        uuidFrom(w.seed, K.transaction, b, k), bid, uuidFrom(w.seed, K.contact, b, c),
        w.userId[via ? via.creator : memberAt(w, b, occurred, r)]!, String(amount), r.chance(0.9) ? "CAD" : "USD",
        r.chance(0.9) ? r.weighted(categories) : NULL, ts(occurred), via ? via.id : NULL,
        ts(via ? Math.max(via.finished, occurred) : occurred),
      ]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Events (l1_event_facts): signup and onboarding, then sessions that thin out over the weeks
// ---------------------------------------------------------------------------------------------
export const eventColumns = ["user_id", "business_id", "event_type", "occurred_at", "properties"] as const;

const actions = [
  ["contact_created", 34], ["contact_updated", 30], ["transaction_recorded", 28], ["import_completed", 4],
  ["contact_deleted", 4],
] as const;

export function* eventRows(w: World): Generator<string> {
  for (let i = 0; i < w.users; i++) {
    const r = new Rng(w.seed, K.events, i);
    const uid = w.userId[i]!;
    const created = w.userCreated[i]!;
    yield line([uid, NULL, "signed_up", ts(created), '{"method":"password"}']);
    for (let s = 0; s <= w.userLastStep[i]!; s++) {
      const at = s === onboardingSteps.length - 1 && w.userOnboarded[i] ? w.userOnboardedAt[i]! : created + (s + 1) * 45_000;
      yield line([uid, NULL, "onboarding_step", ts(at), `{"step":"${onboardingSteps[s]}"}`]);
    }
    const b = w.userBusiness[i]!;
    const bid = b >= 0 ? w.businessId[b]! : NULL;
    const joined = b >= 0 ? w.userJoined[i]! : Infinity;
    const end = Math.min(w.anchor, w.userChurn[i]!);
    const times: number[] = [];
    for (let k = 0, start = created; start < end; k++, start += WEEK) {
      const span = Math.min(WEEK, end - start);
      const n = r.poisson(w.sessionBase * sessionCurve(k) * w.userEngagement[i]! * (span / WEEK));
      times.length = 0;
      for (let j = 0; j < n; j++) times.push(start + r.next() * span);
      times.sort((x, y) => x - y);
      for (const at of times) {
        yield line([uid, NULL, "signed_in", ts(at), '{"method":"password"}']);
        if (at < joined) continue;
        let t = at;
        for (let a = r.poisson(ACTIONS_PER_SESSION); a > 0; a--) {
          t += 5_000 + r.next() * 600_000;
          if (t >= w.anchor) break;
          const type = r.weighted(actions);
          const props =
            type === "transaction_recorded" ? `{"amount_cents":${Math.max(100, Math.round(Math.exp(8.3 + r.normal())))}}`
            : type === "import_completed" ? `{"rows_imported":${r.int(5, w.cfg.importSize * 2)}}`
            : "{}";
          yield line([uid, bid, type, ts(t), props]);
        }
      }
    }
  }
}
