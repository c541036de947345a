import { describe, expect, it } from "vitest";

import {
  layout,
  rowOfIndex,
  rowsInView,
  sectionLabel,
  sections,
  verticalNeighbour,
  yearMarks,
} from "./timeline";

const days = [
  { date: "2024-06-02", count: 3 },
  { date: "2024-06-01", count: 2 },
  { date: "2024-05-30", count: 4 },
  { date: "2023-12-31", count: 1 },
  { date: null, count: 2 },
];

describe("sections", () => {
  it("keeps one section per day with running start indices", () => {
    const s = sections(days, "day");
    expect(s.map((x) => [x.key, x.start, x.count])).toEqual([
      ["2024-06-02", 0, 3],
      ["2024-06-01", 3, 2],
      ["2024-05-30", 5, 4],
      ["2023-12-31", 9, 1],
      [null, 10, 2],
    ]);
  });

  it("merges consecutive days of one month or year", () => {
    expect(sections(days, "month").map((x) => [x.key, x.start, x.count])).toEqual([
      ["2024-06", 0, 5],
      ["2024-05", 5, 4],
      ["2023-12", 9, 1],
      [null, 10, 2],
    ]);
    expect(sections(days, "year").map((x) => [x.key, x.count])).toEqual([
      ["2024", 9],
      ["2023", 1],
      [null, 2],
    ]);
  });
});

describe("sectionLabel", () => {
  it("names days with their weekday, months and years plainly", () => {
    expect(sectionLabel("2024-06-01")).toBe("Saturday, 1 June 2024");
    expect(sectionLabel("2024-06")).toBe("June 2024");
    expect(sectionLabel("2024")).toBe("2024");
    expect(sectionLabel(null)).toBe("No date");
  });
});

describe("layout", () => {
  const secs = sections(days, "day");
  const lay = layout(secs, 2, 100, 30);

  it("puts a header before each section and wraps cells by column", () => {
    // 5 headers; cell rows: 2, 1, 2, 1, 1 = 7.
    expect(lay.rows.filter((r) => r.header).length).toBe(5);
    expect(lay.rows.filter((r) => !r.header).length).toBe(7);
    expect(lay.totalHeight).toBe(5 * 30 + 7 * 100);
    expect(lay.rows.slice(0, 4).map((r) => [r.header, r.start, r.end, r.top])).toEqual([
      [true, 0, 0, 0],
      [false, 0, 2, 30],
      [false, 2, 3, 130],
      [true, 3, 3, 230],
    ]);
  });

  it("covers every index exactly once, in order", () => {
    const seen: number[] = [];
    for (const r of lay.rows) for (let i = r.start; i < r.end; i++) seen.push(i);
    expect(seen).toEqual([...Array(12).keys()]);
  });

  it("finds the rows on screen by binary search", () => {
    expect(rowsInView(lay.rows, 0, 50, 0)).toEqual([0, 2]);
    expect(rowsInView(lay.rows, 135, 10, 1)).toEqual([1, 4]);
    expect(rowsInView([], 0, 100, 2)).toEqual([0, 0]);
  });

  it("moves up and down by row, keeping the column and skipping headers", () => {
    expect(rowOfIndex(lay.rows, 0)).toBe(1);
    expect(rowOfIndex(lay.rows, 3)).toBe(4);
    expect(verticalNeighbour(lay.rows, 1, 1)).toBe(2); // short next row
    expect(verticalNeighbour(lay.rows, 2, 1)).toBe(3); // across a header
    expect(verticalNeighbour(lay.rows, 4, -1)).toBe(2);
    expect(verticalNeighbour(lay.rows, 0, -1)).toBeNull();
    expect(verticalNeighbour(lay.rows, 11, 1)).toBeNull();
  });

  it("places one scrubber mark per year where it starts", () => {
    const marks = yearMarks(secs, lay, 0);
    expect(marks.map((m) => m.label)).toEqual(["2024", "2023", "No date"]);
    expect(marks[0].fraction).toBe(0);
    expect(marks[1].fraction).toBeCloseTo(lay.rows.find((r) => r.header && r.section === 3)!.top / lay.totalHeight);
    expect(yearMarks(secs, lay, 0.9).map((m) => m.label)).toEqual(["2024"]);
  });
});
