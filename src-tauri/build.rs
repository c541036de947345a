//! The app's permission manifest: every command the page may call is
//! declared here, which turns on Tauri's access control for app commands
//! (without it, every command is open to any page). `capabilities/` then
//! grants the main window exactly these; a window or page outside a
//! capability can call none of them.

/// Every `#[tauri::command]` registered in `lib.rs`, in its order
/// (`tests/capabilities.rs` checks the three lists agree).
const COMMANDS: &[&str] = &[
    "library_info",
    "media_base",
    "open_log_folder",
    "recover_library",
    "restart_app",
    "playback_support",
    "open_original",
    "list_assets",
    "asset_detail",
    "text_tracks",
    "timeline",
    "folder_tree",
    "search_assets",
    "asset_ids",
    "prioritize_thumbnails",
    "job_status",
    "sync_settings",
    "set_sync_target",
    "sync_now",
    "share_asset",
    "share_page",
    "list_shares",
    "revoke_share",
    "renew_share",
    "request_files",
    "import_incoming",
    "set_root_policy",
    "verify_now",
    "audit_history",
    "export_audit",
    "restore_originals",
    "cancel_operation",
    "set_jobs_paused",
    "retry_jobs",
    "add_root",
    "rescan",
    "remove_root",
    "relocate_root",
    "set_root_kinds",
    "edit_assets",
    "undo_edit",
    "redo_edit",
    "list_albums",
    "create_album",
    "rename_album",
    "delete_album",
    "album_assets",
    "move_in_album",
    "set_album_cover",
    "keyword_tree",
    "rename_keyword",
    "merge_keyword",
    "sidecar_status",
    "set_sidecars",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
