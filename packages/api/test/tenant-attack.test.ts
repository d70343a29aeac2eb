// Tenant attacks: every procedure, called by an outsider (member of another business), without a
// token, with expired or tampered tokens, and by a deactivated member. Zero leaks: no response
// carries the victim's data and the victim's rows are byte-for-byte unchanged afterwards.
import { randomBytes } from "node:crypto";
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { SignJWT } from "jose";
import { beforeAll, expect, it } from "vitest";
import { codeOf, harness, type Caller, type TestUser } from "./helpers.ts";

interface Victim {
  businessId: string;
  contactId: string;
  deletedContactId: string;
  ownerId: string;
  memberId: string;
  /** A pending invitation of the victim business, addressed to someone else. */
  invitationId: string;
  secrets: string[];
}

/** Every procedure that serves a signed-in user, aimed at the victim's business and rows. */
function attacks(v: Victim, strangerId: string): [string, (c: Caller) => Promise<unknown>][] {
  const businessId = v.businessId;
  const csv = "full_name,email\nPlanted,planted@example.com\n";
  return [
    ["me.get", (c) => c.me.get()],
    ["me.updateProfile", (c) => c.me.updateProfile({ display_name: "pwned" })],
    ["me.updateOnboarding", (c) => c.me.updateOnboarding({ last_step: "pwned" })],
    ["businesses.list", (c) => c.businesses.list()],
    ["businesses.members", (c) => c.businesses.members({ businessId })],
    ["businesses.leave", (c) => c.businesses.leave({ businessId })],
    ["invitations.create", (c) => c.invitations.create({ businessId, email: "nobody@example.com", role: "owner" })],
    ["invitations.list", (c) => c.invitations.list({ businessId })],
    ["invitations.revoke", (c) => c.invitations.revoke({ businessId, invitationId: v.invitationId })],
    ["invitations.mine", (c) => c.invitations.mine()],
    ["invitations.accept", (c) => c.invitations.accept({ invitationId: v.invitationId })],
    ["invitations.decline", (c) => c.invitations.decline({ invitationId: v.invitationId })],
    ["businesses.changeRole", (c) => c.businesses.changeRole({ businessId, userId: v.ownerId, role: "member" })],
    ["businesses.deactivateMember", (c) => c.businesses.deactivateMember({ businessId, userId: v.ownerId })],
    ["contacts.list", (c) => c.contacts.list({ businessId, include_user_details: "full" })],
    ["contacts.list (own)", (c) => c.contacts.list({ include_user_details: "full", limit: 200 })],
    ["contacts.byId", (c) => c.contacts.byId({ businessId, id: v.contactId, include_user_details: "full" })],
    ["contacts.byId (own business)", (c) => c.contacts.byId({ id: v.contactId })],
    ["contacts.search", (c) => c.contacts.search({ businessId, query: "victim" })],
    ["contacts.search (own)", (c) => c.contacts.search({ query: "victim" })],
    ["contacts.create", (c) => c.contacts.create({ businessId, full_name: "Planted" })],
    ["contacts.update", (c) => c.contacts.update({ businessId, id: v.contactId, full_name: "pwned" })],
    ["contacts.update (own business)", (c) => c.contacts.update({ id: v.contactId, full_name: "pwned" })],
    ["contacts.delete", (c) => c.contacts.delete({ businessId, id: v.contactId })],
    ["contacts.delete (own business)", (c) => c.contacts.delete({ id: v.contactId })],
    ["contacts.restore", (c) => c.contacts.restore({ businessId, id: v.deletedContactId })],
    ["contacts.restore (own business)", (c) => c.contacts.restore({ id: v.deletedContactId })],
    ["contacts.assign", (c) => c.contacts.assign({ businessId, id: v.contactId, assigned_to: strangerId })],
    ["contacts.assign (own business)", (c) => c.contacts.assign({ id: v.contactId, assigned_to: null })],
    ["contacts.bulkAssign", (c) => c.contacts.bulkAssign({ businessId, ids: [v.contactId], assigned_to: null })],
    ["contacts.bulkAssign (own business)", (c) => c.contacts.bulkAssign({ ids: [v.contactId], assigned_to: null })],
    ["transactions.record", (c) => c.transactions.record({ businessId, contact_id: v.contactId, amount_cents: 1 })],
    ["transactions.record (own business)", (c) => c.transactions.record({ contact_id: v.contactId, amount_cents: 1 })],
    ["transactions.list", (c) => c.transactions.list({ businessId, contact_id: v.contactId })],
    ["transactions.list (own business)", (c) => c.transactions.list({ contact_id: v.contactId })],
    ["imports.contactsCsv", (c) => c.imports.contactsCsv({ businessId, csv })],
    [
      "imports.contactsCsvStream",
      async (c) => {
        const out = [];
        for await (const e of await c.imports.contactsCsvStream({ businessId, csv })) out.push(e);
        return out;
      },
    ],
    ["imports.list", (c) => c.imports.list({ businessId })],
    // Last: it gives the attacker one more business of their own.
    ["businesses.create", (c) => c.businesses.create({ name: "attacker co" })],
  ];
}

