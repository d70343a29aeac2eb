// Operational test data with known timestamps, and an independent oracle: every fact and insight
// recomputed in plain TypeScript from the generated rows (no SQL, no code shared with src/).
import { createHmac, randomUUID } from "node:crypto";
import { Rng, sql, type Database } from "@switchboard/db";

export const DAY = 86_400_000;
export const WEEK = 7 * DAY;
/** A Wednesday noon: "now" for the fixture. */
export const NOW = new Date("2025-06-18T12:00:00.000Z");
export const K = 5;
export const KEY = new Uint8Array(Buffer.from("fixture-analytics-token-key-0123456789abcdef", "utf8"));
export const OTHER_KEY = new Uint8Array(Buffer.from("another-analytics-token-key-0123456789abcdef", "utf8"));

export interface GenUser {
  id: string;
  email: string;
  fullName: string;
  phone: string;
  createdAt: Date;
  motivation: string | null;
  onboardedAt: Date | null;
  status: "active" | "suspended" | "closed";
  birthDate: string | null;
  province: string | null;
}
export interface GenEvent { userId: string; type: string; at: Date }
export interface GenImport { id: string; userId: string; rowsTotal: number; rowsImported: number }
export interface GenTx { id: string; userId: string; importId: string | null; amount: number; occurredAt: Date }
export interface Fixture {
  businessId: string;
  contactId: string;
  users: GenUser[];
  events: GenEvent[];
  imports: GenImport[];
  transactions: GenTx[];
}


export const mondayOf = (d: Date) => {
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
};
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);

const PROVINCES = ["NL", "PE", "NS", "NB", "QC", "ON", "MB", "SK", "AB", "BC", "YT", "NT", "NU", null] as const;
const MOTIVATIONS = ["grow_sales", "grow_sales", "organize_contacts", "organize_contacts", "team_collaboration", null] as const;
/** Cohort sizes per week, oldest first; the last cohort is the week of NOW. Includes k−1 and k. */
export const COHORT_SIZES = [6, 4, 5, 12, 7, 3, 9, 6, 15, 8, 5];

