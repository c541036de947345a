// The library's keyword tree (the sidebar's keywords, the viewer's
// suggestions), and renaming and merging keywords on every asset that
// carries them. Neither is an edit (no undo, no event): the tree is read
// again after each, and a failure is a notice.

import { isLibraryUnavailable, keywordTree, mergeKeyword, renameKeyword } from "../api";
import type { KeywordDto } from "../bindings/KeywordDto";
import { keywordLabel } from "../queryTerms";
import type { Notices } from "./notices.svelte";

export class Keywords {
  /** Every keyword, in tree order (empty until loaded). */
  tree = $state<KeywordDto[]>([]);
  /** Their paths (`A|B`), for suggestions. */
  readonly paths: string[];

  private readonly notices: Notices;
  private loads = 0;

  constructor(notices: Notices) {
    this.notices = notices;
    this.paths = $derived(this.tree.map((k) => k.path));
  }

  /** Reads the tree again. */
  async refresh(): Promise<void> {
    const mine = ++this.loads;
    try {
      const tree = await keywordTree();
      if (mine === this.loads) this.tree = tree;
    } catch (error) {
      if (mine === this.loads && !isLibraryUnavailable(error)) this.notices.error(error, "Couldn't read the keywords");
    }
  }

  /** Renames or moves keyword `from` to the path `to` (`A|B` or `A/B`); true when it was. */
  async rename(from: string, to: string): Promise<boolean> {
    try {
      await renameKeyword(from, to);
      await this.refresh();
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't rename ${keywordLabel(from)}`);
      return false;
    }
  }

  /** Merges keyword `from` (and those below it) into `into`; true when it was. */
  async merge(from: string, into: string): Promise<boolean> {
    try {
      await mergeKeyword(from, into);
      await this.refresh();
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't merge ${keywordLabel(from)}`);
      return false;
    }
  }
}
