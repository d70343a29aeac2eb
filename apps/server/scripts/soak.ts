// npm run soak -w @switchboard/server [-- <seconds>]: the issue-9 soak, by hand (not in CI).
// A private PostgreSQL cluster (sb9-soak, port 5448) is created, the real server runs against it under
// 10 mixed clients (70% list, 30% create), PostgreSQL restarts halfway, and the report says whether the
// server stayed up, how many 500s, and whether every acknowledged write is there. Needs root + pg_createcluster.
import { createDb, migrate } from "@switchboard/db";
import { clusterUnavailableReason, createPrivateCluster } from "../test/fault/cluster.ts";
import { runSoak } from "../test/fault/soak.ts";

const seconds = Number(process.argv[2] ?? 60);
const reason = clusterUnavailableReason();
if (reason) {
  console.error(`soak: cannot run here: ${reason}`);
  process.exit(1);
}
const cluster = await createPrivateCluster("soak", 5448);
try {
  const database = createDb({ url: cluster.url });
  await migrate(database);
  await database.close();
  const report = await runSoak(cluster, { seconds });
  console.log(JSON.stringify(report, null, 2));
  const ok = report.serverUp && !report.statuses["500"] && report.lostAcknowledged === 0 && report.presentRefused === 0;
  console.log(ok ? "soak: PASS" : "soak: FAIL");
  process.exitCode = ok ? 0 : 1;
} finally {
  cluster.drop();
}
