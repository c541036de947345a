// The library's albums, album folders and smart albums (the sidebar's
// tree), and what the person does to them that is no edit: making,
// renaming, deleting, ordering, the cover. Each is followed by a fresh
// list; a failure is a notice. Putting assets in an album and taking them
// out are edits (Curation), which refresh the list through the page.

import {
  createAlbum,
  deleteAlbum,
  isLibraryUnavailable,
  listAlbums,
  moveInAlbum,
  renameAlbum,
  setAlbumCover,
  type AlbumKind,
} from "../api";
import type { AlbumDto } from "../bindings/AlbumDto";
import { reorderMoves } from "../assetDrag";
import type { Notices } from "./notices.svelte";

export class Albums {
  /** Every album, by path (empty until loaded). */
  list = $state<AlbumDto[]>([]);

  private readonly notices: Notices;
  /** Bumped by every load, so an older answer never replaces a newer one. */
  private loads = 0;

  constructor(notices: Notices) {
    this.notices = notices;
  }

  /** The album with id `id`, if listed. */
  byId(id: number | null): AlbumDto | undefined {
    return id === null ? undefined : this.list.find((a) => a.id === id);
  }

  /** The album at `path` (`Trips/Iceland 2024`), if listed. */
  byPath(path: string): AlbumDto | undefined {
    return this.list.find((a) => a.path === path);
  }

  /** Reads the list again. */
  async refresh(): Promise<void> {
    const mine = ++this.loads;
    try {
      const list = await listAlbums();
      if (mine === this.loads) this.list = list;
    } catch (error) {
      // Without a backend or a library the banner already says so.
      if (mine === this.loads && !isLibraryUnavailable(error)) this.notices.error(error, "Couldn't list the albums");
    }
  }

  /** Makes an album, folder or smart album; the new one, or null when refused. */
  async create(name: string, kind: AlbumKind, parent: AlbumDto | null, query: string | null): Promise<AlbumDto | null> {
    try {
      const made = await createAlbum({
        name: name.trim(),
        parent: parent === null ? null : String(parent.id),
        kind,
        query: kind === "smart" ? query : null,
      });
      await this.refresh();
      return made;
    } catch (error) {
      this.notices.error(error, `Couldn't make the ${kind === "folder" ? "folder" : kind === "smart" ? "smart album" : "album"}`);
      return null;
    }
  }

  /** Renames an album; true when it was. */
  async rename(album: AlbumDto, name: string): Promise<boolean> {
    try {
      await renameAlbum(String(album.id), { name: name.trim(), parent: null, toTop: false });
      await this.refresh();
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't rename ${album.name}`);
      return false;
    }
  }

  /** Moves an album into the folder `into` (null: to the top); true when it was. */
  async move(album: AlbumDto, into: AlbumDto | null): Promise<boolean> {
    try {
      await renameAlbum(String(album.id), {
        name: null,
        parent: into === null ? null : String(into.id),
        toTop: into === null,
      });
      await this.refresh();
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't move ${album.name}`);
      return false;
    }
  }

  /** Deletes an album (its assets stay) or an empty folder; true when it was. */
  async remove(album: AlbumDto): Promise<boolean> {
    try {
      await deleteAlbum(String(album.id));
      await this.refresh();
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't delete ${album.name}`);
      return false;
    }
  }

  /**
   * Puts the assets `ids` (in that order) just before `before` in an
   * album's order (null: at the end); true when all moved.
   */
  async reorder(album: AlbumDto, ids: readonly string[], before: string | null): Promise<boolean> {
    try {
      for (const move of reorderMoves(ids, before)) await moveInAlbum(String(album.id), move.id, move.before);
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't reorder ${album.name}`);
      return false;
    }
  }

  /** Shows asset `id` for the album (null: none); true when set. */
  async setCover(album: AlbumDto, id: string | null): Promise<boolean> {
    try {
      await setAlbumCover(String(album.id), id);
      await this.refresh();
      return true;
    } catch (error) {
      this.notices.error(error, `Couldn't set the cover of ${album.name}`);
      return false;
    }
  }
}
