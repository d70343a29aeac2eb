// CSV helpers for the browser: the downloadable error file of an import and file downloads.

// One implementation for every CSV this project writes (insight exports on the server, this file in the
// browser): quoting plus OWASP formula neutralization, dependency-free.
export { csvCell, csvText as toCsv } from "@switchboard/analytics/csv-cell";
import { csvText as toCsv } from "@switchboard/analytics/csv-cell";

export interface ImportRowError {
  line: number;
  reason: string;
}

/**
 * The error file of an import: one row per failed line with its reason, plus the original cells
 * of that line when the file is at hand, so a person can fix them and re-import.
 */
export function buildErrorCsv(errors: ImportRowError[], source?: { header: string[]; rowsByLine: Map<number, string[]> }): string {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  if (!source) return toCsv(["line", "reason"], sorted.map((e) => [e.line, e.reason]));
  return toCsv(
    ["line", "reason", ...source.header],
    sorted.map((e) => [e.line, e.reason, ...(source.rowsByLine.get(e.line) ?? [])]),
  );
}

export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  downloadBlob(filename, new Blob([text], { type }));
}

export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke after the click has been handled, or some browsers cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
