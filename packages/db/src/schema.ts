// The single source of truth for Switchboard's tables and their TypeScript types.
// Table and column names are a public contract (see ../README.md): change them only with a migration
// and a note. Hand-written SQL that Drizzle cannot express (auth functions, the users sync trigger,
// row-level security, roles and grants, search indexes) lives in the `--custom` migrations in ../drizzle.
import { sql } from "drizzle-orm";
import { motivations } from "./vocabulary.ts";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgSchema,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";

const tz = { withTimezone: true } as const;
const createdAt = () => timestamp("created_at", tz).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", tz).notNull().defaultNow();

// ---------------------------------------------------------------------------------------------
// auth: the identity store (Supabase-shaped). Written by sign-up / sign-in, never by user requests.
// ---------------------------------------------------------------------------------------------
export const authSchema = pgSchema("auth");

export type UserMetaData = {
  display_name?: string;
  full_name?: string;
  avatar_url?: string;
  phone?: string;
};
export type AppMetaData = { roles?: string[] };

export const authUsers = authSchema.table(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    // Nullable: accounts made by an operator or an identity provider have no password.
    encryptedPassword: text("encrypted_password"),
    rawUserMetaData: jsonb("raw_user_meta_data").$type<UserMetaData>().notNull().default({}),
    rawAppMetaData: jsonb("raw_app_meta_data").$type<AppMetaData>().notNull().default({}),
    emailConfirmedAt: timestamp("email_confirmed_at", tz),
    lastSignInAt: timestamp("last_sign_in_at", tz),
    bannedUntil: timestamp("banned_until", tz),
    // Soft deletion (Supabase): the account can no longer sign in; its sessions are revoked.
    deletedAt: timestamp("deleted_at", tz),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("auth_users_email_lower_key").on(sql`lower(${t.email})`)],
);

/**
 * One row per sign-in (GoTrue's model). The access token carries its id as `session_id`; every user
 * request checks it is live (withUser). Revoked by sign-out, by refresh-token reuse, and by the
 * `revoke_sessions_on_credential_change` trigger when a password, ban or deletion changes.
 */
export const authSessions = authSchema.table(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    refreshedAt: timestamp("refreshed_at", tz),
    revokedAt: timestamp("revoked_at", tz),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("auth_sessions_user_id_idx").on(t.userId)],
);

/**
 * Rotating refresh tokens: only a SHA-256 of each token is stored. A refresh revokes the presented
 * token and issues its child; presenting an already revoked token is reuse and revokes the session.
 */
export const authRefreshTokens = authSchema.table(
  "refresh_tokens",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tokenHash: text("token_hash").notNull(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => authSessions.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    parentId: bigint("parent_id", { mode: "number" }),
    revoked: boolean("revoked").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("auth_refresh_tokens_token_hash_key").on(t.tokenHash),
    index("auth_refresh_tokens_session_id_idx").on(t.sessionId),
    // The foreign key's index (test/indexes.test.ts): deleting an account cascades here.
    index("auth_refresh_tokens_user_id_idx").on(t.userId),
  ],
);

/**
 * Sign-in limiter state (rate-limiter-flexible's Drizzle store: key, points, expire), shared by every
 * server instance. Not granted to `authenticated`; the server's login role writes it directly.
 */
export const authRateLimits = authSchema.table("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: timestamp("expire", tz),
});

/** Password reset: single-use, expiring tokens, stored as SHA-256 hex only (written by the auth service). */
export const authPasswordResetTokens = authSchema.table(
  "password_reset_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", tz).notNull(),
    usedAt: timestamp("used_at", tz),
  },
  (t) => [index("password_reset_tokens_user_idx").on(t.userId, t.createdAt)],
);

// ---------------------------------------------------------------------------------------------
// private: not exposed to user roles at all (no grants to authenticated or analyst).
// ---------------------------------------------------------------------------------------------
export const privateSchema = pgSchema("private");

