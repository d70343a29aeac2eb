export * from "./client.ts";
export * from "./roles.ts";
export * from "./migrate.ts";
export * from "./env.ts";
export * as schema from "./schema.ts";
export * from "./schema.ts";
export { sql, and, or, eq, ne, lt, gt, lte, gte, desc, asc, isNull, isNotNull, inArray } from "drizzle-orm";
export { alias } from "drizzle-orm/pg-core";
export * from "./password.ts";
