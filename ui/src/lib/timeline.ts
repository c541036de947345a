// Pure layout for the timeline: sections of the listing (one per capture
// day, month or year), the rows they make for a given column count, which
// rows are on screen, and where the scrubber's year marks sit. No DOM here,
// so it is unit-tested on its own (timeline.test.ts).

import type { TimelineDayDto } from "./bindings/TimelineDayDto";

export type Grouping = "day" | "month" | "year";

export interface Section {
  /** "2024-06-01", "2024-06", "2024", or null for assets without a date. */
  key: string | null;
  /** Index in the listing of the section's first asset. */
  start: number;
  count: number;
}

function keyOf(date: string | null, grouping: Grouping): string | null {
  if (date === null) return null;
  if (grouping === "year") return date.slice(0, 4);
  if (grouping === "month") return date.slice(0, 7);
  return date;
}

/**
 * The listing's sections: consecutive days (in listing order) that share a
 * key merge into one, so each section is one contiguous range of indices.
 */
export function sections(days: readonly TimelineDayDto[], grouping: Grouping): Section[] {
  const out: Section[] = [];
  let start = 0;
  for (const d of days) {
    const key = keyOf(d.date, grouping);
    const last = out[out.length - 1];
    if (last && last.key === key) last.count += d.count;
    else out.push({ key, start, count: d.count });
    start += d.count;
  }
  return out;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** "Saturday, 1 June 2024", "June 2024", "2024" or "No date". */
export function sectionLabel(key: string | null): string {
  if (key === null) return "No date";
  const [y, m, d] = key.split("-").map(Number);
  if (m === undefined) return String(y);
  const month = MONTHS[m - 1] ?? "?";
  if (d === undefined) return `${month} ${y}`;
  // The date is a calendar date, not an instant: compute its weekday in UTC.
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday}, ${d} ${month} ${y}`;
}

export interface Row {
  /** A section header, or a row of cells. */
  header: boolean;
  section: number;
  /** Listing indices [start, end) in this row (empty for headers). */
  start: number;
  end: number;
  top: number;
  height: number;
}

export interface Layout {
  rows: Row[];
  totalHeight: number;
}

/** Rows for the sections at `columns` cells per row. */
export function layout(
  secs: readonly Section[],
  columns: number,
  rowHeight: number,
  headerHeight: number,
): Layout {
  const cols = Math.max(1, Math.floor(columns) || 1);
  const rows: Row[] = [];
  let top = 0;
  secs.forEach((s, i) => {
    rows.push({ header: true, section: i, start: s.start, end: s.start, top, height: headerHeight });
    top += headerHeight;
    for (let at = s.start; at < s.start + s.count; at += cols) {
      rows.push({ header: false, section: i, start: at, end: Math.min(at + cols, s.start + s.count), top, height: rowHeight });
      top += rowHeight;
    }
  });
  return { rows, totalHeight: top };
}

/** The index of the row that holds pixel `y` (clamped to the rows). */
export function rowAt(rows: readonly Row[], y: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (rows[mid].top <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows [first, end) to render for a scroll position, with overscan. */
export function rowsInView(
  rows: readonly Row[],
  scrollTop: number,
  viewportHeight: number,
  overscan: number,
): [number, number] {
  if (rows.length === 0) return [0, 0];
  const first = rowAt(rows, Math.max(0, scrollTop));
  const last = rowAt(rows, Math.max(0, scrollTop + viewportHeight));
  return [Math.max(0, first - overscan), Math.min(rows.length, last + 1 + overscan)];
}

/** The row of cells that holds listing index `index`, or -1. */
export function rowOfIndex(rows: readonly Row[], index: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = rows[mid];
    if (r.start <= index) {
      if (!r.header && index < r.end) return mid;
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  // Headers share their start with the first cell row after them.
  for (let i = Math.max(0, found); i < rows.length && rows[i].start <= index; i++) {
    if (!rows[i].header && index < rows[i].end) return i;
  }
  return -1;
}

/**
 * The index one row up (`delta` -1) or down (+1) from `index`, in the same
 * column when that row is long enough, skipping headers; null at the ends.
 */
export function verticalNeighbour(rows: readonly Row[], index: number, delta: 1 | -1): number | null {
  const at = rowOfIndex(rows, index);
  if (at < 0) return null;
  const column = index - rows[at].start;
  for (let i = at + delta; i >= 0 && i < rows.length; i += delta) {
    const r = rows[i];
    if (r.header) continue;
    return Math.min(r.start + column, r.end - 1);
  }
  return null;
}

export interface Mark {
  label: string;
  /** Where the mark sits, as a fraction of the timeline's height. */
  fraction: number;
}

/**
 * The scrubber's marks: one per year (the first section of each), placed
 * where that year starts in the layout. Marks closer than `minGap` (as a
 * fraction) to the previous one are dropped so labels never overlap.
 */
export function yearMarks(secs: readonly Section[], lay: Layout, minGap: number): Mark[] {
  if (lay.totalHeight <= 0) return [];
  const marks: Mark[] = [];
  let lastYear: string | null | undefined;
  for (const row of lay.rows) {
    if (!row.header) continue;
    const key = secs[row.section].key;
    const year = key === null ? null : key.slice(0, 4);
    if (year === lastYear) continue;
    lastYear = year;
    const fraction = row.top / lay.totalHeight;
    const prev = marks[marks.length - 1];
    if (prev && fraction - prev.fraction < minGap) continue;
    marks.push({ label: year ?? "No date", fraction });
  }
  return marks;
}
