import { beforeEach, describe, expect, it, vi } from "vitest";

import type { AlbumDto } from "../bindings/AlbumDto";

const api = vi.hoisted(() => ({
  listAlbums: vi.fn(),
  createAlbum: vi.fn(),
  renameAlbum: vi.fn(),
  deleteAlbum: vi.fn(),
  moveInAlbum: vi.fn(),
  setAlbumCover: vi.fn(),
  keywordTree: vi.fn(),
  renameKeyword: vi.fn(),
  mergeKeyword: vi.fn(),
}));
vi.mock("../api", async (original) => ({ ...(await original<typeof import("../api")>()), ...api }));

const { Albums } = await import("./albums.svelte");
const { Keywords } = await import("./keywords.svelte");
const { Notices } = await import("./notices.svelte");

const album = (id: number, path: string, kind = "album", parent_id: number | null = null): AlbumDto => ({
  id,
  parent_id,
  name: path.split("/").pop() ?? path,
  path,
  kind,
  query: null,
  cover: null,
  count: 0,
});

describe("Albums", () => {
  let notices: InstanceType<typeof Notices>;
  let albums: InstanceType<typeof Albums>;

  beforeEach(() => {
    vi.resetAllMocks();
    notices = new Notices();
    albums = new Albums(notices);
  });

  it("makes an album in a folder (by id) and reads the list again", async () => {
    const trips = album(3, "Trips", "folder");
    const made = album(4, "Trips/Iceland", "album", 3);
    api.createAlbum.mockResolvedValue(made);
    api.listAlbums.mockResolvedValue([trips, made]);
    expect(await albums.create("  Iceland ", "album", trips, "beach")).toEqual(made);
    // An album saves no search; only a smart album does.
    expect(api.createAlbum).toHaveBeenCalledWith({ name: "Iceland", parent: "3", kind: "album", query: null });
    expect(albums.list).toEqual([trips, made]);
    expect(albums.byPath("Trips/Iceland")?.id).toBe(4);

    api.createAlbum.mockResolvedValue(album(5, "Good", "smart"));
    await albums.create("Good", "smart", null, "rating:>=4");
    expect(api.createAlbum).toHaveBeenLastCalledWith({ name: "Good", parent: null, kind: "smart", query: "rating:>=4" });
  });

  it("says why an album was refused, and keeps the list", async () => {
    api.listAlbums.mockResolvedValue([album(1, "Family")]);
    await albums.refresh();
    api.createAlbum.mockRejectedValue({ code: "album_refused", message: "Family already exists here." });
    expect(await albums.create("Family", "album", null, null)).toBeNull();
    expect(notices.items).toMatchObject([
      { kind: "error", title: "Couldn't make the album", message: "Family already exists here." },
    ]);
    expect(albums.list.map((a) => a.path)).toEqual(["Family"]);
  });

  it("renames, moves to the top and deletes by id", async () => {
    const rome = album(7, "Trips/Rome", "album", 3);
    api.listAlbums.mockResolvedValue([]);
    api.renameAlbum.mockResolvedValue(rome);
    expect(await albums.rename(rome, "Roma ")).toBe(true);
    expect(api.renameAlbum).toHaveBeenLastCalledWith("7", { name: "Roma", parent: null, toTop: false });
    expect(await albums.move(rome, null)).toBe(true);
    expect(api.renameAlbum).toHaveBeenLastCalledWith("7", { name: null, parent: null, toTop: true });
    expect(await albums.move(rome, album(9, "Old", "folder"))).toBe(true);
    expect(api.renameAlbum).toHaveBeenLastCalledWith("7", { name: null, parent: "9", toTop: false });
    api.deleteAlbum.mockRejectedValue({ code: "album_refused", message: "The folder is not empty." });
    expect(await albums.remove(album(3, "Trips", "folder"))).toBe(false);
    expect(api.deleteAlbum).toHaveBeenCalledWith("3");
    expect(notices.items[0]).toMatchObject({ title: "Couldn't delete Trips", message: "The folder is not empty." });
  });

  it("reorders a dragged selection one move at a time, in order", async () => {
    api.moveInAlbum.mockResolvedValue(undefined);
    expect(await albums.reorder(album(2, "Best"), ["a", "f", "c"], "f")).toBe(true);
    expect(api.moveInAlbum.mock.calls).toEqual([
      ["2", "a", "f"],
      ["2", "c", "f"],
    ]);
  });

  it("keeps the newest list when answers cross", async () => {
    let first: (list: AlbumDto[]) => void = () => {};
    api.listAlbums
      .mockImplementationOnce(() => new Promise<AlbumDto[]>((resolve) => (first = resolve)))
      .mockResolvedValueOnce([album(2, "New")]);
    const older = albums.refresh();
    await albums.refresh();
    first([album(1, "Old")]);
    await older;
    expect(albums.list.map((a) => a.path)).toEqual(["New"]);
  });
});

describe("Keywords", () => {
  it("renames and merges, then reads the tree again; a refusal is a notice", async () => {
    vi.resetAllMocks();
    const notices = new Notices();
    const keywords = new Keywords(notices);
    api.keywordTree.mockResolvedValue([{ path: "Places|Iceland", name: "Iceland", depth: 1, assets: 4 }]);
    expect(await keywords.rename("Place|Iceland", "Places|Iceland")).toBe(true);
    expect(api.renameKeyword).toHaveBeenCalledWith("Place|Iceland", "Places|Iceland");
    expect(keywords.paths).toEqual(["Places|Iceland"]);
    api.mergeKeyword.mockRejectedValue({ code: "keyword_not_found", message: "No keyword Iceland." });
    expect(await keywords.merge("Iceland", "Places|Iceland")).toBe(false);
    expect(notices.items).toMatchObject([{ title: "Couldn't merge Iceland", message: "No keyword Iceland." }]);
  });
});
