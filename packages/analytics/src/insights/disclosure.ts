// The disclosure rules every insight applies before it answers (docs/analytics.md, "Privacy model").
// A count the analyst may learn is 0 or at least k. Published numbers are chosen so that no difference
// or sum the analyst can form from them (and from public totals) is 1..k−1.

/** 0 or ≥ k: a count that may be published. */
export const publishable = (n: number, k: number) => n === 0 || n >= k;

/**
 * Cell suppression with complementary (secondary) suppression. `cells` are counts of disjoint groups of
 * people; every entry of `groups` lists cells whose total the analyst knows or can derive (a published
 * total, the sum of all users). Primary: cells of 1..k−1 people are hidden. Secondary: while in some group
 * the hidden cells add up to 1..k−1 (total − visible cells would reveal them), the smallest visible
 * non-empty cell of that group is hidden too. Returns, per cell, whether it is hidden.
 */
export function suppressCells(
  cells: readonly number[],
  groups: readonly (readonly number[])[],
  k: number,
  /** Cells hidden for another reason (hidden elsewhere); they count as hidden in every group. */
  alsoHidden: readonly boolean[] = [],
): boolean[] {
  const hidden = cells.map((n, i) => !publishable(n, k) || alsoHidden[i] === true);
  for (let changed = true; changed; ) {
    changed = false;
    for (const group of groups) {
      const sum = group.reduce((s, i) => s + (hidden[i] ? cells[i]! : 0), 0);
      if (publishable(sum, k)) continue;
      const next = group.filter((i) => !hidden[i] && cells[i]! > 0).sort((a, b) => cells[a]! - cells[b]! || a - b)[0];
      if (next === undefined) continue; // the group's own total is below k: it is never published
      hidden[next] = true;
      changed = true;
    }
  }
  return hidden;
}

/**
 * Nested counts (outermost first, each a subset of the one before: MAU ⊇ WAU ⊇ DAU, or a cohort and its
 * retained users): a count is published when it and its difference to the last published outer count
 * are both publishable, so no two published counts differ by 1..k−1. Hidden ones are null; when the
 * outermost is hidden, all are (nothing is said about a group smaller than k, not even "none of them").
 */
export function publishChain(counts: readonly number[], k: number): (number | null)[] {
  let outer: number | null = null;
  return counts.map((n, i) => {
    if (i > 0 && outer === null) return null;
    if (!publishable(n, k) || (outer !== null && !publishable(outer - n, k))) return null;
    outer = n;
    return n;
  });
}

/** a / b when both are published and b > 0, else null. */
export const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
