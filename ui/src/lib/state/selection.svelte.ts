// Which assets are selected in the grid, by id, with the anchor that
// shift-click and the arrow keys extend from.

export class Selection {
  /** Selected asset ids (replaced on every change, so readers re-render). */
  ids = $state<ReadonlySet<string>>(new Set());
  /** Index of the last plainly clicked or moved-to cell: where ranges start. */
  anchor = $state<number | null>(null);
  /** Index the arrow keys move from (the range's far end after shift). */
  cursor = $state<number | null>(null);

  /** Bumped by every change, so an answer that arrives late can tell it is stale. */
  private changes = 0;

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** A click on cell `index`: plain selects it alone, ctrl toggles it, shift takes the range from the anchor. */
  click(index: number, id: string, mods: { shift: boolean; toggle: boolean }, idAt: (i: number) => string | undefined) {
    this.changes++;
    if (mods.shift && this.anchor !== null) {
      const next = new Set(mods.toggle ? this.ids : []);
      const [a, b] = this.anchor <= index ? [this.anchor, index] : [index, this.anchor];
      for (let i = a; i <= b; i++) {
        const at = idAt(i);
        if (at !== undefined) next.add(at);
      }
      this.ids = next;
      this.cursor = index;
      return;
    }
    if (mods.toggle) {
      const next = new Set(this.ids);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      this.ids = next;
    } else {
      this.ids = new Set([id]);
    }
    this.anchor = index;
    this.cursor = index;
  }

  /** Replaces the selection (the rubber band), or adds to it. */
  set(ids: Iterable<string>, add = false) {
    this.changes++;
    const next = new Set(add ? this.ids : []);
    for (const id of ids) next.add(id);
    this.ids = next;
  }

  /**
   * Adds the ids `pending` resolves to (a range whose pages were not all
   * loaded), unless the selection changed in the meantime or the answer is
   * null (stale). True when they were added.
   */
  async addWhenReady(pending: Promise<readonly string[] | null>): Promise<boolean> {
    const at = this.changes;
    const ids = await pending;
    if (ids === null || at !== this.changes) return false;
    this.set(ids, true);
    return true;
  }

  clear() {
    this.changes++;
    if (this.ids.size > 0) this.ids = new Set();
    this.anchor = null;
    this.cursor = null;
  }
}
