// What the per-request session check costs: the same withUser transaction (claims statement + one
// trivial statement) with and without `session_id` in the claims, interleaved in one run so the ratio
// is fair. Usage: npx tsx scripts/session-check-cost.ts [DATABASE_URL] (no URL: in-memory PGlite).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { createDb, migrate, rows, sql, withUser } from "../src/index.ts";

const url = process.argv[2];
const database = createDb(url ? { url, max: 2 } : {});
await migrate(database);
const user = randomUUID();
await database.db.execute(sql`insert into auth.users (id, email) values (${user}::uuid, ${`cost.${user}@example.test`})`);
const [session] = await rows<{ id: string }>(database.db, sql`insert into auth.sessions (user_id) values (${user}::uuid) returning id::text`);
const plain = { sub: user, role: "authenticated" as const };
const checked = { ...plain, session_id: session!.id };
const once = (claims: typeof plain) => withUser(database, claims, (tx) => rows(tx, sql`select auth.uid()`));

const rounds = 20;
const perRound = 100;
const times = { plain: 0, checked: 0 };
for (let i = 0; i < 200; i++) await once(i % 2 ? plain : checked); // warm-up
for (let r = 0; r < rounds; r++) {
  const order: ["plain" | "checked", typeof plain][] = [["plain", plain], ["checked", checked]];
  for (const [name, claims] of r % 2 ? order : order.reverse()) {
    const start = performance.now();
    for (let i = 0; i < perRound; i++) await once(claims);
    times[name] += performance.now() - start;
  }
}
const n = rounds * perRound;
const ms = (t: number) => (t / n).toFixed(3);
console.log(`${database.kind}: withUser without check ${ms(times.plain)} ms, with session check ${ms(times.checked)} ms per request (n=${n} each), ratio ${(times.checked / times.plain).toFixed(2)}`);
await database.close();