export function generateFixture(seed = 42): Fixture {
  const r = new Rng(seed);
  const fixture: Fixture = { businessId: randomUUID(), contactId: randomUUID(), users: [], events: [], imports: [], transactions: [] };
  const lastMonday = mondayOf(NOW).getTime();
  const firstMonday = lastMonday - (COHORT_SIZES.length - 1) * WEEK;
  let n = 0;
  const twins = new Set<string>();
  const addUser = (createdAt: Date, overrides: Partial<GenUser> = {}) => {
    n++;
    const birthYear = r.int(1945, 2010);
    const user: GenUser = {
      id: randomUUID(),
      email: `person${n}.${seed}@fixture.test`,
      fullName: `Fixture Person${n} Zed`,
      phone: `+1555${String(1000000 + n)}`,
      createdAt,
      motivation: r.pick(MOTIVATIONS),
      onboardedAt: r.next() < 0.6 ? new Date(createdAt.getTime() + r.int(0, 3 * DAY)) : null,
      status: r.next() < 0.08 ? r.pick(["suspended", "closed"] as const) : "active",
      birthDate: r.next() < 0.15 ? null : `${birthYear}-${String(r.int(1, 12)).padStart(2, "0")}-${String(r.int(1, 28)).padStart(2, "0")}`,
      province: r.pick(PROVINCES),
      ...overrides,
    };
    fixture.users.push(user);
    return user;
  };
  COHORT_SIZES.forEach((size, w) => {
    const monday = firstMonday + w * WEEK;
    for (let i = 0; i < size; i++) {
      // First of each cohort at Monday 00:00 UTC, second at Sunday 23:59:59.999 (same cohort).
      const offset = i === 0 ? 0 : i === 1 ? WEEK - 1 : r.int(0, WEEK - 1);
      const createdAt = new Date(Math.min(monday + offset, NOW.getTime() - 1));
      addUser(createdAt);
    }
  });
  // Edge demographics: 25 today (25-34), 24 until tomorrow, under 18, a small motivation group.
  addUser(new Date(firstMonday + 2 * DAY), { birthDate: "2000-06-18", motivation: "track_payments" });
  addUser(new Date(firstMonday + 3 * DAY), { birthDate: "2000-06-19", motivation: "track_payments" });
  addUser(new Date(firstMonday + 4 * DAY), { birthDate: "2010-01-01", motivation: "track_payments" });
  // A signup long before the cohort range.
  addUser(new Date(firstMonday - 30 * WEEK), { motivation: "grow_sales" });
  // Motivation groups of exactly k−1 (track_payments, with the three above) and k ("other").
  addUser(new Date(firstMonday - 30 * WEEK + DAY), { motivation: "track_payments" });
  for (let i = 0; i < K; i++) addUser(new Date(firstMonday - 29 * WEEK + i * DAY), { motivation: "other" });
  // Re-engagement look-alikes: k users alike (same segment, age, region, score band, no transactions or
  // imports) and k−1 alike: only the first group may appear as rows.
  for (const [n, province] of [[K, "ON"], [K - 1, "BC"]] as const) {
    for (let i = 0; i < n; i++) {
      const twin = addUser(new Date(firstMonday - 28 * WEEK), {
        birthDate: "1980-03-03", province, status: "active", onboardedAt: new Date(firstMonday - 28 * WEEK), motivation: null,
      });
      twins.add(twin.id);
      for (let d = 0; d < 15; d++) fixture.events.push({ userId: twin.id, type: "signed_in", at: new Date(NOW.getTime() - (20 + d) * DAY) });
    }
  }

  for (const user of fixture.users) {
    if (twins.has(user.id)) continue;
    const start = user.createdAt.getTime();
    const span = NOW.getTime() - start;
    const profile = r.next();
    const count = profile < 0.15 ? 0 : profile < 0.7 ? r.int(1, 12) : r.int(20, 60);
    for (let i = 0; i < count; i++) {
      const at = new Date(start + Math.floor(r.next() * span));
      fixture.events.push({ userId: user.id, type: r.pick(["signed_in", "signed_in", "contact_viewed"]), at });
    }
    // Events exactly on week boundaries (Monday 00:00 UTC) and one millisecond before.
    const cohortMonday = mondayOf(user.createdAt).getTime();
    if (r.next() < 0.5) {
      const k = r.int(1, 6);
      const boundary = cohortMonday + k * WEEK;
      if (boundary < NOW.getTime()) fixture.events.push({ userId: user.id, type: "signed_in", at: new Date(boundary) });
      if (boundary - 1 > start) fixture.events.push({ userId: user.id, type: "signed_in", at: new Date(boundary - 1) });
    }
    if (r.next() < 0.5) fixture.events.push({ userId: user.id, type: "contact_created", at: new Date(start + Math.floor(r.next() * span)) });
    if (r.next() < 0.3) fixture.events.push({ userId: user.id, type: "import_completed", at: new Date(start + Math.floor(r.next() * span)) });
    const imports = r.next() < 0.4 ? r.int(1, 3) : 0;
    for (let i = 0; i < imports; i++) {
      const rowsTotal = r.pick([0, 1, 10, 20, 50, 200]);
      const rowsImported = r.next() < 0.4 ? rowsTotal : r.int(0, rowsTotal);
      fixture.imports.push({ id: randomUUID(), userId: user.id, rowsTotal, rowsImported });
    }
    const txCount = r.next() < 0.5 ? r.int(1, 6) : 0;
    const mine = fixture.imports.filter((i) => i.userId === user.id);
    for (let i = 0; i < txCount; i++) {
      fixture.transactions.push({
        id: randomUUID(),
        userId: user.id,
        importId: mine.length && r.next() < 0.5 ? r.pick(mine).id : null,
        amount: r.int(-5000, 50000),
        occurredAt: new Date(start + Math.floor(r.next() * span)),
      });
    }
  }
  return fixture;
}

