// Runs a function at most once per interval: the first call runs after the
// interval has passed since the last run, and calls in between fold into it.
// Used to refresh the view while the core reports catalog changes in bursts.

export interface Throttled {
  (): void;
  /** Runs now if a run is pending (or always, with `force`). */
  flush(force?: boolean): void;
  cancel(): void;
}

export function throttle(fn: () => void, intervalMs: number): Throttled {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastRun = -Infinity;

  const run = () => {
    timer = null;
    lastRun = Date.now();
    fn();
  };

  const throttled = (() => {
    if (timer !== null) return;
    const wait = Math.max(0, intervalMs - (Date.now() - lastRun));
    timer = setTimeout(run, wait);
  }) as Throttled;

  throttled.flush = (force = false) => {
    if (timer !== null) {
      clearTimeout(timer);
      run();
    } else if (force) {
      run();
    }
  };

  throttled.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  return throttled;
}
