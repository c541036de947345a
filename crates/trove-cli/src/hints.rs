//! What to do next, in this front end's words, for each error code. The
//! core's messages say what went wrong with which value; the commands,
//! flags and variables that help are the CLI's to name. Every code the core
//! can give has a line (empty where the message says all there is to say);
//! a test checks that none is missing and none is stale.

/// `(code, advice)`.
const HINTS: &[(&str, &str)] = &[
    // The catalog.
    ("catalog_too_new", ""),
    (
        "catalog_needs_upgrade",
        "close the desktop app and stop `trove watch`, then run the command again: it upgrades the catalog",
    ),
    ("catalog_corrupt", ""),
    ("catalog_busy", ""),
    ("not_found", ""),
    ("catalog_error", ""),
    // The library and its folders.
    (
        "library_locked",
        "stop `trove watch` or close the desktop app, or run a command that only reads",
    ),
    (
        "no_library",
        "create one with `trove init`, or give another with --library",
    ),
    ("io_error", ""),
    (
        "disk_full",
        "run the command again once there is room: it carries on where it stopped (`trove watch` waits for space by itself)",
    ),
    ("not_a_folder", ""),
    ("root_inside_library", ""),
    (
        "library_inside_root",
        "--library (or TROVE_LIBRARY) puts the library elsewhere",
    ),
    (
        "root_overlaps",
        "`trove roots` lists the watched folders; `trove remove` stops watching one",
    ),
    (
        "asset_not_found",
        "give an asset id (as `trove ls` prints) or the path of a catalogued file",
    ),
    ("root_not_found", "`trove roots` lists them"),
    ("read_only", "stop `trove watch` or close the desktop app first"),
    ("cancelled", ""),
    ("watch_failed", ""),
    // Sync and restore.
    (
        "no_target",
        "set one with `trove target set s3://BUCKET/PREFIX` or `file:///PATH`",
    ),
    (
        "restore_folder_missing",
        "plug the drive in, or restore into another folder with --to DIR, then `trove relocate`",
    ),
    ("restore_conflict", "restore into another folder with --to"),
    (
        "target_damaged",
        "run `trove verify`, then `trove sync` sends a good copy",
    ),
    // Sharing.
    ("share_expiry_invalid", ""),
    (
        "request_invalid",
        "give --accept with at least one type (e.g. image/) and --max-size of at least 1",
    ),
    // Curation.
    ("curation_invalid", ""),
    ("system_folder", ""),
    ("bad_log_filter", ""),
    ("target_overlaps", ""),
    ("bad_storage_setting", ""),
    ("album_not_found", "`trove album list` shows every album and folder"),
    ("album_refused", ""),
    (
        "sidecar_refused",
        "fix or move the sidecar aside; `trove sidecars status` lists what is waiting",
    ),
    (
        "nothing_selected",
        "`trove search QUERY` shows what a query finds; `trove ls` lists assets and their ids",
    ),
    ("library_exists", "give --library a new, empty folder"),
    (
        "no_snapshot",
        "check the URL, --endpoint and --at; `trove sync` from the library stores one",
    ),
    (
        "share_needs_bucket",
        "set a bucket with `trove target set s3://BUCKET/PREFIX`",
    ),
    (
        "share_key_needed",
        "give it with TROVE_SHARE_ACCESS_KEY_ID and TROVE_SHARE_SECRET_ACCESS_KEY, or --share-profile",
    ),
    ("share_too_big", "narrow the query"),
    (
        "nothing_to_share",
        "make its proxies with `trove thumbs`, or share originals with --originals",
    ),
    ("share_not_found", "`trove share list` lists them"),
    ("share_not_live", "make a new share"),
    ("share_request_renew", ""),
    ("share_copy_failed", ""),
    // Viewing.
    ("page_render_failed", ""),
    ("full_image_failed", ""),
    // The target.
    ("store_not_found", ""),
    ("store_no_bucket", ""),
    (
        "store_bad_credentials",
        "the keys come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the target's profile (`trove target set ... --profile NAME`)",
    ),
    ("store_access_denied", ""),
    (
        "store_no_credentials",
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the target a profile (`trove target set ... --profile NAME`)",
    ),
    ("store_checksum_mismatch", "`trove sync` sends it again"),
    ("store_full", ""),
    ("store_upload_gone", "`trove sync` starts the upload again"),
    ("store_network", "`trove sync` resumes where it stopped"),
    ("store_server_busy", "`trove sync` resumes where it stopped"),
    ("store_refused", ""),
    (
        "store_archived",
        "`trove restore` and `trove verify` ask for its restore and wait for it",
    ),
    ("store_io", ""),
    ("store_unsupported", ""),
    ("store_invalid", ""),
    // Search.
    ("query_too_long", ""),
    ("query_too_deep", ""),
    ("query_too_complex", ""),
    ("query_syntax", "the query language: crates/trove-search/QUERY.md"),
    ("query_unknown_field", ""),
    ("query_bad_value", ""),
    ("index_open", "`trove reindex` rebuilds the index from the catalog"),
    ("index_locked", "stop `trove watch` or close the desktop app first"),
    ("index_read_only", ""),
    (
        "index_unusable",
        "`trove reindex` (or any command that writes) rebuilds it",
    ),
    ("index_io", ""),
    ("index_error", "`trove reindex` rebuilds the index from the catalog"),
];

/// The advice for `code`, if there is any to add.
pub fn hint(code: &str) -> Option<&'static str> {
    trove_core::CoreError::advice(HINTS, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_the_core_gives_has_one_line_and_no_line_is_stale() {
        assert_eq!(
            trove_core::CoreError::advice_gaps(HINTS),
            Vec::<String>::new(),
            "the CLI hints"
        );
    }
}