/** Writes the fixture on the owner connection (the trigger mirrors auth.users into public.users). */
export async function insertFixture(database: Database, f: Fixture, options: { withBusiness?: boolean } = {}) {
  const db = database.db;
  const json = (value: unknown) => JSON.stringify(value);
  if (f.users.length) {
    await db.execute(sql`insert into auth.users (id, email, raw_user_meta_data, created_at)
      select id, email, meta, created_at from json_to_recordset(${json(
        f.users.map((u) => ({ id: u.id, email: u.email, meta: { full_name: u.fullName, phone: u.phone }, created_at: u.createdAt })),
      )}::json) as x(id uuid, email text, meta jsonb, created_at timestamptz)`);
    await db.execute(sql`update public.users u set motivation = x.motivation, onboarding_completed_at = x.onboarded_at,
        account_status = x.status, birth_date = x.birth_date, province = x.province
      from json_to_recordset(${json(
        f.users.map((u) => ({ id: u.id, motivation: u.motivation, onboarded_at: u.onboardedAt, status: u.status, birth_date: u.birthDate, province: u.province })),
      )}::json) as x(id uuid, motivation text, onboarded_at timestamptz, status text, birth_date date, province text)
      where u.id = x.id`);
  }
  if (options.withBusiness !== false) {
    await db.execute(sql`insert into businesses (id, name) values (${f.businessId}, 'Fixture Co')`);
    await db.execute(sql`insert into contacts (id, business_id, full_name, email) values (${f.contactId}, ${f.businessId}, 'Contact Secret', 'contact.secret@fixture.test')`);
  }
  // The base data is history: created_at back-dated, so only later activity is "new" to a refresh.
  await insertActivity(database, f, { events: f.events, imports: f.imports, transactions: f.transactions, backdate: true });
}

export async function insertActivity(database: Database, f: Fixture, add: { events?: GenEvent[]; imports?: GenImport[]; transactions?: GenTx[]; backdate?: boolean }) {
  const backdate = add.backdate === true;
  const db = database.db;
  const json = (value: unknown) => JSON.stringify(value);
  if (add.events?.length) {
    await db.execute(sql`insert into l1_event_facts (user_id, event_type, occurred_at)
      select user_id, type, at from json_to_recordset(${json(add.events.map((e) => ({ user_id: e.userId, type: e.type, at: e.at })))}::json)
      as x(user_id uuid, type text, at timestamptz)`);
  }
  if (add.imports?.length) {
    await db.execute(sql`insert into imports (id, business_id, created_by, rows_total, rows_imported, rows_failed, status, created_at)
      select id, ${f.businessId}::uuid, created_by, rows_total, rows_imported, rows_total - rows_imported, 'completed',
             case when ${backdate} then ${NOW.toISOString()}::timestamptz else now() end
      from json_to_recordset(${json(add.imports.map((i) => ({ id: i.id, created_by: i.userId, rows_total: i.rowsTotal, rows_imported: i.rowsImported })))}::json)
      as x(id uuid, created_by uuid, rows_total int, rows_imported int)`);
  }
  if (add.transactions?.length) {
    await db.execute(sql`insert into transactions (id, business_id, contact_id, created_by, amount_cents, occurred_at, import_id, category, created_at)
      select id, ${f.businessId}::uuid, ${f.contactId}::uuid, created_by, amount, occurred_at, import_id, 'sales',
             case when ${backdate} then occurred_at else now() end
      from json_to_recordset(${json(add.transactions.map((t) => ({ id: t.id, created_by: t.userId, amount: t.amount, occurred_at: t.occurredAt, import_id: t.importId })))}::json)
      as x(id uuid, created_by uuid, amount bigint, occurred_at timestamptz, import_id uuid)`);
  }
}

// ------------------------------------------------------------------------------------------------
// Oracle
// ------------------------------------------------------------------------------------------------
export const hmacHex = (key: Uint8Array, text: string) => createHmac("sha256", key).update(text).digest("hex");

export interface OracleFact {
  tokenized_user_id: string;
  age_range: string;
  province_region: string;
  account_status: string;
  user_segment: string;
  last_active_at: string | null;
  active_days_30: number;
  total_transactions: number;
  total_imports: number;
  import_success_rate: number | null;
  avg_transactions_per_import: number | null;
  reengagement_score: number;
}

