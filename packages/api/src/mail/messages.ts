// The text of the mails Switchboard sends. Plain text only; values from users are stripped of control
// characters so they cannot break lines or headers (nodemailer encodes headers on top of that).
import type { MailSettings } from "../context.ts";

const clean = (value: string) => value.replace(/\p{Cc}+/gu, " ").trim();

export interface Mail {
  subject: string;
  body: string;
}

/** Links carry the token in the fragment: browsers never send it to a server or in a Referer. */
export const invitationUrl = (mail: MailSettings, token: string) =>
  `${mail.publicUrl.replace(/\/+$/, "")}/invitations#token=${encodeURIComponent(token)}`;
export const passwordResetUrl = (mail: MailSettings, token: string) =>
  `${mail.publicUrl.replace(/\/+$/, "")}/reset-password#token=${encodeURIComponent(token)}`;

export function invitationMail(opts: { businessName: string; inviterName: string; role: string; url: string; expiresAt: Date }): Mail {
  const business = clean(opts.businessName);
  return {
    subject: `You are invited to join ${business} on Switchboard`,
    body: [
      `${clean(opts.inviterName)} invited you to join ${business} on Switchboard as ${opts.role}.`,
      "",
      `Accept or decline: ${opts.url}`,
      "",
      `Sign in (or sign up) with this email address to answer. The link works once and expires on ${opts.expiresAt.toISOString()}.`,
      "If you do not know the sender, ignore this mail: nothing happens unless you accept.",
    ].join("\n"),
  };
}

export function passwordResetMail(opts: { url: string; ttlSeconds: number }): Mail {
  const minutes = Math.round(opts.ttlSeconds / 60);
  return {
    subject: "Reset your Switchboard password",
    body: [
      "Someone (hopefully you) asked to reset the password of your Switchboard account.",
      "",
      `Choose a new password: ${opts.url}`,
      "",
      `The link works once and expires in ${minutes} minutes. If you did not ask, ignore this mail: your password stays as it is.`,
    ].join("\n"),
  };
}
