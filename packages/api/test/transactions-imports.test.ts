import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { codeOf, harness, type TestUser } from "./helpers.ts";

describeDb("transactions and imports", (db) => {
  let h: ReturnType<typeof harness>;
  let owner: TestUser & { business: { id: string } };
  let bid: string;
  beforeAll(async () => {
    h = harness(db);
    owner = await h.owner("tina");
    bid = owner.business.id;
  });
  const count = async (query: ReturnType<typeof sql>) => (await rows<{ n: number }>(db.database.db, query))[0]!.n;
  const contactsIn = (businessId: string) =>
    count(sql`select count(*)::int as n from public.contacts where business_id = ${businessId}::uuid`);

  describe("transactions", () => {
    it("record (signed cents, currency default CAD) and list with a cursor", async () => {
      const c = await owner.caller.contacts.create({ full_name: "Payer" });
      const t1 = await owner.caller.transactions.record({ contact_id: c.id, amount_cents: 1250, occurred_at: "2024-01-01T10:00:00Z" });
      expect(t1).toMatchObject({ contact_id: c.id, amount_cents: 1250, currency: "CAD", category: null, occurred_at: "2024-01-01T10:00:00.000Z", created_by: owner.id });
      const t2 = await owner.caller.transactions.record({ contact_id: c.id, amount_cents: -500, currency: "usd", category: "refund", occurred_at: "2024-02-01T10:00:00Z" });
      expect(t2).toMatchObject({ amount_cents: -500, currency: "USD", category: "refund" });
      const t3 = await owner.caller.transactions.record({ contact_id: c.id, amount_cents: 99 });

      const first = await owner.caller.transactions.list({ contact_id: c.id, limit: 2 });
      expect(first.data.map((t) => t.id)).toEqual([t3.id, t2.id]);
      const second = await owner.caller.transactions.list({ contact_id: c.id, limit: 2, cursor: first.next_cursor! });
      expect(second).toEqual({ data: [t1], next_cursor: null });
      expect(await count(sql`select count(*)::int as n from public.l1_event_facts where business_id = ${bid}::uuid and event_type = 'transaction_recorded'`)).toBe(3);
    });

    it("rejects bad input and unknown or deleted contacts, writing nothing", async () => {
      const c = await owner.caller.contacts.create({ full_name: "Deleted payer" });
      await owner.caller.contacts.delete({ id: c.id });
      const before = await count(sql`select count(*)::int as n from public.transactions`);
      expect(await codeOf(owner.caller.transactions.record({ contact_id: c.id, amount_cents: 1 }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.caller.transactions.record({ contact_id: crypto.randomUUID(), amount_cents: 1 }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.caller.transactions.record({ contact_id: c.id, amount_cents: 1.5 }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.transactions.record({ contact_id: c.id, amount_cents: 0 }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.transactions.record({ contact_id: c.id, amount_cents: 1, currency: "EURO" }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.transactions.record({ contact_id: c.id, amount_cents: 1, occurred_at: "yesterday" }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.transactions.list({ contact_id: c.id }))).toBe("NOT_FOUND");
      expect(await count(sql`select count(*)::int as n from public.transactions`)).toBe(before);
    });
  });

  describe("contacts CSV import", () => {
    it("imports good rows, reports bad and duplicate ones with their line numbers, records the import", async () => {
      await owner.caller.contacts.create({ full_name: "Already Here", email: "here@example.com" });
      const csv = [
        "Full_Name, EMAIL ,Phone,company,ignored_column",
        "Good One,good1@example.com,514-555-0101,Acme,x", // line 2
        "Good Two,,,,", // line 3
        ",missing@example.com,,,", // line 4: no name
        "Bad Email,not-an-email,,,", // line 5
        "Dup Existing,HERE@example.com,,,", // line 6
        '"Multi\nLine",multi@example.com,,,', // lines 7-8
        "Dup In File,good1@example.com,,,", // line 9
        "",
        "Bad Phone,phone@example.com,12,,", // line 11
      ].join("\n");
      const before = await contactsIn(bid);
      const result = await owner.caller.imports.contactsCsv({ csv, filename: "contacts.csv" });
      expect(result.errors).toEqual([
        { line: 4, reason: expect.stringMatching(/^full_name/) },
        { line: 5, reason: expect.stringMatching(/^email/) },
        { line: 6, reason: "duplicate email" },
        { line: 9, reason: "duplicate email" },
        { line: 11, reason: expect.stringMatching(/^phone/) },
      ]);
      expect(result.import).toMatchObject({ filename: "contacts.csv", status: "completed", rows_total: 8, rows_imported: 3, rows_failed: 5 });
      expect(await contactsIn(bid)).toBe(before + 3);
      const good = (await owner.caller.contacts.search({ query: "good one" })).data[0]!;
      expect(good).toMatchObject({ email: "good1@example.com", phone: "514-555-0101", company: "Acme" });
      expect((await owner.caller.contacts.search({ query: "multi" })).data[0]!.full_name).toBe("Multi\nLine");
      const listed = await owner.caller.imports.list({});
      expect(listed.data[0]).toEqual(result.import);
      const [stored] = await rows<{ errors: unknown[] }>(db.database.db, sql`select errors from public.imports where id = ${result.import.id}::uuid`);
      expect(stored!.errors).toHaveLength(5);
      expect(await count(sql`select count(*)::int as n from public.l1_event_facts where business_id = ${bid}::uuid and event_type = 'import_completed'`)).toBe(1);
    });

    it("a file of only bad rows imports nothing (status failed); broken files are 400 and write nothing", async () => {
      const other = await h.owner("ivan");
      const obid = other.business.id;
      const allBad = await other.caller.imports.contactsCsv({ csv: "full_name,email\n,a@example.com\nX,bad\n" });
      expect(allBad.import).toMatchObject({ status: "failed", rows_total: 2, rows_imported: 0, rows_failed: 2 });
      expect(await contactsIn(obid)).toBe(0);

      const imports = () => count(sql`select count(*)::int as n from public.imports where business_id = ${obid}::uuid`);
      const n = await imports();
      for (const csv of [
        "email,phone\na@example.com,5145550000\n", // no full_name header
        'full_name\n"unterminated\n', // malformed quoting
        "", // empty
        "full_name\n" + "x\n".repeat(50_001), // too many rows
        "full_name\n" + "x".repeat(5 * 1024 * 1024), // too large
      ]) {
        expect(await codeOf(other.caller.imports.contactsCsv({ csv }))).toBe("BAD_REQUEST");
      }
      expect(await imports()).toBe(n);
      expect(await contactsIn(obid)).toBe(0);
    });

    it("the streaming variant yields progress then the same result", async () => {
      const csv = ["full_name,email", ...Array.from({ length: 2500 }, (_, i) => `Streamed ${i},s${i}@example.com`)].join("\n");
      const events: { type: string }[] = [];
      for await (const event of await owner.caller.imports.contactsCsvStream({ csv })) events.push(event);
      const progress = events.filter((e) => e.type === "progress") as unknown as { processed: number; total: number }[];
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.at(-1)).toEqual({ type: "progress", processed: 2500, total: 2500 });
      expect(progress.map((p) => p.processed)).toEqual([...progress.map((p) => p.processed)].sort((a, b) => a - b));
      const done = events.at(-1) as { type: "done"; result: { import: { rows_imported: number } } };
      expect(done.type).toBe("done");
      expect(done.result.import.rows_imported).toBe(2500);
      // The stream surfaces errors as tRPC errors too.
      const failing = await owner.caller.imports.contactsCsvStream({ csv: "email\nx@example.com" });
      await expect((async () => { for await (const _ of failing) { /* drain */ } })()).rejects.toMatchObject({ code: "BAD_REQUEST" });
    });
  });
});
