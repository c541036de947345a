// ThumbHash placeholders: a few dozen bytes per asset, decoded to a tiny
// image the grid paints before the real thumbnail arrives.

import { thumbHashToDataURL } from "thumbhash";

const cache = new Map<string, string>();
const MAX = 4000;

/** A data: URL for a base64 ThumbHash, or null when there is none or it is unreadable. */
export function placeholderUrl(base64: string | null | undefined): string | null {
  if (!base64) return null;
  const hit = cache.get(base64);
  if (hit !== undefined) return hit;
  let url: string | null = null;
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    url = thumbHashToDataURL(bytes);
  } catch {
    url = null;
  }
  if (url !== null) {
    if (cache.size >= MAX) cache.clear();
    cache.set(base64, url);
  }
  return url;
}
