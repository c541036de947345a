// A watched folder's sub-folders as the sidebar shows them: the flat list
// the app gives (tree order, a folder before what is in it) cut down to the
// folders whose every parent is expanded. Folders are known by their `key`
// (the exact path, percent-encoded; `/` stays as it is).

import type { FolderDto } from "./bindings/FolderDto";

export interface FolderRow {
  folder: FolderDto;
  /** Whether it has sub-folders (it gets an expand toggle). */
  parent: boolean;
  expanded: boolean;
}

/** The rows to show: top-level folders, and the children of expanded ones. */
export function visibleFolders(folders: readonly FolderDto[], expanded: ReadonlySet<string>): FolderRow[] {
  const rows: FolderRow[] = [];
  // The key of the shallowest collapsed folder being skipped, if any.
  let hiddenUnder: string | null = null;
  for (let i = 0; i < folders.length; i++) {
    const f = folders[i];
    if (hiddenUnder !== null && f.key.startsWith(hiddenUnder + "/")) continue;
    hiddenUnder = null;
    const next = folders[i + 1];
    const parent = next !== undefined && next.key.startsWith(f.key + "/");
    const open = expanded.has(f.key);
    rows.push({ folder: f, parent, expanded: open });
    if (parent && !open) hiddenUnder = f.key;
  }
  return rows;
}
