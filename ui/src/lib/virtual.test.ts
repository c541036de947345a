import { describe, expect, it } from "vitest";

import { columnCount, indicesInRect, pagesForRange, visibleRange } from "./virtual";

const base = {
  scrollTop: 0,
  viewportHeight: 600,
  rowHeight: 150,
  columns: 5,
  itemCount: 10_000,
  overscan: 2,
};

describe("columnCount", () => {
  it("fits as many minimum-width cells as the width allows", () => {
    expect(columnCount(1000, 180)).toBe(5);
    expect(columnCount(1079, 180)).toBe(5);
    expect(columnCount(1080, 180)).toBe(6);
  });

  it("counts gaps between cells, not after the last one", () => {
    // 5 cells of 180 and 4 gaps of 8 take 932px.
    expect(columnCount(932, 180, 8)).toBe(5);
    expect(columnCount(931, 180, 8)).toBe(4);
  });

  it("never returns fewer than one column", () => {
    expect(columnCount(100, 180)).toBe(1);
    expect(columnCount(0, 180)).toBe(1);
    expect(columnCount(Number.NaN, 180)).toBe(1);
    expect(columnCount(1000, 0)).toBe(1);
  });
});

describe("visibleRange", () => {
  it("renders the first screen plus overscan below at the top", () => {
    const r = visibleRange(base);
    expect(r.rowCount).toBe(2000);
    expect(r.totalHeight).toBe(300_000);
    expect(r.firstRow).toBe(0);
    expect(r.endRow).toBe(4 + 2);
    expect(r.startIndex).toBe(0);
    expect(r.endIndex).toBe(30);
    expect(r.offsetY).toBe(0);
  });

  it("adds overscan on both sides in the middle of the list", () => {
    const r = visibleRange({ ...base, scrollTop: 1500 }); // row 10 at the top
    expect(r.firstRow).toBe(8);
    expect(r.endRow).toBe(10 + 4 + 2);
    expect(r.startIndex).toBe(40);
    expect(r.endIndex).toBe(80);
    expect(r.offsetY).toBe(8 * 150);
  });

  it("includes a partly visible row", () => {
    const r = visibleRange({ ...base, scrollTop: 75, overscan: 0 });
    expect(r.firstRow).toBe(0);
    expect(r.endRow).toBe(5); // rows 0..4, row 4 shows its top half
  });

  it("stops at the end of the list, with a short last row", () => {
    const r = visibleRange({ ...base, itemCount: 23, scrollTop: 0, viewportHeight: 10_000 });
    expect(r.rowCount).toBe(5);
    expect(r.endRow).toBe(5);
    expect(r.endIndex).toBe(23);
  });

  it("clamps a scrollTop past the end to the last screen", () => {
    const r = visibleRange({ ...base, itemCount: 100, scrollTop: 1_000_000 });
    // 20 rows, 3000px; last screen starts at 2400px = row 16.
    expect(r.firstRow).toBe(14);
    expect(r.endRow).toBe(20);
    expect(r.endIndex).toBe(100);
  });

  it("treats a negative scrollTop as the top", () => {
    expect(visibleRange({ ...base, scrollTop: -40 }).firstRow).toBe(0);
  });

  it("renders at least one row before the viewport is measured", () => {
    const r = visibleRange({ ...base, viewportHeight: 0, overscan: 0 });
    expect(r.endRow).toBe(1);
    expect(r.endIndex).toBe(5);
  });

  it("is empty for an empty list", () => {
    const r = visibleRange({ ...base, itemCount: 0 });
    expect(r).toEqual({
      rowCount: 0,
      firstRow: 0,
      endRow: 0,
      startIndex: 0,
      endIndex: 0,
      offsetY: 0,
      totalHeight: 0,
    });
  });

  it("keeps the DOM small however long the list is", () => {
    const r = visibleRange({ ...base, itemCount: 5_000_000, scrollTop: 123_456_789 });
    expect(r.endIndex - r.startIndex).toBeLessThanOrEqual((4 + 1 + 2 * 2) * 5);
    expect(r.startIndex % 5).toBe(0);
  });
});

describe("pagesForRange", () => {
  it("lists the pages that cover a range", () => {
    expect(pagesForRange(0, 30, 200)).toEqual([0]);
    expect(pagesForRange(190, 210, 200)).toEqual([0, 1]);
    expect(pagesForRange(200, 400, 200)).toEqual([1]);
    expect(pagesForRange(399, 801, 200)).toEqual([1, 2, 3, 4]);
  });

  it("is empty for an empty range", () => {
    expect(pagesForRange(10, 10, 200)).toEqual([]);
    expect(pagesForRange(0, 10, 0)).toEqual([]);
  });
});

describe("indicesInRect", () => {
  const g = { columns: 4, cellWidth: 100, cellHeight: 80, gap: 10, pad: 12, itemCount: 10 };
  it("selects the cells a band touches", () => {
    // From inside cell 0 to inside cell 5 (row 1, column 1).
    expect(indicesInRect(g, { left: 20, top: 20, right: 12 + 110 + 5, bottom: 12 + 90 + 5 })).toEqual([0, 1, 4, 5]);
    // Dragged backwards: the same.
    expect(indicesInRect(g, { left: 12 + 110 + 5, top: 12 + 90 + 5, right: 20, bottom: 20 })).toEqual([0, 1, 4, 5]);
  });
  it("ignores gaps, padding and cells past the end", () => {
    // Only the gap between columns 0 and 1.
    expect(indicesInRect(g, { left: 12 + 101, top: 20, right: 12 + 108, bottom: 30 })).toEqual([]);
    // The last row holds items 8 and 9 only.
    expect(indicesInRect(g, { left: 0, top: 12 + 180 + 5, right: 1000, bottom: 12 + 180 + 10 })).toEqual([8, 9]);
    expect(indicesInRect({ ...g, itemCount: 0 }, { left: 0, top: 0, right: 100, bottom: 100 })).toEqual([]);
  });
});
