import { describe, expect, it } from "vitest";
import Papa from "papaparse";
import { buildErrorCsv, csvCell } from "../src/lib/csv.ts";

describe("error CSV", () => {
  it("lists failed lines in order with their reasons and round-trips through a CSV parser", () => {
    const csv = buildErrorCsv([
      { line: 7, reason: "Invalid email" },
      { line: 3, reason: 'Name "required", empty' },
    ]);
    const parsed = Papa.parse<string[]>(csv.trim()).data;
    expect(parsed).toEqual([
      ["line", "reason"],
      ["3", 'Name "required", empty'],
      ["7", "Invalid email"],
    ]);
  });

  it("appends the original cells of each failed line when the file is at hand", () => {
    const csv = buildErrorCsv([{ line: 3, reason: "Invalid email" }], {
      header: ["full_name", "email"],
      rowsByLine: new Map([
        [2, ["Ada", "ada@example.com"]],
        [3, ["Bob, Jr.", "not-an-email"]],
      ]),
    });
    expect(Papa.parse<string[]>(csv.trim()).data).toEqual([
      ["line", "reason", "full_name", "email"],
      ["3", "Invalid email", "Bob, Jr.", "not-an-email"],
    ]);
  });

  it("neutralises spreadsheet formulas and quotes separators", () => {
    expect(csvCell("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"");
    // A neutralized cell is always quoted, so a spreadsheet splitting on ";" or "," keeps it whole.
    expect(csvCell("+1 555")).toBe(`"'+1 555"`);
    // A formula after a separator inside the cell (finding 5 of issue 11).
    expect(csvCell("x;=1+1;@SUM(1+1)")).toBe(`"'x;=1+1;@SUM(1+1)"`);
    expect(csvCell("Bob, -2+3")).toBe(`"'Bob, -2+3"`);
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell("a\nb")).toBe('"a\nb"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("is the one implementation the server's insight exports use", async () => {
    const shared = await import("@switchboard/analytics/csv-cell");
    expect(csvCell).toBe(shared.csvCell);
  });
});
