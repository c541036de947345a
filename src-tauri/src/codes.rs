//! The desktop's own error codes: what goes wrong between the page and the
//! app, before or beside the core (which has its own, `CoreError::codes`).
//! The page branches on these, never on a message. Most mean the page sent
//! something no screen would (a bug of the page, kept from reaching the
//! core); a few are states a person can reach (a sync already running, the
//! keychain locked).

/// An asset id that is not one.
pub const BAD_ID: &str = "bad_id";
/// A path that is not absolute, or a folder key that leaves its folder.
pub const BAD_PATH: &str = "bad_path";
/// A page size out of range.
pub const BAD_LIMIT: &str = "bad_limit";
/// A sub-folder asked for without the watched folder it is in.
pub const FOLDER_NEEDS_ROOT: &str = "folder_needs_root";
/// A sort order the search does not know.
pub const BAD_SORT: &str = "bad_sort";
/// More ids than one request takes.
pub const TOO_MANY_IDS: &str = "too_many_ids";
/// An access key id without its secret, or the other way round.
pub const KEYS_INCOMPLETE: &str = "keys_incomplete";
/// A share page of no assets or of more than a share holds.
pub const SHARE_PAGE_SIZE: &str = "share_page_size";
/// A folder's sync policy that is not one.
pub const BAD_POLICY: &str = "bad_policy";
/// A plain-HTTP endpoint on another machine, not confirmed.
pub const PLAIN_HTTP: &str = "plain_http";
/// Keys in the keychain given for another endpoint than the target's.
pub const KEYS_FOR_ANOTHER_ENDPOINT: &str = "keys_for_another_endpoint";
/// A folder's kinds setting that is not one.
pub const BAD_KINDS: &str = "bad_kinds";
/// A verification sample out of range.
pub const BAD_SAMPLE: &str = "bad_sample";
/// An upload request's size limit or types that make no request (the same
/// code as the core's for the same mistake).
pub const REQUEST_INVALID: &str = "request_invalid";
/// A task of the app's own failed (a thread panicked).
pub const INTERNAL: &str = "internal";
/// The library could not be opened; the window says why.
pub const LIBRARY_UNAVAILABLE: &str = "library_unavailable";
/// The library is still being opened.
pub const NOT_READY: &str = "not_ready";
/// This window only reads: another process is the library's writer.
pub const READ_ONLY: &str = "read_only";
/// No watched folder has this id (the core's code for the same).
pub const ROOT_NOT_FOUND: &str = "root_not_found";
/// A sync, a verification or an import is already running.
pub const SYNC_RUNNING: &str = "sync_running";
pub const VERIFY_RUNNING: &str = "verify_running";
pub const IMPORT_RUNNING: &str = "import_running";
pub const RESTORE_RUNNING: &str = "restore_running";
pub const RECOVER_RUNNING: &str = "recover_running";
/// No running operation of that kind to stop.
pub const JOB_NOT_FOUND: &str = "job_not_found";
/// The keychain (Secret Service) cannot be reached, or holds an entry it
/// cannot give back.
pub const KEYCHAIN_UNAVAILABLE: &str = "keychain_unavailable";
pub const KEYCHAIN_ENTRY_UNREADABLE: &str = "keychain_entry_unreadable";
/// The loopback media server did not start.
pub const MEDIA_UNAVAILABLE: &str = "media_unavailable";
/// A library can be recovered from a bucket only into an empty one (no
/// folders, assets or target): the recovered library replaces it.
pub const LIBRARY_NOT_EMPTY: &str = "library_not_empty";
/// No folder to save received files into.
pub const NO_FOLDER: &str = "no_folder";
/// The system could not open a file with its application.
pub const OPEN_FAILED: &str = "open_failed";
/// No copy of an asset's original can be reached.
pub const ORIGINAL_UNREACHABLE: &str = "original_unreachable";
/// Only videos and sounds open in the system player.
pub const NOT_PLAYABLE: &str = "not_playable";
/// An album kind that is not album, folder or smart.
pub const BAD_ALBUM_KIND: &str = "bad_album_kind";
/// A sidecar mode or naming the desktop does not know.
pub const BAD_SIDECAR_SETTING: &str = "bad_sidecar_setting";

/// Every code above.
pub const ALL: &[&str] = &[
    BAD_ID,
    BAD_PATH,
    BAD_LIMIT,
    FOLDER_NEEDS_ROOT,
    BAD_SORT,
    TOO_MANY_IDS,
    KEYS_INCOMPLETE,
    SHARE_PAGE_SIZE,
    BAD_POLICY,
    BAD_KINDS,
    PLAIN_HTTP,
    KEYS_FOR_ANOTHER_ENDPOINT,
    BAD_SAMPLE,
    REQUEST_INVALID,
    INTERNAL,
    LIBRARY_UNAVAILABLE,
    NOT_READY,
    READ_ONLY,
    ROOT_NOT_FOUND,
    SYNC_RUNNING,
    VERIFY_RUNNING,
    IMPORT_RUNNING,
    RESTORE_RUNNING,
    RECOVER_RUNNING,
    JOB_NOT_FOUND,
    KEYCHAIN_UNAVAILABLE,
    KEYCHAIN_ENTRY_UNREADABLE,
    MEDIA_UNAVAILABLE,
    LIBRARY_NOT_EMPTY,
    NO_FOLDER,
    OPEN_FAILED,
    ORIGINAL_UNREACHABLE,
    NOT_PLAYABLE,
    BAD_ALBUM_KIND,
    BAD_SIDECAR_SETTING,
];
