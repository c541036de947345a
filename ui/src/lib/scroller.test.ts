import { describe, expect, it } from "vitest";

import { GAP, PAD, cellHeight, cellWidth, columnsFor, scrollTopToReveal } from "./scroller.svelte";

describe("cell sizes", () => {
  it("makes cells a little less tall than the slider's width", () => {
    expect(cellHeight(180)).toBe(149);
    expect(cellHeight(120)).toBe(100);
    expect(cellHeight(360)).toBe(299);
  });

  it("fits columns inside the padding", () => {
    // 1000 - 2 * 12 = 976 px: five cells of 180 and four gaps (932 px), not six.
    expect(columnsFor(1000, 180)).toBe(5);
    expect(columnsFor(1000, 120)).toBe(7);
    // Six cells need 6 * 180 + 5 * 8 + 2 * 12 = 1144 px.
    expect(columnsFor(1143, 180)).toBe(5);
    expect(columnsFor(1144, 180)).toBe(6);
  });

  it("leaves the timeline's scrubber out", () => {
    // 1000 - 24 - 44 = 932 px: exactly five cells and their gaps.
    expect(columnsFor(1000, 180, 44)).toBe(5);
    expect(columnsFor(999, 180, 44)).toBe(4);
  });

  it("never makes fewer than one column, even before the viewport is measured", () => {
    expect(columnsFor(0, 180)).toBe(1);
    expect(columnsFor(100, 180)).toBe(1);
  });

  it("shares the width left by the padding and gaps among the columns", () => {
    expect(cellWidth(1000, 5)).toBeCloseTo((1000 - 2 * PAD - 4 * GAP) / 5);
    expect(cellWidth(1000, 5)).toBeCloseTo(188.8);
    expect(cellWidth(1000, 5, 44)).toBe(180);
    expect(cellWidth(1000, 1)).toBe(976);
  });
});

describe("scrollTopToReveal", () => {
  // A viewport 600 px tall scrolled to 1000: content pixels [1000, 1600) show.
  const at = (top: number, bottom: number) => scrollTopToReveal(1000, 600, top, bottom, PAD);

  it("leaves a span on screen where it is", () => {
    expect(at(1100, 1249)).toBeNull();
    expect(at(1000, 1600)).toBeNull();
  });

  it("scrolls up to a span above, its top one padding below the edge", () => {
    expect(at(900, 1049)).toBe(888);
    expect(at(999, 1148)).toBe(987);
  });

  it("scrolls down to a span below, its bottom one padding above the edge", () => {
    expect(at(1500, 1649)).toBe(1061);
    expect(at(1452, 1601)).toBe(1013);
  });

  it("shows the top of a span taller than the viewport", () => {
    expect(at(900, 2000)).toBe(888);
  });

  it("reveals the keyboard's cursor in a grid", () => {
    // Item 37 of five columns at size 180 is on row 7: 12 + 7 * 157 = 1111.
    const top = PAD + Math.floor(37 / columnsFor(1000, 180)) * (cellHeight(180) + GAP);
    expect(top).toBe(1111);
    expect(scrollTopToReveal(0, 600, top, top + cellHeight(180), PAD)).toBe(672);
  });
});
