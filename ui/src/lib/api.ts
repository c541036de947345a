// Typed access to Trove's Rust side: every Tauri command and event the page
// uses goes through here, so components never call `invoke` or `listen`
// directly and the IPC contract lives in one place.

import { convertFileSrc, invoke, isTauri } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";

import type { AlbumDto } from "./bindings/AlbumDto";
import type { AssetDetailDto } from "./bindings/AssetDetailDto";
import type { AssetDto } from "./bindings/AssetDto";
import type { AssetPageDto } from "./bindings/AssetPageDto";
import type { AuditDto } from "./bindings/AuditDto";
import type { ChangeDto } from "./bindings/ChangeDto";
import type { EditDto } from "./bindings/EditDto";
import type { ErrorDto } from "./bindings/ErrorDto";
import type { EventDto } from "./bindings/EventDto";
import type { LibraryDto } from "./bindings/LibraryDto";
import type { RootDto } from "./bindings/RootDto";
import type { JobStatusDto } from "./bindings/JobStatusDto";
import type { KeywordDto } from "./bindings/KeywordDto";
import type { SearchPageDto } from "./bindings/SearchPageDto";
import type { SidecarStatusDto } from "./bindings/SidecarStatusDto";
import type { ShareDto } from "./bindings/ShareDto";
import type { RemovedRootDto } from "./bindings/RemovedRootDto";
import type { VerifyDto } from "./bindings/VerifyDto";
import type { ShareLinksDto } from "./bindings/ShareLinksDto";
import type { IncomingDto } from "./bindings/IncomingDto";
import type { FolderDto } from "./bindings/FolderDto";
import type { TimelineDayDto } from "./bindings/TimelineDayDto";
import type { SyncSettingsDto } from "./bindings/SyncSettingsDto";
import type { Operation } from "./bindings/Operation";
import type { TextTrackDto } from "./bindings/TextTrackDto";
import type { PlaybackDto } from "./bindings/PlaybackDto";
import type { RecoveredDto } from "./bindings/RecoveredDto";
import type { RestoreDto } from "./bindings/RestoreDto";

/** The single event channel on which the core reports what it is doing. */
export const EVENT_CHANNEL = "trove://event";

/** True when the page runs inside the Trove app (and so has a backend). */
export function hasBackend(): boolean {
  try {
    return isTauri();
  } catch {
    return false;
  }
}

const NO_BACKEND: ErrorDto = {
  code: "no_backend",
  message: "Trove's backend is not available: this page is running outside the Trove app.",
};

function isErrorDto(value: unknown): value is ErrorDto {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { message?: unknown }).message === "string" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/**
 * Turns whatever a failed call rejected with into an ErrorDto, so the UI can
 * always show `error.message` and never a raw dump.
 */
/**
 * True for the errors every view gets while there is no library to read:
 * outside the app, while it opens, or when it could not be opened (the
 * library banner says which and what to do, so views need not repeat it).
 */
export function isLibraryUnavailable(error: unknown): boolean {
  return ["no_backend", "not_ready", "library_unavailable"].includes(toErrorDto(error).code);
}

export function toErrorDto(error: unknown): ErrorDto {
  if (isErrorDto(error)) return error;
  if (typeof error === "string" && error.trim() !== "") {
    return { code: "error", message: error };
  }
  if (error instanceof Error && error.message) {
    return { code: "internal", message: error.message };
  }
  if (typeof error === "object" && error !== null) {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && message !== "") return { code: "error", message };
  }
  return { code: "unknown", message: "Something went wrong." };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!hasBackend()) throw NO_BACKEND;
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorDto(error);
  }
}

/** The library's path, counts and roots. */
export function libraryInfo(): Promise<LibraryDto> {
  return call<LibraryDto>("library_info");
}

/**
 * Recovers the library a bucket holds (its newest catalog snapshot and the
 * manifests after it, thumbnails fetched) beside this empty one; it opens
 * when Trove starts again (`restartApp`). Keys given are kept in the
 * keychain for that target.
 */
