// npm run db:migrate — applies committed migrations to DATABASE_URL, or to the embedded store.
import { createDb, databaseEnv, migrate } from "../src/index.ts";

const { url, dataDir } = databaseEnv();
const database = createDb({ url, dataDir, max: 1 });
const started = Date.now();
await migrate(database);
console.log(`migrated ${database.label} in ${Date.now() - started} ms`);
await database.close();