export const mailKinds = ["invitation", "password_reset"] as const;
export type MailKind = (typeof mailKinds)[number];
export const mailStatuses = ["pending", "sent", "logged", "failed"] as const;
export type MailStatus = (typeof mailStatuses)[number];

/**
 * Mail outbox: rows are written in the same transaction as what they announce (an invitation, a reset
 * token) and delivered afterwards by the mail worker (SMTP, or the log without SMTP), with retries. The
 * body (it carries a single-use link) is cleared once delivered.
 */
export const mailOutbox = privateSchema.table(
  "mail_outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").$type<MailKind>().notNull(),
    toEmail: text("to_email").notNull(),
    subject: text("subject").notNull(),
    bodyText: text("body_text"),
    status: text("status").$type<MailStatus>().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    // A claimed row is leased until here; a failed one waits here for its next attempt (backoff).
    nextAttemptAt: timestamp("next_attempt_at", tz).notNull().defaultNow(),
    lastError: text("last_error"),
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at", tz),
  },
  (t) => [
    index("mail_outbox_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index("mail_outbox_requested_by_idx").on(t.requestedBy, t.createdAt),
    check("mail_outbox_kind_check", sql`${t.kind} in ('invitation','password_reset')`),
    check("mail_outbox_status_check", sql`${t.status} in ('pending','sent','logged','failed')`),
  ],
);

// ---------------------------------------------------------------------------------------------
// public: the operational layer (tenant data behind RLS).
// ---------------------------------------------------------------------------------------------

/** Mirror of auth.users kept by the `sync_user_data` trigger, plus app-owned operational columns. */
export const users = pgTable(
  "users",
  {
    // Mirrored from auth.users by the trigger:
    id: uuid("id")
      .primaryKey()
      .references(() => authUsers.id, { onDelete: "cascade" }),
    email: varchar("email", { length: 320 }).notNull(),
    fullName: varchar("full_name", { length: 255 }),
    displayName: varchar("display_name", { length: 255 }).notNull(),
    avatarUrl: varchar("avatar_url", { length: 500 }),
    phone: varchar("phone", { length: 20 }),
    isActive: boolean("is_active").default(true),
    lastSignIn: timestamp("last_sign_in", tz),
    createdAt: timestamp("created_at", tz).defaultNow(),
    updatedAt: timestamp("updated_at", tz).defaultNow(),
    emailValidated: boolean("email_validated").notNull().default(false),
    // App-owned (the trigger never writes these on update):
    motivation: text("motivation"),
    onboardingLastStep: text("onboarding_last_step"),
    onboardingCompletedAt: timestamp("onboarding_completed_at", tz),
    accountStatus: text("account_status").notNull().default("active"),
    // Demographic sources; only their generalizations reach the analytics layer.
    birthDate: date("birth_date"),
    province: varchar("province", { length: 2 }),
  },
  (t) => [
    check(
      "users_province_check",
      sql`${t.province} is null or ${t.province} in ('NL','PE','NS','NB','QC','ON','MB','SK','AB','BC','YT','NT','NU')`,
    ),
    check("users_account_status_check", sql`${t.accountStatus} in ('active','suspended','closed')`),
    // Closed vocabulary (vocabulary.ts): no free text from users reaches an insight.
    check(
      "users_motivation_check",
      sql`${t.motivation} is null or ${t.motivation} in (${sql.raw(motivations.map((m) => `'${m}'`).join(","))})`,
    ),
    index("users_created_at_idx").on(t.createdAt),
  ],
);

export const businesses = pgTable(
  "businesses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    // Lets the creator see the row before the owner membership exists (see the businesses policies).
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("businesses_created_by_idx").on(t.createdBy)],
);

export const membershipRoles = ["owner", "admin", "member"] as const;
export type MembershipRole = (typeof membershipRoles)[number];