function ageRange(birth: string | null, now: Date): string {
  if (!birth) return "unknown";
  const [by, bm, bd] = birth.split("-").map(Number) as [number, number, number];
  const ny = now.getUTCFullYear(), nm = now.getUTCMonth() + 1, nd = now.getUTCDate();
  const age = ny - by - (nm < bm || (nm === bm && nd < bd) ? 1 : 0);
  if (age < 18) return "unknown";
  if (age < 25) return "18-24";
  if (age < 35) return "25-34";
  if (age < 45) return "35-44";
  if (age < 55) return "45-54";
  if (age < 65) return "55-64";
  return "65+";
}

function region(p: string | null): string {
  if (!p) return "unknown";
  if (["NL", "PE", "NS", "NB"].includes(p)) return "Atlantic";
  if (["QC", "ON"].includes(p)) return "Central";
  if (["MB", "SK", "AB"].includes(p)) return "Prairies";
  if (p === "BC") return "West Coast";
  if (["YT", "NT", "NU"].includes(p)) return "North";
  return "unknown";
}

export function oracleFacts(f: Fixture, key: Uint8Array, now: Date): Map<string, OracleFact> {
  const out = new Map<string, OracleFact>();
  for (const u of f.users) {
    const events = f.events.filter((e) => e.userId === u.id);
    const last = events.length ? Math.max(...events.map((e) => e.at.getTime())) : null;
    const activeDays =
      last === null
        ? 0
        : new Set(events.filter((e) => e.at.getTime() > last - 30 * DAY && e.at.getTime() <= last).map((e) => isoDay(e.at))).size;
    const imports = f.imports.filter((i) => i.userId === u.id);
    const txs = f.transactions.filter((t) => t.userId === u.id);
    const importIds = new Set(imports.map((i) => i.id));
    const rowsTotal = imports.reduce((s, i) => s + i.rowsTotal, 0);
    const rowsImported = imports.reduce((s, i) => s + i.rowsImported, 0);
    const d = last === null ? null : Math.max(0, Math.floor((now.getTime() - last) / DAY));
    const t = Math.max(0, Math.floor((now.getTime() - u.createdAt.getTime()) / DAY));
    let segment: string;
    if (u.status !== "active") segment = "dormant";
    else if (t < 14) segment = "new";
    else if (d === null || d > 60) segment = "dormant";
    else if (d > 14) segment = "at_risk";
    else if (activeDays >= 12) segment = "power";
    else segment = "active";
    let score = 0;
    if (u.status === "active" && d !== null) {
      const R = d < 7 ? 0 : d < 14 ? (d - 7) / 7 : d <= 60 ? 1 : d < 180 ? (180 - d) / 120 : 0;
      const F = Math.min(activeDays, 20) / 20;
      const L = (0.5 * Math.min(t, 90)) / 90 + 0.5 * (u.onboardedAt ? 1 : 0);
      score = Math.round(100 * R * (0.6 * F + 0.4 * L) * 100) / 100;
    }
    const token = hmacHex(key, u.id);
    out.set(token, {
      tokenized_user_id: token,
      age_range: ageRange(u.birthDate, now),
      province_region: region(u.province),
      account_status: u.status,
      user_segment: segment,
      last_active_at: last === null ? null : new Date(last).toISOString(),
      active_days_30: activeDays,
      total_transactions: txs.length,
      total_imports: imports.length,
      import_success_rate: rowsTotal > 0 ? rowsImported / rowsTotal : null,
      avg_transactions_per_import: imports.length ? f.transactions.filter((x) => x.importId && importIds.has(x.importId)).length / imports.length : null,
      reengagement_score: score,
    });
  }
  return out;
}

