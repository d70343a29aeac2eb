// The app router: one line per feature router. Add yours here.
import { createTRPCRouter } from "./trpc.ts";
import { healthRouter } from "./routers/health.ts";

export const appRouter = createTRPCRouter({
  health: healthRouter,
});

export type AppRouter = typeof appRouter;
