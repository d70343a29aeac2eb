// Delivers the mail outbox (private.mail_outbox): rows are written in the transaction of what they
// announce; this worker claims due rows (FOR UPDATE SKIP LOCKED, so several server instances share the
// work and a row goes out once), sends each through the transport, and marks it sent — or retries it
// with exponential backoff, and after `maxAttempts` marks it failed. Bodies carry single-use links, so
// they are cleared once a row is done. Runs as the database role switchboard_mailer; never inside a
// request (a request only kicks it after its commit). It also applies retention: done mail and old
// invitations are deleted in bounded batches (purgeRetained).
import nodemailer from "nodemailer";
import { asMailer, rows, sql, type Database } from "@switchboard/db";
import type { OutboxKick } from "../context.ts";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  /** "smtp" marks delivered rows sent; "log" (no SMTP configured) marks them logged. */
  kind: "smtp" | "log";
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** nodemailer over SMTP: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. */
export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    kind: "smtp",
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transporter.close(),
  };
}

/** Without SMTP: the mail (and so its link) goes to the log, where a developer or operator finds it. */
export function logTransport(log: (fields: Record<string, unknown>, message: string) => void): MailTransport {
  return {
    kind: "log",
    async send(mail) {
      log({ to: mail.to, subject: mail.subject, body: mail.text }, "mail not sent (no SMTP_URL): logged instead");
    },
    close: () => {},
  };
}

export interface DeliveryOptions {
  /** Rows claimed per round. */
  batch?: number;
  maxAttempts?: number;
  /** Wait before the 2nd attempt; doubled for each further one (capped at an hour). */
  retryBaseSeconds?: number;
  /** A claimed row is someone's for this long: a worker that died mid-send leaves it to be retried. */
  leaseSeconds?: number;
}

export interface DeliveryResult {
  delivered: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  id: number;
  to_email: string;
  subject: string;
  body_text: string | null;
  attempts: number;
}

/** One round: claim due rows, send them, record each outcome. */
export async function deliverDue(database: Database, transport: MailTransport, options: DeliveryOptions = {}): Promise<DeliveryResult> {
  const batch = options.batch ?? 20;
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.retryBaseSeconds ?? 30;
  const lease = options.leaseSeconds ?? 120;
  const claimed = await asMailer(database, (tx) =>
    rows<Claimed>(
      tx,
      sql`update private.mail_outbox o
          set attempts = o.attempts + 1, next_attempt_at = now() + make_interval(secs => ${lease}::int)
          where o.id in (select d.id from private.mail_outbox d
                         where d.status = 'pending' and d.next_attempt_at <= now()
                         order by d.next_attempt_at, d.id
                         limit ${batch}::int
                         for update skip locked)
          returning o.id, o.to_email, o.subject, o.body_text, o.attempts`,
    ),
  );
  const result: DeliveryResult = { delivered: 0, retrying: 0, failed: 0 };
  for (const mail of claimed) {
    try {
      await transport.send({ to: mail.to_email, subject: mail.subject, text: mail.body_text ?? "" });
      await asMailer(database, (tx) =>
        tx.execute(
          sql`update private.mail_outbox set status = ${transport.kind === "smtp" ? "sent" : "logged"}, sent_at = now(),
                body_text = null, last_error = null
              where id = ${mail.id}`,
        ),
      );
      result.delivered++;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      const final = mail.attempts >= maxAttempts;
      const delay = Math.min(base * 2 ** (mail.attempts - 1), 3600);
      await asMailer(database, (tx) =>
        tx.execute(
          final
            ? sql`update private.mail_outbox set status = 'failed', body_text = null, last_error = ${message} where id = ${mail.id}`
            : sql`update private.mail_outbox set next_attempt_at = now() + make_interval(secs => ${delay}::int), last_error = ${message}
                  where id = ${mail.id}`,
        ),
      );
      if (final) result.failed++;
      else result.retrying++;
    }
  }
  return result;
}

export interface RetentionOptions {
  /** Days done mail (sent, logged, failed) is kept; 0 keeps it forever. */
  outboxDays: number;
  /** Days answered, revoked or expired invitations are kept; 0 keeps them forever. */
  invitationDays: number;
  /** Rows of each table deleted per statement. */
  batch?: number;
}

/** One bounded retention step (private.purge_retained): how many rows of each kind it deleted. */
export async function purgeRetained(database: Database, options: RetentionOptions) {
  const [deleted] = await asMailer(database, (tx) =>
    rows<{ outbox: number; invitations: number }>(
      tx,
      sql`select outbox, invitations
          from private.purge_retained(${options.outboxDays}::int, ${options.invitationDays}::int, ${options.batch ?? 500}::int)`,
    ),
  );
  return deleted ?? { outbox: 0, invitations: 0 };
}

/** Retention until a step deletes less than a full batch of both kinds (stops early when asked to). */
async function purgeAll(database: Database, options: RetentionOptions, stopped: () => boolean) {
  const batch = options.batch ?? 500;
  const total = { outbox: 0, invitations: 0 };
  for (;;) {
    const step = await purgeRetained(database, { ...options, batch });
    total.outbox += step.outbox;
    total.invitations += step.invitations;
    if ((step.outbox < batch && step.invitations < batch) || stopped()) return total;
  }
}

export interface MailWorker extends OutboxKick {
  /** Resolves when the round in progress (if any) has finished; no new round starts. */
  stop(): Promise<void>;
}

/**
 * Runs deliverDue every `intervalMs` and soon after each kick, one round at a time (a kick during a
 * round schedules one more). Errors are reported, never thrown: the worker keeps going.
 */
export function createMailWorker(opts: {
  database: Database;
  transport: MailTransport;
  intervalMs?: number;
  delivery?: DeliveryOptions;
  onResult?: (result: DeliveryResult) => void;
  onError?: (error: unknown) => void;
  /** Retention, run in the first round and then at most once per `retentionIntervalMs` (default an hour). */
  retention?: RetentionOptions;
  retentionIntervalMs?: number;
  onPurge?: (deleted: { outbox: number; invitations: number }) => void;
}): MailWorker {
  let running: Promise<void> | null = null;
  let lastPurge = -Infinity;
  let again = false;
  let stopped = false;
  const round = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          const result = await deliverDue(opts.database, opts.transport, opts.delivery);
          if (result.delivered + result.retrying + result.failed > 0) opts.onResult?.(result);
          if (opts.retention && Date.now() - lastPurge >= (opts.retentionIntervalMs ?? 3_600_000)) {
            lastPurge = Date.now();
            const deleted = await purgeAll(opts.database, opts.retention, () => stopped);
            if (deleted.outbox + deleted.invitations > 0) opts.onPurge?.(deleted);
          }
        } catch (error) {
          opts.onError?.(error);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(round, opts.intervalMs ?? 10_000);
  timer.unref();
  return {
    kick: () => setImmediate(round),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      opts.transport.close();
    },
  };
}
