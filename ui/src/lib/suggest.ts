// Search suggestions as you type: the query language's fields for the word
// being typed, and for `field:` the values the library has (from facet
// counts, most common first). Pure, so it is unit-tested (suggest.test.ts).

import type { FacetsDto } from "./bindings/FacetsDto";

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** A hint beside it (what the field means, or how many assets). */
  hint: string;
  /** The whole query after accepting it. */
  query: string;
}

/** The fields of the query language (crates/trove-search/QUERY.md), with a hint. */
export const FIELDS: readonly [string, string][] = [
  ["camera:", "camera make or model"],
  ["lens:", "lens name"],
  ["kind:", "image, video, audio, document"],
  ["taken:", "2023, 2023-06, 2023-06..2023-08"],
  ["rating:", "5, >=4, 2..4"],
  ["tag:", "keyword, at any level"],
  ["album:", "album name"],
  ["ext:", "file extension"],
  ["name:", "file name"],
  ["folder:", "folder path"],
  ["iso:", ">3200, 100..800"],
  ["focal:", "24..70"],
  ["aperture:", "<=2.8"],
  ["label:", "colour label"],
  ["near:", "lat,lon,5km"],
  ["missing:", "true"],
  ["flag:", "pick or reject"],
  ["keyword:", "Places/Iceland and below"],
  ["caption:", "a word in the caption"],
  ["creator:", "who made it"],
  ["has:", "comment, caption, keyword, album, gps..."],
];

/** Facet lists that hold the values of a field. */
const VALUES: Record<string, keyof FacetsDto> = {
  "camera:": "camera",
  "lens:": "lens",
  "kind:": "kind",
  "taken:": "year",
  "rating:": "rating",
  "tag:": "tag",
  "album:": "album",
  "ext:": "ext",
};

/** The word being typed: from the last space outside quotes to the end. */
function lastWord(query: string): number {
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === " " || c === "(")) start = i + 1;
  }
  return start;
}

/** A facet value as the query language takes it (quoted when it holds spaces). */
export function quoted(value: string): string {
  return /[\s()"]/.test(value) ? `"${value.replaceAll('"', "")}"` : value;
}

/** Up to `max` suggestions for `query` as typed so far. */
export function suggest(query: string, facets: FacetsDto | null, max = 8): Suggestion[] {
  const start = lastWord(query);
  const head = query.slice(0, start);
  const word = query.slice(start);
  // A leading "-" (NOT) stays in front of what is suggested.
  const neg = word.startsWith("-") ? "-" : "";
  const typed = word.slice(neg.length).toLowerCase();
  if (typed === "") return [];
  const colon = typed.indexOf(":");
  if (colon < 0) {
    return FIELDS.filter(([f]) => f.startsWith(typed) && f !== typed)
      .slice(0, max)
      .map(([f, hint]) => ({ label: f, hint, query: `${head}${neg}${f}` }));
  }
  const field = typed.slice(0, colon + 1);
  const key = VALUES[field];
  if (!key || !facets) return [];
  const partial = typed.slice(colon + 1).replace(/^"/, "").replace(/"$/, "");
  return facets[key]
    .filter((v) => v.value.toLowerCase().startsWith(partial) && v.value.toLowerCase() !== partial)
    .slice(0, max)
    .map((v) => ({
      label: `${field}${quoted(v.value)}`,
      hint: `${v.count.toLocaleString()}`,
      query: `${head}${neg}${field}${quoted(v.value)} `,
    }));
}
