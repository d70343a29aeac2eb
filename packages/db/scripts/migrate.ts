// npm run db:migrate — applies committed migrations to DATABASE_URL, or to the embedded store.
import { createDb, databaseEnv, migrate } from "../src/index.ts";

const { url, dataDir } = databaseEnv();
// Offline job: no per-statement timeout (a migration may rewrite a large table).
const database = createDb({ url, dataDir, max: 1, timeouts: { statementMs: 0 } });
const started = Date.now();
await migrate(database);
console.log(`migrated ${database.label} in ${Date.now() - started} ms`);
await database.close();
