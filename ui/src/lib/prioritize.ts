// Thumbnails of what is on screen are made first: the ids of visible assets
// without proxies go to the front of the job queue, at most a few times a
// second. Shared by the grid and the timeline.

import { prioritizeThumbnails } from "./api";
import type { AssetDto } from "./bindings/AssetDto";

const DELAY_MS = 250;
const REMEMBER = 5000;

export function thumbnailPrioritizer(): (visible: Iterable<AssetDto | undefined>) => void {
  let asked = new Set<string>();
  let pending: ReturnType<typeof setTimeout> | undefined;
  return (visible) => {
    const wanted: string[] = [];
    for (const a of visible) {
      if (a && a.thumbhash === null && a.status === "present" && !asked.has(a.id)) wanted.push(a.id);
    }
    if (wanted.length === 0) return;
    clearTimeout(pending);
    pending = setTimeout(() => {
      for (const id of wanted) asked.add(id);
      if (asked.size > REMEMBER) asked = new Set(wanted);
      prioritizeThumbnails(wanted).catch(() => {
        // Read-only or not ready: the queue keeps its order; nothing to show.
      });
    }, DELAY_MS);
  };
}
