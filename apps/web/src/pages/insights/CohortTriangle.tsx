// The cohort retention triangle: one row per signup week, one column per week since signup.
// Cells are heat-coloured by retention; suppressed cells (fewer than k users) are hatched "<k".
import { cohortRows, formatShare, heatColor, heatTextColor, type CohortInput } from "../../lib/heat.ts";

export function CohortTriangle({ data, k }: { data: CohortInput; k: number }) {
  const rows = cohortRows(data);
  if (rows.length === 0) return <p className="muted">No signups in this range.</p>;
  return (
    <>
      <div className="table-wrap">
        <table className="triangle" aria-label="Cohort retention">
          <thead>
            <tr>
              <th>Signup week</th>
              <th className="num">Users</th>
              {Array.from({ length: data.weeks }, (_, i) => (
                <th key={i}>W{i}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.cohortWeek}>
                <td className="cohort">{row.cohortWeek}</td>
                <td className="num">{row.size ?? <span title={`Fewer than ${k} users`}>{`<${k}`}</span>}</td>
                {row.cells.map((cell, i) => {
                  if (cell.kind === "empty") return <td key={i} className="empty" aria-label="not yet" />;
                  if (cell.kind === "suppressed") {
                    return (
                      <td key={i} className="suppressed" title={`Suppressed: fewer than ${k} users`} data-suppressed="true">
                        {`<${k}`}
                      </td>
                    );
                  }
                  return (
                    <td
                      key={i}
                      style={{ background: heatColor(cell.share), color: heatTextColor(cell.share) }}
                      title={cell.count !== null ? `${cell.count} users` : undefined}
                    >
                      {formatShare(cell.share)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="legend" style={{ marginTop: 8 }}>
        <span>
          <span className="swatch" style={{ background: heatColor(0) }} />
          0%
        </span>
        <span>
          <span className="swatch" style={{ background: heatColor(0.5) }} />
          50%
        </span>
        <span>
          <span className="swatch" style={{ background: heatColor(1) }} />
          100%
        </span>
        <span>
          <span className="swatch suppressed" />
          {`<${k}: suppressed (fewer than ${k} users)`}
        </span>
      </div>
    </>
  );
}
