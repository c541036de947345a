// The albums as the sidebar shows them: the flat list the app gives
// (AlbumDto, each knowing its folder by `parent_id`) made into a tree,
// cut down to the albums whose every folder is expanded. Pure, so it is
// unit-tested (albumTree.test.ts).

import type { AlbumDto } from "./bindings/AlbumDto";

export interface AlbumRow {
  album: AlbumDto;
  /** 0 at the top, 1 inside a folder, and so on. */
  depth: number;
  /** Whether anything is inside it (it gets an expand toggle). */
  parent: boolean;
  expanded: boolean;
}

/**
 * The rows to show: top-level albums and folders, and what is inside the
 * expanded folders, each folder's contents right below it in the order
 * given. An album whose folder is not in the list shows at the top.
 */
export function visibleAlbums(albums: readonly AlbumDto[], expanded: ReadonlySet<number>): AlbumRow[] {
  const ids = new Set(albums.map((a) => a.id));
  const children = new Map<number | null, AlbumDto[]>();
  for (const a of albums) {
    const parent = a.parent_id !== null && ids.has(a.parent_id) ? a.parent_id : null;
    const list = children.get(parent);
    if (list) list.push(a);
    else children.set(parent, [a]);
  }
  const rows: AlbumRow[] = [];
  // Guards against a folder inside itself (a bad answer never loops).
  const seen = new Set<number>();
  const walk = (parent: number | null, depth: number) => {
    for (const album of children.get(parent) ?? []) {
      if (seen.has(album.id)) continue;
      seen.add(album.id);
      const inside = (children.get(album.id)?.length ?? 0) > 0;
      const open = expanded.has(album.id);
      rows.push({ album, depth, parent: inside, expanded: open });
      if (inside && open) walk(album.id, depth + 1);
    }
  };
  walk(null, 0);
  return rows;
}

/** The ids of the folders that hold `id`, outermost first (to reveal it). */
export function foldersAbove(albums: readonly AlbumDto[], id: number): number[] {
  const byId = new Map(albums.map((a) => [a.id, a]));
  const out: number[] = [];
  let parent = byId.get(id)?.parent_id ?? null;
  while (parent !== null && byId.has(parent) && !out.includes(parent)) {
    out.unshift(parent);
    parent = byId.get(parent)?.parent_id ?? null;
  }
  return out;
}

/** Albums assets can be put in (not folders, not smart albums), by path. */
export function albumsToFill(albums: readonly AlbumDto[]): AlbumDto[] {
  return albums.filter((a) => a.kind === "album").sort((a, b) => a.path.localeCompare(b.path));
}

/** Album folders (where a new album can go), by path. */
export function albumFolders(albums: readonly AlbumDto[]): AlbumDto[] {
  return albums.filter((a) => a.kind === "folder").sort((a, b) => a.path.localeCompare(b.path));
}
