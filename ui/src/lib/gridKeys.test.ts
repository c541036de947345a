import { describe, expect, it } from "vitest";

import { gridKeydown } from "./gridKeys";
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

  it("extends with shift, selects all loaded with Ctrl+A, clears with Escape", () => {
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
});
