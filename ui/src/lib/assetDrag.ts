// Dragging assets inside the page (HTML5 drag and drop): from grid cells
// onto an album in the sidebar (adds them), or before another cell in an
// album view (reorders it). The drag carries asset ids under a type of its
// own, so nothing else (the window's folder drop, a text field) takes it.
// The rules are pure and unit-tested (assetDrag.test.ts).

/** The drag data type that carries asset ids (a JSON array). */
export const ASSET_DRAG_TYPE = "application/x-trove-assets";

/** What is dragged from cell `id`: the whole selection when it is in it, else that asset alone. */
export function draggedIds(id: string, selected: ReadonlySet<string>): string[] {
  return selected.has(id) ? [...selected] : [id];
}

/** Whether a drag offers assets (readable while it passes over, before the drop). */
export function carriesAssets(types: readonly string[] | null | undefined): boolean {
  return types?.includes(ASSET_DRAG_TYPE) ?? false;
}

/** The drag data for `ids`. */
export function encodeAssets(ids: readonly string[]): string {
  return JSON.stringify(ids);
}

/** The asset ids in drag data, or null when it holds none. */
export function decodeAssets(data: string): string[] | null {
  try {
    const value: unknown = JSON.parse(data);
    if (!Array.isArray(value) || value.length === 0) return null;
    return value.every((v) => typeof v === "string" && v !== "") ? (value as string[]) : null;
  } catch {
    return null;
  }
}

/**
 * The moves that put `dragged` (in that order) just before `before` in an
 * album (null: at the end): one move each, each before the same asset, so
 * they land side by side. Dropping an asset before itself moves nothing.
 */
export function reorderMoves(dragged: readonly string[], before: string | null): { id: string; before: string | null }[] {
  return dragged.filter((id) => id !== before).map((id) => ({ id, before }));
}

/**
 * Starts a drag from the cell under `event` (a dragstart that bubbled up
 * to a view), carrying what `draggedIds` says.
 */
export function startAssetDrag(event: DragEvent, selected: ReadonlySet<string>): void {
  const cell = (event.target as Element | null)?.closest?.("[data-asset-id]");
  const id = cell?.getAttribute("data-asset-id");
  if (!id || !event.dataTransfer) return;
  event.dataTransfer.setData(ASSET_DRAG_TYPE, encodeAssets(draggedIds(id, selected)));
  event.dataTransfer.effectAllowed = "copyMove";
}

/** The asset ids a drop carries, or null. */
export function droppedAssets(event: DragEvent): string[] | null {
  const data = event.dataTransfer?.getData(ASSET_DRAG_TYPE);
  return data ? decodeAssets(data) : null;
}
