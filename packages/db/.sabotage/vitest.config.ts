import { defineConfig } from "vitest/config";
export default defineConfig({ root: new URL("..", import.meta.url).pathname, test: { include: [".sabotage/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 } });
