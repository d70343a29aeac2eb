// The app router: one line per feature router. Add yours here.
import { createTRPCRouter } from "./trpc.ts";
import { healthRouter } from "./routers/health.ts";
import { authRouter } from "./routers/auth.ts";
import { meRouter } from "./routers/me.ts";
import { businessesRouter } from "./routers/businesses.ts";
import { invitationsRouter } from "./routers/invitations.ts";
import { passwordResetRouter } from "./routers/password-reset.ts";
import { contactsRouter } from "./routers/contacts.ts";
import { transactionsRouter } from "./routers/transactions.ts";
import { importsRouter } from "./routers/imports.ts";
import { insightsRouter } from "./routers/insights.ts";

export const appRouter = createTRPCRouter({
  health: healthRouter,
  auth: authRouter,
  me: meRouter,
  businesses: businessesRouter,
  invitations: invitationsRouter,
  passwordReset: passwordResetRouter,
  contacts: contactsRouter,
  transactions: transactionsRouter,
  imports: importsRouter,
  insights: insightsRouter,
});

export type AppRouter = typeof appRouter;
