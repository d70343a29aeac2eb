// Zero drift between auth.users and public.users after a seeded random mix of thousands of inserts,
// updates and deletes, most of them fired concurrently (parallel connections on postgres, queued
// promises on PGlite).
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { Rng, driftCount, rows, userMirrorDrift, type Executor } from "../src/index.ts";
import { describeDb } from "./harness.ts";


const SEED = 20240611;
const BULK_USERS = 600;
const CONCURRENT_OPS = 3000;
const WORKERS = 6;


function randomMeta(r: Rng) {
  const meta: Record<string, unknown> = {};
  if (r.next() < 0.6) meta.full_name = r.pick(["Ann Lee", "  Bo  ", "", "Zoë Ångström", "X".repeat(300)]);
  if (r.next() < 0.4) meta.display_name = r.pick(["ann", "   ", "Display", "D".repeat(260)]);
  if (r.next() < 0.4) meta.phone = r.pick(["+1 514 555 0101", "", "+1 (514) 555-0101 ext. 99999 evenings"]);
  if (r.next() < 0.2) meta.avatar_url = r.pick(["https://x.test/a.png", `https://x.test/${"p".repeat(600)}`]);
  return meta;
}

/** One random statement against auth.users; `n` keeps generated emails unique across workers. */
function randomOp(r: Rng, pool: string[], n: number): SQL {
  const id = r.pick(pool);
  const roll = r.next();
  if (roll < 0.2) {
    const newId = randomUUIDFrom(r);
    pool.push(newId);
    return sql`insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
               values (${newId}, ${`u${n}@drift.test`}, ${JSON.stringify(randomMeta(r))}::jsonb,
                       ${r.next() < 0.5 ? sql`now()` : sql`null`})`;
  }
  if (roll < 0.3) return sql`delete from auth.users where id = ${id}`;
  if (roll < 0.45) return sql`update auth.users set raw_user_meta_data = ${JSON.stringify(randomMeta(r))}::jsonb where id = ${id}`;
  if (roll < 0.55) return sql`update auth.users set email = ${`e${n}@Drift.test`} where id = ${id}`;
  if (roll < 0.65) return sql`update auth.users set last_sign_in_at = now() where id = ${id}`;
  if (roll < 0.72) {
    const ban = r.pick([sql`now() + interval '1 day'`, sql`now() - interval '1 day'`, sql`null`]);
    return sql`update auth.users set banned_until = ${ban} where id = ${id}`;
  }
  if (roll < 0.76) return sql`update auth.users set deleted_at = ${r.next() < 0.5 ? sql`now()` : sql`null`} where id = ${id}`;
  if (roll < 0.8) return sql`update auth.users set email_confirmed_at = ${r.next() < 0.5 ? sql`now()` : sql`null`} where id = ${id}`;
  if (roll < 0.9) return sql`update auth.users set encrypted_password = ${`hash${n}`}, raw_app_meta_data = '{"roles":[]}' where id = ${id}`;
  // Several rows in one statement: the trigger fires per row.
  const ids = [id, r.pick(pool), r.pick(pool)];
  return sql`update auth.users set last_sign_in_at = now(), raw_user_meta_data = raw_user_meta_data || '{"full_name":"Bulk"}'
             where id in (${sql.join(ids.map((i) => sql`${i}::uuid`), sql`, `)})`;
}

// Deterministic uuids from the seeded RNG (randomUUID would make the run unrepeatable).
function randomUUIDFrom(r: Rng) {
  const hex = Array.from({ length: 32 }, () => r.int(0, 15).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const isRetryable = (error: unknown) => {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === "40P01" || code === "40001"; // deadlock / serialization: the statement is retried
};

async function run(db: Executor, statement: SQL) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.execute(statement);
    } catch (error) {
      if (!isRetryable(error) || attempt > 5) throw error;
    }
  }
}

describeDb("users mirror under a random concurrent mix", (ctx) => {
  it(`has zero drift after ${BULK_USERS} bulk inserts and ${CONCURRENT_OPS} random concurrent operations`, async () => {
    const db = ctx.database.db;
    const r = new Rng(SEED);
    const pool: string[] = [];

    // Phase 1, batched: multi-row inserts (the trigger fires per row) and app-owned values that
    // phase 2 must never clobber.
    for (let batch = 0; batch < BULK_USERS / 200; batch++) {
      const values = Array.from({ length: 200 }, (_, i) => {
        const id = randomUUIDFrom(r);
        pool.push(id);
        return sql`(${id}::uuid, ${`bulk${batch}_${i}@drift.test`}, ${JSON.stringify(randomMeta(r))}::jsonb)`;
      });
      await db.execute(sql`insert into auth.users (id, email, raw_user_meta_data) values ${sql.join(values, sql`, `)}`);
    }
    await db.execute(sql`update public.users set onboarding_last_step = 'sentinel:' || id::text, province = 'ON'`);

    // Phase 2, concurrent: workers draw from one shared RNG and pool, so they race on the same rows.
    const phase1 = [...pool];
    let issued = 0;
    const worker = async () => {
      while (issued < CONCURRENT_OPS) await run(db, randomOp(r, pool, issued++));
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));

    const drift = await userMirrorDrift(db);
    expect(drift.sample).toEqual([]);
    expect(driftCount(drift)).toBe(0);
    expect(drift.authUsers).toBe(drift.mirroredUsers);
    expect(drift.authUsers).toBeGreaterThan(BULK_USERS / 2);

    // App-owned columns of every surviving phase-1 user are intact.
    const [owned] = await rows<{ total: number; intact: number }>(
      db,
      sql`select count(*)::int as total,
                 count(*) filter (where onboarding_last_step = 'sentinel:' || id::text and province = 'ON')::int as intact
          from public.users where id in (${sql.join(phase1.map((id) => sql`${id}::uuid`), sql`, `)})`,
    );
    expect(owned!.total).toBeGreaterThan(0);
    expect(owned!.intact).toBe(owned!.total);
  });

  it("detects drift when the mirror is bypassed (the check can fail)", async () => {
    const db = ctx.database.db;
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`insert into auth.users (id, email) values (${randomUUID()}, 'sneaky@drift.test')`);
    });
    expect((await userMirrorDrift(db)).missing).toBe(1);
  });
});
