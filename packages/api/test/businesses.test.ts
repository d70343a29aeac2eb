import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { beforeAll, expect, it } from "vitest";
import { codeOf, harness } from "./helpers.ts";

describeDb("businesses", (db) => {
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    h = harness(db);
  });

  it("create makes the creator owner; list shows only my active businesses", async () => {
    const olga = await h.signUp("olga");
    const created = await olga.caller.businesses.create({ name: "  Olga's Bakery " });
    expect(created).toMatchObject({ name: "Olga's Bakery", role: "owner" });
    expect(created.created_at).toMatch(/Z$/);
    const other = await h.owner("other");
    const list = await olga.caller.businesses.list();
    expect(list.data.map((b) => b.id)).toEqual([created.id]);
    expect(list.data.map((b) => b.id)).not.toContain(other.business.id);
    expect((await olga.caller.me.get()).memberships).toEqual([{ business_id: created.id, name: "Olga's Bakery", role: "owner" }]);
    expect(await codeOf(olga.caller.businesses.create({ name: "   " }))).toBe("BAD_REQUEST");
  });

  it("members join by invitation; changeRole, deactivate; only an invitation brings a former member back", async () => {
    const owner = await h.owner("owen");
    const bid = owner.business.id;
    const amy = await h.signUp("amy");
    const max = await h.signUp("max");

    expect(await h.join(owner.caller, bid, amy, "admin")).toMatchObject({ id: bid, role: "admin" });
    // Inviting an active member is a conflict (the inviter sees their members anyway).
    expect(await codeOf(owner.caller.invitations.create({ businessId: bid, email: amy.email.toUpperCase(), role: "member" }))).toBe("CONFLICT");

    // An admin can invite members but not owners.
    expect(await codeOf(amy.caller.invitations.create({ businessId: bid, email: max.email, role: "owner" }))).toBe("FORBIDDEN");
    await h.join(amy.caller, bid, max, "member");

    // A plain member manages nothing (FORBIDDEN), and writes nothing.
    const zed = await h.signUp("zed");
    expect(await codeOf(max.caller.invitations.create({ businessId: bid, email: zed.email, role: "member" }))).toBe("FORBIDDEN");
    expect(await codeOf(max.caller.businesses.changeRole({ businessId: bid, userId: max.id, role: "admin" }))).toBe("FORBIDDEN");
    expect(await codeOf(max.caller.businesses.deactivateMember({ businessId: bid, userId: amy.id }))).toBe("FORBIDDEN");

    const members = await max.caller.businesses.members({ businessId: bid });
    expect(members.data.map((m) => [m.id, m.role])).toEqual([
      [owner.id, "owner"],
      [amy.id, "admin"],
      [max.id, "member"],
    ]);

    // The last active owner can be neither demoted nor deactivated; admins cannot touch owners.
    expect(await codeOf(owner.caller.businesses.changeRole({ businessId: bid, userId: owner.id, role: "admin" }))).toBe("BAD_REQUEST");
    expect(await codeOf(owner.caller.businesses.deactivateMember({ businessId: bid, userId: owner.id }))).toBe("BAD_REQUEST");
    expect(await codeOf(amy.caller.businesses.changeRole({ businessId: bid, userId: owner.id, role: "member" }))).toBe("FORBIDDEN");
    expect(await codeOf(amy.caller.businesses.changeRole({ businessId: bid, userId: amy.id, role: "owner" }))).toBe("FORBIDDEN");
    expect(await codeOf(amy.caller.businesses.deactivateMember({ businessId: bid, userId: owner.id }))).toBe("FORBIDDEN");
    expect(await codeOf(owner.caller.businesses.changeRole({ businessId: bid, userId: zed.id, role: "admin" }))).toBe("NOT_FOUND");

    // With a second owner, the first may step down.
    await owner.caller.businesses.changeRole({ businessId: bid, userId: amy.id, role: "owner" });
    expect(await owner.caller.businesses.changeRole({ businessId: bid, userId: owner.id, role: "admin" })).toMatchObject({ role: "admin" });

    const off = await amy.caller.businesses.deactivateMember({ businessId: bid, userId: max.id });
    expect(off).toMatchObject({ id: max.id, is_active: false });
    // Deactivated: the business is gone for max.
    expect((await max.caller.businesses.list()).data).toEqual([]);
    expect(await codeOf(max.caller.businesses.members({ businessId: bid }))).toBe("NOT_FOUND");
    // Coming back takes max's consent: a new invitation, accepted, with the invited role.
    expect(await h.join(amy.caller, bid, max, "admin")).toMatchObject({ id: bid, role: "admin" });
    expect((await max.caller.businesses.list()).data.map((b) => b.role)).toEqual(["admin"]);
  });

  it("a member leaves a business; the last active owner cannot", async () => {
    const owner = await h.owner("lea");
    const bid = owner.business.id;
    const mia = await h.signUp("mia");
    await h.join(owner.caller, bid, mia);
    expect(await mia.caller.businesses.leave({ businessId: bid })).toEqual({ business_id: bid, left: true });
    expect((await mia.caller.businesses.list()).data).toEqual([]);
    expect(await codeOf(mia.caller.businesses.leave({ businessId: bid }))).toBe("NOT_FOUND");
    expect(await codeOf(owner.caller.businesses.leave({ businessId: bid }))).toBe("BAD_REQUEST");
    expect((await owner.caller.businesses.list()).data.map((b) => b.id)).toEqual([bid]);
    // A stranger cannot "leave" (probe) someone else's business.
    const stranger = await h.signUp("stray");
    expect(await codeOf(stranger.caller.businesses.leave({ businessId: bid }))).toBe("NOT_FOUND");
  });

  // PGlite is one connection: nothing runs concurrently there, so the race exists only on PostgreSQL.
  it.skipIf(db.kind === "pglite")("two owners demoting each other concurrently never leave the business ownerless", async () => {
    const a = await h.owner("ann");
    const b = await h.signUp("bea");
    const bid = a.business.id;
    await h.join(a.caller, bid, b, "owner");
    const results = await Promise.allSettled([
      a.caller.businesses.changeRole({ businessId: bid, userId: b.id, role: "member" }),
      b.caller.businesses.changeRole({ businessId: bid, userId: a.id, role: "member" }),
    ]);
    const [owners] = await rows<{ n: number }>(
      db.database.db,
      sql`select count(*)::int as n from public.business_memberships where business_id = ${bid}::uuid and role = 'owner' and is_active`,
    );
    expect(owners!.n).toBeGreaterThanOrEqual(1);
    expect(results.filter((r) => r.status === "fulfilled").length).toBeLessThanOrEqual(1);
  });
});
