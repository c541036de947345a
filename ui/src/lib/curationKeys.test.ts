import { describe, expect, it } from "vitest";

import { advancesAfter, curationKey, isTextEntry, type CurationKeyPress } from "./curationKeys";

/** A key press on the grid (no text field), with modifiers as given. */
function press(key: string, more: Partial<CurationKeyPress> = {}): CurationKeyPress {
  const code = /^[0-9]$/.test(key) ? `Digit${key}` : /^[a-z]$/i.test(key) ? `Key${key.toUpperCase()}` : "";
  return {
    key,
    code,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    repeat: false,
    target: { tagName: "DIV", isContentEditable: false },
    ...more,
  };
}

describe("curationKey", () => {
  it("sets stars with 0-5", () => {
    for (let n = 0; n <= 5; n++) {
      expect(curationKey(press(String(n)))).toEqual({ kind: "change", change: { set: "rating", rating: n } });
    }
  });

  it("sets colour labels with 6-9", () => {
    const labels = ["6", "7", "8", "9"].map((k) => curationKey(press(k)));
    expect(labels).toEqual([
      { kind: "change", change: { set: "label", label: "red" } },
      { kind: "change", change: { set: "label", label: "yellow" } },
      { kind: "change", change: { set: "label", label: "green" } },
      { kind: "change", change: { set: "label", label: "blue" } },
    ]);
  });

  it("picks with P, rejects with X, unflags with U, in either case", () => {
    expect(curationKey(press("p"))).toEqual({ kind: "change", change: { set: "flag", flag: "pick" } });
    expect(curationKey(press("P", { shiftKey: true }))).toEqual({ kind: "change", change: { set: "flag", flag: "pick" } });
    expect(curationKey(press("x"))).toEqual({ kind: "change", change: { set: "flag", flag: "reject" } });
    expect(curationKey(press("X"))).toEqual({ kind: "change", change: { set: "flag", flag: "reject" } });
    expect(curationKey(press("u"))).toEqual({ kind: "change", change: { set: "flag", flag: null } });
  });

  it("undoes with Ctrl+Z and redoes with Ctrl+Shift+Z or Ctrl+Y (Cmd too)", () => {
    expect(curationKey(press("z", { ctrlKey: true }))).toEqual({ kind: "undo" });
    expect(curationKey(press("z", { metaKey: true }))).toEqual({ kind: "undo" });
    expect(curationKey(press("Z", { ctrlKey: true, shiftKey: true }))).toEqual({ kind: "redo" });
    expect(curationKey(press("y", { ctrlKey: true }))).toEqual({ kind: "redo" });
    // Held down, undo repeats (one step per repeat).
    expect(curationKey(press("z", { ctrlKey: true, repeat: true }))).toEqual({ kind: "undo" });
  });

  it("leaves other keys and modified marks alone", () => {
    expect(curationKey(press("a"))).toBeNull();
    expect(curationKey(press("z"))).toBeNull();
    expect(curationKey(press("Enter"))).toBeNull();
    expect(curationKey(press("4", { ctrlKey: true }))).toBeNull();
    expect(curationKey(press("4", { altKey: true }))).toBeNull();
    expect(curationKey(press("p", { metaKey: true }))).toBeNull();
    expect(curationKey(press("z", { ctrlKey: true, altKey: true }))).toBeNull();
    // A held key makes one edit, not one per repeat.
    expect(curationKey(press("3", { repeat: true }))).toBeNull();
  });

  it("reads the number row by place where digits need Shift, but not the numpad's arrows", () => {
    // AZERTY: the key left of 2 types "&" and is Digit1.
    expect(curationKey(press("&", { code: "Digit1" }))).toEqual({ kind: "change", change: { set: "rating", rating: 1 } });
    expect(curationKey(press("ç", { code: "Digit9" }))).toEqual({ kind: "change", change: { set: "label", label: "blue" } });
    // Numpad 4 with Num Lock off is an arrow: it moves, it does not rate.
    expect(curationKey(press("ArrowLeft", { code: "Numpad4" }))).toBeNull();
    expect(curationKey(press("4", { code: "Numpad4" }))).toEqual({ kind: "change", change: { set: "rating", rating: 4 } });
  });

  it("ignores keys typed into text fields", () => {
    const fields = [
      { tagName: "INPUT", type: "text" },
      { tagName: "INPUT", type: "search" },
      { tagName: "input", type: "" },
      { tagName: "INPUT", type: "number" },
      { tagName: "TEXTAREA" },
      { tagName: "SELECT" },
      { tagName: "DIV", isContentEditable: true },
      { tagName: "SPAN", isContentEditable: true },
    ];
    for (const target of fields) {
      expect(curationKey(press("4", { target }))).toBeNull();
      expect(curationKey(press("p", { target }))).toBeNull();
      // The field's own undo, not the catalog's.
      expect(curationKey(press("z", { ctrlKey: true, target }))).toBeNull();
    }
  });

  it("takes keys on buttons, checkboxes and sliders, and with no element", () => {
    const rating = { kind: "change", change: { set: "rating", rating: 2 } };
    expect(curationKey(press("2", { target: { tagName: "BUTTON" } }))).toEqual(rating);
    expect(curationKey(press("2", { target: { tagName: "INPUT", type: "checkbox" } }))).toEqual(rating);
    expect(curationKey(press("2", { target: { tagName: "INPUT", type: "range" } }))).toEqual(rating);
    expect(curationKey(press("2", { target: null }))).toEqual(rating);
  });
});

describe("isTextEntry", () => {
  it("knows text fields by shape", () => {
    expect(isTextEntry({ tagName: "INPUT", type: "email" })).toBe(true);
    expect(isTextEntry({ tagName: "INPUT", type: "radio" })).toBe(false);
    expect(isTextEntry({ tagName: "DIV" })).toBe(false);
    expect(isTextEntry(undefined)).toBe(false);
    expect(isTextEntry("INPUT")).toBe(false);
  });
});

describe("advancesAfter", () => {
  it("moves on after stars and flags, not after labels or texts", () => {
    expect(advancesAfter({ set: "rating", rating: 3 })).toBe(true);
    expect(advancesAfter({ set: "flag", flag: null })).toBe(true);
    expect(advancesAfter({ set: "label", label: "red" })).toBe(false);
    expect(advancesAfter({ set: "text", field: "title", value: "x" })).toBe(false);
    expect(advancesAfter({ set: "keywords", add: ["a"], remove: [] })).toBe(false);
  });
});
