// Insights for platform analysts (lazy route: this file and recharts load only here). Every
// number comes from the k-anonymous insights API; each card can export its table as CSV.
import { useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "../../lib/trpc.ts";
import { getAccessToken } from "../../lib/auth.tsx";
import { describeError, restFetch } from "../../lib/errors.ts";
import { downloadBlob } from "../../lib/csv.ts";
import { formatNumber } from "../../lib/format.ts";
import { formatShare } from "../../lib/heat.ts";
import { ErrorBanner, Skeleton } from "../../components/ui.tsx";
import { useToast } from "../../components/toast.tsx";
import { CohortTriangle } from "./CohortTriangle.tsx";
import { motivationLabels } from "@switchboard/db/vocabulary";

type RestName = "cohorts" | "intents" | "segments" | "engagement" | "import-quality" | "reengagement" | "funnel";

function ExportButton({ name }: { name: RestName }) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const response = await restFetch(`/api/v1/insights/${name}?format=csv`, await getAccessToken(), { headers: { Accept: "text/csv" } });
      downloadBlob(`${name}.csv`, await response.blob());
    } catch (error) {
      toast.show(describeError(error), { tone: "error" });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn btn-sm" onClick={() => void run()} disabled={busy} aria-label={`Export ${name} as CSV`}>
      {busy ? "Exporting…" : "Export CSV"}
    </button>
  );
}

function InsightCard({ title, name, children, actions }: { title: string; name: RestName; children: ReactNode; actions?: ReactNode }) {
  const id = `insight-${name}`;
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        <div className="row">
          {actions}
          <ExportButton name={name} />
        </div>
      </div>
      {children}
    </section>
  );
}

function Loading<T>({ query, children }: { query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown }; children: (data: T) => ReactNode }) {
  if (query.error) return <ErrorBanner error={query.error} onRetry={() => void query.refetch()} />;
  if (query.isPending || query.data === undefined) return <Skeleton height={200} />;
  return <>{children(query.data)}</>;
}

const pct = (v: number | null) => (v === null ? "—" : formatShare(v));
const num = (v: number | null, k: number) => (v === null ? `<${k}` : formatNumber(v));
const dec = (v: number | null) => (v === null ? "—" : (Math.round(v * 100) / 100).toString());

