// Delivers the mail outbox (private.mail_outbox): rows are written in the transaction of what they
// announce; this worker claims due rows (FOR UPDATE SKIP LOCKED, so several server instances share the
// work and a row goes out once), sends each through the transport, and marks it sent — or retries it
// with exponential backoff, and after `maxAttempts` marks it failed. Bodies carry single-use links, so
// they are cleared once a row is done. Runs as the database role switchboard_mailer; never inside a
// request (a request only kicks it after its commit).
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
}): MailWorker {
  let running: Promise<void> | null = null;
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
