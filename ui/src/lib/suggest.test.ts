import { describe, expect, it } from "vitest";

import type { FacetsDto } from "./bindings/FacetsDto";
import { suggest } from "./suggest";

const facets: FacetsDto = {
  kind: [
    { value: "image", count: 900 },
    { value: "video", count: 40 },
  ],
  camera: [
    { value: "FUJIFILM X100V", count: 300 },
    { value: "Canon EOS R5", count: 200 },
  ],
  lens: [],
  year: [{ value: "2023", count: 500 }],
  rating: [],
  tag: [
    { value: "family/kids", count: 12 },
    { value: "family", count: 20 },
  ],
  album: [],
  ext: [{ value: "jpg", count: 800 }],
  label: [],
  flag: [],
};

describe("suggest", () => {
  it("completes field names for the word being typed", () => {
    const s = suggest("beach ca", facets);
    expect(s.map((x) => x.label)).toEqual(["camera:", "caption:"]);
    expect(s[0].query).toBe("beach camera:");
    expect(suggest("beach", facets)).toEqual([]);
  });

  it("offers the library's values for a field, quoted when they hold spaces", () => {
    const s = suggest("beach camera:f", facets);
    expect(s.map((x) => x.label)).toEqual(['camera:"FUJIFILM X100V"']);
    expect(s[0].query).toBe('beach camera:"FUJIFILM X100V" ');
    expect(s[0].hint).toBe("300");
    expect(suggest("tag:fam", facets).map((x) => x.label)).toEqual(["tag:family/kids", "tag:family"]);
    expect(suggest("taken:", facets).map((x) => x.label)).toEqual(["taken:2023"]);
  });

  it("keeps a leading minus and text inside quotes", () => {
    expect(suggest("-kind:v", facets)[0].query).toBe("-kind:video ");
    expect(suggest('camera:"Canon E', facets).map((x) => x.label)).toEqual(['camera:"Canon EOS R5"']);
  });

  it("says nothing for fields without values, unknown fields, or no facets", () => {
    expect(suggest("iso:>", facets)).toEqual([]);
    expect(suggest("nope:x", facets)).toEqual([]);
    expect(suggest("camera:", null)).toEqual([]);
    expect(suggest("kind:video", facets)).toEqual([]);
  });
});
