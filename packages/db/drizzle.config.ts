import { defineConfig } from "drizzle-kit";

// drizzle-kit generates the table migrations from src/schema.ts; the hand-written SQL
// (auth functions, sync trigger, RLS, roles, grants) lives in `--custom` migrations beside them.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
  schemaFilter: ["public", "auth", "private"],
});
