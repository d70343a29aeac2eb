// Mixed load for fault tests and the soak script: N clients, each looping 70% list / 30% create on
// the REST API, recording every status and which creates were acknowledged (200) or refused.
import postgres from "postgres";

export interface LoadStats {
  statuses: Map<number, number>;
  /** 503 answers without a Retry-After header. */
  missingRetryAfter: number;
  /** full_name of every create answered 200. */
  acknowledged: Set<string>;
  /** full_name of every create answered with an error status (the row must not exist). */
  refused: Set<string>;
  /** full_name of every create whose outcome is unknown (no answer, or a 503 "lost while committing"): either outcome is allowed. */
  unknown: Set<string>;
  /** Responses by the wall clock, for the soak report: [ms since start at the answer, status, duration ms]. */
  timeline: Array<[number, number, number]>;
  total: number;
}

export async function signUpWithBusiness(url: string, tag: string) {
  const email = `${tag}-${Date.now()}@example.com`;
  const signup = await fetch(`${url}/api/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery", display_name: tag }),
  });
  if (signup.status !== 200) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
  const { access_token: token } = (await signup.json()) as { access_token: string };
  const business = await fetch(`${url}/api/v1/businesses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: `${tag} Inc` }),
  });
  if (business.status !== 200) throw new Error(`business: ${business.status} ${await business.text()}`);
  const { id: businessId } = (await business.json()) as { id: string };
  return { token, businessId };
}

export function startLoad(opts: {
  url: string;
  token: string;
  businessId: string;
  clients: number;
  tag: string;
  /** Checked while waiting for answers: a dead server fails the wait instead of hanging it. */
  serverUp?: () => boolean;
}) {
  const stats: LoadStats = {
    statuses: new Map(),
    missingRetryAfter: 0,
    acknowledged: new Set(),
    refused: new Set(),
    unknown: new Set(),
    timeline: [],
    total: 0,
  };
  const started = Date.now();
  const wait = () =>
    new Promise<void>((resolve, reject) => {
      if (opts.serverUp && !opts.serverUp()) reject(new Error("the server process exited"));
      else listeners.push(resolve);
    });
  let running = true;
  let seq = 0;
  const listeners: Array<() => void> = [];
  const headers = { "content-type": "application/json", authorization: `Bearer ${opts.token}`, "x-business-id": opts.businessId };
  const record = (status: number, sent: number, res?: Response) => {
    stats.total++;
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    stats.timeline.push([Date.now() - started, status, Date.now() - sent]);
    if (status === 503 && !res?.headers.get("retry-after")) stats.missingRetryAfter++;
    for (const listener of listeners.splice(0)) listener();
  };
  async function client(n: number) {
    while (running) {
      const create = (seq++ * 7 + n) % 10 < 3;
      const sent = Date.now();
      if (create) {
        const name = `${opts.tag}-${n}-${seq}`;
        try {
          const res = await fetch(`${opts.url}/api/v1/contacts`, { method: "POST", headers, body: JSON.stringify({ full_name: name }) });
          const text = await res.text();
          // A connection lost on COMMIT is the one honest "don't know" (the server says so): either outcome is allowed.
          if (res.status === 503 && text.includes("while committing")) stats.unknown.add(name);
          else (res.status === 200 ? stats.acknowledged : stats.refused).add(name);
          record(res.status, sent, res);
        } catch {
          stats.unknown.add(name);
          record(0, sent);
          await new Promise((r) => setTimeout(r, 50));
        }
      } else {
        try {
          const res = await fetch(`${opts.url}/api/v1/contacts?limit=20&include_user_details=none`, { headers });
          await res.arrayBuffer();
          record(res.status, sent, res);
        } catch {
          record(0, sent);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  }
  const done = Promise.all(Array.from({ length: opts.clients }, (_, n) => client(n)));
  return {
    stats,
    /** Milliseconds since the load started (the timeline's clock). */
    elapsed: () => Date.now() - started,
    /** Resolves once `count` more responses have been recorded. */
    async responses(count: number) {
      const target = stats.total + count;
      while (stats.total < target) await wait();
    },
    /** Resolves once `count` more responses with `status` have been recorded. */
    async answered(status: number, count: number) {
      const target = (stats.statuses.get(status) ?? 0) + count;
      while ((stats.statuses.get(status) ?? 0) < target) await wait();
    },
    async stop() {
      running = false;
      await done;
      return stats;
    },
  };
}

/** Which acknowledged writes are missing and which refused writes exist, by a direct query. */
export async function checkWrites(databaseUrl: string, stats: LoadStats) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const names = [...stats.acknowledged, ...stats.refused];
    const found = new Set(
      (await sql<{ full_name: string }[]>`select full_name from public.contacts where full_name = any(${names})`).map((r) => r.full_name),
    );
    return {
      lostAcknowledged: [...stats.acknowledged].filter((n) => !found.has(n)),
      presentRefused: [...stats.refused].filter((n) => found.has(n)),
    };
  } finally {
    await sql.end();
  }
}

export function summarize(stats: LoadStats) {
  return Object.fromEntries([...stats.statuses.entries()].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), v]));
}
