// The catalog's assets as the grid sees them: a reactive face over PageCache.
// What it lists is the library (one watched folder's, or a sub-folder's),
// what a search finds, or one album in its own order.

import { albumAssets, assetIds, listAssets, searchAssets, type SearchSort } from "../api";
import type { AssetDto } from "../bindings/AssetDto";
import type { FacetsDto } from "../bindings/FacetsDto";
import { PageCache } from "../pageCache";

export const PAGE_SIZE = 200;

export class AssetList {
  /** Number of assets, or null before the first page answered. */
  total = $state<number | null>(null);
  /** Bumped whenever cached pages change, so readers of get() re-render. */
  private version = $state(0);
  /** Facets of the current search (null when browsing everything). */
  facets = $state<FacetsDto | null>(null);
  /** The search error to show (a bad query), or null. */
  queryError = $state<string | null>(null);
  /** How long the last search took in the index, in ms. */
  tookMs = $state<number | null>(null);
  /** The query whose results are on show (lags the typed one while it loads). */
  shownQuery = $state("");
  private readonly cache: PageCache<AssetDto>;
  private query = "";
  private folder: number | null = null;
  /** A sub-folder of `folder` (its key from folderTree), or null for all of it. */
  private subfolder: string | null = null;
  private sort: SearchSort = "relevance";
  /** The album on show (its id, as the app takes it), or null. */
  private album: string | null = null;
  /**
   * The album's assets, read once for all the pages of a generation (the
   * app gives an album whole, in its order); dropped on every change.
   */
  private albumItems: Promise<AssetDto[]> | null = null;

  private readonly onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.onError = onError;
    this.cache = new PageCache<AssetDto>(
      async (offset, limit) => {
        if (this.album !== null) {
          const items = await this.albumList();
          return { total: items.length, items: items.slice(offset, offset + limit) };
        }
        const query = this.query;
        if (query === "") {
          const page = await listAssets(offset, limit, this.folder, this.subfolder);
          return { total: page.total, items: page.assets };
        }
        try {
          // Results first; facets (counted over every match, the slow part
          // of a broad query) follow in a second call, so the grid never
          // waits for them.
          const page = await searchAssets(query, this.sort, offset, limit, false);
          if (offset === 0 && query === this.query) this.loadFacets(query);
          if (query === this.query) {
            this.tookMs = page.took_ms;
            this.queryError = null;
            this.shownQuery = query;
          }
          return { total: page.total, items: page.assets };
        } catch (error) {
          const e = error as { code?: string; message?: string };
          if (query === this.query && e.code?.startsWith("query_")) {
            this.queryError = e.message ?? "This query cannot be read.";
            return { total: 0, items: [] };
          }
          throw error;
        }
      },
      {
        pageSize: PAGE_SIZE,
        // 6,000 assets: a hundred screens or more around the view; pages
        // further away are read again (a page takes about 16 ms at the
        // end of a 100,000-asset listing) rather than held in the web view.
        maxPages: 30,
        onChange: () => {
          this.total = this.cache.total;
          this.version++;
        },
        onError,
      },
    );
  }

  private albumList(): Promise<AssetDto[]> {
    if (this.album === null) return Promise.resolve([]);
    this.albumItems ??= albumAssets(this.album);
    return this.albumItems;
  }

  /** Forgets what was read and reads what is on screen again. */
  private reload(): void {
    this.albumItems = null;
    this.cache.invalidate();
  }

  private loadFacets(query: string): void {
    searchAssets(query, this.sort, 0, 1, true)
      .then((page) => {
        if (query === this.query && page.facets) this.facets = page.facets;
      })
      .catch(() => {
        // The results are on show; the facet bar keeps what it had.
      });
  }

  /** The asset at `index`, or undefined while its page loads. */
  get(index: number): AssetDto | undefined {
    void this.version;
    return this.cache.get(index);
  }

  /** Where the asset `id` is in the pages read so far, or null. */
  indexOf(id: string): number | null {
    void this.version;
    return this.cache.indexWhere((a) => a.id === id);
  }

  /** Fetches what is needed to show items [start, end). */
  ensure(start: number, end: number): void {
    this.cache.ensure(start, end);
  }

  /**
   * The ids of items [start, end), from the loaded pages when they hold
   * them all, else asked of the app (ids only, for any range). Null when
   * the query, sort or folder changed while asking (the answer is stale),
   * or when the app failed to answer (reported like a page that failed).
   */
  async idsIn(start: number, end: number): Promise<string[] | null> {
    const loaded: string[] = [];
    for (let i = start; i < end; i++) {
      const asset = this.cache.get(i);
      if (asset === undefined) break;
      loaded.push(asset.id);
    }
    if (loaded.length === end - start) return loaded;
    if (this.album !== null) {
      const album = this.album;
      try {
        const items = await this.albumList();
        return album === this.album ? items.slice(start, end).map((a) => a.id) : null;
      } catch (error) {
        this.onError(error);
        return null;
      }
    }
    const { query, sort, folder, subfolder } = this;
    let ids: string[];
    try {
      ids = await assetIds(query, sort, folder, subfolder, start, end - start);
    } catch (error) {
      this.onError(error);
      return null;
    }
    const same = query === this.query && sort === this.sort && folder === this.folder && subfolder === this.subfolder;
    return same ? ids : null;
  }

  /** Shows what `query` finds (everything, or the album on show, when it is empty). */
  search(query: string, sort: SearchSort = "relevance"): void {
    const q = query.trim();
    if (q === this.query && sort === this.sort) return;
    // A search covers the whole library.
    if (q !== "") this.album = null;
    this.query = q;
    this.sort = sort;
    if (q === "") {
      this.facets = null;
      this.queryError = null;
      this.tookMs = null;
      this.shownQuery = "";
    }
    this.reload();
  }

  /** Shows one watched folder's assets (null: all of them), or one of its sub-folders'. */
  showFolder(rootId: number | null, subfolder: string | null = null): void {
    const sub = rootId === null ? null : subfolder;
    if (rootId === this.folder && sub === this.subfolder && this.album === null) return;
    this.folder = rootId;
    this.subfolder = sub;
    this.album = null;
    this.reload();
  }

  /**
   * Shows one album's assets in its hand-made order (a smart album's: what
   * its search finds), by id; null goes back to the listing. No search or
   * folder applies while an album is on show.
   */
  showAlbum(album: string | null): void {
    if (album === this.album) return;
    this.album = album;
    if (album !== null) {
      this.query = "";
      this.folder = null;
      this.subfolder = null;
      this.facets = null;
      this.queryError = null;
      this.tookMs = null;
      this.shownQuery = "";
    }
    this.reload();
  }

  /** The query on show ("" when browsing everything). */
  get currentQuery(): string {
    return this.query;
  }

  /** The album on show (its id), or null. */
  get currentAlbum(): string | null {
    return this.album;
  }

  /** Refetches what is on screen (the catalog changed). */
  refresh(): void {
    this.reload();
  }
}