export default function InsightsPage() {
  const trpc = useTRPC();
  const [weeks, setWeeks] = useState(8);
  const [breakdown, setBreakdown] = useState<"none" | "age_range" | "province_region">("none");
  const cohorts = useQuery(trpc.insights.cohorts.queryOptions({ weeks }));
  const intents = useQuery(trpc.insights.intents.queryOptions());
  const segments = useQuery(trpc.insights.segments.queryOptions({ breakdown }));
  const engagement = useQuery(trpc.insights.engagement.queryOptions({}));
  const importQuality = useQuery(trpc.insights.importQuality.queryOptions());
  const reengagement = useQuery(trpc.insights.reengagement.queryOptions({ limit: 25 }));
  const funnel = useQuery(trpc.insights.funnel.queryOptions({}));

  return (
    <>
      <div className="page-head">
        <h1>Insights</h1>
        <span className="muted small">Counts below k are suppressed to protect individuals.</span>
      </div>
      <InsightCard
        title="Cohort retention"
        name="cohorts"
        actions={
          <>
            <label htmlFor="cohort-weeks" className="sr-only">
              Weeks
            </label>
            <select id="cohort-weeks" value={weeks} onChange={(e) => setWeeks(Number(e.target.value))}>
              {[4, 8, 12].map((w) => (
                <option key={w} value={w}>
                  {w} weeks
                </option>
              ))}
            </select>
          </>
        }
      >
        <Loading query={cohorts}>{(d) => <CohortTriangle data={d} k={d.k_anonymity} />}</Loading>
      </InsightCard>

      <div className="grid-2" style={{ marginTop: 16 }}>
        <InsightCard title="Intents" name="intents">
          <Loading query={intents}>
            {(d) => (
              <div className="chart-box">
                <ResponsiveContainer>
                  <BarChart data={d.intents.map((i) => ({ name: i.motivation ? motivationLabels[i.motivation].label : "Not answered", users: i.users ?? 0, onboarded: i.onboarded ?? 0 }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="name" fontSize={11} />
                    <YAxis fontSize={11} allowDecimals={false} />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="users" name="Users" fill="#1f4ed8" />
                    <Bar dataKey="onboarded" name="Onboarded" fill="#93b4ff" />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            )}
          </Loading>
        </InsightCard>

        <InsightCard title="Engagement (DAU / WAU / MAU)" name="engagement">
          <Loading query={engagement}>
            {(d) => (
              <>
                <div className="chart-box">
                  <ResponsiveContainer>
                    <LineChart data={d.days}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="date" fontSize={11} minTickGap={24} />
                      <YAxis fontSize={11} allowDecimals={false} />
                      <Tooltip />
                      <Legend />
                      <Line type="monotone" dataKey="dau" name="DAU" stroke="#1f4ed8" dot={false} connectNulls={false} />
                      <Line type="monotone" dataKey="wau" name="WAU" stroke="#0e9384" dot={false} connectNulls={false} />
                      <Line type="monotone" dataKey="mau" name="MAU" stroke="#b54708" dot={false} connectNulls={false} />
                    </LineChart>
                  </ResponsiveContainer>
                </div>
                <p className="muted small">
                  Average DAU {dec(d.summary.avg_dau)} · average MAU {dec(d.summary.avg_mau)} · stickiness {pct(d.summary.stickiness)}
                </p>
              </>
            )}
          </Loading>
        </InsightCard>
      </div>

      <InsightCard
        title="Segments"
        name="segments"
        actions={
          <>
            <label htmlFor="segment-breakdown" className="sr-only">
              Breakdown
            </label>
            <select id="segment-breakdown" value={breakdown} onChange={(e) => setBreakdown(e.target.value as typeof breakdown)}>
              <option value="none">No breakdown</option>
              <option value="age_range">By age range</option>
              <option value="province_region">By region</option>
            </select>
          </>
        }
      >
        <Loading query={segments}>
          {(d) => d.segments.length === 0 ? (
            <p className="muted">No segment data yet: the analytics facts have not been refreshed.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>Segment</th>
                    {d.breakdown !== "none" && <th>Group</th>}
                    <th className="num">Users</th>
                    <th className="num">Avg transactions</th>
                    <th className="num hide-sm">Avg imports</th>
                    <th className="num hide-sm">Import success</th>
                    <th className="num">Avg score</th>
                  </tr>
                </thead>
                <tbody>
                  {d.segments.map((s, i) => (
                    <tr key={`${s.segment}-${s.group ?? i}`}>
                      <td>{s.segment}</td>
                      {d.breakdown !== "none" && <td>{s.group ?? "—"}</td>}
                      <td className="num">{num(s.users, d.k_anonymity)}</td>
                      <td className="num">{dec(s.avg_total_transactions)}</td>
                      <td className="num hide-sm">{dec(s.avg_total_imports)}</td>
                      <td className="num hide-sm">{pct(s.avg_import_success_rate)}</td>
                      <td className="num">{dec(s.avg_reengagement_score)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Loading>
      </InsightCard>

      <div className="grid-2" style={{ marginTop: 16 }}>
        <InsightCard title="Funnel" name="funnel">
          <Loading query={funnel}>
            {(d) => {
              const top = d.steps[0]?.users ?? 0;
              return (
                <div className="stack" role="list" aria-label="Funnel">
                  {d.steps.map((s) => (
                    <div key={s.step} role="listitem">
                      <div className="row small">
                        <strong>{s.step.replace(/_/g, " ")}</strong>
                        <span className="spacer" />
                        <span>
                          {num(s.users, d.k_anonymity)} · {pct(s.rate_from_start)} of start
                        </span>
                      </div>
                      <div className="funnel-bar" style={{ width: `${top > 0 && s.users !== null ? Math.max(2, (s.users / top) * 100) : 2}%` }} />
                    </div>
                  ))}
                  {d.weeks_withheld > 0 ? (
                    <p className="muted small">
                      {d.weeks_withheld} signup week{d.weeks_withheld === 1 ? "" : "s"} left out (a step had fewer than{" "}
                      {d.k_anonymity} people).
                    </p>
                  ) : null}
                </div>
              );
            }}
          </Loading>
        </InsightCard>

        <InsightCard title="Import quality" name="import-quality">
          <Loading query={importQuality}>
            {(d) => d.segments.length === 0 ? (
              <p className="muted">No import data yet.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Segment</th>
                      <th className="num">Users importing</th>
                      <th>Success rate (users per bucket)</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.segments.map((s) => (
                      <tr key={s.segment}>
                        <td>{s.segment}</td>
                        <td className="num">{num(s.users_with_imports, d.k_anonymity)}</td>
                        <td className="small">{s.import_success_rate.map((b) => `${b.bucket}: ${num(b.users, d.k_anonymity)}`).join(" · ")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Loading>
        </InsightCard>
      </div>

      <InsightCard title="Re-engagement candidates" name="reengagement">
        <Loading query={reengagement}>
          {(d) =>
            d.users.length === 0 ? (
              <p className="muted">No candidates in a group of at least {d.k_anonymity} alike.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th>Row id (this export only)</th>
                      <th className="num">Score</th>
                      <th>Segment</th>
                      <th className="hide-sm">Age</th>
                      <th className="hide-sm">Region</th>
                      <th className="num hide-sm">Transactions</th>
                      <th className="num hide-sm">Imports</th>
                    </tr>
                  </thead>
                  <tbody>
                    {d.users.map((u) => (
                      <tr key={u.id}>
                        <td className="mono">{u.id.slice(0, 12)}…</td>
                        <td className="num">{u.score_band}</td>
                        <td>{u.user_segment}</td>
                        <td className="hide-sm">{u.age_range}</td>
                        <td className="hide-sm">{u.province_region}</td>
                        <td className="num hide-sm">{u.transactions}</td>
                        <td className="num hide-sm">{u.imports}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loading>
      </InsightCard>
    </>
  );
}
