import { countStatements, rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { Contact } from "../src/routers/common.types.ts";
import { codeOf, harness, type TestUser } from "./helpers.ts";

type Owner = TestUser & { business: { id: string } };

/** BEGIN, withUser's set_config, exactly one data statement, COMMIT. */
function expectOneDataStatement(statements: string[]) {
  expect(statements).toHaveLength(4);
  expect(statements[0]).toMatch(/^begin/i);
  expect(statements[1]).toMatch(/^select set_config\('role'/);
  expect(statements[2]).toMatch(/^with biz as/);
  expect(statements[3]).toMatch(/^commit/i);
}

describeDb("contacts", (db) => {
  let h: ReturnType<typeof harness>;
  let owner: Owner;
  let bid: string;
  beforeAll(async () => {
    h = harness(db);
    owner = await h.owner("olivia");
    bid = owner.business.id;
  });

  const events = async (type: string) =>
    (
      await rows<{ n: number }>(
        db.database.db,
        sql`select count(*)::int as n from public.l1_event_facts where business_id = ${bid}::uuid and event_type = ${type}`,
      )
    )[0]!.n;

  describe("writes", () => {
    it("create validates, lower-cases email, 409s on a duplicate live email, appends contact_created", async () => {
      const before = await events("contact_created");
      const c = await owner.caller.contacts.create({ full_name: " Ada Lovelace ", email: " ADA@Example.com", phone: "+44 20 7946 0958", company: "Engines" });
      expect(c).toMatchObject({ full_name: "Ada Lovelace", email: "ada@example.com", business_id: bid, assigned_to: null });
      expect(c.created_by).toMatchObject({ id: owner.id, display_name: "olivia", email: owner.email });
      expect(await codeOf(owner.caller.contacts.create({ full_name: "Ada 2", email: "ada@EXAMPLE.com" }))).toBe("CONFLICT");
      expect(await codeOf(owner.caller.contacts.create({ full_name: "", email: "x@example.com" }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.create({ full_name: "X", email: "nope" }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.create({ full_name: "X", phone: "12" }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.create({ full_name: "x".repeat(256) }))).toBe("BAD_REQUEST");
      expect(await events("contact_created")).toBe(before + 1);
    });

    it("update is partial; delete hides; restore brings back; both 404 when repeated", async () => {
      const c = await owner.caller.contacts.create({ full_name: "Grace Hopper", email: "grace@example.com", company: "Navy" });
      const u = await owner.caller.contacts.update({ id: c.id, company: null, phone: "555-010-9999" });
      expect(u).toMatchObject({ full_name: "Grace Hopper", email: "grace@example.com", company: null, phone: "555-010-9999" });
      expect(await codeOf(owner.caller.contacts.update({ id: c.id }))).toBe("BAD_REQUEST");

      expect(await owner.caller.contacts.delete({ id: c.id })).toEqual({ id: c.id, deleted: true });
      expect(await codeOf(owner.caller.contacts.byId({ id: c.id }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.caller.contacts.delete({ id: c.id }))).toBe("NOT_FOUND");
      expect(await codeOf(owner.caller.contacts.update({ id: c.id, full_name: "Ghost" }))).toBe("NOT_FOUND");
      expect((await owner.caller.contacts.search({ query: "grace hopper" })).data).toEqual([]);
      expect((await owner.caller.contacts.list({ limit: 200 })).data.map((x) => x.id)).not.toContain(c.id);

      // While it is deleted the email is free; restoring then collides (409) and changes nothing.
      const twin = await owner.caller.contacts.create({ full_name: "Grace Twin", email: "grace@example.com" });
      expect(await codeOf(owner.caller.contacts.restore({ id: c.id }))).toBe("CONFLICT");
      await owner.caller.contacts.delete({ id: twin.id });
      expect(await owner.caller.contacts.restore({ id: c.id })).toMatchObject({ id: c.id, full_name: "Grace Hopper" });
      expect(await codeOf(owner.caller.contacts.restore({ id: c.id }))).toBe("NOT_FOUND");
      expect(await events("contact_deleted")).toBeGreaterThanOrEqual(2);
      expect(await events("contact_updated")).toBeGreaterThanOrEqual(2);
    });

    it("assign and bulkAssign only to active members, all or nothing", async () => {
      const member = await h.signUp("mel");
      const stranger = await h.signUp("stan");
      await h.join(owner.caller, bid, member);
      const a = await owner.caller.contacts.create({ full_name: "Assign A" });
      const b = await owner.caller.contacts.create({ full_name: "Assign B" });
      expect((await owner.caller.contacts.assign({ id: a.id, assigned_to: member.id })).assigned_to).toMatchObject({ id: member.id });
      expect(await codeOf(owner.caller.contacts.assign({ id: a.id, assigned_to: stranger.id }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.create({ full_name: "X", assigned_to: stranger.id }))).toBe("BAD_REQUEST");
      expect(await owner.caller.contacts.bulkAssign({ ids: [a.id, b.id], assigned_to: owner.id })).toEqual({ updated: 2 });
      // One unknown id: nothing changes.
      expect(await codeOf(owner.caller.contacts.bulkAssign({ ids: [a.id, crypto.randomUUID()], assigned_to: null }))).toBe("NOT_FOUND");
      expect((await owner.caller.contacts.byId({ id: a.id })).assigned_to).toMatchObject({ id: owner.id });
      const mine = await member.caller.contacts.list({ assigned_to: "me" });
      expect(mine.data).toEqual([]);
      expect((await owner.caller.contacts.list({ assigned_to: "me", limit: 200 })).data.map((c) => c.id)).toEqual(
        expect.arrayContaining([a.id, b.id]),
      );
      const unassigned = await owner.caller.contacts.list({ assigned_to: "unassigned", limit: 200 });
      expect(unassigned.data.every((c) => c.assigned_to === null)).toBe(true);
    });

    it("a (soft-)deleted member can no longer be chosen as an assignee, and co-members see them inactive", async () => {
      const gone = await h.signUp("gwen");
      await h.join(owner.caller, bid, gone);
      const c = await owner.caller.contacts.create({ full_name: "Assign Gone", assigned_to: gone.id });
      await db.database.db.execute(sql`update auth.users set deleted_at = now() where id = ${gone.id}::uuid`);
      expect(await codeOf(owner.caller.contacts.assign({ id: c.id, assigned_to: gone.id }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.create({ full_name: "Y", assigned_to: gone.id }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.bulkAssign({ ids: [c.id], assigned_to: gone.id }))).toBe("BAD_REQUEST");
      const imported = await owner.caller.imports.contactsCsv({ csv: `full_name,assigned_to_email\nVia CSV,${gone.email}` });
      expect(imported.import.rows_imported).toBe(0);
      expect((await owner.caller.contacts.byId({ id: c.id, include_user_details: "full" })).assigned_to).toMatchObject({ id: gone.id, is_active: false });
    });

    it("bad ids and bad cursors are 400s, never 500s", async () => {
      expect(await codeOf(owner.caller.contacts.byId({ id: "not-a-uuid" }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.list({ cursor: "garbage" }))).toBe("BAD_REQUEST");
      const forged = Buffer.from(JSON.stringify({ s: "created_desc", k: "not a time", i: crypto.randomUUID() })).toString("base64url");
      expect(await codeOf(owner.caller.contacts.list({ cursor: forged }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.list({ limit: 201 }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.list({ limit: 0 }))).toBe("BAD_REQUEST");
      expect(await codeOf(owner.caller.contacts.search({ query: "x".repeat(201) }))).toBe("BAD_REQUEST");
      expect(await codeOf((await owner.withBusiness("nope")).contacts.list({}))).toBe("BAD_REQUEST");
    });
  });

  describe("detail levels: one statement each, exact shapes", () => {
    let team: TestUser[];
    let biz2: Owner;
    beforeAll(async () => {
      // A separate business with 50 members, 50 contacts, each assigned to a different member.
      biz2 = await h.owner("big");
      team = [];
      for (let i = 0; i < 50; i++) team.push(await h.signUp(`member${i}`, { full_name: `Member ${i}`, phone: `+1 555 000 ${String(1000 + i)}` }));
      for (const m of team) await h.join(biz2.caller, biz2.business.id, m);
      const csv = ["full_name,email,assigned_to_email", ...team.map((m, i) => `Contact ${i},c${i}@example.com,${m.email}`)].join("\n");
      const result = await biz2.caller.imports.contactsCsv({ csv });
      expect(result.import.rows_imported).toBe(50);
    }, 180_000);

    for (const level of ["none", "basic", "full"] as const) {
      it(`list/byId/search at ${level}: one statement, ${level} shape`, async () => {
        const list = await countStatements(() => biz2.caller.contacts.list({ include_user_details: level, limit: 50 }));
        expectOneDataStatement(list.statements);
        const page = list.result.data;
        expect(page).toHaveLength(50);
        expect(new Set(page.map((c) => (typeof c.assigned_to === "string" ? c.assigned_to : c.assigned_to?.id))).size).toBe(50);
        for (const c of page) {
          expect(Contact.parse(c)).toEqual(c);
          expect(Object.keys(c).sort()).toEqual(
            ["assigned_to", "business_id", "company", "created_at", "created_by", "email", "full_name", "id", "phone", "updated_at"],
          );
          const member = team.find((m) => m.id === (typeof c.assigned_to === "string" ? c.assigned_to : c.assigned_to?.id))!;
          if (level === "none") {
            expect(c.assigned_to).toBe(member.id);
            expect(c.created_by).toBe(biz2.id);
          } else if (level === "basic") {
            expect(c.assigned_to).toEqual({ id: member.id, display_name: member.email.split(".")[0], email: member.email });
            expect(c.created_by).toEqual({ id: biz2.id, display_name: "big", email: biz2.email });
          } else {
            const n = Number(c.full_name.split(" ")[1]);
            expect(c.assigned_to).toEqual({
              id: member.id,
              display_name: `member${n}`,
              email: member.email,
              full_name: `Member ${n}`,
              phone: `+1 555 000 ${1000 + n}`,
              is_active: true,
              last_sign_in: null,
            });
            expect(c.created_by).toMatchObject({ id: biz2.id, full_name: null, phone: null, is_active: true });
          }
        }
        const one = await countStatements(() => biz2.caller.contacts.byId({ id: page[0]!.id, include_user_details: level }));
        expectOneDataStatement(one.statements);
        expect(one.result).toEqual(page[0]);
        const found = await countStatements(() => biz2.caller.contacts.search({ query: "contact", include_user_details: level, limit: 50 }));
        expectOneDataStatement(found.statements);
        expect(found.result.data).toHaveLength(50);
      });
    }

    it("a user who is no longer a co-member comes back as null (RLS hides them)", async () => {
      const gone = team[0]!;
      await biz2.caller.businesses.deactivateMember({ businessId: biz2.business.id, userId: gone.id });
      const page = await biz2.caller.contacts.list({ assigned_to: gone.id, include_user_details: "basic" });
      expect(page.data).toHaveLength(1);
      expect(page.data[0]!.assigned_to).toBeNull();
      const none = await biz2.caller.contacts.list({ assigned_to: gone.id, include_user_details: "none" });
      expect(none.data[0]!.assigned_to).toBe(gone.id);
    });

    it("pagination walks every contact exactly once while others insert (both sorts)", async () => {
      const seen = new Map<string, number>();
      const existing = new Set((await biz2.caller.contacts.list({ limit: 200, include_user_details: "none" })).data.map((c) => c.id));
      for (const sort of ["created_desc", "name_asc", "name_desc"] as const) {
        seen.clear();
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await biz2.caller.contacts.list({ limit: 7, cursor, sort, include_user_details: "none" });
          for (const c of page.data) seen.set(c.id, (seen.get(c.id) ?? 0) + 1);
          // Someone adds a contact between pages.
          await biz2.caller.contacts.create({ full_name: `Zz inserted ${sort} ${pages}` });
          cursor = page.next_cursor ?? undefined;
          pages++;
        } while (cursor);
        for (const id of existing) expect(seen.get(id), `${sort} ${id}`).toBe(1);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        if (sort === "name_asc") {
          // New rows sorting after the cursor are picked up; ones before it are not repeated.
          expect(seen.size).toBeGreaterThan(existing.size);
        }
        for (const c of (await biz2.caller.contacts.list({ limit: 200 })).data) existing.add(c.id);
      }
    });
  });

  describe("search", () => {
    let s: Owner;
    beforeAll(async () => {
      s = await h.owner("searcher");
      const names = [
        ["José Álvarez", "jalvarez@example.com", "Café Olé"],
        ["Alice Martin", "alice@example.com", "Acme"],
        ["Alicia Keys", "keys@example.com", null],
        ["Bob Malice", "bob@example.com", "Ali Baba Imports"],
        ["Zoë Quinn", null, "Wonderland"],
        ["Carl 100%_Done", "carl@example.com", null],
      ] as const;
      for (const [full_name, email, company] of names) await s.caller.contacts.create({ full_name, email, company, phone: null });
    });
    const names = async (query: string) => (await s.caller.contacts.search({ query })).data.map((c) => c.full_name);

    it("is accent- and case-insensitive", async () => {
      expect(await names("jose")).toContain("José Álvarez");
      expect(await names("JOSÉ")).toContain("José Álvarez");
      expect(await names("cafe ole")).toContain("José Álvarez");
      expect(await names("zoe")).toContain("Zoë Quinn");
    });
    it("matches prefixes, ranked: name prefix first", async () => {
      const ali = await names("ali");
      expect(ali[0]).toBe("Alice Martin");
      expect(ali.slice(0, 2).sort()).toEqual(["Alice Martin", "Alicia Keys"]);
      expect(ali).toContain("Bob Malice");
      expect(ali.indexOf("Bob Malice")).toBeGreaterThan(1);
    });
    it("tolerates a typo", async () => {
      expect((await names("Alcie"))[0]).toBe("Alice Martin");
      expect(await names("Martni")).toContain("Alice Martin");
    });
    it("serves one- and two-letter queries: name prefixes first, then words, then inside words", async () => {
      const al = await names("al");
      expect(al.slice(0, 2).sort()).toEqual(["Alice Martin", "Alicia Keys"]);
      expect(al.slice(2).sort()).toEqual(["Bob Malice", "José Álvarez"]); // a later word starts with it
      expect(await names("ic")).toEqual(expect.arrayContaining(["Alice Martin", "Alicia Keys", "Bob Malice"])); // inside words
      expect(await names("z")).toEqual(expect.arrayContaining(["Zoë Quinn", "José Álvarez"]));
    });
    it("limits the page and leaves out deleted contacts", async () => {
      expect((await s.caller.contacts.search({ query: "e", limit: 2 })).data).toHaveLength(2);
      const gone = await s.caller.contacts.create({ full_name: "Quentin Gone", email: null, company: null, phone: null });
      expect(await names("quentin")).toEqual(["Quentin Gone"]);
      await s.caller.contacts.delete({ id: gone.id });
      expect(await names("quentin")).toEqual([]);
      expect(await names("qeuntin")).toEqual([]);
    });
    it("finds by email, company and treats LIKE wildcards literally", async () => {
      // Fuzzy matches may follow (every email shares "@example"), but the exact one ranks first.
      expect((await names("keys@exa"))[0]).toBe("Alicia Keys");
      expect(await names("wonderland")).toEqual(["Zoë Quinn"]);
      expect((await names("100%_d"))[0]).toBe("Carl 100%_Done");
      expect(await names("%")).toEqual(["Carl 100%_Done"]);
      expect(await names("qqqqzzzz")).toEqual([]);
    });
  });
});
