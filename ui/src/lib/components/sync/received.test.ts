import { describe, expect, it } from "vitest";

import { importSummary } from "./received.svelte";

const folder = "/home/me/Pictures/Trove incoming/r1";

describe("importSummary", () => {
  it("says how many files came in and where", () => {
    const r = importSummary({ folder, imported: ["a", "b"], bytes: 10, already: 0, refused: [], cancelled: false });
    expect(r).toEqual({ busy: false, text: `2 file(s) imported into ${folder}.`, failed: false });
  });

  it("names what was stopped, imported before and refused", () => {
    const r = importSummary({
      folder,
      imported: [],
      bytes: 0,
      already: 3,
      refused: [{ name: "x.exe", why: "not an accepted type" }],
      cancelled: true,
    });
    expect(r.text).toBe(
      `Stopped: import again to fetch the rest; 0 file(s) imported into ${folder}; 3 imported before; x.exe refused: not an accepted type.`,
    );
    expect(r.failed).toBe(true);
  });
});
