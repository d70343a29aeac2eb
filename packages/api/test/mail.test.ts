// Mail delivery against a REAL SMTP receiver (smtp-server, started here on an ephemeral port), not a
// mock: the invitation mail arrives with its link; a refusing server makes the worker retry with
// backoff and finally mark the row failed; the request that enqueued mail never waits for delivery.
import type { AddressInfo } from "node:net";
import { rows, sql } from "@switchboard/db";
import { describeDb } from "@switchboard/db/testing";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultMailSettings } from "../src/context.ts";
import { createMailWorker, deliverDue, logTransport, smtpTransport } from "../src/mail/outbox.ts";
import { harness, inviteToken, testConfig, uniqueEmail } from "./helpers.ts";

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1:0 that keeps what it receives (or refuses every recipient). */
async function startReceiver(opts: { refuse?: boolean } = {}) {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (opts.refuse) callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 450 }));
      else callback();
    },
    onData(stream, session, callback) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => (raw += chunk));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        waiters.splice(0).forEach((w) => w());
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Resolves once `count` messages have arrived. */
    until: (count: number) =>
      new Promise<void>((resolve) => {
        const check = () => (received.length >= count ? resolve() : waiters.push(check));
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Quoted-printable soft line breaks and escapes undone, enough to find a URL in the raw message. */
const decodeQp = (raw: string) => raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describeDb("mail outbox and SMTP delivery", (db) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  const outboxRow = async (email: string) => {
    const [row] = await rows<{ status: string; attempts: number; body_text: string | null; last_error: string | null; due_in_future: boolean; sent: boolean }>(
      db.database.db,
      sql`select status, attempts, body_text, last_error, next_attempt_at > now() as due_in_future, sent_at is not null as sent
          from private.mail_outbox where to_email = ${email} order by id desc limit 1`,
    );
    return row!;
  };

  it("an invitation is delivered over SMTP by the worker after the request commits; the link in it joins", async () => {
    const config = { ...testConfig(), mail: { ...defaultMailSettings, smtp: true, publicUrl: "https://app.example.test", invitationsPerHour: 100 } };
    const worker = createMailWorker({ database: db.database, transport: smtpTransport(receiver.url, "Switchboard <no-reply@example.test>"), intervalMs: 60_000 });
    const h = harness(db, { config, mailer: worker });
    try {
      const owner = await h.owner("mailer");
      const invitee = await h.signUp("mailee");
      const before = receiver.received.length;
      const created = await owner.caller.invitations.create({ businessId: owner.business.id, email: invitee.email, role: "member" });
      // With SMTP the link goes by mail only: the inviter never sees it.
      expect(created.invite_url).toBeNull();
      await receiver.until(before + 1);
      const mail = receiver.received[before]!;
      expect(mail.to).toEqual([invitee.email]);
      expect(mail.from).toBe("no-reply@example.test");
      const text = decodeQp(mail.raw);
      expect(text).toContain("Subject: You are invited to join mailer's business on Switchboard");
      const url = text.match(/https:\/\/app\.example\.test\/invitations#token=[A-Za-z0-9_-]+/)?.[0];
      expect(url).toBeDefined();
      await expect.poll(() => outboxRow(invitee.email)).toMatchObject({ status: "sent", attempts: 1, body_text: null, sent: true });
      // The mailed link is the invitation: the invitee joins with it.
      expect(await invitee.caller.invitations.acceptByToken({ token: inviteToken(url!) })).toMatchObject({ id: owner.business.id });
    } finally {
      await worker.stop();
    }
  });

  it("a refusing SMTP server: the request still succeeds, delivery retries with backoff, then fails", async () => {
    const refusing = await startReceiver({ refuse: true });
    const transport = smtpTransport(refusing.url, "no-reply@example.test");
    const config = { ...testConfig(), mail: { ...defaultMailSettings, smtp: true, invitationsPerHour: 100 } };
    const h = harness(db, { config });
    try {
      const owner = await h.owner("bounce");
      const email = uniqueEmail("bounced");
      // No worker runs in this request path: it answers whatever the mail server does.
      expect((await owner.caller.invitations.create({ businessId: owner.business.id, email, role: "member" })).invitation.status).toBe("pending");
      expect(await outboxRow(email)).toMatchObject({ status: "pending", attempts: 0 });
      const options = { maxAttempts: 3, retryBaseSeconds: 30 };
      expect(await deliverDue(db.database, transport, options)).toMatchObject({ retrying: 1, delivered: 0 });
      const first = await outboxRow(email);
      expect(first).toMatchObject({ status: "pending", attempts: 1, due_in_future: true });
      expect(first.last_error).toMatch(/mailbox unavailable|450/);
      // Not due yet: a second round leaves it alone.
      expect(await deliverDue(db.database, transport, options)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
      for (let attempt = 2; attempt <= 3; attempt++) {
        await db.database.db.execute(sql`update private.mail_outbox set next_attempt_at = now() where to_email = ${email}`);
        await deliverDue(db.database, transport, options);
      }
      expect(await outboxRow(email)).toMatchObject({ status: "failed", attempts: 3, body_text: null });
      expect(refusing.received).toHaveLength(0);
    } finally {
      transport.close();
      await refusing.close();
    }
  });

  it("without SMTP the mail goes to the log (marked logged) and the inviter gets the link", async () => {
    const logged: Record<string, unknown>[] = [];
    const h = harness(db);
    const owner = await h.owner("nosmtp");
    const email = uniqueEmail("logged");
    const created = await owner.caller.invitations.create({ businessId: owner.business.id, email, role: "member" });
    expect(created.invite_url).toMatch(/\/invitations#token=/);
    const result = await deliverDue(db.database, logTransport((fields) => logged.push(fields)));
    expect(result.delivered).toBeGreaterThanOrEqual(1);
    expect(logged.find((l) => l.to === email)?.body).toContain(created.invite_url!);
    expect(await outboxRow(email)).toMatchObject({ status: "logged", body_text: null });
  });
});
