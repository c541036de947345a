// ThumbHash placeholders: a few dozen bytes per asset, decoded to a tiny
// image the grid paints before the real thumbnail arrives.

import { thumbHashToDataURL } from "thumbhash";

// Each URL is an uncompressed PNG of about 4 KB: the most recently used
// few screens of them are kept (a Map iterates oldest first), not every
// one ever shown.
const cache = new Map<string, string>();
const MAX = 600;

/** A data: URL for a base64 ThumbHash, or null when there is none or it is unreadable. */
export function placeholderUrl(base64: string | null | undefined): string | null {
  if (!base64) return null;
  const hit = cache.get(base64);
  if (hit !== undefined) {
    cache.delete(base64);
    cache.set(base64, hit);
    return hit;
  }
  let url: string | null = null;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    url = thumbHashToDataURL(bytes);
  } catch {
    url = null;
  }
  if (url !== null) {
    if (cache.size >= MAX) cache.delete(cache.keys().next().value as string);
    cache.set(base64, url);
  }
  return url;
}

/** What is kept: how many, and whether a ThumbHash is (for tests). */
export const placeholderCache = {
  size: (): number => cache.size,
  has: (base64: string): boolean => cache.has(base64),
};
