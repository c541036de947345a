import { beforeEach, describe, expect, it, vi } from "vitest";

import type { ChangeDto } from "../bindings/ChangeDto";
import type { EditDto } from "../bindings/EditDto";

const calls: string[] = [];
const api = vi.hoisted(() => ({
  editAssets: vi.fn(),
  undoEdit: vi.fn(),
  redoEdit: vi.fn(),
}));
vi.mock("../api", async (original) => ({ ...(await original<typeof import("../api")>()), ...api }));

const { Curation } = await import("./curation.svelte");
const { Notices } = await import("./notices.svelte");

function step(id: number, state: string, summary = "rating 4", asset_count = 12): EditDto {
  return { id, summary, asset_count, state };
}

const FOUR: ChangeDto = { set: "rating", rating: 4 };

describe("Curation", () => {
  let notices: InstanceType<typeof Notices>;
  let refreshes: number;
  let curation: InstanceType<typeof Curation>;

  beforeEach(() => {
    calls.length = 0;
    vi.resetAllMocks();
    notices = new Notices();
    refreshes = 0;
    curation = new Curation(notices, () => refreshes++);
  });

  it("edits the given ids and refreshes once for the answer and its event", async () => {
    api.editAssets.mockResolvedValue(step(7, "done"));
    expect(await curation.change(["a1", "a2"], FOUR)).toBe(true);
    expect(api.editAssets).toHaveBeenCalledWith(["a1", "a2"], null, FOUR);
    curation.edited(step(7, "done"));
    expect(refreshes).toBe(1);
    expect(curation.version).toBe(1);
    expect(notices.items).toEqual([]);
  });

  it("asks nothing when there is nothing to edit", async () => {
    expect(await curation.change([], FOUR)).toBe(false);
    expect(api.editAssets).not.toHaveBeenCalled();
  });

  it("says what undo and redo did, and when there was nothing", async () => {
    api.undoEdit.mockResolvedValueOnce(step(7, "undone")).mockResolvedValueOnce(null);
    api.redoEdit.mockResolvedValueOnce(step(7, "done", "flag pick", 1));
    await curation.undo();
    await curation.redo();
    await curation.undo();
    expect(notices.items.map((n) => n.message)).toEqual([
      "Undid rating 4 on 12 assets",
      "Redid flag pick on 1 asset",
      "Nothing to undo",
    ]);
    expect(refreshes).toBe(2);
  });

  it("shows a failed edit as an error notice with the command's message", async () => {
    api.editAssets.mockRejectedValue({ code: "read_only", message: "Another Trove process is using this library." });
    expect(await curation.change(["a1"], { set: "label", label: "red" })).toBe(false);
    expect(notices.items).toMatchObject([
      { kind: "error", title: "Couldn't set the label", message: "Another Trove process is using this library." },
    ]);
    api.editAssets.mockRejectedValue({ code: "album_not_found", message: "No album 12." });
    await curation.change(["a1"], { set: "album_add", album: 12 });
    expect(notices.items[1]).toMatchObject({ title: "Couldn't add to the album", message: "No album 12." });
    expect(refreshes).toBe(0);
  });

  it("runs commands in the order asked, each after the last answered", async () => {
    let finishFirst: (e: EditDto) => void = () => {};
    api.editAssets
      .mockImplementationOnce(() => {
        calls.push("edit 3");
        return new Promise<EditDto>((resolve) => (finishFirst = resolve));
      })
      .mockImplementationOnce(async () => {
        calls.push("edit 4");
        return step(2, "done");
      });
    const first = curation.change(["a1"], { set: "rating", rating: 3 });
    const second = curation.change(["a1"], FOUR);
    await Promise.resolve();
    expect(calls).toEqual(["edit 3"]);
    finishFirst(step(1, "done"));
    await Promise.all([first, second]);
    expect(calls).toEqual(["edit 3", "edit 4"]);
    expect(refreshes).toBe(2);
  });
});