export const businessMemberships = pgTable(
  "business_memberships",
  {
    businessId: uuid("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role").$type<MembershipRole>().notNull().default("member"),
    isActive: boolean("is_active").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.userId] }),
    index("business_memberships_user_id_idx").on(t.userId, t.businessId).where(sql`${t.isActive}`),
    index("business_memberships_user_all_idx").on(t.userId),
    check("business_memberships_role_check", sql`${t.role} in ('owner','admin','member')`),
  ],
);

/**
 * Invitations with consent: an owner or admin invites an email with a role; only the invitee, signed in
 * with that email, accepts (private.accept_invitation*), which is what creates the membership. The token
 * is stored as its SHA-256 hex only. Written only through the private.* invitation functions.
 */
export const invitationStatuses = ["pending", "accepted", "declined", "revoked"] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

export const businessInvitations = pgTable(
  "business_invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    businessId: uuid("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // Normalized (trimmed, lower case): the invitation is bound to this address.
    email: text("email").notNull(),
    role: text("role").$type<MembershipRole>().notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    status: text("status").$type<InvitationStatus>().notNull().default("pending"),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", tz).notNull(),
    respondedAt: timestamp("responded_at", tz),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("business_invitations_token_hash_key").on(t.tokenHash),
    // One pending invitation per business and address: inviting again replaces it.
    uniqueIndex("business_invitations_pending_key").on(t.businessId, t.email).where(sql`${t.status} = 'pending'`),
    index("business_invitations_business_idx").on(t.businessId, t.createdAt),
    index("business_invitations_email_idx").on(t.email),
    // The hourly per-inviter throttle counts these.
    index("business_invitations_invited_by_idx").on(t.invitedBy, t.createdAt),
    index("business_invitations_accepted_by_idx").on(t.acceptedBy),
    check("business_invitations_role_check", sql`${t.role} in ('owner','admin','member')`),
    check("business_invitations_status_check", sql`${t.status} in ('pending','accepted','declined','revoked')`),
    check("business_invitations_email_check", sql`${t.email} = lower(btrim(${t.email})) and position('@' in ${t.email}) > 1`),
  ],
);

export const contacts = pgTable(
  "contacts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    businessId: uuid("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    fullName: text("full_name").notNull(),
    email: text("email"),
    phone: text("phone"),
    company: text("company"),
    assignedTo: uuid("assigned_to").references(() => users.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamp("deleted_at", tz),
  },
  (t) => [
    // The contact list order (created_at desc, id desc: keyset pagination) is this index read backwards.
    index("contacts_business_created_idx").on(t.businessId, t.createdAt, t.id),
    index("contacts_assigned_to_idx").on(t.assignedTo),
    index("contacts_created_by_idx").on(t.createdBy),
    // One live contact per email within a business (imports skip, creates get a 409).
    uniqueIndex("contacts_business_email_key")
      .on(t.businessId, sql`lower(${t.email})`)
      .where(sql`${t.deletedAt} is null and ${t.email} is not null`),
    // The key a distributed `contacts` will have (Citus: keys must contain business_id; docs/scaling.md),
    // and the target of transactions' business-scoped foreign key.
    unique("contacts_business_id_id_key").on(t.businessId, t.id),
  ],
);

export const imports = pgTable(
  "imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    businessId: uuid("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    kind: text("kind").notNull().default("contacts"),
    filename: text("filename"),
    status: text("status").notNull().default("pending"),
    rowsTotal: integer("rows_total").notNull().default(0),
    rowsImported: integer("rows_imported").notNull().default(0),
    rowsFailed: integer("rows_failed").notNull().default(0),
    // Per-row errors ({ line, reason }[]) so the web app can offer an error file later.
    errors: jsonb("errors").$type<{ line: number; reason: string }[]>().notNull().default([]),
    createdAt: createdAt(),
    finishedAt: timestamp("finished_at", tz),
  },
  (t) => [
    index("imports_business_idx").on(t.businessId, t.createdAt),
    index("imports_created_by_idx").on(t.createdBy),
    check("imports_kind_check", sql`${t.kind} in ('contacts','transactions')`),
    check("imports_status_check", sql`${t.status} in ('pending','running','completed','failed')`),
  ],
);

