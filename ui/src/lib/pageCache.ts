// A cache of fixed-size pages over a long, server-side list (the catalog's
// assets). The grid asks for the items it is about to show; missing pages are
// fetched once, kept, and the farthest ones dropped when there are too many.
// After `invalidate()` the old pages keep being shown until fresh ones arrive,
// so a refresh during an import does not flash placeholders.

import { pagesForRange } from "./virtual";

export interface Page<T> {
  total: number;
  items: T[];
}

export type PageFetcher<T> = (offset: number, limit: number) => Promise<Page<T>>;

export interface PageCacheOptions {
  pageSize?: number;
  /** Most pages kept in memory; the ones farthest from view go first. */
  maxPages?: number;
  /** Called after anything a reader could see has changed. */
  onChange?: () => void;
  /** Called when a fetch fails (once per page and generation). */
  onError?: (error: unknown) => void;
}

export class PageCache<T> {
  readonly pageSize: number;
  readonly maxPages: number;

  /** Number of items in the list, or null before the first page answered. */
  total: number | null = null;

  private readonly fetcher: PageFetcher<T>;
  private readonly onChange: () => void;
  private readonly onError: (error: unknown) => void;
  private readonly pages = new Map<number, T[]>();
  private readonly stale = new Set<number>();
  private readonly inflight = new Map<number, number>();
  private readonly failed = new Map<number, number>();
  private generation = 0;
  private lastStart = 0;
  private lastEnd = 0;

  constructor(fetcher: PageFetcher<T>, options: PageCacheOptions = {}) {
    this.fetcher = fetcher;
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? 200));
    this.maxPages = Math.max(1, Math.floor(options.maxPages ?? 50));
    this.onChange = options.onChange ?? (() => {});
    this.onError = options.onError ?? (() => {});
  }

  /** The item at `index`, or undefined while its page is not loaded. */
  get(index: number): T | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.[index % this.pageSize];
  }

  /**
   * The index of the first loaded item `matches` accepts (in the pages in
   * memory, stale ones included), or null.
   */
  indexWhere(matches: (item: T) => boolean): number | null {
    let found: number | null = null;
    for (const [page, items] of this.pages) {
      const i = items.findIndex(matches);
      if (i >= 0) {
        const at = page * this.pageSize + i;
        if (found === null || at < found) found = at;
      }
    }
    return found;
  }

  /** Whether a fetch is under way for the page holding `index`. */
  isLoading(index: number): boolean {
    return this.inflight.get(Math.floor(index / this.pageSize)) === this.generation;
  }

  /** Makes sure the pages covering items [start, end) are loaded or loading. */
  ensure(start: number, end: number): void {
    this.lastStart = start;
    this.lastEnd = end;
    const wanted = pagesForRange(start, end, this.pageSize);
    // With nothing in view (an empty list, or its length not known yet) page 0
    // is still what tells the list's length.
    if (wanted.length === 0) wanted.push(0);
    for (const page of wanted) {
      const fresh = this.pages.has(page) && !this.stale.has(page);
      if (fresh) continue;
      if (this.inflight.get(page) === this.generation) continue;
      if (this.failed.get(page) === this.generation) continue;
      void this.load(page);
    }
  }

  /**
   * Marks every page as out of date and fetches the last requested range
   * again. Old pages are still returned by `get` until replaced.
   */
  invalidate(): void {
    this.generation++;
    for (const page of this.pages.keys()) this.stale.add(page);
    this.failed.clear();
    this.ensure(this.lastStart, this.lastEnd);
  }

  /** Forgets everything. */
  clear(): void {
    this.generation++;
    this.pages.clear();
    this.stale.clear();
    this.failed.clear();
    this.total = null;
    this.onChange();
  }

  private async load(page: number): Promise<void> {
    const generation = this.generation;
    this.inflight.set(page, generation);
    try {
      const result = await this.fetcher(page * this.pageSize, this.pageSize);
      if (generation !== this.generation) return; // superseded by invalidate()
      this.pages.set(page, result.items);
      this.stale.delete(page);
      this.total = result.total;
      this.evict();
      this.onChange();
    } catch (error) {
      if (generation !== this.generation) return;
      this.failed.set(page, generation);
      this.onError(error);
      this.onChange();
    } finally {
      if (this.inflight.get(page) === generation) this.inflight.delete(page);
    }
  }

  /** Drops the pages farthest from the last requested range. */
  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const focus = Math.floor((this.lastStart + this.lastEnd) / 2 / this.pageSize);
    const byDistance = [...this.pages.keys()].sort(
      (a, b) => Math.abs(b - focus) - Math.abs(a - focus),
    );
    for (const page of byDistance) {
      if (this.pages.size <= this.maxPages) break;
      this.pages.delete(page);
      this.stale.delete(page);
    }
  }
}