export function recoverLibrary(target: {
  url: string;
  endpoint: string | null;
  region: string | null;
  accessKey: string | null;
  secretKey: string | null;
  /** The person confirmed a plain-HTTP endpoint on another machine. */
  allowPlainHttp?: boolean;
}): Promise<RecoveredDto> {
  return call<RecoveredDto>("recover_library", target);
}

/** Quits and starts Trove again. */
export function restartApp(): Promise<void> {
  return call<void>("restart_app");
}

/**
 * One page of assets, newest capture first; one watched folder's only with
 * `rootId`, and only those in its sub-folder `folder` (a `key` from
 * `folderTree`) or below it with that.
 */
export function listAssets(
  offset: number,
  limit: number,
  rootId: number | null = null,
  folder: string | null = null,
): Promise<AssetPageDto> {
  return call<AssetPageDto>("list_assets", { offset, limit, rootId, folder });
}

/** The timeline's sections (runs of one capture day) of the same listing. */
export function timeline(rootId: number | null = null, folder: string | null = null): Promise<TimelineDayDto[]> {
  return call<TimelineDayDto[]>("timeline", { rootId, folder });
}

/** A watched folder's sub-folders that hold files, in tree order, with counts. */
export function folderTree(rootId: number): Promise<FolderDto[]> {
  return call<FolderDto[]>("folder_tree", { rootId });
}

/** Everything the viewer shows about one asset. */
export function assetDetail(id: string): Promise<AssetDetailDto> {
  return call<AssetDetailDto>("asset_detail", { id });
}

/** A video's captions and subtitles as WebVTT text. */
export function textTracks(id: string): Promise<TextTrackDto[]> {
  return call<TextTrackDto[]>("text_tracks", { id });
}

let playback: Promise<PlaybackDto | null> | null = null;

/**
 * What the web view's player lacks on this machine (checked once per
 * launch); null outside the app or when the answer could not be had.
 */
export function playbackSupport(): Promise<PlaybackDto | null> {
  if (!hasBackend()) return Promise.resolve(null);
  playback ??= call<PlaybackDto>("playback_support").catch(() => {
    playback = null;
    return null;
  });
  return playback;
}

/** Opens an asset's original in the application the desktop uses for its type. */
export function openOriginal(id: string): Promise<void> {
  return call<void>("open_original", { id });
}

/** The job queue: counts by kind, paused or not, recent failures. */
export function jobStatus(): Promise<JobStatusDto> {
  return call<JobStatusDto>("job_status");
}

/** Pauses or resumes the job workers; resolves to the new state. */
export function setJobsPaused(paused: boolean): Promise<boolean> {
  return call<boolean>("set_jobs_paused", { paused });
}

/** Queues one failed job (by id) or all of them again. */
export function retryJobs(id: number | null): Promise<number> {
  return call<number>("retry_jobs", { id });
}

/** The sync target (no secrets), where its keys come from, and its counts. */
export function syncSettings(): Promise<SyncSettingsDto> {
  return call<SyncSettingsDto>("sync_settings");
}

/** Sets the sync target; keys (both or neither) go to the OS keychain. */
export function setSyncTarget(target: {
  url: string;
  endpoint: string | null;
  region: string | null;
  accessKey: string | null;
  secretKey: string | null;
  forgetKeys?: boolean;
  /** Days an edited file's earlier version stays; null keeps it forever. */
  keepReplacedDays?: number | null;
  /** The person confirmed a plain-HTTP endpoint on another machine. */
  allowPlainHttp?: boolean;
  /** Storage class of originals; "" for the bucket's default; absent keeps it. */
  storageClass?: string;
  /** Storage class of proxies and manifests, the same way. */
  proxyStorageClass?: string;
  /** "AES256", "aws:kms" or "" for the bucket's default; absent keeps it. */
  sse?: string;
  /** The KMS key (id, alias/NAME or ARN) under aws:kms; "" for the bucket's key; absent keeps it. */
  sseKmsKeyId?: string;
  /** How archived originals come back: "Standard", "Bulk", "Expedited" or "" (Standard); absent keeps it. */
  restoreTier?: string;
}): Promise<SyncSettingsDto> {
  return call<SyncSettingsDto>("set_sync_target", target);
}

/**
 * Brings a watched folder's originals back from the target, verified: into
 * the folder (where they were), or under `to`. Nothing is overwritten.
 */