export const transactions = pgTable(
  "transactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    businessId: uuid("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    // References contacts by (business_id, contact_id), below: a transaction's contact is in its business.
    contactId: uuid("contact_id").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    currency: varchar("currency", { length: 3 }).notNull().default("CAD"),
    category: text("category"),
    occurredAt: timestamp("occurred_at", tz).notNull().defaultNow(),
    importId: uuid("import_id").references(() => imports.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "transactions_business_contact_fk",
      columns: [t.businessId, t.contactId],
      foreignColumns: [contacts.businessId, contacts.id],
    }).onDelete("cascade"),
    index("transactions_business_contact_idx").on(t.businessId, t.contactId),
    index("transactions_contact_idx").on(t.contactId, t.occurredAt),
    index("transactions_created_by_idx").on(t.createdBy),
    index("transactions_import_idx").on(t.importId),
    index("transactions_created_at_idx").on(t.createdAt),
  ],
);

// ---------------------------------------------------------------------------------------------
// Analytics layer (schema public, names per the analysis note). The analyst role reads these.
// ---------------------------------------------------------------------------------------------

/**
 * Activity, keyed by the operational user id (the note: "l1_event_facts with user_id").
 * Range-partitioned by month of occurred_at (UTC) — declared in migration 0005, which Drizzle cannot
 * express: partitions l1_event_facts_YYYY_MM plus l1_event_facts_default, created ahead and dropped
 * past the retention by private.ensure_event_partitions / private.drop_event_partitions_before.
 * A partitioned table's primary key must contain the partition key, hence (id, occurred_at).
 */
export const l1EventFacts = pgTable(
  "l1_event_facts",
  {
    id: bigserial("id", { mode: "number" }).notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    businessId: uuid("business_id").references(() => businesses.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    occurredAt: timestamp("occurred_at", tz).notNull().defaultNow(),
    properties: jsonb("properties").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.occurredAt] }),
    index("l1_event_facts_user_occurred_idx").on(t.userId, t.occurredAt),
    index("l1_event_facts_occurred_idx").on(t.occurredAt),
    index("l1_event_facts_business_idx").on(t.businessId),
  ],
);

/** Anonymized transactions: no contact, no business, no user id — only the tokenized user id. */
export const l1TransactionFacts = pgTable(
  "l1_transaction_facts",
  {
    // HMAC of the source transaction id under the analytics key: idempotent upserts, not reversible.
    factId: text("fact_id").primaryKey(),
    tokenizedUserId: text("tokenized_user_id").notNull(),
    occurredOn: date("occurred_on").notNull(),
    amountCents: bigint("amount_cents", { mode: "number" }).notNull(),
    currency: varchar("currency", { length: 3 }).notNull(),
    category: text("category"),
    viaImport: boolean("via_import").notNull().default(false),
  },
  (t) => [
    index("l1_transaction_facts_user_idx").on(t.tokenizedUserId),
    index("l1_transaction_facts_occurred_idx").on(t.occurredOn),
  ],
);

export const ageRanges = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"] as const;
export const provinceRegions = ["Atlantic", "Central", "Prairies", "West Coast", "North", "unknown"] as const;

export const l1CustomerFacts = pgTable(
  "l1_customer_facts",
  {
    tokenizedUserId: text("tokenized_user_id").primaryKey(),
    ageRange: text("age_range").notNull().default("unknown"),
    provinceRegion: text("province_region").notNull().default("unknown"),
    accountStatus: text("account_status"),
    userSegment: text("user_segment"),
    lastActiveAt: timestamp("last_active_at", tz),
    totalTransactions: integer("total_transactions").notNull().default(0),
    totalImports: integer("total_imports").notNull().default(0),
    importSuccessRate: doublePrecision("import_success_rate"),
    avgTransactionsPerImport: doublePrecision("avg_transactions_per_import"),
    reengagementScore: doublePrecision("reengagement_score"),
    // Distinct UTC days with activity in the 30 days up to last_active_at (input of segment and score).
    activeDays30: integer("active_days_30").notNull().default(0),
    refreshedAt: timestamp("refreshed_at", tz).notNull().defaultNow(),
  },
  (t) => [
    index("l1_customer_facts_segment_idx").on(t.userSegment),
    index("l1_customer_facts_score_idx").on(t.reengagementScore),
  ],
);

