// The catalog's assets as the grid sees them: a reactive face over PageCache.

import { listAssets } from "../api";
import type { AssetDto } from "../bindings/AssetDto";
import { PageCache } from "../pageCache";

export const PAGE_SIZE = 200;

export class AssetList {
  /** Number of assets, or null before the first page answered. */
  total = $state<number | null>(null);
  /** Bumped whenever cached pages change, so readers of get() re-render. */
  private version = $state(0);
  private readonly cache: PageCache<AssetDto>;

  constructor(onError: (error: unknown) => void) {
    this.cache = new PageCache<AssetDto>(
      async (offset, limit) => {
        const page = await listAssets(offset, limit);
        return { total: page.total, items: page.assets };
      },
      {
        pageSize: PAGE_SIZE,
        maxPages: 60,
        onChange: () => {
          this.total = this.cache.total;
          this.version++;
        },
        onError,
      },
    );
  }

  /** The asset at `index`, or undefined while its page loads. */
  get(index: number): AssetDto | undefined {
    void this.version;
    return this.cache.get(index);
  }

  /** Fetches what is needed to show items [start, end). */
  ensure(start: number, end: number): void {
    this.cache.ensure(start, end);
  }

  /** Refetches what is on screen (the catalog changed). */
  refresh(): void {
    this.cache.invalidate();
  }
}
