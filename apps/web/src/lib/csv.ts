// CSV helpers for the browser: the downloadable error file of an import and file downloads.

/** Quotes a cell per RFC 4180 and neutralises spreadsheet formulas (=, +, -, @ at the start). */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

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
