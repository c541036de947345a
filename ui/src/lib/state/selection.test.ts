import { describe, expect, it } from "vitest";

import { Selection } from "./selection.svelte";

const idAt = (i: number) => (i < 10 ? `a${i}` : undefined);

describe("Selection", () => {
  it("selects, toggles and extends like a file manager", () => {
    const s = new Selection();
    s.click(2, "a2", { shift: false, toggle: false }, idAt);
    expect([...s.ids]).toEqual(["a2"]);
    s.click(5, "a5", { shift: true, toggle: false }, idAt);
    expect([...s.ids].sort()).toEqual(["a2", "a3", "a4", "a5"]);
    s.click(8, "a8", { shift: false, toggle: true }, idAt);
    expect(s.has("a8")).toBe(true);
    expect(s.size).toBe(5);
    s.click(8, "a8", { shift: false, toggle: true }, idAt);
    expect(s.has("a8")).toBe(false);
    // Backwards from the anchor, past the loaded items: only known ids.
    s.click(1, "a1", { shift: false, toggle: false }, idAt);
    s.click(12, "x", { shift: true, toggle: false }, idAt);
    expect(s.size).toBe(9);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.anchor).toBeNull();
  });

  it("extends a range from the same anchor, step after step", () => {
    const s = new Selection();
    s.click(3, "a3", { shift: false, toggle: false }, idAt);
    s.click(4, "a4", { shift: true, toggle: false }, idAt);
    s.click(5, "a5", { shift: true, toggle: false }, idAt);
    expect([...s.ids].sort()).toEqual(["a3", "a4", "a5"]);
    expect(s.anchor).toBe(3);
    expect(s.cursor).toBe(5);
  });

  it("takes a rubber band's ids, replacing or adding", () => {
    const s = new Selection();
    s.set(["a1", "a2"]);
    s.set(["a3"], true);
    expect(s.size).toBe(3);
    s.set(["a4"]);
    expect([...s.ids]).toEqual(["a4"]);
  });
});
