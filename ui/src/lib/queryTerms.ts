// Searches the sidebar and the filter buttons make: a keyword's term
// (`keyword:Places/Iceland`), an album's, and one-click filters that set or
// take back a rating, flag or label term in the query typed so far. Also
// keyword paths as typed and shown (`Places/Iceland`) and as stored
// (`Places|Iceland`). Pure, so it is unit-tested (queryTerms.test.ts).

import { quoted } from "./suggest";

/** A keyword path's levels (`A|B` or `A/B`), trimmed, empty ones dropped. */
function levels(path: string): string[] {
  return path
    .split(/[|/]/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

/** A keyword path as typed (`Places / Iceland`, `Places|Iceland`) in the stored form (`Places|Iceland`); null when empty. */
export function keywordPath(typed: string): string | null {
  const l = levels(typed);
  return l.length > 0 ? l.join("|") : null;
}

/** A stored keyword path as the page shows and takes it: `Places/Iceland`. */
export function keywordLabel(path: string): string {
  return levels(path).join("/");
}

/** The search for a keyword and those below it: `keyword:Places/Iceland`. */
export function keywordQuery(path: string): string {
  return `keyword:${quoted(keywordLabel(path))}`;
}

/**
 * Up to `max` of the library's keyword paths that `typed` may mean, not
 * counting those in `exclude`: those with a level starting with it first
 * (in tree order), then those holding it anywhere.
 */
export function keywordSuggestions(
  paths: readonly string[],
  typed: string,
  exclude: readonly string[] = [],
  max = 8,
): string[] {
  const want = levels(typed.toLowerCase()).join("/");
  if (want === "") return [];
  const skip = new Set(exclude);
  const starts: string[] = [];
  const holds: string[] = [];
  for (const path of paths) {
    if (skip.has(path)) continue;
    const label = keywordLabel(path).toLowerCase();
    if (label.startsWith(want) || label.includes(`/${want}`)) starts.push(path);
    else if (label.includes(want)) holds.push(path);
  }
  return [...starts, ...holds].slice(0, max);
}

/** What an album view is as a search (an album by name; a smart album its own search). */
export function albumQuery(album: { kind: string; name: string; query: string | null }): string {
  if (album.kind === "smart") return album.query ? `(${album.query})` : "";
  return `album:${quoted(album.name)}`;
}

/** A query's terms: runs of text between spaces, a quoted phrase kept whole. */
export function splitTerms(query: string): string[] {
  const out: string[] = [];
  let term = "";
  let inQuote = false;
  for (const c of query) {
    if (c === '"') inQuote = !inQuote;
    if (!inQuote && /\s/.test(c)) {
      if (term !== "") out.push(term);
      term = "";
    } else {
      term += c;
    }
  }
  if (term !== "") out.push(term);
  return out;
}

/** The field a term filters by (`rating` for `rating:>=4`), lower case; null for a plain word. */
function fieldOf(term: string): string | null {
  const m = /^([A-Za-z_]+):/.exec(term);
  return m ? m[1].toLowerCase() : null;
}

/** Whether `query` holds `term` as one of its terms. */
export function hasTerm(query: string, term: string): boolean {
  return splitTerms(query).includes(term);
}

/**
 * A one-click filter: `term` (`flag:pick`) comes off `query` when it is
 * there; otherwise it goes on the end, replacing any other term of its
 * field (a rating, flag or label is one value: `label:red label:blue`
 * would find nothing).
 */
export function toggleFilter(query: string, term: string): string {
  const terms = splitTerms(query);
  if (terms.includes(term)) return terms.filter((t) => t !== term).join(" ");
  const field = fieldOf(term);
  return [...terms.filter((t) => field === null || fieldOf(t) !== field), term].join(" ");
}

/** A one-click filter button. */
export interface QuickFilter {
  term: string;
  /** What the button shows. */
  label: string;
  /** Its tooltip. */
  title: string;
  /** The colour label it filters by, for a colour dot. */
  colour?: string;
}

export const RATING_FILTERS: readonly QuickFilter[] = [
  { term: "rating:>=3", label: "★3+", title: "Three stars or more" },
  { term: "rating:>=4", label: "★4+", title: "Four stars or more" },
  { term: "rating:5", label: "★5", title: "Five stars" },
];

export const FLAG_FILTERS: readonly QuickFilter[] = [
  { term: "flag:pick", label: "Picks", title: "Picked" },
  { term: "flag:reject", label: "Rejects", title: "Rejected" },
];

export const LABEL_FILTERS: readonly QuickFilter[] = ["red", "yellow", "green", "blue", "purple"].map((colour) => ({
  term: `label:${colour}`,
  label: colour,
  title: `${colour[0].toUpperCase()}${colour.slice(1)} label`,
  colour,
}));
