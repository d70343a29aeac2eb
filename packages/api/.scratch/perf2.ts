import { randomBytes } from "node:crypto";
import { createDb, countStatements, rows, sql } from "@switchboard/db";
import { createSignInThrottle } from "../src/auth/throttle.ts";
import { createContextInner } from "../src/context.ts";
import { createCallerFactory } from "../src/trpc.ts";
import { appRouter } from "../src/root.ts";

const database = createDb({ url: process.env.URL! });
const [owner] = await rows<{ id: string }>(database.db, sql`select id from auth.users where email = 'u1@example.com'`);
const [biz] = await rows<{ id: string }>(database.db, sql`select id from public.businesses where name = 'Big'`);
const caller = createCallerFactory(appRouter)(createContextInner({
  database,
  config: { jwt: { secret: randomBytes(32), ttlSeconds: 900 }, kAnonymity: 5, analyticsTokenKey: randomBytes(32) },
  throttle: createSignInThrottle(),
  claims: { sub: owner!.id, role: "authenticated" },
}));
const time = async (label: string, fn: () => Promise<unknown>, n = 30) => {
  for (let i = 0; i < 5; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b);
  console.log(label.padEnd(28), "p50", ts[Math.floor(n / 2)]!.toFixed(2), "p95", ts[Math.floor(n * 0.95)]!.toFixed(2), "ms");
};
const b = biz!.id;
for (const level of ["none", "basic", "full"] as const) await time(`list ${level}`, () => caller.contacts.list({ businessId: b, include_user_details: level, limit: 50 }));
const page = await caller.contacts.list({ businessId: b, limit: 50 });
await time("list page 2", () => caller.contacts.list({ businessId: b, limit: 50, cursor: page.next_cursor! }));
await time("list name_asc", () => caller.contacts.list({ businessId: b, limit: 50, sort: "name_asc" }));
const p2 = await caller.contacts.list({ businessId: b, limit: 50, sort: "name_desc" });
await time("list name_desc p2", () => caller.contacts.list({ businessId: b, limit: 50, sort: "name_desc", cursor: p2.next_cursor! }));
await time("list assigned_to me", () => caller.contacts.list({ businessId: b, limit: 50, assigned_to: "me" }));
await time("byId full", () => caller.contacts.byId({ businessId: b, id: page.data[7]!.id, include_user_details: "full" }));
for (const q of ["alice", "ali", "jose 1a", "Alcie", "c12345@example", "company 77", "zzqx"]) await time(`search ${q}`, () => caller.contacts.search({ businessId: b, query: q }), 10);
console.log((await countStatements(() => caller.contacts.search({ businessId: b, query: "alice" }))).statements.length, "statements");
await database.close();
