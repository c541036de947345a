// Rates and ETAs of the job queue, from successive readings of each kind's
// all-time "done" count (so jobs added meanwhile do not distort them).

export interface Reading {
  at: number; // ms
  done: number;
}

/** Readings kept per kind: enough for a steady rate over ~20 s. */
const WINDOW_MS = 20_000;

export class RateMeter {
  private readings = new Map<string, Reading[]>();

  /** Records a reading of `kind` and returns its rate in jobs per second (null until known). */
  add(kind: string, at: number, done: number): number | null {
    const list = this.readings.get(kind) ?? [];
    list.push({ at, done });
    while (list.length > 2 && at - list[0].at > WINDOW_MS) list.shift();
    this.readings.set(kind, list);
    return this.rate(kind);
  }

  rate(kind: string): number | null {
    const list = this.readings.get(kind);
    if (!list || list.length < 2) return null;
    const first = list[0];
    const last = list[list.length - 1];
    const seconds = (last.at - first.at) / 1000;
    if (seconds <= 0) return null;
    return Math.max(0, (last.done - first.done) / seconds);
  }

  forget(kind: string): void {
    this.readings.delete(kind);
  }
}

/** "12 s", "4 min", "1 h 20 min"; null when the rate is unknown or zero. */
export function eta(remaining: number, rate: number | null): string | null {
  if (rate === null || rate <= 0 || remaining <= 0) return null;
  const s = Math.ceil(remaining / rate);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