const sup = (n: number, k: number) => (n >= 1 && n < k ? null : n);
const ok = (n: number, k: number) => n === 0 || n >= k;
const div = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
/** The privacy model, restated for the oracle: complementary suppression over groups with known totals. */
function hideCells(cells: number[], groups: number[][], k: number, also: boolean[] = []): boolean[] {
  const hidden = cells.map((n, i) => !ok(n, k) || also[i] === true);
  let again = true;
  while (again) {
    again = false;
    for (const g of groups) {
      const sum = g.filter((i) => hidden[i]).reduce((a, i) => a + cells[i]!, 0);
      if (ok(sum, k)) continue;
      const pick = g.filter((i) => !hidden[i] && cells[i]! > 0).sort((a, b) => cells[a]! - cells[b]! || a - b)[0];
      if (pick !== undefined) {
        hidden[pick] = true;
        again = true;
      }
    }
  }
  return hidden;
}
/** Nested counts, outermost first: shown when it and its difference to the last shown are 0 or ≥ k. */
function chain(counts: number[], k: number): (number | null)[] {
  let outer: number | null = null;
  return counts.map((n, i) => {
    if ((i > 0 && outer === null) || !ok(n, k) || (outer !== null && !ok(outer - n, k))) return null;
    return (outer = n);
  });
}

export function oracleCohorts(f: Fixture, from: string, to: string, weeks: number, k: number) {
  const groups = new Map<string, GenUser[]>();
  for (const u of f.users) {
    const wk = isoDay(mondayOf(u.createdAt));
    if (wk < from || wk > to) continue;
    groups.set(wk, [...(groups.get(wk) ?? []), u]);
  }
  return [...groups.keys()].sort().map((wk) => {
    const members = groups.get(wk)!;
    const start = Date.parse(`${wk}T00:00:00Z`);
    const retained = Array.from({ length: weeks }, (_, i) =>
      members.filter((u) =>
        f.events.some((e) => e.userId === u.id && e.at.getTime() >= start + i * WEEK && e.at.getTime() < start + (i + 1) * WEEK),
      ).length,
    );
    const size = chain([members.length], k)[0]!;
    const shown = retained.map((n) => chain([members.length, n], k)[1]!);
    return { cohort_week: wk, size, retained: shown, rates: shown.map((n) => div(n, size)) };
  });
}

export function oracleIntents(f: Fixture, k: number) {
  const groups = new Map<string | null, GenUser[]>();
  for (const u of f.users) groups.set(u.motivation, [...(groups.get(u.motivation) ?? []), u]);
  const total = f.users.length;
  const sorted = [...groups.entries()].sort(
    (a, b) => b[1].length - a[1].length || (a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1),
  );
  const hidden = hideCells(sorted.map(([, m]) => m.length), [sorted.map((_, i) => i)], k);
  return sorted.map(([motivation, members], i) => {
    if (hidden[i]) return { motivation, users: null, onboarded: null, share: null };
    const users = members.length;
    return { motivation, users, onboarded: chain([users, members.filter((u) => u.onboardedAt).length], k)[1]!, share: users / total };
  });
}

export const SEGMENTS = ["new", "active", "power", "at_risk", "dormant"];
export const AGE_RANGES = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"];
export const REGIONS = ["Atlantic", "Central", "Prairies", "West Coast", "North", "unknown"];

export function oracleSegments(facts: OracleFact[], breakdown: "none" | "age_range" | "province_region", k: number) {
  const order = breakdown === "age_range" ? AGE_RANGES : breakdown === "province_region" ? REGIONS : [null];
  const cells: { segment: string; group: string | null; members: OracleFact[] }[] = [];
  for (const segment of SEGMENTS) {
    for (const group of order) {
      const members = facts.filter((x) => x.user_segment === segment && (group === null || x[breakdown as "age_range"] === group));
      if (members.length) cells.push({ segment, group, members });
    }
  }
  const present = SEGMENTS.filter((s) => facts.some((x) => x.user_segment === s));
  const segHidden = hideCells(present.map((s) => facts.filter((x) => x.user_segment === s).length), [present.map((_, i) => i)], k);
  const hiddenSeg = new Set(present.filter((_, i) => segHidden[i]));
  const hidden = breakdown === "none"
    ? cells.map((c) => hiddenSeg.has(c.segment))
    : hideCells(
        cells.map((c) => c.members.length),
        [...present.map((s) => cells.flatMap((c, i) => (c.segment === s ? [i] : []))), cells.map((_, i) => i)],
        k,
        cells.map((c) => hiddenSeg.has(c.segment)),
      );
  return cells.map(({ segment, group, members }, i) => {
    const n = members.length;
    const avg = (vals: (number | null)[]) => {
      const present = vals.filter((v): v is number => v !== null);
      return sup(present.length, k) === null || present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
    };
    if (hidden[i]) {
      return { segment, group, users: null, avg_total_transactions: null, avg_total_imports: null, avg_import_success_rate: null, avg_transactions_per_import: null, avg_reengagement_score: null };
    }
    return {
      segment,
      group,
      users: n,
      avg_total_transactions: members.reduce((s, x) => s + x.total_transactions, 0) / n,
      avg_total_imports: members.reduce((s, x) => s + x.total_imports, 0) / n,
      avg_import_success_rate: avg(members.map((x) => x.import_success_rate)),
      avg_transactions_per_import: avg(members.map((x) => x.avg_transactions_per_import)),
      avg_reengagement_score: avg(members.map((x) => x.reengagement_score)),
    };
  });
}

