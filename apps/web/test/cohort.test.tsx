import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { cohortRows, heatColor } from "../src/lib/heat.ts";
import { CohortTriangle } from "../src/pages/insights/CohortTriangle.tsx";

const data = {
  to: "2025-03-17",
  weeks: 3,
  cohorts: [
    { cohort_week: "2025-03-03", size: 40, retained: [40, 10, 0], rates: [1, 0.25, 0] },
    // Week 1 had 3 users (< k = 5): suppressed. Week 2 starts after `to`: not yet observed.
    { cohort_week: "2025-03-10", size: 12, retained: [12, null, 0], rates: [1, null, 0] },
    // A cohort smaller than k is suppressed as a whole.
    { cohort_week: "2025-03-17", size: null, retained: [null, null, null], rates: [null, null, null] },
  ],
};

describe("cohort triangle", () => {
  it("classifies cells as value, suppressed (null) or empty (not yet observed)", () => {
    const rows = cohortRows(data);
    expect(rows.map((r) => r.cells.map((c) => c.kind))).toEqual([
      ["value", "value", "value"],
      ["value", "suppressed", "empty"],
      ["suppressed", "empty", "empty"],
    ]);
    expect(rows[0]!.cells[1]).toEqual({ kind: "value", share: 0.25, count: 10 });
  });

  it("colours higher retention darker", () => {
    const channel = (c: string) => Number(c.match(/\d+/g)![0]);
    expect(channel(heatColor(1))).toBeLessThan(channel(heatColor(0.5)));
    expect(channel(heatColor(0.5))).toBeLessThan(channel(heatColor(0)));
    expect(heatColor(2)).toBe(heatColor(1));
    expect(heatColor(Number.NaN)).toBe(heatColor(0));
  });

  it("renders suppressed cells as hatched '<k' and values as coloured percentages", () => {
    render(<CohortTriangle data={data} k={5} />);
    const table = screen.getByRole("table", { name: "Cohort retention" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(4); // header + 3 cohorts
    const second = within(rows[2]!).getAllByRole("cell");
    expect(second[2]!.textContent).toBe("100%");
    expect(second[2]!.getAttribute("style")).toContain("background");
    expect(second[3]!.textContent).toBe("<5");
    expect(second[3]!.className).toBe("suppressed");
    expect(second[4]!.className).toBe("empty");
    const third = within(rows[3]!).getAllByRole("cell");
    expect(third[1]!.textContent).toBe("<5"); // suppressed cohort size
    expect(table.querySelectorAll("td.suppressed")).toHaveLength(2);
    expect(screen.getByText(/suppressed \(fewer than 5 users\)/)).toBeTruthy();
  });
});
