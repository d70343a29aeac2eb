// The comparison endpoints, in their own process (forked by main.ts), on postgres.js as the owner
// role: no auth, no RLS. Each returns the same page as GET /api/v1/contacts (50 contacts, basic
// user objects, { data, next_cursor }):
//   /floor     one SELECT with two aliased joins to public.users (the server's statement, minus auth)
//   /nplus1    the design note's "before": the contacts, then one query per user lookup
//   /drizzle   Drizzle's relational query API (`with:`), relations defined here, not in the schema
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { relations } from "drizzle-orm";
import { contacts, users } from "@switchboard/db/schema";

const url = process.env.BENCH_DATABASE_URL!;
const POOL = 10; // the server's pool size (createDb default)
const client = postgres(url, { max: POOL, onnotice: () => {} });

const contactsRelations = relations(contacts, ({ one }) => ({
  assignedUser: one(users, { fields: [contacts.assignedTo], references: [users.id], relationName: "assignee" }),
  createdUser: one(users, { fields: [contacts.createdBy], references: [users.id], relationName: "creator" }),
}));
const db = drizzle({ client, schema: { contacts, users, contactsRelations } });

type BasicUser = { id: string; display_name: string; email: string } | null;
interface ContactOut {
  id: string;
  business_id: string;
  full_name: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  assigned_to: BasicUser;
  created_by: BasicUser;
  created_at: string;
  updated_at: string;
}

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const userJson = (t: string) =>
  `case when ${t}.id is null then null else json_build_object('id', ${t}.id, 'display_name', ${t}.display_name, 'email', ${t}.email) end`;

async function floor(businessId: string, limit: number) {
  const found = await client.unsafe<ContactOut[]>(
    `select c.id, c.business_id, c.full_name, c.email, c.phone, c.company,
            ${userJson("ua")} as assigned_to, ${userJson("uc")} as created_by,
            ${iso("c.created_at")} as created_at, ${iso("c.updated_at")} as updated_at
     from public.contacts c
     left join public.users ua on ua.id = c.assigned_to
     left join public.users uc on uc.id = c.created_by
     where c.business_id = $1 and c.deleted_at is null
     order by c.created_at desc, c.id desc
     limit $2`,
    [businessId, limit + 1],
    { prepare: true },
  );
  return page(found, limit);
}

async function nPlusOne(businessId: string, limit: number) {
  const found = await client.unsafe<(Omit<ContactOut, "assigned_to" | "created_by"> & { assigned_to: string | null; created_by: string | null })[]>(
    `select c.id, c.business_id, c.full_name, c.email, c.phone, c.company, c.assigned_to, c.created_by,
            ${iso("c.created_at")} as created_at, ${iso("c.updated_at")} as updated_at
     from public.contacts c
     where c.business_id = $1 and c.deleted_at is null
     order by c.created_at desc, c.id desc
     limit $2`,
    [businessId, limit + 1],
    { prepare: true },
  );
  const userById = async (id: string | null): Promise<BasicUser> => {
    if (!id) return null;
    const [u] = await client.unsafe<{ id: string; display_name: string; email: string }[]>(
      `select id, display_name, email from public.users where id = $1`,
      [id],
      { prepare: true },
    );
    return u ?? null;
  };
  const out: ContactOut[] = [];
  for (const c of found) {
    // One lookup per user reference, in turn, as the note's loop did.
    out.push({ ...c, assigned_to: await userById(c.assigned_to), created_by: await userById(c.created_by) });
  }
  return page(out, limit);
}

async function relational(businessId: string, limit: number) {
  const found = await db.query.contacts.findMany({
    columns: { id: true, businessId: true, fullName: true, email: true, phone: true, company: true, createdAt: true, updatedAt: true },
    where: (c, { and, eq, isNull }) => and(eq(c.businessId, businessId), isNull(c.deletedAt)),
    orderBy: (c, { desc }) => [desc(c.createdAt), desc(c.id)],
    limit: limit + 1,
    with: {
      assignedUser: { columns: { id: true, displayName: true, email: true } },
      createdUser: { columns: { id: true, displayName: true, email: true } },
    },
  });
  const user = (u: { id: string; displayName: string; email: string } | null): BasicUser =>
    u ? { id: u.id, display_name: u.displayName, email: u.email } : null;
  return page(
    found.map((c) => ({
      id: c.id,
      business_id: c.businessId,
      full_name: c.fullName,
      email: c.email,
      phone: c.phone,
      company: c.company,
      assigned_to: user(c.assignedUser),
      created_by: user(c.createdUser),
      created_at: new Date(c.createdAt).toISOString(),
      updated_at: new Date(c.updatedAt).toISOString(),
    })),
    limit,
  );
}

function page(found: ContactOut[], limit: number) {
  const data = found.slice(0, limit);
  const last = data[data.length - 1];
  // An opaque-enough cursor of the same size as the server's, so the bodies weigh the same.
  const next_cursor =
    found.length > limit && last ? Buffer.from(JSON.stringify({ s: "created_desc", k: last.created_at, i: last.id })).toString("base64url") : null;
  return { data, next_cursor };
}

const handlers: Record<string, (businessId: string, limit: number) => Promise<unknown>> = {
  "/floor": floor,
  "/nplus1": nPlusOne,
  "/drizzle": relational,
};

const server = createServer((req, res) => {
  const u = new URL(req.url ?? "/", "http://localhost");
  const handler = handlers[u.pathname];
  const businessId = u.searchParams.get("business_id");
  if (!handler || !businessId) {
    res.writeHead(404).end();
    return;
  }
  handler(businessId, Number(u.searchParams.get("limit") ?? 50)).then(
    (body) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    },
    (error: unknown) => {
      console.error(error);
      res.writeHead(500).end();
    },
  );
});

server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("disconnect", () => {
  server.close();
  void client.end({ timeout: 1 }).then(() => process.exit(0));
});
