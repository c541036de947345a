import { describe, expect, it } from "vitest";

import type { AlbumDto } from "./bindings/AlbumDto";
import { albumFolders, albumsToFill, foldersAbove, visibleAlbums } from "./albumTree";

let nextId = 1;
function album(path: string, kind = "album", parent: AlbumDto | null = null): AlbumDto {
  return {
    id: nextId++,
    parent_id: parent?.id ?? null,
    name: path.split("/").pop() ?? path,
    path,
    kind,
    query: kind === "smart" ? "rating:>=4" : null,
    cover: null,
    count: 3,
  };
}

// As list_albums gives them: by path.
const trips = album("Trips", "folder");
const iceland = album("Trips/Iceland 2024", "album", trips);
const y2023 = album("Trips/2023", "folder", trips);
const rome = album("Trips/2023/Rome", "album", y2023);
const best = album("Best", "smart");
const family = album("Family");
const all = [best, family, trips, y2023, rome, iceland];

const paths = (rows: { album: AlbumDto; depth: number }[]) => rows.map((r) => `${r.depth}:${r.album.path}`);

describe("visibleAlbums", () => {
  it("shows the top level, in the order given, with toggles on folders that hold something", () => {
    const rows = visibleAlbums(all, new Set());
    expect(paths(rows)).toEqual(["0:Best", "0:Family", "0:Trips"]);
    expect(rows.map((r) => r.parent)).toEqual([false, false, true]);
    expect(rows.every((r) => !r.expanded)).toBe(true);
  });

  it("puts a folder's contents right below it, one level deeper, only while every folder above is expanded", () => {
    expect(paths(visibleAlbums(all, new Set([trips.id])))).toEqual([
      "0:Best",
      "0:Family",
      "0:Trips",
      "1:Trips/2023",
      "1:Trips/Iceland 2024",
    ]);
    expect(paths(visibleAlbums(all, new Set([y2023.id])))).toEqual(["0:Best", "0:Family", "0:Trips"]);
    expect(paths(visibleAlbums(all, new Set([trips.id, y2023.id])))).toEqual([
      "0:Best",
      "0:Family",
      "0:Trips",
      "1:Trips/2023",
      "2:Trips/2023/Rome",
      "1:Trips/Iceland 2024",
    ]);
  });

  it("an empty folder gets no toggle", () => {
    const empty = album("Empty", "folder");
    expect(visibleAlbums([empty], new Set([empty.id]))).toEqual([
      { album: empty, depth: 0, parent: false, expanded: true },
    ]);
  });

  it("shows an album whose folder is not listed at the top, and never loops on a folder inside itself", () => {
    const lost = { ...album("Gone/Lost"), parent_id: 9999 };
    const loop = album("Loop", "folder");
    loop.parent_id = loop.id;
    expect(paths(visibleAlbums([lost], new Set()))).toEqual(["0:Gone/Lost"]);
    expect(visibleAlbums([loop], new Set([loop.id]))).toEqual([]);
  });
});

describe("foldersAbove", () => {
  it("lists the folders holding an album, outermost first", () => {
    expect(foldersAbove(all, rome.id)).toEqual([trips.id, y2023.id]);
    expect(foldersAbove(all, family.id)).toEqual([]);
    expect(foldersAbove(all, 424242)).toEqual([]);
  });
});

describe("albumsToFill and albumFolders", () => {
  it("keeps only albums (not folders or smart albums), and only folders, each by path", () => {
    expect(albumsToFill(all).map((a) => a.path)).toEqual(["Family", "Trips/2023/Rome", "Trips/Iceland 2024"]);
    expect(albumFolders(all).map((a) => a.path)).toEqual(["Trips", "Trips/2023"]);
  });
});
