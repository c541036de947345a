import { describe, expect, it } from "vitest";

import {
  albumQuery,
  hasTerm,
  keywordLabel,
  keywordPath,
  keywordQuery,
  keywordSuggestions,
  LABEL_FILTERS,
  splitTerms,
  toggleFilter,
} from "./queryTerms";

describe("keyword paths", () => {
  it("reads a path typed with / or |, trimming levels and dropping empty ones", () => {
    expect(keywordPath("Places/Iceland")).toBe("Places|Iceland");
    expect(keywordPath(" Places | Iceland |Reykjavik ")).toBe("Places|Iceland|Reykjavik");
    expect(keywordPath("/Places//Iceland/")).toBe("Places|Iceland");
    expect(keywordPath("sunset")).toBe("sunset");
    expect(keywordPath("  / | ")).toBeNull();
  });

  it("shows a stored path with slashes", () => {
    expect(keywordLabel("Places|Iceland|Reykjavik")).toBe("Places/Iceland/Reykjavik");
    expect(keywordLabel("sunset")).toBe("sunset");
  });

  it("searches a keyword by its path with slashes, quoted when it holds spaces", () => {
    expect(keywordQuery("Places|Iceland")).toBe("keyword:Places/Iceland");
    expect(keywordQuery("Places|New York")).toBe('keyword:"Places/New York"');
    expect(keywordQuery("family")).toBe("keyword:family");
  });
});

describe("keywordSuggestions", () => {
  const paths = ["Family", "Places", "Places|Iceland", "Places|Iceland|Reykjavik", "Places|Italy", "Animals|Icelandic horse"];

  it("puts keywords with a level starting with the text first, then those holding it", () => {
    expect(keywordSuggestions(paths, "ice")).toEqual([
      "Places|Iceland",
      "Places|Iceland|Reykjavik",
      "Animals|Icelandic horse",
    ]);
    expect(keywordSuggestions(paths, "ly")).toEqual(["Family", "Places|Italy"]);
  });

  it("takes a typed path with either separator, in any case", () => {
    expect(keywordSuggestions(paths, "places/ice")).toEqual(["Places|Iceland", "Places|Iceland|Reykjavik"]);
    expect(keywordSuggestions(paths, "PLACES|it")).toEqual(["Places|Italy"]);
  });

  it("leaves out what the asset has, stops at max, and suggests nothing for nothing typed", () => {
    expect(keywordSuggestions(paths, "ice", ["Places|Iceland"])).toEqual([
      "Places|Iceland|Reykjavik",
      "Animals|Icelandic horse",
    ]);
    expect(keywordSuggestions(paths, "a", [], 2)).toEqual(["Animals|Icelandic horse", "Family"]);
    expect(keywordSuggestions(paths, "  ")).toEqual([]);
  });
});

describe("albumQuery", () => {
  it("searches an album by its name, and a smart album by its own search", () => {
    expect(albumQuery({ kind: "album", name: "Iceland 2024", query: null })).toBe('album:"Iceland 2024"');
    expect(albumQuery({ kind: "album", name: "Best", query: null })).toBe("album:Best");
    expect(albumQuery({ kind: "smart", name: "Good", query: "rating:>=4 OR flag:pick" })).toBe(
      "(rating:>=4 OR flag:pick)",
    );
  });
});

describe("splitTerms", () => {
  it("splits on spaces but keeps a quoted phrase whole", () => {
    expect(splitTerms('  beach album:"Iceland  2024" rating:>=4 ')).toEqual([
      "beach",
      'album:"Iceland  2024"',
      "rating:>=4",
    ]);
    expect(splitTerms("")).toEqual([]);
  });
});

describe("toggleFilter", () => {
  it("adds a filter to the search, or starts one", () => {
    expect(toggleFilter("", "rating:>=4")).toBe("rating:>=4");
    expect(toggleFilter("beach", "flag:pick")).toBe("beach flag:pick");
  });

  it("takes it out again on a second click", () => {
    expect(toggleFilter("beach flag:pick", "flag:pick")).toBe("beach");
    expect(toggleFilter("rating:>=4", "rating:>=4")).toBe("");
  });

  it("replaces another value of the same field (one rating, one flag, one label)", () => {
    expect(toggleFilter("beach rating:>=3 label:red", "rating:>=4")).toBe("beach label:red rating:>=4");
    expect(toggleFilter("flag:pick beach", "flag:reject")).toBe("beach flag:reject");
    expect(toggleFilter("Label:RED", "label:blue")).toBe("label:blue");
  });

  it("leaves other fields, negations and phrases as they are", () => {
    expect(toggleFilter('album:"Iceland 2024" -label:red', "label:green")).toBe(
      'album:"Iceland 2024" -label:red label:green',
    );
    expect(hasTerm('album:"Iceland 2024" label:green', "label:green")).toBe(true);
    expect(hasTerm("label:greenish", "label:green")).toBe(false);
  });

  it("has a colour dot for each label", () => {
    expect(LABEL_FILTERS.map((f) => f.term)).toEqual([
      "label:red",
      "label:yellow",
      "label:green",
      "label:blue",
      "label:purple",
    ]);
  });
});
