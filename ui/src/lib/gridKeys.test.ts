import { describe, expect, it } from "vitest";

import { clickSelect, gridKeydown } from "./gridKeys";
import { Selection } from "./state/selection.svelte";

function grid(columns: number, count: number) {
  const selection = new Selection();
  const opened: number[] = [];
  const revealed: number[] = [];
  const g = {
    count,
    selection,
    idAt: (i: number) => (i >= 0 && i < count ? `a${i}` : undefined),
    vertical: (at: number, d: 1 | -1) => {
      const n = at + d * columns;
      return n < 0 || n >= count ? null : n;
    },
    reveal: (i: number) => revealed.push(i),
    open: (i: number) => opened.push(i),
  };
  const key = (k: string, mods: { shiftKey?: boolean; ctrlKey?: boolean } = {}) =>
    gridKeydown({ key: k, shiftKey: false, ctrlKey: false, metaKey: false, preventDefault: () => {}, ...mods }, g);
  return { selection, opened, revealed, key };
}

describe("gridKeydown", () => {
  it("moves the cursor by cell and by row, and opens with Enter", () => {
    const t = grid(4, 10);
    t.key("ArrowDown");
    expect(t.selection.cursor).toBe(0);
    t.key("ArrowRight");
    t.key("ArrowDown");
    expect(t.selection.cursor).toBe(5);
    expect(t.revealed.at(-1)).toBe(5);
    t.key("ArrowDown");
    t.key("ArrowDown");
    // An edge stops the cursor.
    expect(t.selection.cursor).toBe(9);
    t.key("Enter");
    expect(t.opened).toEqual([9]);
  });

  it("extends with shift, selects all with Ctrl+A, clears with Escape", () => {
    const t = grid(4, 10);
    t.key("ArrowRight");
    t.key("ArrowRight", { shiftKey: true });
    t.key("ArrowRight", { shiftKey: true });
    expect([...t.selection.ids].sort()).toEqual(["a0", "a1", "a2"]);
    t.key("a", { ctrlKey: true });
    expect(t.selection.size).toBe(10);
    t.key("Escape");
    expect(t.selection.size).toBe(0);
  });

  it("selects the pages not loaded yet with Ctrl+A, unless the selection moved on", async () => {
    const selection = new Selection();
    const loaded = 4;
    let answer: (ids: string[] | null) => void = () => {};
    const asked: [number, number][] = [];
    const g = {
      count: 10,
      selection,
      idAt: (i: number) => (i < loaded ? `a${i}` : undefined),
      idsIn: (start: number, end: number) => {
        asked.push([start, end]);
        return new Promise<string[] | null>((r) => (answer = r));
      },
      vertical: () => null,
      reveal: () => {},
    };
    const ctrlA = { key: "a", shiftKey: false, ctrlKey: true, metaKey: false, preventDefault: () => {} };
    gridKeydown(ctrlA, g);
    expect(selection.size).toBe(loaded);
    expect(asked).toEqual([[0, 10]]);
    answer(Array.from({ length: 10 }, (_, i) => `a${i}`));
    await new Promise((r) => setTimeout(r));
    expect(selection.size).toBe(10);

    // A click before the answer wins: the late ids are dropped.
    selection.clear();
    gridKeydown(ctrlA, g);
    selection.click(1, "a1", { shift: false, toggle: false }, g.idAt);
    answer(Array.from({ length: 10 }, (_, i) => `a${i}`));
    await new Promise((r) => setTimeout(r));
    expect([...selection.ids]).toEqual(["a1"]);

    // A stale answer (the view changed) adds nothing.
    selection.clear();
    gridKeydown(ctrlA, g);
    answer(null);
    await new Promise((r) => setTimeout(r));
    expect(selection.size).toBe(loaded);
  });

  it("fills a shift-click range across pages that are not loaded", async () => {
    const selection = new Selection();
    // Items 0-3 and 50-59 are loaded; 4-49 are not.
    const idAt = (i: number) => (i < 4 || (i >= 50 && i < 60) ? `a${i}` : undefined);
    const asked: [number, number][] = [];
    const idsIn = async (start: number, end: number) => {
      asked.push([start, end]);
      return Array.from({ length: end - start }, (_, i) => `a${start + i}`);
    };
    const plain = { shiftKey: false, ctrlKey: false, metaKey: false };
    expect(clickSelect(selection, 2, plain, idAt, idsIn)).toBe(true);
    expect(clickSelect(selection, 55, { ...plain, shiftKey: true }, idAt, idsIn)).toBe(true);
    await new Promise((r) => setTimeout(r));
    expect(asked).toEqual([[2, 56]]);
    expect(selection.size).toBe(54);
    // A range that is all loaded asks nothing.
    clickSelect(selection, 51, plain, idAt, idsIn);
    clickSelect(selection, 58, { ...plain, shiftKey: true }, idAt, idsIn);
    await new Promise((r) => setTimeout(r));
    expect(asked.length).toBe(1);
    expect(selection.size).toBe(8);
  });
});
