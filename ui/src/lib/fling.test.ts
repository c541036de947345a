import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { FlingDetector, SETTLE_MS } from "./fling";

describe("FlingDetector", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("holds thumbnails during a fling and lets them load once it settles", () => {
    let t = 0;
    const changes: boolean[] = [];
    const d = new FlingDetector((f) => changes.push(f), () => t);
    // Reading speed: 60 px a frame (3.6 px/ms) never counts as a fling.
    for (let i = 1; i <= 30; i++) {
      t += 16;
      d.scrolled(i * 60);
    }
    expect(changes).toEqual([]);
    // A fling: 5,000 px a frame.
    for (let i = 1; i <= 10; i++) {
      t += 16;
      d.scrolled(1800 + i * 5000);
      vi.advanceTimersByTime(16);
    }
    expect(changes).toEqual([true]);
    vi.advanceTimersByTime(SETTLE_MS - 20);
    expect(changes).toEqual([true]);
    vi.advanceTimersByTime(40);
    expect(changes).toEqual([true, false]);
    d.dispose();
  });
});