export function restoreOriginals(rootId: number, to: string | null, relocate = false): Promise<RestoreDto> {
  return call<RestoreDto>("restore_originals", { rootId, to, relocate });
}

/** A watched folder now lives at `path`; its files keep their assets. */
export function relocateRoot(rootId: number, path: string): Promise<RootDto> {
  return call<RootDto>("relocate_root", { rootId, path });
}

/** Starts a sync; progress and the end arrive as events. */
export function syncNow(): Promise<void> {
  return call<void>("sync_now");
}

/** A signed link to one asset, valid for `expiresHours` (at most 168). */
/** What a share shows besides the pictures; unset: no names, captions and times shown. */
export interface ShareShow {
  names?: boolean;
  captions?: boolean;
  times?: boolean;
}

export function shareAsset(
  id: string,
  expiresHours: number,
  originals: boolean,
  show: ShareShow = {},
): Promise<ShareLinksDto> {
  return call<ShareLinksDto>("share_asset", { id, expiresHours, originals, show });
}

/** Shares a selection as one page in the bucket. */
export function sharePage(
  ids: string[],
  title: string | null,
  expiresHours: number,
  originals: boolean,
  show: ShareShow = {},
): Promise<ShareLinksDto> {
  return call<ShareLinksDto>("share_page", { ids, title, expiresHours, originals, show });
}

/** Every share, newest first. */
export function listShares(): Promise<ShareDto[]> {
  return call<ShareDto[]>("list_shares");
}

/** Revokes a share; resolves to the number of objects deleted. */
export function revokeShare(id: string): Promise<number> {
  return call<number>("revoke_share", { id });
}

/** Signs a share's links again, valid for `expiresHours` from now. */
export function renewShare(id: string, expiresHours: number): Promise<ShareLinksDto> {
  return call<ShareLinksDto>("renew_share", { id, expiresHours });
}

/**
 * Makes an upload-request link: a page whose form lets someone send files
 * (each at most `maxMb` MB, of the `accept`ed types) into the bucket.
 */
export function requestFiles(request: {
  title: string | null;
  message: string | null;
  expiresHours: number;
  maxMb: number;
  accept: string[];
}): Promise<ShareLinksDto> {
  return call<ShareLinksDto>("request_files", request);
}

/**
 * Downloads, verifies and catalogs what was sent to an upload request, into
 * `to` or (null) "Trove incoming/<id>" in the Pictures folder.
 */
export function importIncoming(id: string, to: string | null = null): Promise<IncomingDto> {
  return call<IncomingDto>("import_incoming", { id, to });
}

/** Sets what a watched folder sends: originals and proxies, proxies only, or nothing. */
export function setRootPolicy(rootId: number, policy: "all" | "proxies" | "none"): Promise<void> {
  return call<void>("set_root_policy", { rootId, policy });
}

/** Reads objects back from the target and compares hashes (all, or a sample). */
export function verifyNow(samplePercent: number | null): Promise<VerifyDto> {
  return call<VerifyDto>("verify_now", { samplePercent });
}

/**
 * The audit trail, newest first: the page before row `before` (the newest
 * page when null), only failures when asked.
 */
export function auditHistory(before: number | null, failuresOnly: boolean): Promise<AuditDto[]> {
  return call<AuditDto[]>("audit_history", { before, failuresOnly });
}

/**
 * Asks where to save the history, then writes it there as PREMIS events
 * (JSON lines); the number written, or null when the person cancelled.
 */
export async function exportHistory(): Promise<number | null> {
  if (!hasBackend()) throw NO_BACKEND;
  let path: string | null;
  try {
    path = await save({
      title: "Export the history for preservation tools",
      defaultPath: "trove-history.premis.jsonl",
      filters: [{ name: "PREMIS events (JSON lines)", extensions: ["jsonl"] }],
    });
  } catch (error) {
    throw toErrorDto(error);
  }
  if (!path) return null;
  return call<number>("export_audit", { path });
}

/**
 * Asks a running sync, verification or import of received files to stop;
 * false when none was running. What finished is kept.
 */
export function cancelOperation(operation: Operation): Promise<boolean> {
  return call<boolean>("cancel_operation", { operation });
}

