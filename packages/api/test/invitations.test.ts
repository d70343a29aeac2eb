// Invitations with consent, attacked through the API: enumeration by the invite answer, admin invites
// as owner, someone else (admin, another account holding the link) accepts, reuse of a consumed,
// expired, revoked or declined invitation, a flood of invitations; and the invitee's own flow.
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { beforeAll, expect, it } from "vitest";
import { defaultMailSettings } from "../src/context.ts";
import { codeOf, harness, inviteToken, testConfig, uniqueEmail } from "./helpers.ts";

describeDb("invitations", (db) => {
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    h = harness(db);
  });

  const outbox = (email: string) =>
    rows<{ kind: string; subject: string; body_text: string | null; status: string }>(
      db.database.db,
      sql`select kind, subject, body_text, status from private.mail_outbox where to_email = ${email} order by id`,
    );

  it("the answer to an invite is the same whether or not the address has an account", async () => {
    const owner = await h.owner("enum");
    const bid = owner.business.id;
    const existing = await h.signUp("exists");
    const ghost = uniqueEmail("ghost");
    const a = await owner.caller.invitations.create({ businessId: bid, email: existing.email, role: "member" });
    const b = await owner.caller.invitations.create({ businessId: bid, email: ghost, role: "member" });
    const shape = (r: typeof a) => ({
      ...r,
      invitation: { ...r.invitation, id: "x", email: "x", created_at: "x", expires_at: "x" },
      invite_url: r.invite_url?.replace(/token=.*/, "token=x"),
    });
    expect(shape(a)).toEqual(shape(b));
    expect(a.invitation).toMatchObject({ email: existing.email, role: "member", status: "pending", invited_by: owner.id, responded_at: null });
    // Nothing about the invitee reaches the inviter before they accept: not a member, not listed.
    expect((await owner.caller.businesses.members({ businessId: bid })).data.map((m) => m.id)).toEqual([owner.id]);
    // Both mails are in the outbox, with the link; the database holds only the token's hash.
    for (const [email, created] of [[existing.email, a], [ghost, b]] as const) {
      const mails = await outbox(email);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.body_text).toContain(created.invite_url!);
      const [stored] = await rows<{ token_hash: string }>(db.database.db, sql`select token_hash from business_invitations where id = ${created.invitation.id}::uuid`);
      expect(stored!.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(created.invite_url).not.toContain(stored!.token_hash);
    }
  });

  it("the invitee sees the invitation after signing up with that address, and accepts with the invited role", async () => {
    const owner = await h.owner("inviter");
    const bid = owner.business.id;
    const email = uniqueEmail("newcomer");
    const created = await owner.caller.invitations.create({ businessId: bid, email: email.toUpperCase(), role: "admin" });
    expect(created.invitation.email).toBe(email);
    const session = await h.anonymous().auth.signUp({ email, password: "correct horse battery", display_name: "Newcomer" });
    const newcomer = await h.withHeaders(`Bearer ${session.access_token}`);
    const mine = await newcomer.invitations.mine();
    expect(mine.data).toEqual([
      expect.objectContaining({ id: created.invitation.id, business_id: bid, business_name: "inviter's business", role: "admin", invited_by_name: "inviter" }),
    ]);
    // A stranger sees none of it.
    const stranger = await h.signUp("stranger");
    expect((await stranger.caller.invitations.mine()).data).toEqual([]);
    expect(await newcomer.invitations.accept({ invitationId: created.invitation.id })).toMatchObject({ id: bid, role: "admin" });
    expect((await owner.caller.businesses.members({ businessId: bid })).data.map((m) => [m.id, m.role])).toEqual([
      [owner.id, "owner"],
      [session.user.id, "admin"],
    ]);
    expect((await newcomer.invitations.mine()).data).toEqual([]);
    const listed = await owner.caller.invitations.list({ businessId: bid });
    expect(listed.data).toEqual([expect.objectContaining({ id: created.invitation.id, status: "accepted" })]);
  });

  it("nobody but the invitee accepts: not the admin who invited, not another account holding the link", async () => {
    const owner = await h.owner("guard");
    const bid = owner.business.id;
    const admin = await h.signUp("admin");
    await h.join(owner.caller, bid, admin, "admin");
    const invitee = await h.signUp("invitee");
    const thief = await h.signUp("thief");
    const created = await admin.caller.invitations.create({ businessId: bid, email: invitee.email, role: "admin" });
    const token = inviteToken(created.invite_url);
    expect(await codeOf(admin.caller.invitations.accept({ invitationId: created.invitation.id }))).toBe("NOT_FOUND");
    expect(await codeOf(admin.caller.invitations.acceptByToken({ token }))).toBe("NOT_FOUND");
    expect(await codeOf(thief.caller.invitations.acceptByToken({ token }))).toBe("NOT_FOUND");
    expect(await codeOf(thief.caller.invitations.accept({ invitationId: created.invitation.id }))).toBe("NOT_FOUND");
    expect(await codeOf(thief.caller.invitations.decline({ invitationId: created.invitation.id }))).toBe("NOT_FOUND");
    expect(await codeOf(admin.caller.invitations.decline({ invitationId: created.invitation.id }))).toBe("NOT_FOUND");
    expect((await thief.caller.businesses.list()).data).toEqual([]);
    // The invitee, with the link: joins once; the link is spent.
    expect(await invitee.caller.invitations.acceptByToken({ token })).toMatchObject({ id: bid, role: "admin" });
    expect(await codeOf(invitee.caller.invitations.acceptByToken({ token }))).toBe("NOT_FOUND");
    expect(await codeOf(invitee.caller.invitations.accept({ invitationId: created.invitation.id }))).toBe("NOT_FOUND");
  });

  it("an admin invites neither owners nor outside their business; members invite nobody", async () => {
    const owner = await h.owner("ranks");
    const bid = owner.business.id;
    const admin = await h.signUp("adm");
    const member = await h.signUp("mem");
    await h.join(owner.caller, bid, admin, "admin");
    await h.join(owner.caller, bid, member, "member");
    const target = uniqueEmail("target");
    expect(await codeOf(admin.caller.invitations.create({ businessId: bid, email: target, role: "owner" }))).toBe("FORBIDDEN");
    expect(await codeOf(member.caller.invitations.create({ businessId: bid, email: target, role: "member" }))).toBe("FORBIDDEN");
    expect(await codeOf(member.caller.invitations.list({ businessId: bid }))).toBe("FORBIDDEN");
    const other = await h.owner("otherbiz");
    expect(await codeOf(admin.caller.invitations.create({ businessId: other.business.id, email: target, role: "member" }))).toBe("NOT_FOUND");
    // An owner invitation can be revoked by owners only.
    const ownerInvite = await owner.caller.invitations.create({ businessId: bid, email: target, role: "owner" });
    expect(await codeOf(admin.caller.invitations.revoke({ businessId: bid, invitationId: ownerInvite.invitation.id }))).toBe("NOT_FOUND");
    expect(await owner.caller.invitations.revoke({ businessId: bid, invitationId: ownerInvite.invitation.id })).toEqual({ id: ownerInvite.invitation.id, status: "revoked" });
    // An admin removed from the business: their pending invitations no longer let anyone in.
    const alt = await h.signUp("alt");
    const planted = await admin.caller.invitations.create({ businessId: bid, email: alt.email, role: "admin" });
    await owner.caller.businesses.deactivateMember({ businessId: bid, userId: admin.id });
    expect(await codeOf(alt.caller.invitations.acceptByToken({ token: inviteToken(planted.invite_url) }))).toBe("NOT_FOUND");
  });

  it("revoked, declined, expired and replaced invitations cannot be accepted", async () => {
    const owner = await h.owner("states");
    const bid = owner.business.id;
    const invitee = await h.signUp("states.invitee");
    const first = await owner.caller.invitations.create({ businessId: bid, email: invitee.email, role: "member" });
    // Inviting again replaces the pending invitation: the first link is dead.
    const second = await owner.caller.invitations.create({ businessId: bid, email: invitee.email, role: "admin" });
    expect(await codeOf(invitee.caller.invitations.acceptByToken({ token: inviteToken(first.invite_url) }))).toBe("NOT_FOUND");
    expect((await invitee.caller.invitations.mine()).data.map((i) => [i.id, i.role])).toEqual([[second.invitation.id, "admin"]]);
    await owner.caller.invitations.revoke({ businessId: bid, invitationId: second.invitation.id });
    expect(await codeOf(invitee.caller.invitations.accept({ invitationId: second.invitation.id }))).toBe("NOT_FOUND");
    expect(await codeOf(owner.caller.invitations.revoke({ businessId: bid, invitationId: second.invitation.id }))).toBe("NOT_FOUND");
    const third = await owner.caller.invitations.create({ businessId: bid, email: invitee.email, role: "member" });
    expect(await invitee.caller.invitations.decline({ invitationId: third.invitation.id })).toEqual({ id: third.invitation.id, status: "declined" });
    expect(await codeOf(invitee.caller.invitations.acceptByToken({ token: inviteToken(third.invite_url) }))).toBe("NOT_FOUND");
    const fourth = await owner.caller.invitations.create({ businessId: bid, email: invitee.email, role: "member" });
    await db.database.db.execute(sql`update business_invitations set expires_at = now() - interval '1 second' where id = ${fourth.invitation.id}::uuid`);
    expect((await invitee.caller.invitations.mine()).data).toEqual([]);
    expect(await codeOf(invitee.caller.invitations.accept({ invitationId: fourth.invitation.id }))).toBe("NOT_FOUND");
    expect((await owner.caller.invitations.list({ businessId: bid })).data.map((i) => i.status)).toEqual(["expired", "declined", "revoked", "revoked"]);
    expect((await invitee.caller.businesses.list()).data).toEqual([]);
    // Garbage tokens and ids are refused the same way (or as invalid input), never a 500.
    expect(await codeOf(invitee.caller.invitations.acceptByToken({ token: "x".repeat(43) }))).toBe("NOT_FOUND");
    expect(await codeOf(invitee.caller.invitations.acceptByToken({ token: "short" }))).toBe("BAD_REQUEST");
  });

  it("a flood of invitations is throttled per inviter (re-sends count), in the database", async () => {
    const limited = harness(db, { config: { ...testConfig(), mail: { ...defaultMailSettings, invitationsPerHour: 3 } } });
    const owner = await limited.owner("flood");
    const bid = owner.business.id;
    const same = uniqueEmail("again");
    await owner.caller.invitations.create({ businessId: bid, email: same, role: "member" });
    await owner.caller.invitations.create({ businessId: bid, email: same, role: "member" });
    await owner.caller.invitations.create({ businessId: bid, email: uniqueEmail("third"), role: "member" });
    expect(await codeOf(owner.caller.invitations.create({ businessId: bid, email: uniqueEmail("fourth"), role: "member" }))).toBe("TOO_MANY_REQUESTS");
    expect((await owner.caller.invitations.list({ businessId: bid })).data).toHaveLength(3);
    // The limit is per inviter: someone else still invites.
    const other = await limited.owner("flood.other");
    expect((await other.caller.invitations.create({ businessId: other.business.id, email: uniqueEmail("fine"), role: "member" })).invitation.status).toBe("pending");
  });
});
