// The scrolling half the asset views share (the grid and the timeline):
// the viewport's size and scroll position, flings (fling.ts), cells sized
// by the thumbnail slider, revealing the keyboard's cursor, pages and
// thumbnail priorities that follow what is on screen, and clicks and keys
// on cells (gridKeys.ts). Each view keeps its own layout: which rows a
// scroll position shows, and where an index sits. The pure math is
// unit-tested on its own (scroller.test.ts).

import { onDestroy } from "svelte";

import { FlingDetector } from "./fling";
import { clickSelect, gridKeydown, type GridKeys } from "./gridKeys";
import { thumbnailPrioritizer } from "./prioritize";
import type { AssetList } from "./state/assets.svelte";
import type { Selection } from "./state/selection.svelte";
import { columnCount } from "./virtual";

/** Space between cells, in pixels. */
export const GAP = 8;
/** Space around the cells, inside the viewport, in pixels. */
export const PAD = 12;
/** Rows rendered above and below the viewport. */
export const OVERSCAN = 2;

/** Height of a cell for thumbnail size `size` (the slider): a little less than its width. */
export function cellHeight(size: number): number {
  return Math.round(size * 0.83);
}

/**
 * How many columns of cells at least `size` wide fit a viewport `width`
 * wide, `aside` pixels of which something else takes (the timeline's scrubber).
 */
export function columnsFor(width: number, size: number, aside = 0): number {
  return columnCount(width - 2 * PAD - aside, size, GAP);
}

/** Width of each of `columns` cells across a viewport `width` wide. */
export function cellWidth(width: number, columns: number, aside = 0): number {
  return (width - 2 * PAD - aside - (columns - 1) * GAP) / columns;
}

/**
 * The scroll position that brings content pixels [top, bottom) on screen
 * with the least scrolling, `pad` pixels from the edge they come in at;
 * null when they are on screen already.
 */
export function scrollTopToReveal(
  scrollTop: number,
  viewportHeight: number,
  top: number,
  bottom: number,
  pad: number,
): number | null {
  if (top < scrollTop) return top - pad;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight + pad;
  return null;
}

/** What a view gives its scroller: its props, read when needed. */
export interface ScrollerView {
  assets: () => AssetList;
  selection: () => Selection;
  /** Smallest cell width in pixels (the thumbnail size slider). */
  size: () => number;
  /** Pixels on the right that cells leave to something else. */
  aside?: number;
}

/**
 * One view's scrolling. Made while its component initializes: it registers
 * effects and a destroy hook there. The component binds `viewport`, `width`
 * and `height` to its scrolling element and sends it `onscroll`.
 */
export class Scroller {
  readonly #view: ScrollerView;
  readonly #aside: number;

  /** The scrolling element. */
  viewport = $state<HTMLElement>();
  /** Its inner width and height, in pixels. */
  width = $state(0);
  height = $state(0);
  scrollTop = $state(0);
  /** Scrolling faster than anyone reads: pages and thumbnails wait until it slows (see fling.ts). */
  flinging = $state(false);

  readonly columns: number;
  readonly cellHeight: number;
  /** A row of cells and the gap below it. */
  readonly rowHeight: number;
  readonly cellWidth: number;

  readonly #fling = new FlingDetector((f) => (this.flinging = f));

  constructor(view: ScrollerView) {
    this.#view = view;
    this.#aside = view.aside ?? 0;
    this.columns = $derived(columnsFor(this.width, this.#view.size(), this.#aside));
    this.cellHeight = $derived(cellHeight(this.#view.size()));
    this.rowHeight = $derived(this.cellHeight + GAP);
    this.cellWidth = $derived(cellWidth(this.width, this.columns, this.#aside));
    onDestroy(() => this.#fling.dispose());
  }

  /** The scroll position in the view's layout, which starts below the top padding. */
  get layoutTop(): number {
    return this.scrollTop - PAD;
  }

  onscroll = (event: Event): void => {
    this.scrollTop = (event.currentTarget as HTMLElement).scrollTop;
    this.#fling.scrolled(this.scrollTop);
  };

  /**
   * Pages and thumbnail priorities follow the items [start, end) on screen
   * (null: none), except during a fling: what passes is gone before its
   * page could arrive. They catch up when it settles. Called while the
   * component initializes.
   */
  follow(onScreen: () => [number, number] | null): void {
    $effect(() => {
      if (this.flinging) return;
      const span = onScreen();
      if (span) this.#view.assets().ensure(span[0], span[1]);
    });

    const prioritize = thumbnailPrioritizer();
    $effect(() => {
      if (this.flinging) return;
      const span = onScreen();
      const shown = [];
      if (span) for (let i = span[0]; i < span[1]; i++) shown.push(this.#view.assets().get(i));
      prioritize(shown);
    });
  }

  /** Scrolls the least so that layout pixels [top, bottom) are on screen. */
  reveal(top: number, bottom: number): void {
    const v = this.viewport;
    if (!v) return;
    const to = scrollTopToReveal(v.scrollTop, v.clientHeight, PAD + top, PAD + bottom, PAD);
    if (to !== null) v.scrollTop = to;
  }

  /** Gives the view the keyboard, without scrolling it. */
  focus(): void {
    this.viewport?.focus({ preventScroll: true });
  }

  idAt = (index: number): string | undefined => this.#view.assets().get(index)?.id;

  idsIn = (start: number, end: number): Promise<string[] | null> => this.#view.assets().idsIn(start, end);

  /** A click on cell `index` (see clickSelect): the view takes the keyboard when it selected. */
  select(index: number, event: MouseEvent): void {
    if (clickSelect(this.#view.selection(), index, event, this.idAt, this.idsIn)) this.focus();
  }

  /** The keys of gridKeys.ts; the view says what a row up or down is and how an index is revealed. */
  keydown(event: KeyboardEvent, keys: Pick<GridKeys, "count" | "vertical" | "reveal" | "open">): void {
    gridKeydown(event, { ...keys, selection: this.#view.selection(), idAt: this.idAt, idsIn: this.idsIn });
  }
}
