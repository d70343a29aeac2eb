import type { DetailLevel } from "./UserRef.tsx";

const LEVELS: { value: DetailLevel; label: string }[] = [
  { value: "none", label: "None" },
  { value: "basic", label: "Basic" },
  { value: "full", label: "Full" },
];

/** The "User details" radiogroup: how much of assignees and creators the contacts views show. */
export function DetailLevelControl({ value, onChange }: { value: DetailLevel; onChange: (level: DetailLevel) => void }) {
  return (
    <div className="row">
      <span className="muted small" id="user-details-label">
        User details
      </span>
      <div className="segmented" role="radiogroup" aria-labelledby="user-details-label">
        {LEVELS.map((level) => (
          <label key={level.value}>
            <input type="radio" name="user-details" value={level.value} checked={value === level.value} onChange={() => onChange(level.value)} />
            {level.label}
          </label>
        ))}
      </div>
    </div>
  );
}
