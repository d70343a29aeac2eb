// Retention of the mail outbox and of invitations: rows past the window are deleted in bounded
// batches; newer ones, mail still pending and pending unexpired invitations are kept.
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { expect, it } from "vitest";
import { createMailWorker, logTransport, purgeRetained } from "../src/mail/outbox.ts";
import { harness } from "./helpers.ts";

describeDb("mail and invitation retention", (db) => {
  it("deletes done mail and finished or expired invitations older than the window, in batches", async () => {
    const h = harness(db);
    const owner = await h.owner("retention");
    const admin = db.database.db;
    const mail = (status: string, age: string, subject: string) =>
      admin.execute(sql`insert into private.mail_outbox (kind, to_email, subject, status, created_at, sent_at)
                        values ('invitation', 'r@example.com', ${subject}, ${status}, now() - ${age}::interval,
                                ${status === "pending" ? null : sql`now() - ${age}::interval`})`);
    await mail("sent", "31 days", "old sent");
    await mail("logged", "40 days", "old logged");
    await mail("failed", "31 days", "old failed");
    await mail("sent", "29 days", "new sent");
    await mail("pending", "60 days", "old pending");
    const invitation = (email: string, status: string, expires: string, responded: string | null) =>
      admin.execute(sql`insert into public.business_invitations
                          (business_id, email, role, token_hash, status, created_at, expires_at, responded_at)
                        values (${owner.business.id}::uuid, ${email}, 'member', ${`hash-${email}`}, ${status},
                                now() - interval '200 days', now() + ${expires}::interval,
                                ${responded === null ? null : sql`now() - ${responded}::interval`})`);
    await invitation("old-accepted@example.com", "accepted", "-150 days", "91 days");
    await invitation("old-revoked@example.com", "revoked", "-150 days", "100 days");
    await invitation("old-expired@example.com", "pending", "-91 days", null);
    await invitation("new-declined@example.com", "declined", "-150 days", "89 days");
    await invitation("new-expired@example.com", "pending", "-89 days", null);
    await invitation("pending@example.com", "pending", "7 days", null);

    const options = { outboxDays: 30, invitationDays: 90, batch: 2 };
    expect(await purgeRetained(db.database, options)).toEqual({ outbox: 2, invitations: 2 });
    expect(await purgeRetained(db.database, options)).toEqual({ outbox: 1, invitations: 1 });
    expect(await purgeRetained(db.database, options)).toEqual({ outbox: 0, invitations: 0 });

    const subjects = await rows<{ subject: string }>(admin, sql`select subject from private.mail_outbox where to_email = 'r@example.com' order by subject`);
    expect(subjects.map((r) => r.subject)).toEqual(["new sent", "old pending"]);
    const emails = await rows<{ email: string }>(
      admin,
      sql`select email from public.business_invitations where business_id = ${owner.business.id}::uuid order by email`,
    );
    expect(emails.map((r) => r.email)).toEqual(["new-declined@example.com", "new-expired@example.com", "pending@example.com"]);

    // 0 keeps everything.
    expect(await purgeRetained(db.database, { outboxDays: 0, invitationDays: 0, batch: 100 })).toEqual({ outbox: 0, invitations: 0 });
    await mail("sent", "1 day", "recent");
    expect(await purgeRetained(db.database, { outboxDays: 0, invitationDays: 0, batch: 100 })).toEqual({ outbox: 0, invitations: 0 });
  });

  it("the mail worker applies retention in its first round, all batches", async () => {
    const admin = db.database.db;
    for (let i = 0; i < 5; i++) {
      await admin.execute(sql`insert into private.mail_outbox (kind, to_email, subject, status, sent_at)
                              values ('invitation', 'w@example.com', ${`old ${i}`}, 'sent', now() - interval '31 days')`);
    }
    const deleted = await new Promise<{ outbox: number; invitations: number }>((resolve, reject) => {
      const worker = createMailWorker({
        database: db.database,
        transport: logTransport(() => {}),
        retention: { outboxDays: 30, invitationDays: 90, batch: 2 },
        onPurge: (counts) => void worker.stop().then(() => resolve(counts)),
        onError: reject,
      });
      worker.kick();
    });
    expect(deleted).toEqual({ outbox: 5, invitations: 0 });
    const [left] = await rows<{ n: number }>(admin, sql`select count(*)::int as n from private.mail_outbox where to_email = 'w@example.com'`);
    expect(left!.n).toBe(0);
  });
});
