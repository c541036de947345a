import { describe, expect, it } from "vitest";
import { rgbaToThumbHash } from "thumbhash";

import { placeholderCache, placeholderUrl } from "./thumbhash";

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

  it("keeps the most recently used placeholders, not all", () => {
    // One real ThumbHash with its last two (AC) bytes varied: 1,001
    // distinct, decodable hashes.
    const rgba = new Uint8Array(8 * 8 * 4);
    for (let p = 0; p < 64; p++) rgba.set([(p * 37) & 255, (p * 91) & 255, (p * 13) & 255, 255], p * 4);
    const base = rgbaToThumbHash(8, 8, rgba);
    const hashOf = (i: number) => {
      const bytes = base.slice();
      bytes[bytes.length - 1] = i & 255;
      bytes[bytes.length - 2] = i >> 8;
      return btoa(String.fromCharCode(...bytes));
    };
    const first = hashOf(0);
    const kept = placeholderUrl(first);
    // Used again and again while 1,000 others come and go: it stays,
    // while the oldest of the others are dropped.
    for (let i = 1; i <= 1000; i++) {
      placeholderUrl(hashOf(i));
      expect(placeholderUrl(first)).toBe(kept);
    }
    expect(placeholderCache.has(first)).toBe(true);
    expect(placeholderCache.has(hashOf(1))).toBe(false);
    expect(placeholderCache.has(hashOf(1000))).toBe(true);
    expect(placeholderCache.size()).toBe(600);
  });

  it("gives null for nothing or garbage", () => {
    expect(placeholderUrl(null)).toBeNull();
    expect(placeholderUrl("")).toBeNull();
    expect(placeholderUrl("%%%not base64")).toBeNull();
  });
});
