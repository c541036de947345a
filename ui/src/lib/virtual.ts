// Pure math for the virtualized asset grid: which rows and items are on
// screen for a given scroll position, and which pages of data they need.
// No DOM here, so it is unit-tested on its own (virtual.test.ts).

/** How many columns of cells of at least `minCellWidth` fit in `width`. */
export function columnCount(width: number, minCellWidth: number, gap = 0): number {
  if (!(width > 0) || !(minCellWidth > 0)) return 1;
  const columns = Math.floor((width + gap) / (minCellWidth + gap));
  return Math.max(1, columns);
}

export interface RangeInput {
  /** The scroll container's scrollTop, in pixels. */
  scrollTop: number;
  /** The scroll container's visible height, in pixels. */
  viewportHeight: number;
  /** Height of one row of cells, in pixels (gaps included). */
  rowHeight: number;
  /** Cells per row. */
  columns: number;
  /** Total number of items in the list. */
  itemCount: number;
  /** Extra rows rendered above and below the viewport. */
  overscan: number;
}

export interface VisibleRange {
  /** Total rows for all items. */
  rowCount: number;
  /** First row to render. */
  firstRow: number;
  /** One past the last row to render. */
  endRow: number;
  /** Index of the first item to render. */
  startIndex: number;
  /** One past the index of the last item to render. */
  endIndex: number;
  /** Where the first rendered row sits, from the top of the list, in pixels. */
  offsetY: number;
  /** Height of the whole list, in pixels: the spacer's height. */
  totalHeight: number;
}

function whole(value: number, fallback: number): number {
  return Number.isFinite(value) ? Math.floor(value) : fallback;
}

/** The rows and items to render for one scroll position. */
export function visibleRange(input: RangeInput): VisibleRange {
  const columns = Math.max(1, whole(input.columns, 1));
  const itemCount = Math.max(0, whole(input.itemCount, 0));
  const overscan = Math.max(0, whole(input.overscan, 0));
  const rowHeight = input.rowHeight > 0 ? input.rowHeight : 1;
  const viewportHeight = Math.max(0, Number.isFinite(input.viewportHeight) ? input.viewportHeight : 0);

  const rowCount = Math.ceil(itemCount / columns);
  const totalHeight = rowCount * rowHeight;
  if (rowCount === 0) {
    return { rowCount, firstRow: 0, endRow: 0, startIndex: 0, endIndex: 0, offsetY: 0, totalHeight };
  }

  // A scrollTop past the end (the list just shrank) is clamped to the last
  // full screen, so something is always rendered.
  const maxScrollTop = Math.max(0, totalHeight - viewportHeight);
  const scrollTop = Math.min(Math.max(0, Number.isFinite(input.scrollTop) ? input.scrollTop : 0), maxScrollTop);

  const firstVisible = Math.floor(scrollTop / rowHeight);
  const lastVisible = Math.ceil((scrollTop + viewportHeight) / rowHeight); // exclusive
  const firstRow = Math.max(0, firstVisible - overscan);
  const endRow = Math.min(rowCount, Math.max(lastVisible, firstVisible + 1) + overscan);

  return {
    rowCount,
    firstRow,
    endRow,
    startIndex: firstRow * columns,
    endIndex: Math.min(itemCount, endRow * columns),
    offsetY: firstRow * rowHeight,
    totalHeight,
  };
}

/** The page numbers (of `pageSize` items each) that cover [start, end). */
export function pagesForRange(start: number, end: number, pageSize: number): number[] {
  if (!(pageSize > 0) || !(end > start)) return [];
  const first = Math.floor(Math.max(0, start) / pageSize);
  const last = Math.floor((end - 1) / pageSize);
  const pages: number[] = [];
  for (let page = first; page <= last; page++) pages.push(page);
  return pages;
}

export interface GridGeometry {
  columns: number;
  /** Width of one cell, in pixels. */
  cellWidth: number;
  cellHeight: number;
  gap: number;
  /** Padding around the grid, in pixels. */
  pad: number;
  itemCount: number;
}

/**
 * Indices of the cells a rectangle (in the grid's content coordinates,
 * scroll included) touches: the rubber band's selection. Gaps touch nothing.
 */
export function indicesInRect(
  g: GridGeometry,
  rect: { left: number; top: number; right: number; bottom: number },
): number[] {
  const colStride = g.cellWidth + g.gap;
  const rowStride = g.cellHeight + g.gap;
  if (!(colStride > 0) || !(rowStride > 0) || g.itemCount <= 0) return [];
  const left = Math.min(rect.left, rect.right) - g.pad;
  const right = Math.max(rect.left, rect.right) - g.pad;
  const top = Math.min(rect.top, rect.bottom) - g.pad;
  const bottom = Math.max(rect.top, rect.bottom) - g.pad;
  const rows = Math.ceil(g.itemCount / g.columns);
  // A cell [c*stride, c*stride + size) is touched when it overlaps [left, right].
  const firstCol = Math.max(0, Math.ceil((left - g.cellWidth) / colStride));
  const lastCol = Math.min(g.columns - 1, Math.floor(right / colStride));
  const firstRow = Math.max(0, Math.ceil((top - g.cellHeight) / rowStride));
  const lastRow = Math.min(rows - 1, Math.floor(bottom / rowStride));
  const out: number[] = [];
  for (let r = firstRow; r <= lastRow; r++) {
    for (let c = firstCol; c <= lastCol; c++) {
      // Inside the stride but in the gap after the cell: not touched.
      if (c * colStride > right || c * colStride + g.cellWidth < left) continue;
      if (r * rowStride > bottom || r * rowStride + g.cellHeight < top) continue;
      const i = r * g.columns + c;
      if (i < g.itemCount) out.push(i);
    }
  }
  return out;
}
