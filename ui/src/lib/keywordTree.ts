// The keyword tree as the sidebar shows it: the flat list the app gives
// (tree order, a keyword before those below it, each with its depth) cut
// down to the keywords none of whose parents is collapsed. Everything is
// open until the person folds a branch.

import type { KeywordDto } from "./bindings/KeywordDto";

export interface KeywordRow {
  keyword: KeywordDto;
  /** Whether keywords sit below it (it gets a fold toggle). */
  parent: boolean;
  collapsed: boolean;
}

/** The rows to show: every keyword not below a collapsed one. */
export function visibleKeywords(tree: readonly KeywordDto[], collapsed: ReadonlySet<string>): KeywordRow[] {
  const rows: KeywordRow[] = [];
  // The path of the collapsed keyword whose branch is being skipped, if any.
  let hiddenUnder: string | null = null;
  for (let i = 0; i < tree.length; i++) {
    const k = tree[i];
    if (hiddenUnder !== null && k.path.startsWith(hiddenUnder + "|")) continue;
    hiddenUnder = null;
    const next = tree[i + 1];
    const parent = next !== undefined && next.path.startsWith(k.path + "|");
    const folded = parent && collapsed.has(k.path);
    rows.push({ keyword: k, parent, collapsed: folded });
    if (folded) hiddenUnder = k.path;
  }
  return rows;
}
