import { describe, expect, it } from "vitest";

import { ASSET_DRAG_TYPE, carriesAssets, decodeAssets, draggedIds, encodeAssets, reorderMoves } from "./assetDrag";

describe("draggedIds", () => {
  it("drags the whole selection from a selected cell, and a cell alone otherwise", () => {
    const selected = new Set(["a", "b", "c"]);
    expect(draggedIds("b", selected)).toEqual(["a", "b", "c"]);
    expect(draggedIds("z", selected)).toEqual(["z"]);
    expect(draggedIds("z", new Set())).toEqual(["z"]);
  });
});

describe("drag data", () => {
  it("goes there and back", () => {
    expect(decodeAssets(encodeAssets(["3f1c", "77aa"]))).toEqual(["3f1c", "77aa"]);
  });

  it("refuses what is not a list of ids", () => {
    expect(decodeAssets("")).toBeNull();
    expect(decodeAssets("not json")).toBeNull();
    expect(decodeAssets("[]")).toBeNull();
    expect(decodeAssets('["a", 7]')).toBeNull();
    expect(decodeAssets('["a", ""]')).toBeNull();
    expect(decodeAssets('{"ids": ["a"]}')).toBeNull();
  });

  it("is told apart from other drags (files, text) by its type", () => {
    expect(carriesAssets(["text/plain", ASSET_DRAG_TYPE])).toBe(true);
    expect(carriesAssets(["Files"])).toBe(false);
    expect(carriesAssets(undefined)).toBe(false);
  });
});

describe("reorderMoves", () => {
  it("moves each dragged asset before the same one, so they land together in order", () => {
    expect(reorderMoves(["a", "c"], "f")).toEqual([
      { id: "a", before: "f" },
      { id: "c", before: "f" },
    ]);
    expect(reorderMoves(["b"], null)).toEqual([{ id: "b", before: null }]);
  });

  it("does not move an asset before itself", () => {
    expect(reorderMoves(["b"], "b")).toEqual([]);
    expect(reorderMoves(["a", "b", "c"], "b")).toEqual([
      { id: "a", before: "b" },
      { id: "c", before: "b" },
    ]);
  });
});
