import { describe, expect, it } from "vitest";

import { visibleFolders } from "./folderTree";

const folder = (path: string, files = 1) => ({
  path,
  key: encodeURI(path),
  name: path.split("/").pop() ?? path,
  depth: path.split("/").length,
  files,
});
const tree = ["2023", "2023/beach", "2023/beach/raw", "2023-old", "2024", "2024/iceland"].map((p) => folder(p));

describe("visibleFolders", () => {
  it("shows the top level, with toggles where there are sub-folders", () => {
    const rows = visibleFolders(tree, new Set());
    expect(rows.map((r) => [r.folder.path, r.parent])).toEqual([
      ["2023", true],
      ["2023-old", false],
      ["2024", true],
    ]);
  });

  it("opens expanded folders, and only as deep as they are expanded", () => {
    expect(visibleFolders(tree, new Set(["2023"])).map((r) => r.folder.path)).toEqual([
      "2023",
      "2023/beach",
      "2023-old",
      "2024",
    ]);
    // An expanded folder inside a collapsed one stays hidden.
    expect(visibleFolders(tree, new Set(["2023/beach"])).map((r) => r.folder.path)).toEqual(["2023", "2023-old", "2024"]);
    expect(visibleFolders(tree, new Set(["2023", "2023/beach", "2024"])).map((r) => r.folder.path)).toEqual([
      "2023",
      "2023/beach",
      "2023/beach/raw",
      "2023-old",
      "2024",
      "2024/iceland",
    ]);
  });
});