export function oracleEngagement(f: Fixture, from: string, to: string, k: number) {
  const activeOn = new Map<string, Set<string>>();
  for (const e of f.events) {
    const day = isoDay(e.at);
    if (!activeOn.has(day)) activeOn.set(day, new Set());
    activeOn.get(day)!.add(e.userId);
  }
  const window = (end: number, len: number) => {
    const s = new Set<string>();
    for (let i = 0; i < len; i++) for (const u of activeOn.get(isoDay(new Date(end - i * DAY))) ?? []) s.add(u);
    return s.size;
  };
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) {
    const dau = window(t, 1), wau = window(t, 7), mau = window(t, 30);
    days.push({ date: isoDay(new Date(t)), dau, wau, mau });
  }
  const shown = days.map((d) => {
    const [mau, wau, dau] = chain([d.mau, d.wau, d.dau], k);
    return { date: d.date, dau: dau!, wau: wau!, mau: mau!, stickiness: div(dau!, mau!) };
  });
  const mean = (xs: (number | null)[]) => {
    const p = xs.filter((x): x is number => x !== null);
    return p.length ? p.reduce((a, b) => a + b, 0) / p.length : null;
  };
  const both = shown.filter((d) => d.dau !== null && d.mau !== null);
  const sumMau = both.reduce((s, d) => s + d.mau!, 0);
  return {
    days: shown,
    summary: {
      avg_dau: mean(shown.map((d) => d.dau)),
      avg_mau: mean(shown.map((d) => d.mau)),
      stickiness: sumMau > 0 ? both.reduce((s, d) => s + d.dau!, 0) / sumMau : null,
    },
  };
}

export function oracleImportQuality(facts: OracleFact[], k: number) {
  const rateBucket = (x: number) => (x < 0.5 ? "0-50%" : x < 0.8 ? "50-80%" : x < 0.95 ? "80-95%" : x < 1 ? "95-99%" : "100%");
  const perBucket = (x: number) => (x === 0 ? "0" : x < 10 ? "0-10" : x < 100 ? "10-100" : "100+");
  const rateBuckets = ["0-50%", "50-80%", "80-95%", "95-99%", "100%"], perBuckets = ["0", "0-10", "10-100", "100+"];
  const present = SEGMENTS.filter((s) => facts.some((x) => x.user_segment === s && x.total_imports > 0));
  const importers = (s: string) => facts.filter((x) => x.user_segment === s && x.total_imports > 0);
  const segHidden = hideCells(present.map((s) => importers(s).length), [present.map((_, i) => i)], k);
  const histogram = (counts: number[]) => {
    const h = hideCells(counts, [counts.map((_, i) => i)], k);
    return counts.map((n, i) => (h[i] ? null : n));
  };
  return present.map((segment, i) => {
    const members = importers(segment);
    if (segHidden[i]) {
      return {
        segment, users_with_imports: null,
        import_success_rate: rateBuckets.map((bucket) => ({ bucket, users: null })),
        avg_transactions_per_import: perBuckets.map((bucket) => ({ bucket, users: null })),
      };
    }
    const rates = rateBuckets.map((b) => members.filter((x) => x.import_success_rate !== null && rateBucket(x.import_success_rate) === b).length);
    const shownRates = histogram([...rates, members.filter((x) => x.import_success_rate === null).length]);
    const shownPer = histogram(perBuckets.map((b) => members.filter((x) => x.avg_transactions_per_import !== null && perBucket(x.avg_transactions_per_import) === b).length));
    return {
      segment,
      users_with_imports: members.length,
      import_success_rate: rateBuckets.map((bucket, j) => ({ bucket, users: shownRates[j]! })),
      avg_transactions_per_import: perBuckets.map((bucket, j) => ({ bucket, users: shownPer[j]! })),
    };
  });
}

