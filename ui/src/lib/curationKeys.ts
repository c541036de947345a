// The curation keys, as in Lightroom: 0-5 set the stars, 6-9 a colour
// label, P picks, X rejects, U unflags; Ctrl+Z undoes, Ctrl+Shift+Z and
// Ctrl+Y redo (Cmd on a Mac). What a key acts on (the selection, the
// asset under the keyboard cursor, the viewer's asset) is the caller's
// business. A key typed into a text field is never taken.

import type { ChangeDto } from "./bindings/ChangeDto";

/** What a curation key asks for. */
export type CurationAction = { kind: "change"; change: ChangeDto } | { kind: "undo" } | { kind: "redo" };

/** What a key press needs to carry (a KeyboardEvent has it). */
export type CurationKeyPress = Pick<
  KeyboardEvent,
  "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey" | "repeat"
> & { target: unknown };

/** The colour label each of the keys 6-9 sets. */
export const LABEL_KEYS: Readonly<Record<string, "red" | "yellow" | "green" | "blue">> = {
  "6": "red",
  "7": "yellow",
  "8": "green",
  "9": "blue",
};

/** Input types that take no typed text: keys pressed on them are commands. */
const UNTYPED_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

/**
 * True when `target` (the element a key went to) takes typed text: a text
 * input, a textarea, a select (which jumps to options as you type) or
 * anything editable. Read by shape, so it needs no DOM.
 */
export function isTextEntry(target: unknown): boolean {
  if (typeof target !== "object" || target === null) return false;
  const t = target as { tagName?: unknown; type?: unknown; isContentEditable?: unknown };
  if (t.isContentEditable === true) return true;
  const tag = typeof t.tagName === "string" ? t.tagName.toUpperCase() : "";
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = typeof t.type === "string" && t.type !== "" ? t.type.toLowerCase() : "text";
  return !UNTYPED_INPUTS.has(type);
}

/** The change an unmodified key makes, or null. */
function markFor(key: string): ChangeDto | null {
  if (key.length === 1 && key >= "0" && key <= "5") return { set: "rating", rating: Number(key) };
  const label = LABEL_KEYS[key];
  if (label) return { set: "label", label };
  switch (key) {
    case "p":
      return { set: "flag", flag: "pick" };
    case "x":
      return { set: "flag", flag: "reject" };
    case "u":
      return { set: "flag", flag: null };
    default:
      return null;
  }
}

/**
 * What key press `event` asks for, or null when it is no curation key (or
 * was typed into a text field, or held down: one press, one undo step).
 * A printable key on a digit's place counts as that digit, so the
 * number row rates on layouts where it needs Shift for digits (AZERTY).
 */
export function curationKey(event: CurationKeyPress): CurationAction | null {
  if (event.altKey || isTextEntry(event.target)) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (event.ctrlKey || event.metaKey) {
    if (key === "z") return { kind: event.shiftKey ? "redo" : "undo" };
    if (key === "y" && !event.shiftKey) return { kind: "redo" };
    return null;
  }
  if (event.repeat) return null;
  let change = markFor(key);
  if (change === null && key.length === 1) {
    const digit = /^Digit([0-9])$/.exec(event.code);
    if (digit) change = markFor(digit[1]);
  }
  return change ? { kind: "change", change } : null;
}

/** True for the changes after which the viewer moves on when culling (stars and flags). */
export function advancesAfter(change: ChangeDto): boolean {
  return change.set === "rating" || change.set === "flag";
}
