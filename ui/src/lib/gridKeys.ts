// Keyboard navigation and selection shared by the grid and the timeline:
// arrows move the cursor (shift extends the selection), Enter opens, Escape
// clears, Ctrl+A selects every asset of the view (loaded or not). The views differ only in what
// "one row up or down" means and how they scroll an index into view.

import type { Selection } from "./state/selection.svelte";

export interface GridKeys {
  count: number;
  selection: Selection;
  idAt(index: number): string | undefined;
  /** The ids of items [start, end), loaded or not; null when stale. */
  idsIn?(start: number, end: number): Promise<string[] | null>;
  /** The index one row down (+1) or up (-1) from `at`; null at an edge. */
  vertical(at: number, delta: 1 | -1): number | null;
  reveal(index: number): void;
  open?(index: number): void;
}

/** What a key press needs to carry (a KeyboardEvent has it). */
export type KeyPress = Pick<KeyboardEvent, "key" | "shiftKey" | "ctrlKey" | "metaKey" | "preventDefault">;

export function gridKeydown(event: KeyPress, g: GridKeys): void {
  if (g.count === 0) return;
  const at = g.selection.cursor ?? -1;
  let next: number | null;
  switch (event.key) {
    case "ArrowRight":
      next = at + 1;
      break;
    case "ArrowLeft":
      next = at - 1;
      break;
    case "ArrowDown":
      next = at < 0 ? 0 : g.vertical(at, 1);
      break;
    case "ArrowUp":
      next = at < 0 ? 0 : g.vertical(at, -1);
      break;
    case "Enter": {
      const target = at >= 0 ? at : g.selection.anchor;
      if (target !== null) g.open?.(target);
      event.preventDefault();
      return;
    }
    case "Escape":
      g.selection.clear();
      return;
    case "a":
      if (event.ctrlKey || event.metaKey) {
        const ids: string[] = [];
        for (let i = 0; i < g.count; i++) {
          const id = g.idAt(i);
          if (id !== undefined) ids.push(id);
        }
        g.selection.set(ids);
        // The pages not loaded yet follow (ids only, one call).
        if (ids.length < g.count && g.idsIn) void g.selection.addWhenReady(g.idsIn(0, g.count));
        event.preventDefault();
      }
      return;
    default:
      return;
  }
  event.preventDefault();
  if (next === null) return;
  next = Math.max(0, Math.min(g.count - 1, next));
  const id = g.idAt(next);
  if (id === undefined) return;
  clickSelect(g.selection, next, { shiftKey: event.shiftKey, ctrlKey: false, metaKey: false }, g.idAt, g.idsIn);
  g.reveal(next);
}

/**
 * A click on cell `index`: plain selects it alone, Ctrl (Cmd) toggles it,
 * Shift takes the range from the anchor: at once for what is loaded, and,
 * through `idsIn`, for the items between whose pages are not. False when
 * the clicked asset has not loaded.
 */
export function clickSelect(
  selection: Selection,
  index: number,
  event: Pick<MouseEvent, "shiftKey" | "ctrlKey" | "metaKey">,
  idAt: (index: number) => string | undefined,
  idsIn?: (start: number, end: number) => Promise<string[] | null>,
): boolean {
  const id = idAt(index);
  if (id === undefined) return false;
  const anchor = selection.anchor;
  selection.click(index, id, { shift: event.shiftKey, toggle: event.ctrlKey || event.metaKey }, idAt);
  if (event.shiftKey && anchor !== null && idsIn) {
    const [a, b] = anchor <= index ? [anchor, index] : [index, anchor];
    let gaps = false;
    for (let i = a; i <= b && !gaps; i++) gaps = idAt(i) === undefined;
    if (gaps) void selection.addWhenReady(idsIn(a, b + 1));
  }
  return true;
}
