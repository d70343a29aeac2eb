import postgres from "postgres";
import { createDb, migrate, sql, withAnalyst } from "@switchboard/db";
import { refreshFacts, cohorts, intents, segments, engagement, importQuality, reengagement, funnel } from "../src/index.ts";
const name = `sb_h5_scale_${process.pid}`;
const admin = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`);
const database = createDb({ url: `postgres://postgres@127.0.0.1:5432/${name}`, max: 4 });
const log = (...a: unknown[]) => console.log(new Date().toISOString().slice(11, 19), ...a);
try {
  await migrate(database);
  const db = database.db;
  await db.execute(sql`insert into auth.users (id, email, created_at) select gen_random_uuid(), 'u' || g || '@b.test', now() - (random() * 365) * interval '1 day' from generate_series(1, 20000) g`);
  await db.execute(sql`update users set motivation = (array['grow','organize','track',null])[1 + floor(random()*4)::int], onboarding_completed_at = case when random() < 0.6 then created_at end, birth_date = date '1950-01-01' + (random() * 20000)::int, province = (array['ON','QC','BC','AB','NS',null])[1 + floor(random()*6)::int]`);
  log("users");
  await db.execute(sql`insert into l1_event_facts (user_id, event_type, occurred_at) select u.id, (array['signed_in','contact_created','import_completed'])[1 + floor(random()*3)::int], u.created_at + random() * (now() - u.created_at) from users u, generate_series(1, 250)`);
  log("events");
  await db.execute(sql`insert into businesses (id, name) values ('00000000-0000-4000-8000-000000000001', 'B')`);
  await db.execute(sql`insert into contacts (id, business_id, full_name) values ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'C')`);
  await db.execute(sql`insert into transactions (business_id, contact_id, created_by, amount_cents, occurred_at, created_at) select '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', u.id, 100, now() - random() * interval '300 days', now() - interval '2 days' from users u, generate_series(1, 50)`);
  await db.execute(sql`vacuum analyze`);
  log("transactions 1M");
  const key = new Uint8Array(32).fill(7);
  let peak = 0; const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let s = performance.now();
  log("full", await refreshFacts(database, { tokenKey: key, mode: "full" }), ((performance.now() - s) / 1000).toFixed(1), "s");
  await db.execute(sql`insert into l1_event_facts (user_id, event_type, occurred_at) select u.id, 'signed_in', now() - random() * interval '1 day' from (select id from users order by random() limit 3000) u, generate_series(1, 5)`);
  s = performance.now();
  log("incremental", await refreshFacts(database, { tokenKey: key, mode: "incremental" }), ((performance.now() - s) / 1000).toFixed(1), "s");
  clearInterval(t); log("peak rss MB", (peak / 2 ** 20).toFixed(0));
  await db.execute(sql`analyze`);
  const opts = { k: 5 };
  const fns = { cohorts: (tx: never) => cohorts(tx, { weeks: 12 }, opts), intents: (tx: never) => intents(tx, opts), segments: (tx: never) => segments(tx, { breakdown: "age_range" }, opts), engagement: (tx: never) => engagement(tx, {}, opts), importQuality: (tx: never) => importQuality(tx, opts), reengagement: (tx: never) => reengagement(tx, { limit: 100 }, opts), funnel: (tx: never) => funnel(tx, {}, opts) };
  for (const [n, fn] of Object.entries(fns)) {
    const times: number[] = [];
    for (let i = 0; i < 12; i++) { const a = performance.now(); await withAnalyst(database, null, fn as never); times.push(performance.now() - a); }
    times.sort((a, b) => a - b);
    log(n, "p50", times[6]!.toFixed(0), "ms  max", times[11]!.toFixed(0), "ms");
  }
} finally {
  await database.close();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
