// CSV import: pick a file, preview its first rows (parsed in the browser), import with progress,
// then the result with per-row errors and a downloadable error file.
import { useState } from "react";
import { Link } from "react-router";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC, useTRPCClient, type RouterOutputs } from "../lib/trpc.ts";
import { useBusiness } from "../lib/session.tsx";
import { buildErrorCsv, downloadText } from "../lib/csv.ts";
import { formatDateTime } from "../lib/format.ts";
import { NoBusiness } from "../components/Layout.tsx";
import { Empty, ErrorBanner, TableSkeleton } from "../components/ui.tsx";

type ImportResult = RouterOutputs["imports"]["contactsCsv"];
const PREVIEW_ROWS = 5;
const MAX_BYTES = 5 * 1024 * 1024;

interface Parsed {
  filename: string;
  text: string;
  header: string[];
  rows: string[][];
}

export function ImportPage() {
  const { businessId } = useBusiness();
  if (!businessId) return <NoBusiness />;
  return <Importer key={businessId} businessId={businessId} />;
}

function Importer({ businessId }: { businessId: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const [parsed, setParsed] = useState<Parsed | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<{ processed: number; total: number } | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [runError, setRunError] = useState<unknown>(null);
  const history = useQuery(trpc.imports.list.queryOptions({ businessId }));

  const onFile = async (file: File | undefined) => {
    setParsed(null);
    setResult(null);
    setRunError(null);
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setFileError("That file is larger than 5 MB. Split it into smaller files.");
      return;
    }
    const text = await file.text();
    // papaparse loads only when a file is chosen: it is not part of the contacts page's bundle.
    const { default: Papa } = await import("papaparse");
    const out = Papa.parse<string[]>(text, { skipEmptyLines: true });
    const [header, ...rows] = out.data;
    if (!header || header.length === 0) {
      setFileError("That file is empty.");
      return;
    }
    if (!header.map((h) => h.trim().toLowerCase()).includes("full_name")) {
      setFileError("The first row must be a header with a full_name column (email, phone, company, assigned_to_email are optional).");
    }
    setParsed({ filename: file.name, text, header, rows });
  };

  const run = async () => {
    if (!parsed) return;
    setRunning(true);
    setRunError(null);
    setResult(null);
    setProgress({ processed: 0, total: parsed.rows.length });
    try {
      // The streamed variant yields {type:"progress"} events as rows are processed, then {type:"done"}.
      const events = await client.imports.contactsCsvStream.mutate({ businessId, filename: parsed.filename, csv: parsed.text });
      let outcome: ImportResult | null = null;
      for await (const event of events) {
        if (event.type === "progress") setProgress({ processed: event.processed, total: event.total });
        else outcome = event.result;
      }
      if (!outcome) throw new Error("The import ended without a result");
      setProgress({ processed: outcome.import.rows_total, total: outcome.import.rows_total });
      setResult(outcome);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.imports.list.queryKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.contacts.pathKey() }),
      ]);
    } catch (error) {
      setRunError(error);
    } finally {
      setRunning(false);
    }
  };

  const downloadErrors = () => {
    if (!result || !parsed) return;
    // CSV line numbers count the header as line 1, so data row i is line i + 2.
    const rowsByLine = new Map(parsed.rows.map((row, i) => [i + 2, row] as const));
    downloadText(`${parsed.filename.replace(/\.csv$/i, "")}-errors.csv`, buildErrorCsv(result.errors, { header: parsed.header, rowsByLine }));
  };

  const pct = progress && progress.total > 0 ? Math.round((progress.processed / progress.total) * 100) : 0;
  return (
    <>
      <div className="page-head">
        <h1>Import contacts</h1>
      </div>
      <section className="card">
        <div className="dropzone">
          <label htmlFor="csv-file" style={{ display: "block", marginBottom: 8 }}>
            CSV file
          </label>
          <input id="csv-file" type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e.target.files?.[0])} disabled={running} />
          <p className="muted small" style={{ marginTop: 8 }}>
            Header row with <code>full_name</code> (required), <code>email</code>, <code>phone</code>, <code>company</code>, <code>assigned_to_email</code>. Up to 5 MB.
          </p>
        </div>
        <ErrorBanner message={fileError ?? undefined} />
        {parsed && (
          <div style={{ marginTop: 16 }}>
            <div className="card-head">
              <h2>
                Preview <span className="muted small">first {Math.min(PREVIEW_ROWS, parsed.rows.length)} of {parsed.rows.length} rows</span>
              </h2>
              <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={running || parsed.rows.length === 0}>
                {running ? "Importing…" : `Import ${parsed.rows.length} row${parsed.rows.length === 1 ? "" : "s"}`}
              </button>
            </div>
            <div className="table-wrap">
              <table aria-label="Preview">
                <thead>
                  <tr>
                    <th className="num">Line</th>
                    {parsed.header.map((h, i) => (
                      <th key={i}>{h}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {parsed.rows.slice(0, PREVIEW_ROWS).map((row, r) => (
                    <tr key={r}>
                      <td className="num muted">{r + 2}</td>
                      {parsed.header.map((_, c) => (
                        <td key={c}>{row[c] ?? ""}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        )}
        {(running || progress) && !result && !runError && (
          <div style={{ marginTop: 16 }} aria-live="polite">
            <div className="progress" role="progressbar" aria-label="Import progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <span style={{ width: `${running && pct === 0 ? 15 : pct}%` }} />
            </div>
            <p className="muted small">
              {progress && progress.processed > 0 ? `${progress.processed} of ${progress.total} rows processed` : `Importing ${progress?.total ?? ""} rows…`}
            </p>
          </div>
        )}
        <ErrorBanner error={runError} />
        {result && <ImportOutcome result={result} onDownload={downloadErrors} />}
      </section>
      <section className="card" aria-labelledby="import-history">
        <h2 id="import-history">Recent imports</h2>
        <ErrorBanner error={history.error} onRetry={() => void history.refetch()} />
        {history.isPending ? (
          <TableSkeleton rows={3} columns={4} />
        ) : history.data && history.data.data.length === 0 ? (
          <Empty>No imports yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>File</th>
                  <th>Status</th>
                  <th className="num">Imported</th>
                  <th className="num">Failed</th>
                  <th className="hide-sm">When</th>
                </tr>
              </thead>
              <tbody>
                {history.data?.data.map((i) => (
                  <tr key={i.id}>
                    <td>{i.filename ?? "—"}</td>
                    <td>
                      <StatusBadge status={i.status} />
                    </td>
                    <td className="num">{i.rows_imported}</td>
                    <td className="num">{i.rows_failed}</td>
                    <td className="hide-sm">{formatDateTime(i.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function StatusBadge({ status }: { status: string }) {
  const tone = status === "completed" ? "badge-ok" : status === "failed" ? "badge-bad" : "badge-warn";
  return <span className={`badge ${tone}`}>{status}</span>;
}

function ImportOutcome({ result, onDownload }: { result: ImportResult; onDownload: () => void }) {
  const { import: imp, errors } = result;
  return (
    <div style={{ marginTop: 16 }} aria-label="Import result" role="region">
      <div className={`alert ${imp.rows_failed > 0 ? "alert-error" : "alert-success"}`} role="status">
        Imported {imp.rows_imported} of {imp.rows_total} rows{imp.rows_failed > 0 ? `; ${imp.rows_failed} failed` : ""}.{" "}
        <Link to="/contacts">View contacts</Link>
      </div>
      {errors.length > 0 && (
        <>
          <div className="card-head">
            <h3>Rows that were not imported</h3>
            <button type="button" className="btn btn-sm" onClick={onDownload}>
              Download error file
            </button>
          </div>
          <div className="table-wrap">
            <table aria-label="Import errors">
              <thead>
                <tr>
                  <th className="num">Line</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {errors.slice(0, 200).map((e) => (
                  <tr key={`${e.line}-${e.reason}`}>
                    <td className="num">{e.line}</td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {errors.length > 200 && <p className="muted small">Showing 200 of {errors.length}; the error file has them all.</p>}
        </>
      )}
    </div>
  );
}