/** How search results are ordered. */
export type SearchSort = "relevance" | "newest" | "oldest" | "name" | "largest";

/**
 * One page of search results for `query` (Trove's query language), with the
 * facets of the whole result when `facets` is set.
 */
export function searchAssets(
  query: string,
  sort: SearchSort,
  offset: number,
  limit: number,
  facets: boolean,
): Promise<SearchPageDto> {
  return call<SearchPageDto>("search_assets", { query, sort, offset, limit, facets });
}

/**
 * The ids of items [offset, offset + limit) of what the grid shows: the
 * results of `query` in `sort` order, or (empty query) the listing, one
 * watched folder's when `rootId` is set (one of its sub-folders' with
 * `folder`). Ids only, so "select all" and shift-click
 * reach pages the grid has not loaded.
 */
export function assetIds(
  query: string,
  sort: SearchSort,
  rootId: number | null,
  folder: string | null,
  offset: number,
  limit: number,
): Promise<string[]> {
  return call<string[]>("asset_ids", { query, sort, rootId, folder, offset, limit });
}

/**
 * Sets stars, a flag, a colour label, a text or keywords on the assets
 * `ids`, or, when `query` is given, on every asset that search finds (the
 * ids are then ignored). One step of undo; an `edited` event follows.
 */
export function editAssets(ids: string[], query: string | null, change: ChangeDto): Promise<EditDto> {
  return call<EditDto>("edit_assets", { ids, query, change });
}

/** Undoes the newest edit; null when there is nothing to undo. */
export function undoEdit(): Promise<EditDto | null> {
  return call<EditDto | null>("undo_edit");
}

/** Applies the last undone edit again; null when there is nothing to redo. */
export function redoEdit(): Promise<EditDto | null> {
  return call<EditDto | null>("redo_edit");
}

/** What an album is: one ordered by hand, a folder of albums, or a saved search. */
export type AlbumKind = "album" | "folder" | "smart";

/** Every album, album folder and smart album, by path. */
export function listAlbums(): Promise<AlbumDto[]> {
  return call<AlbumDto[]>("list_albums");
}

/**
 * Makes an album, an album folder or (with `query`) a smart album, in the
 * folder `parent` (a path or id) or, with null, at the top.
 */
export function createAlbum(album: {
  name: string;
  parent: string | null;
  kind: AlbumKind;
  query: string | null;
}): Promise<AlbumDto> {
  return call<AlbumDto>("create_album", album);
}

/**
 * Renames an album (`name`) and/or moves it into the folder `parent`, or
 * to the top with `toTop`; `album` is a path or id.
 */
export function renameAlbum(
  album: string,
  change: { name: string | null; parent: string | null; toTop: boolean },
): Promise<AlbumDto> {
  return call<AlbumDto>("rename_album", { album, ...change });
}

/** Deletes an album (its assets stay in the library) or an empty folder. */
export function deleteAlbum(album: string): Promise<EditDto> {
  return call<EditDto>("delete_album", { album });
}

/** An album's assets in its hand-made order (a smart album's: what it finds now). */
export function albumAssets(album: string): Promise<AssetDto[]> {
  return call<AssetDto[]>("album_assets", { album });
}

/** Moves asset `id` in an album's order to just before `before` (null: to the end). */
export function moveInAlbum(album: string, id: string, before: string | null): Promise<void> {
  return call<void>("move_in_album", { album, id, before });
}

/** Sets an album's cover (null clears it). */
export function setAlbumCover(album: string, id: string | null): Promise<void> {
  return call<void>("set_album_cover", { album, id });
}

/** The keyword tree, in tree order (a keyword before those below it). */
export function keywordTree(): Promise<KeywordDto[]> {
  return call<KeywordDto[]>("keyword_tree");
}

/** Renames or moves a keyword (paths `A|B`) on every asset that carries it. */
export function renameKeyword(from: string, to: string): Promise<EditDto> {
  return call<EditDto>("rename_keyword", { from, to });
}

/** Merges a keyword (and those below it) into another on every asset. */
export function mergeKeyword(from: string, into: string): Promise<EditDto> {
  return call<EditDto>("merge_keyword", { from, into });
}

