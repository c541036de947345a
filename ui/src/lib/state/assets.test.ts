import { beforeEach, describe, expect, it, vi } from "vitest";

import type { AssetDto } from "../bindings/AssetDto";

const api = vi.hoisted(() => ({
  albumAssets: vi.fn(),
  listAssets: vi.fn(),
  searchAssets: vi.fn(),
  assetIds: vi.fn(),
}));
vi.mock("../api", async (original) => ({ ...(await original<typeof import("../api")>()), ...api }));

const { AssetList, PAGE_SIZE } = await import("./assets.svelte");

function asset(id: string): AssetDto {
  return {
    id,
    name: `${id}.jpg`,
    kind: "image",
    mime: "image/jpeg",
    web_viewable: true,
    size: 1,
    status: "present",
    captured: null,
    capture_source: null,
    width: null,
    height: null,
    file_count: 1,
    thumbhash: null,
    sync: null,
    rating: 0,
    flag: null,
    label: null,
  };
}

/** Lets the page loads (promises) settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("AssetList: an album view", () => {
  const errors: unknown[] = [];
  let assets: InstanceType<typeof AssetList>;

  beforeEach(() => {
    vi.resetAllMocks();
    errors.length = 0;
    api.listAssets.mockResolvedValue({ total: 1, offset: 0, assets: [asset("library")] });
    assets = new AssetList((e) => errors.push(e));
  });

  it("lists the album in its own order, paged from one read of it", async () => {
    const ordered = Array.from({ length: PAGE_SIZE + 5 }, (_, i) => asset(`a${i}`));
    api.albumAssets.mockResolvedValue(ordered);
    assets.showAlbum("12");
    assets.ensure(0, PAGE_SIZE + 5);
    await settle();
    expect(assets.total).toBe(PAGE_SIZE + 5);
    expect(assets.get(0)?.id).toBe("a0");
    expect(assets.get(PAGE_SIZE + 4)?.id).toBe(`a${PAGE_SIZE + 4}`);
    // Two pages, one command.
    expect(api.albumAssets).toHaveBeenCalledTimes(1);
    expect(api.albumAssets).toHaveBeenCalledWith("12");
    expect(await assets.idsIn(PAGE_SIZE - 1, PAGE_SIZE + 1)).toEqual([`a${PAGE_SIZE - 1}`, `a${PAGE_SIZE}`]);
    expect(assets.currentAlbum).toBe("12");
  });

  it("reads the album again on refresh (a drag reordered it)", async () => {
    api.albumAssets.mockResolvedValueOnce([asset("x"), asset("y")]).mockResolvedValueOnce([asset("y"), asset("x")]);
    assets.showAlbum("12");
    assets.ensure(0, 2);
    await settle();
    expect([assets.get(0)?.id, assets.get(1)?.id]).toEqual(["x", "y"]);
    assets.refresh();
    await settle();
    expect([assets.get(0)?.id, assets.get(1)?.id]).toEqual(["y", "x"]);
  });

  it("leaves the album for a search or a folder, and takes neither into the album", async () => {
    api.albumAssets.mockResolvedValue([asset("x")]);
    api.searchAssets.mockResolvedValue({ total: 1, offset: 0, assets: [asset("found")], facets: null, took_ms: 1 });
    assets.search("beach");
    assets.showAlbum("12");
    expect(assets.currentQuery).toBe("");
    assets.ensure(0, 1);
    await settle();
    expect(assets.get(0)?.id).toBe("x");

    assets.search("beach");
    await settle();
    expect(assets.currentAlbum).toBeNull();
    expect(assets.get(0)?.id).toBe("found");

    assets.showAlbum("12");
    assets.showFolder(null);
    await settle();
    expect(assets.currentAlbum).toBeNull();
    expect(assets.get(0)?.id).toBe("library");
  });

  it("reports an album that could not be read like a page that failed", async () => {
    api.albumAssets.mockRejectedValue({ code: "album_not_found", message: "No album 12." });
    assets.showAlbum("12");
    assets.ensure(0, 1);
    await settle();
    expect(errors).toEqual([{ code: "album_not_found", message: "No album 12." }]);
  });
});