/** Re-engagement rows: candidates (score > 0) whose generalized attributes are shared by ≥ k candidates. */
export function oracleReengagement(facts: OracleFact[], limit: number, k: number) {
  const band = (x: number) => (x < 20 ? "0-20" : x < 40 ? "20-40" : x < 60 ? "40-60" : x < 80 ? "60-80" : "80-100");
  const txs = (n: number) => (n === 0 ? "0" : n < 10 ? "1-9" : n < 100 ? "10-99" : "100+");
  const imps = (n: number) => (n === 0 ? "0" : n < 3 ? "1-2" : n < 10 ? "3-9" : "10+");
  const rows = facts
    .filter((x) => x.reengagement_score > 0)
    .map((x) => ({
      fact: x,
      row: {
        score_band: band(x.reengagement_score), user_segment: x.user_segment, age_range: x.age_range,
        province_region: x.province_region, transactions: txs(x.total_transactions), imports: imps(x.total_imports),
      },
    }));
  const size = (r: (typeof rows)[number]) => rows.filter((o) => JSON.stringify(o.row) === JSON.stringify(r.row)).length;
  return rows
    .filter((r) => size(r) >= k)
    .sort((a, b) => b.fact.reengagement_score - a.fact.reengagement_score || (a.fact.tokenized_user_id < b.fact.tokenized_user_id ? -1 : 1))
    .slice(0, limit)
    .map((r) => r.row);
}

/** Funnel over whole ISO weeks; a week with a cell of 1..k−1 (drop-off at a step, or reached the end) is left out. */
export function oracleFunnel(f: Fixture, from: string | null, to: string | null, k: number) {
  const lo = from ? isoDay(mondayOf(new Date(`${from}T00:00:00Z`))) : null;
  const hi = to ? isoDay(new Date(mondayOf(new Date(`${to}T00:00:00Z`)).getTime() + 6 * DAY)) : null;
  const cohort = f.users.filter((u) => (!lo || isoDay(u.createdAt) >= lo) && (!hi || isoDay(u.createdAt) <= hi));
  const has = (u: GenUser, type: string) => f.events.some((e) => e.userId === u.id && e.type === type);
  const weeks = new Map<string, number[]>();
  for (const u of cohort) {
    const wk = isoDay(mondayOf(u.createdAt));
    const c = weeks.get(wk) ?? [0, 0, 0, 0];
    const s1 = !!u.onboardedAt, s2 = s1 && has(u, "contact_created"), s3 = s2 && has(u, "import_completed");
    c[0]!++;
    if (s1) c[1]!++;
    if (s2) c[2]!++;
    if (s3) c[3]!++;
    weeks.set(wk, c);
  }
  const counts = [0, 0, 0, 0];
  let withheld = 0;
  for (const c of weeks.values()) {
    if (![c[0]! - c[1]!, c[1]! - c[2]!, c[2]! - c[3]!, c[3]!].every((n) => ok(n, k))) {
      withheld++;
      continue;
    }
    c.forEach((n, i) => (counts[i]! += n));
  }
  return {
    from: lo,
    to: hi,
    weeks_withheld: withheld,
    steps: ["signed_up", "onboarding_completed", "first_contact", "first_import"].map((step, i) => ({
      step,
      users: counts[i]!,
      rate_from_previous: i === 0 ? null : div(counts[i]!, counts[i - 1]!),
      rate_from_start: i === 0 ? null : div(counts[i]!, counts[0]!),
    })),
  };
}