/**
 * Rollup of l1_event_facts maintained by the facts refresh: one row per user and UTC day with activity
 * (latest event of that day). Keyed like l1_event_facts (user_id); read by cohorts and engagement.
 */
export const l1UserActivityDays = pgTable(
  "l1_user_activity_days",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day").notNull(),
    lastAt: timestamp("last_at", tz).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] }), index("l1_user_activity_days_day_idx").on(t.day, t.userId)],
);

/**
 * Rollup for cohorts, maintained by the facts refresh from l1_user_activity_days: per user with a signup
 * time, the signup week (Monday UTC of users.created_at) and a bitmask of the weeks since then with
 * activity (bit k = week k after the signup week, k < 52). Cohorts reads one row per cohort user instead
 * of a range of activity days per user.
 */
export const l1UserCohortWeeks = pgTable("l1_user_cohort_weeks", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  cohortWeek: date("cohort_week").notNull(),
  activeWeeks: bigint("active_weeks", { mode: "bigint" }).notNull().default(sql`0`),
});

/** Rollup for the funnel: whether a user ever created a contact / completed an import (events). */
export const l1UserMilestones = pgTable("l1_user_milestones", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  contactCreated: boolean("contact_created").notNull().default(false),
  importCompleted: boolean("import_completed").notNull().default(false),
});

/** Daily active users as of the last facts refresh (counts only): DAU, WAU and MAU of each UTC day. */
export const l1ActivityDaily = pgTable("l1_activity_daily", {
  day: date("day").primaryKey(),
  dau: integer("dau").notNull(),
  wau: integer("wau").notNull(),
  mau: integer("mau").notNull(),
});

/** One row per facts refresh: the watermark an incremental refresh starts from. */
export const analyticsRefreshLog = pgTable("analytics_refresh_log", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  mode: text("mode").notNull(),
  startedAt: timestamp("started_at", tz).notNull().defaultNow(),
  finishedAt: timestamp("finished_at", tz),
  watermark: timestamp("watermark", tz),
  // Highest l1_event_facts.id seen: catches events inserted later with a back-dated occurred_at.
  eventIdWatermark: bigint("event_id_watermark", { mode: "number" }),
  usersTouched: integer("users_touched").notNull().default(0),
  transactionsTouched: integer("transactions_touched").notNull().default(0),
});

/**
 * Cluster-wide schedules: each server instance ticks, but only the instance whose
 * `update … where next_run_at <= now()` claims the row runs the job (once per interval per cluster).
 */
export const scheduledJobs = pgTable("scheduled_jobs", {
  name: text("name").primaryKey(),
  nextRunAt: timestamp("next_run_at", tz).notNull(),
  lastClaimedAt: timestamp("last_claimed_at", tz),
});

export type AuthUser = typeof authUsers.$inferSelect;
export type User = typeof users.$inferSelect;
export type Business = typeof businesses.$inferSelect;
export type BusinessMembership = typeof businessMemberships.$inferSelect;
export type BusinessInvitation = typeof businessInvitations.$inferSelect;
export type MailOutboxRow = typeof mailOutbox.$inferSelect;
export type Contact = typeof contacts.$inferSelect;
export type NewContact = typeof contacts.$inferInsert;
export type Transaction = typeof transactions.$inferSelect;
export type Import = typeof imports.$inferSelect;
export type L1EventFact = typeof l1EventFacts.$inferSelect;
export type L1TransactionFact = typeof l1TransactionFacts.$inferSelect;
export type L1CustomerFact = typeof l1CustomerFacts.$inferSelect;
