import { randomBytes } from "node:crypto";
import { rows, sql, withUser, countStatements } from "@switchboard/db";
import { freshPostgres } from "@switchboard/db/testing";
import { createSignInThrottle } from "../src/auth/throttle.ts";
import { createContextInner } from "../src/context.ts";
import { createCallerFactory } from "../src/trpc.ts";
import { appRouter } from "../src/root.ts";

const pg = await freshPostgres("postgres://postgres@127.0.0.1:5432/postgres");
console.log("URL", pg.url);
async function main() {
  const db = pg.database.db;
  await db.execute(sql`insert into auth.users (email, raw_user_meta_data) select 'u' || g || '@example.com', jsonb_build_object('display_name', 'User ' || g) from generate_series(1, 60) g`);
  const [owner] = await rows<{ id: string }>(db, sql`select id from auth.users where email = 'u1@example.com'`);
  const [biz] = await rows<{ id: string }>(db, sql`insert into public.businesses (name, created_by) values ('Big', ${owner!.id}::uuid) returning id`);
  await db.execute(sql`insert into public.business_memberships (business_id, user_id, role) select ${biz!.id}::uuid, id, 'member' from auth.users on conflict do nothing`);
  const [other] = await rows<{ id: string }>(db, sql`insert into public.businesses (name, created_by) values ('Other', ${owner!.id}::uuid) returning id`);
  await db.execute(sql`insert into public.contacts (business_id, full_name, email, company, phone, assigned_to, created_by, created_at)
    select case when g % 10 = 0 then ${other!.id}::uuid else ${biz!.id}::uuid end,
           (array['Alice','Bob','José','Zoë','Carl','Dana'])[1 + g % 6] || ' ' || md5(g::text)::text,
           'c' || g || '@example.com', 'Company ' || (g % 1000), '+1 555 ' || lpad((g % 10000000)::text, 7, '0'),
           (select id from auth.users order by id offset (g % 60) limit 1), ${owner!.id}::uuid,
           now() - (g || ' seconds')::interval
    from generate_series(1, 300000) g`);
  await db.execute(sql`analyze`);
  // Owner now has two businesses: pass the id.
  const caller = createCallerFactory(appRouter)(createContextInner({
    database: pg.database,
    config: { jwt: { secret: randomBytes(32), ttlSeconds: 900 }, kAnonymity: 5, analyticsTokenKey: randomBytes(32) },
    throttle: createSignInThrottle(),
    claims: { sub: owner!.id, role: "authenticated" },
  }));
  const time = async (label: string, fn: () => Promise<unknown>, n = 30) => {
    await fn();
    const t = performance.now();
    for (let i = 0; i < n; i++) await fn();
    console.log(label, ((performance.now() - t) / n).toFixed(2), "ms");
  };
  if (process.env.SKIP) return;
  for (const level of ["none", "basic", "full"] as const) await time(`list ${level}`, () => caller.contacts.list({ businessId: biz!.id, include_user_details: level, limit: 50 }));
  const page = await caller.contacts.list({ businessId: biz!.id, limit: 50 });
  await time("list page 2", () => caller.contacts.list({ businessId: biz!.id, limit: 50, cursor: page.next_cursor! }));
  await time("list name_asc", () => caller.contacts.list({ businessId: biz!.id, limit: 50, sort: "name_asc" }), 5);
  for (const q of ["alice", "ali", "jose 1a", "Alcie", "c12345@example", "company 77"]) await time(`search ${q}`, () => caller.contacts.search({ businessId: biz!.id, query: q }), 5);
  const { statements } = await countStatements(() => caller.contacts.search({ businessId: biz!.id, query: "alice" }));
  const explain = async (text: string) => {
    const plan = await withUser(pg.database, { sub: owner!.id, role: "authenticated" }, (tx) => rows<Record<string, string>>(tx, sql.raw(`explain (analyze, buffers off) ${text}`)));
    console.log(plan.map((r) => Object.values(r)[0]).join("\n"));
  };
  const listSql = (await countStatements(() => caller.contacts.list({ businessId: biz!.id, limit: 50 }))).statements[2]!;
  await explain(listSql.replaceAll("$1", `'${biz!.id}'`).replaceAll("$2", `'${biz!.id}'`).replaceAll("$3", "51"));
  const s = statements[2]!;
  await explain(s.replaceAll("$1", `'${biz!.id}'`).replaceAll("$2", `'${biz!.id}'`).replaceAll("$3", "'alice'").replaceAll("$4", "'alice'").replaceAll("$5", "20"));
}
await main();
await pg.database.close();
process.exit(0);