/** Whether XMP sidecars are written: "write" or "off". */
export type SidecarMode = "write" | "off";

/** How new sidecars are named: "full" (photo.jpg.xmp) or "base" (photo.xmp). */
export type SidecarNaming = "full" | "base";

/** Whether Trove writes XMP sidecars, how it names them, what waits or failed. */
export function sidecarStatus(): Promise<SidecarStatusDto> {
  return call<SidecarStatusDto>("sidecar_status");
}

/**
 * Turns sidecar writing on or off, with the naming of new sidecars; turned
 * on, every curated asset's sidecars are queued to be written.
 */
export function setSidecars(mode: SidecarMode, naming: SidecarNaming): Promise<SidecarStatusDto> {
  return call<SidecarStatusDto>("set_sidecars", { mode, naming });
}

/** Moves the thumbnails of the assets on screen to the front of the queue. */
export function prioritizeThumbnails(ids: string[]): Promise<number> {
  return call<number>("prioritize_thumbnails", { ids });
}

/** Proxies the page may show, served by the `thumb:` scheme by asset id. */
export type ProxyVariant =
  | "thumb"
  | "thumb@2x"
  | "preview"
  | "video"
  | "audio"
  | "original"
  | "full"
  | `page-${number}`;

/**
 * The URL of an asset's proxy; the page never handles file paths. A
 * `version` (e.g. the ThumbHash, which changes when proxies are made again)
 * makes a new URL, so the web view never shows a cached miss or an old
 * image for it.
 */
export function proxyUrl(id: string, variant: ProxyVariant, version?: string | null): string {
  if (!hasBackend()) return "";
  const url = convertFileSrc(`${id}/${variant}`, "thumb");
  return version ? `${url}?v=${encodeURIComponent(version.slice(0, 16))}` : url;
}

let media: Promise<string | null> | null = null;

/**
 * The URL of an asset's video or audio (or playable original). Media come
 * from Trove's loopback server, not the thumb: scheme, which the Linux web
 * view cannot play from; null when that server is not running.
 */
export async function mediaUrl(id: string, variant: "video" | "audio" | "original"): Promise<string | null> {
  if (!hasBackend()) return null;
  // Remembered once known; a failure (the app still starting) is asked again.
  media ??= call<string>("media_base").catch(() => {
    media = null;
    return null;
  });
  const base = await media;
  return base ? `${base}/${id}/${variant}` : null;
}

/** Adds a folder as a root and queues its import; progress comes as events. */
export function addRoot(path: string): Promise<RootDto> {
  return call<RootDto>("add_root", { path });
}

/** Stops watching a folder; nothing on disk is touched. */
export function removeRoot(rootId: number): Promise<RemovedRootDto> {
  return call<RemovedRootDto>("remove_root", { rootId });
}

/** Opens the library's log folder in the file manager; resolves to its path. */
export function openLogFolder(): Promise<string> {
  return call<string>("open_log_folder");
}

/** Which of a folder's files become assets; the folder is rescanned. */
export function setRootKinds(rootId: number, kinds: "media" | "documents" | "all"): Promise<RootDto> {
  return call<RootDto>("set_root_kinds", { rootId, kinds });
}

/** Rescans one root, or every root when `rootId` is null. */
export function rescan(rootId: number | null): Promise<void> {
  return call<void>("rescan", { rootId });
}

/**
 * Opens the native folder picker. Resolves to the chosen folder, or null when
 * the person cancelled.
 */
export async function pickFolder(title = "Add a folder to Trove"): Promise<string | null> {
  if (!hasBackend()) throw NO_BACKEND;
  try {
    const chosen = await open({ directory: true, multiple: false, title });
    return typeof chosen === "string" ? chosen : null;
  } catch (error) {
    throw toErrorDto(error);
  }
}

export type Unlisten = () => void;

/**
 * Subscribes to the core's events. Resolves to a function that ends the
 * subscription. Outside the app it subscribes to nothing.
 */
export async function onEvent(handler: (event: EventDto) => void): Promise<Unlisten> {
  if (!hasBackend()) return () => {};
  const unlisten = await listen<EventDto>(EVENT_CHANNEL, (event) => handler(event.payload));
  return unlisten;
}