describeDb("tenant attacks", (db) => {
  let h: ReturnType<typeof harness>;
  let victim: Victim;
  let outsider: TestUser & { business: { id: string } };
  let formerMember: TestUser;
  let stranger: TestUser;

  // Everything the victim business owns (and its active members' profiles), to compare before and after.
  const snapshot = async (businessId: string) =>
    JSON.stringify(
      await rows(
        db.database.db,
        sql`select
              (select coalesce(json_agg(c order by c.id), '[]') from public.contacts c where c.business_id = ${businessId}::uuid) as contacts,
              (select coalesce(json_agg(m order by m.user_id), '[]') from public.business_memberships m where m.business_id = ${businessId}::uuid) as memberships,
              (select coalesce(json_agg(i order by i.id), '[]') from public.business_invitations i where i.business_id = ${businessId}::uuid) as invitations,
              (select coalesce(json_agg(t order by t.id), '[]') from public.transactions t where t.business_id = ${businessId}::uuid) as transactions,
              (select coalesce(json_agg(i order by i.id), '[]') from public.imports i where i.business_id = ${businessId}::uuid) as imports,
              (select count(*) from public.l1_event_facts e where e.business_id = ${businessId}::uuid) as events,
              (select row_to_json(b) from public.businesses b where b.id = ${businessId}::uuid) as business,
              (select json_agg(u.raw_user_meta_data order by u.id) from auth.users u
                 where u.id in (select user_id from public.business_memberships where business_id = ${businessId}::uuid and is_active)) as profiles`,
      ),
    );

  beforeAll(async () => {
    h = harness(db);
    const owner = await h.owner("victimowner");
    const member = await h.signUp("victimmember");
    formerMember = await h.signUp("formermember");
    stranger = await h.signUp("stranger");
    const bid = owner.business.id;
    await h.join(owner.caller, bid, member);
    await h.join(owner.caller, bid, formerMember, "admin");
    const contact = await owner.caller.contacts.create({ full_name: "Victim Secret", email: "victim.secret@example.com", assigned_to: member.id });
    await owner.caller.transactions.record({ contact_id: contact.id, amount_cents: 4200 });
    const deleted = await owner.caller.contacts.create({ full_name: "Victim Deleted", email: "victim.deleted@example.com" });
    await owner.caller.contacts.delete({ id: deleted.id });
    await owner.caller.imports.contactsCsv({ csv: "full_name\nVictim Imported\n" });
    // formerMember was an admin, with a token issued while active; then deactivated.
    await owner.caller.businesses.deactivateMember({ businessId: bid, userId: formerMember.id });
    const invitee = await h.signUp("victiminvitee");
    const pending = await owner.caller.invitations.create({ businessId: bid, email: invitee.email, role: "admin" });
    outsider = await h.owner("outsider");
    await outsider.caller.contacts.create({ full_name: "Outsider victim-lookalike" });
    victim = {
      businessId: bid,
      contactId: contact.id,
      deletedContactId: deleted.id,
      ownerId: owner.id,
      memberId: member.id,
      invitationId: pending.invitation.id,
      secrets: [bid, contact.id, deleted.id, "Victim Secret", "victim.secret@example.com", "Victim Imported", owner.email, member.email, invitee.email],
    };
  }, 120_000);

  const run = async (caller: Caller, allowed: (name: string, code: string) => boolean) => {
    const before = await snapshot(victim.businessId);
    const failures: string[] = [];
    for (const [name, attack] of attacks(victim, stranger.id)) {
      let code = "OK";
      let result: unknown;
      try {
        result = await attack(caller);
      } catch (error) {
        code = await codeOf(Promise.reject(error));
        result = (error as Error).message;
      }
      const text = JSON.stringify(result) ?? "";
      const leaked = victim.secrets.filter((s) => text.includes(s));
      if (leaked.length) failures.push(`${name}: leaked ${leaked.join(", ")}`);
      if (!allowed(name, code)) failures.push(`${name}: ${code}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot(victim.businessId)).toBe(before);
  };

  // Calls aimed at the caller's own account or own business may succeed; nothing else may.
  const ownScope = (name: string) =>
    name.startsWith("me.") || name === "businesses.create" || name === "businesses.list" || name === "invitations.mine" || / \(own\)$/.test(name);

  it("a member of another business reaches nothing of the victim's", async () => {
    await run(outsider.caller, (name, code) =>
      ownScope(name) ? code === "OK" : name.endsWith("(own business)") ? code === "NOT_FOUND" : code === "NOT_FOUND",
    );
    // The same through the X-Business-Id header.
    await run(await outsider.withBusiness(victim.businessId), (name, code) =>
      name.startsWith("me.") || name === "businesses.create" || name === "businesses.list" || name === "invitations.mine" ? code === "OK" : code === "NOT_FOUND",
    );
  });

  it("a deactivated member (valid token) reaches nothing", async () => {
    await run(formerMember.caller, (name, code) => {
      if (name.startsWith("me.") || name === "businesses.create" || name === "businesses.list" || name === "invitations.mine") return code === "OK";
      return code === "NOT_FOUND";
    });
  });

  const forge = async (secret: Uint8Array, claims: { sub: string; exp: number; session_id?: string }) =>
    new SignJWT({ role: "authenticated", email: "x@example.com", ...(claims.session_id && { session_id: claims.session_id }) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuer("switchboard")
      .setIssuedAt(claims.exp - 900)
      .setExpirationTime(claims.exp)
      .sign(secret);
  const sessionOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { session_id: string }).session_id;
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

  it("no token, expired, re-signed payload, alg none, wrong secret: UNAUTHORIZED everywhere", async () => {
    const now = Math.floor(Date.now() / 1000);
    const [header, , signature] = outsider.token.split(".");
    const victimClaims = { sub: victim.ownerId, role: "authenticated", iss: "switchboard", iat: now, exp: now + 900 };
    const tokens: Record<string, string | null> = {
      none: null,
      garbage: "Bearer not.a.jwt",
      notBearer: outsider.token,
      expired: `Bearer ${await forge(h.config.jwt.secret, { sub: victim.ownerId, exp: now - 60 })}`,
      tamperedPayload: `Bearer ${header}.${b64(victimClaims)}.${signature}`,
      tamperedSignature: `Bearer ${outsider.token.slice(0, -4)}${outsider.token.endsWith("AAAA") ? "BBBB" : "AAAA"}`,
      algNone: `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(victimClaims)}.`,
      wrongSecret: `Bearer ${await forge(randomBytes(32), { sub: victim.ownerId, exp: now + 900 })}`,
      // Signed with the real key, but naming no session, or the outsider's own session: both refused.
      noSession: `Bearer ${await forge(h.config.jwt.secret, { sub: victim.ownerId, exp: now + 900 })}`,
      foreignSession: `Bearer ${await forge(h.config.jwt.secret, { sub: victim.ownerId, exp: now + 900, session_id: sessionOf(outsider.token) })}`,
    };
    for (const [kind, authorization] of Object.entries(tokens)) {
      const caller = await h.withHeaders(authorization, victim.businessId);
      const failures: string[] = [];
      for (const [name, attack] of attacks(victim, stranger.id)) {
        const code = await codeOf(attack(caller));
        if (code !== "UNAUTHORIZED") failures.push(`${kind} ${name}: ${code}`);
      }
      expect(failures).toEqual([]);
    }
  });

  it("victim's own members still see their data (the attacks were not vacuous)", async () => {
    const owner = await h.withHeaders(null);
    expect(await codeOf(owner.contacts.list({}))).toBe("UNAUTHORIZED");
    const { ownerId } = victim;
    const [session] = await rows<{ id: string }>(db.database.db, sql`insert into auth.sessions (user_id) values (${ownerId}::uuid) returning id::text`);
    const token = await forge(h.config.jwt.secret, { sub: ownerId, exp: Math.floor(Date.now() / 1000) + 900, session_id: session!.id });
    const real = await h.withHeaders(`Bearer ${token}`);
    const page = await real.contacts.list({});
    expect(page.data.map((c) => c.full_name).sort()).toEqual(["Victim Imported", "Victim Secret"]);
  });
});
