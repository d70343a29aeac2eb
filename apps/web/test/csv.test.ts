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
    expect(csvCell("+1 555")).toBe("'+1 555");
    expect(csvCell("a\nb")).toBe('"a\nb"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });
});
