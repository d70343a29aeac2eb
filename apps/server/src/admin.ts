// Operator commands on the owner connection: `npm run admin -- grant-analyst <email>` and
// `npm run admin -- revoke-analyst <email>`. Sign-up never grants platform roles; only this does.
import { createDb, databaseEnv, migrate } from "@switchboard/db";
import { grantAnalyst, revokeAnalyst } from "@switchboard/analytics";

const COMMANDS = { "grant-analyst": grantAnalyst, "revoke-analyst": revokeAnalyst } as const;
const usage = "usage: npm run admin -- grant-analyst <email> | revoke-analyst <email>";

const [command, email] = process.argv.slice(2);
if (!command || !Object.hasOwn(COMMANDS, command) || !email) {
  console.error(usage);
  process.exit(2);
}
const env = databaseEnv();
const database = createDb({ url: env.url, dataDir: env.url ? undefined : env.dataDir, max: 1, prepare: env.prepare });
try {
  await migrate(database);
  const found = await COMMANDS[command as keyof typeof COMMANDS](database.db, email);
  if (!found) {
    console.error(`no user with email ${email}`);
    process.exitCode = 1;
  } else {
    console.log(`${command}: ${email} done (takes effect on the user's next insights call)`);
  }
} finally {
  await database.close();
}
