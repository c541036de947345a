import { describe, expect, it } from "vitest";

import type { KeywordDto } from "./bindings/KeywordDto";
import { visibleKeywords } from "./keywordTree";

const keyword = (path: string, assets = 1): KeywordDto => ({
  path,
  name: path.split("|").pop() ?? path,
  depth: path.split("|").length - 1,
  assets,
});
const tree = ["People", "People|Ann", "Places", "Places|Iceland", "Places|Iceland|Reykjavik", "Places|Italy", "PlacesOld"].map(
  (p) => keyword(p),
);

describe("visibleKeywords", () => {
  it("shows everything until a branch is folded, with toggles on keywords that have some below", () => {
    const rows = visibleKeywords(tree, new Set());
    expect(rows.map((r) => r.keyword.path)).toEqual(tree.map((k) => k.path));
    expect(rows.filter((r) => r.parent).map((r) => r.keyword.path)).toEqual(["People", "Places", "Places|Iceland"]);
  });

  it("hides what is below a folded keyword, and only that (not a sibling that shares its prefix)", () => {
    const rows = visibleKeywords(tree, new Set(["Places"]));
    expect(rows.map((r) => r.keyword.path)).toEqual(["People", "People|Ann", "Places", "PlacesOld"]);
    expect(rows.find((r) => r.keyword.path === "Places")?.collapsed).toBe(true);
    expect(visibleKeywords(tree, new Set(["Places|Iceland"])).map((r) => r.keyword.path)).toEqual([
      "People",
      "People|Ann",
      "Places",
      "Places|Iceland",
      "Places|Italy",
      "PlacesOld",
    ]);
  });

  it("a leaf cannot be folded", () => {
    expect(visibleKeywords([keyword("Solo")], new Set(["Solo"]))).toEqual([
      { keyword: keyword("Solo"), parent: false, collapsed: false },
    ]);
  });
});
