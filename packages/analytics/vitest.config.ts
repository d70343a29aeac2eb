import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite is CPU-bound WASM: two cores, two files at a time.
    maxWorkers: 2,
  },
});
