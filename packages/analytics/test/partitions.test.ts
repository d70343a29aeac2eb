// l1_event_facts partitioned by month: rows route to their month, rows parked in the default partition
// move into a month created later (by the maintenance the facts refresh runs), the retention drops whole
// old months, every partition carries the indexes, and a partition is no way around the parent's RLS.
import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { rows, runAs, sql, type Database } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { maintainEventPartitions, refreshFacts } from "../src/index.ts";
import { KEY } from "./fixtures.ts";

const partitionsOf = (database: Database) =>
  rows<{ name: string; rows: number }>(
    database.db,
    sql`select c.relname as name, coalesce(n.rows, 0) as rows
        from pg_inherits i join pg_class c on c.oid = i.inhrelid
        left join (select tableoid, count(*)::int as rows from public.l1_event_facts group by tableoid) n on n.tableoid = c.oid
        where i.inhparent = 'public.l1_event_facts'::regclass order by c.relname`,
  );

describeDb("l1_event_facts partitions", (ctx) => {
  const user = randomUUID();
  const events = (...at: string[]) =>
    ctx.database.db.execute(sql`insert into l1_event_facts (user_id, event_type, occurred_at)
      select ${user}::uuid, 'probe', unnest(string_to_array(${at.join(",")}, ','))::timestamptz`);

  beforeAll(async () => {
    await ctx.database.db.execute(sql`insert into auth.users (id, email) values (${user}, ${`${user}@example.test`})`);
  });

  it("creates the current month and the months ahead; a past month's rows wait in the default partition, then move", async () => {
    await maintainEventPartitions(ctx.database, { monthsAhead: 2 });
    const names = (await partitionsOf(ctx.database)).map((p) => p.name);
    const [{ month } = { month: "" }] = await rows<{ month: string }>(
      ctx.database.db,
      sql`select to_char(now() at time zone 'UTC', 'YYYY_MM') as month`,
    );
    expect(names).toContain(`l1_event_facts_${month}`);
    expect(names).toContain("l1_event_facts_default");

    await events("2019-03-05T10:00:00Z", "2019-03-31T23:59:59.999Z", "2019-04-01T00:00:00Z");
    let parts = await partitionsOf(ctx.database);
    expect(parts.find((p) => p.name === "l1_event_facts_default")?.rows).toBe(3);

    const { created } = await maintainEventPartitions(ctx.database);
    expect(created).toBe(2);
    parts = await partitionsOf(ctx.database);
    expect(parts.find((p) => p.name === "l1_event_facts_2019_03")?.rows).toBe(2);
    expect(parts.find((p) => p.name === "l1_event_facts_2019_04")?.rows).toBe(1);
    expect(parts.find((p) => p.name === "l1_event_facts_default")?.rows).toBe(0);

    // New rows of an existing month go straight to it.
    await events("2019-03-10T00:00:00Z");
    parts = await partitionsOf(ctx.database);
    expect(parts.find((p) => p.name === "l1_event_facts_2019_03")?.rows).toBe(3);
  });

  it("gives every partition the parent's indexes and primary key", async () => {
    const missing = await rows<{ partition: string; indexes: number }>(
      ctx.database.db,
      sql`select c.relname as partition, count(x.indexrelid)::int as indexes
          from pg_inherits i join pg_class c on c.oid = i.inhrelid left join pg_index x on x.indrelid = c.oid
          where i.inhparent = 'public.l1_event_facts'::regclass
          group by c.relname having count(x.indexrelid) <> 4`,
    );
    expect(missing).toEqual([]);
  });

  it("a partition cannot be read or written directly by the request roles (only through the parent, under RLS)", async () => {
    for (const role of ["authenticated", "analyst", "factsPipeline"] as const) {
      const error = await runAs(ctx.database, role, { sub: user, role: "authenticated" }, (tx) =>
        tx.execute(sql`select count(*) from public.l1_event_facts_2019_03`),
      ).catch((e: unknown) => e);
      expect(String((error as { cause?: unknown })?.cause ?? error)).toMatch(/permission denied/);
    }
  });

  it("the retention drops whole months older than it; the facts refresh applies it", async () => {
    await events("2019-05-02T00:00:00Z");
    const before = await partitionsOf(ctx.database);
    expect(before.map((p) => p.name)).toEqual(expect.arrayContaining(["l1_event_facts_2019_03", "l1_event_facts_2019_04"]));
    // Keep one month before 2019-06: 2019-05 stays, March and April go.
    const { dropped } = await maintainEventPartitions(ctx.database, { retentionMonths: 1, now: new Date("2019-06-15T00:00:00Z") });
    expect(dropped).toBe(2);
    const after = (await partitionsOf(ctx.database)).map((p) => p.name);
    expect(after).not.toContain("l1_event_facts_2019_03");
    expect(after).not.toContain("l1_event_facts_2019_04");
    expect(after).toContain("l1_event_facts_2019_05");
    const [left] = await rows<{ n: number }>(ctx.database.db, sql`select count(*)::int as n from l1_event_facts where user_id = ${user}::uuid`);
    expect(left!.n).toBe(1);

    // Through the refresh (as the facts pipeline role): a 1-month retention at the database clock drops 2019-05.
    await refreshFacts(ctx.database, { tokenKey: KEY, mode: "full", eventRetentionMonths: 1 });
    expect((await partitionsOf(ctx.database)).map((p) => p.name)).not.toContain("l1_event_facts_2019_05");
  });
});
