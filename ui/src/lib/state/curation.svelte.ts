// Stars, flags, colour labels, texts and keywords the person sets: the
// edits, their undo and redo, and word of each step to whatever shows marks
// (the grid's cells through a refresh, the viewer's panel through
// `version`). Commands run one after another, in the order asked, so two
// quick key presses land in that order.

import { editAssets, redoEdit, undoEdit } from "../api";
import type { ChangeDto } from "../bindings/ChangeDto";
import type { EditDto } from "../bindings/EditDto";
import { editStep } from "../format";
import type { Notices } from "./notices.svelte";

const FAILED: Record<ChangeDto["set"], string> = {
  rating: "Couldn't set the rating",
  flag: "Couldn't set the flag",
  label: "Couldn't set the label",
  text: "Couldn't change the text",
  keywords: "Couldn't change the keywords",
  album_add: "Couldn't add to the album",
  album_remove: "Couldn't remove from the album",
  comment: "Couldn't add the comment",
};

export class Curation {
  /** Bumped by every edit, undo or redo (the page's or reported by the core). */
  version = $state(0);

  private readonly notices: Notices;
  private readonly onEdited: () => void;
  /** The step last told (edit id and state), so its command's answer and its event refresh once. */
  private lastStep: string | null = null;
  /** The command under way; the next waits for it. */
  private tail: Promise<void> = Promise.resolve();

  /** `onEdited` refreshes what shows marks (the grid's pages). */
  constructor(notices: Notices, onEdited: () => void) {
    this.notices = notices;
    this.onEdited = onEdited;
  }

  /**
   * Applies `change` to the assets `ids` (nothing when there are none).
   * Resolves to true when the edit was made (a failure is a notice).
   */
  change(ids: readonly string[], change: ChangeDto): Promise<boolean> {
    if (ids.length === 0) return Promise.resolve(false);
    const asked = [...ids];
    let made = false;
    return this.enqueue(async () => {
      try {
        this.edited(await editAssets(asked, null, change));
        made = true;
      } catch (error) {
        this.notices.error(error, FAILED[change.set]);
      }
    }).then(() => made);
  }

  /** Undoes the newest edit, and says what it took back. */
  undo(): Promise<void> {
    return this.enqueue(async () => {
      try {
        const edit = await undoEdit();
        if (edit === null) {
          this.notices.push("info", "Nothing to undo");
          return;
        }
        this.edited(edit);
        this.notices.push("info", editStep("Undid", edit.summary, edit.asset_count));
      } catch (error) {
        this.notices.error(error, "Couldn't undo");
      }
    });
  }

  /** Applies the last undone edit again, and says what. */
  redo(): Promise<void> {
    return this.enqueue(async () => {
      try {
        const edit = await redoEdit();
        if (edit === null) {
          this.notices.push("info", "Nothing to redo");
          return;
        }
        this.edited(edit);
        this.notices.push("info", editStep("Redid", edit.summary, edit.asset_count));
      } catch (error) {
        this.notices.error(error, "Couldn't redo");
      }
    });
  }

  /** A step was made (a command's answer, or the core's `edited` event). */
  edited(edit: EditDto): void {
    const step = `${edit.id}:${edit.state}`;
    if (step === this.lastStep) return;
    this.lastStep = step;
    this.version++;
    this.onEdited();
  }

  private enqueue(command: () => Promise<void>): Promise<void> {
    // Each command reports its own failure, so the chain never rejects.
    this.tail = this.tail.then(command);
    return this.tail;
  }
}
