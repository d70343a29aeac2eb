// CSV that is safe in every spreadsheet, shared by the server's insight exports and the web app's
// import error file (`@switchboard/analytics/csv-cell`). Dependency-free: the browser bundles it as is.
//
// OWASP CSV injection: a spreadsheet evaluates a cell as a formula when it starts with = + - @ (or a tab
// or carriage return hiding one of them). Spreadsheets that split on ";" or "," themselves (or a user's
// "text to columns") turn every separator inside a cell into a new cell start, so a cell is neutralized
// when a trigger follows the start OR any separator inside it (",", ";", tab, CR, LF, "|"), spaces and
// quotes in between included: it is prefixed with ' (shown as text) and always wrapped in double quotes
// (embedded quotes doubled), so no spreadsheet splits it. Numbers and booleans we produce are written as is.

const TRIGGER = /(?:^|[,;\t\r\n|])[\s"']*[=+\-@]|^[\t\r]/;
const NEEDS_QUOTES = /[",;\t\r\n|]/;

export type CsvValue = string | number | boolean | null | undefined;

/** Whether a text cell could start a formula somewhere in a spreadsheet. */
export function isFormulaLike(text: string): boolean {
  return TRIGGER.test(text);
}

/** One cell: RFC 4180 quoting plus formula neutralization. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  const text = String(value);
  if (isFormulaLike(text)) return `"'${text.replace(/"/g, '""')}"`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: header and rows, CRLF line ends. */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
