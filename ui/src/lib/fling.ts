// Tells a fling from reading: while a view scrolls faster than a person can
// look at what passes (several screens a second), it shows plain
// placeholders that stay put while the window moves, loading no pages and
// building no cells, instead of fetching and decoding what is gone a frame
// later; the real cells come once it slows down or stops. That keeps
// frames short and the web view's memory flat.

/** Scroll speed above which thumbnails wait, in pixels per millisecond (12 px/ms: 12,000 px a second, about 15 screens). */
export const FLING_PX_PER_MS = 12;
/** How long the scrolling must stay slow (or stopped) before thumbnails load, in ms. */
export const SETTLE_MS = 150;

export class FlingDetector {
  private lastTop = 0;
  private lastTime = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly onChange: (flinging: boolean) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Call on every scroll event with the view's scroll position. */
  scrolled(top: number): void {
    const t = this.now();
    const speed = Math.abs(top - this.lastTop) / Math.max(1, t - this.lastTime);
    this.lastTop = top;
    this.lastTime = t;
    if (speed < FLING_PX_PER_MS) return;
    if (this.timer === null) this.onChange(true);
    else clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange(false);
    }, SETTLE_MS);
  }

  /** Stops the pending settle timer (the view is going away). */
  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
