import { describe, expect, it } from "vitest";
import { rgbaToThumbHash } from "thumbhash";

import { placeholderUrl } from "./thumbhash";

describe("placeholderUrl", () => {
  it("decodes a real ThumbHash to a PNG data URL", () => {
    const w = 8;
    const h = 6;
    const rgba = new Uint8Array(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([200, 40 + i, 90, 255], i * 4);
    const hash = rgbaToThumbHash(w, h, rgba);
    const base64 = btoa(String.fromCharCode(...hash));
    const url = placeholderUrl(base64);
    expect(url).toMatch(/^data:image\/png;base64,/);
    expect(placeholderUrl(base64)).toBe(url);
  });

  it("gives null for nothing or garbage", () => {
    expect(placeholderUrl(null)).toBeNull();
    expect(placeholderUrl("")).toBeNull();
    expect(placeholderUrl("%%%not base64")).toBeNull();
  });
});
