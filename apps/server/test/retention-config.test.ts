// MAIL_OUTBOX_RETENTION_DAYS / INVITATION_RETENTION_DAYS: defaults, 0 (keep forever), invalid values refused.
import { describe, expect, it } from "vitest";
import { EnvError, loadConfig } from "../src/env.ts";

const base = { JWT_SECRET: "x".repeat(32), ANALYTICS_TOKEN_KEY: "k".repeat(32) };

describe("retention settings", () => {
  it("default to 30 days of mail and 90 days of invitations; 0 keeps them", () => {
    expect(loadConfig({ ...base }).retention).toEqual({ outboxDays: 30, invitationDays: 90 });
    expect(loadConfig({ ...base, MAIL_OUTBOX_RETENTION_DAYS: "0", INVITATION_RETENTION_DAYS: "7" }).retention).toEqual({
      outboxDays: 0,
      invitationDays: 7,
    });
  });

  it("refuses negative, fractional and non-numeric values with a clear error", () => {
    for (const value of ["-1", "1.5", "soon"]) {
      expect(() => loadConfig({ ...base, MAIL_OUTBOX_RETENTION_DAYS: value })).toThrow(EnvError);
      expect(() => loadConfig({ ...base, INVITATION_RETENTION_DAYS: value })).toThrow(/INVITATION_RETENTION_DAYS/);
    }
  });
});
