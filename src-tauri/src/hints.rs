//! What to do next, in the desktop's words (its buttons and panels), for
//! each code the core can give. The core's messages say what went wrong
//! with which value; this adds what helps in this window. Every core code
//! has a line (empty where the message says all there is to say); a test
//! checks that none is missing and none is stale.

/// `(code, advice)`.
const HINTS: &[(&str, &str)] = &[
    // The catalog.
    ("catalog_too_new", ""),
    (
        "catalog_needs_upgrade",
        "close every other Trove window and `trove watch`, then start Trove again",
    ),
    ("catalog_corrupt", ""),
    ("catalog_busy", ""),
    ("not_found", "it may have just been removed; the view refreshes"),
    ("catalog_error", ""),
    // The library and its folders.
    (
        "library_locked",
        "close the other Trove window or stop `trove watch`, then start Trove again",
    ),
    ("no_library", ""),
    ("io_error", ""),
    ("disk_full", "Trove carries on by itself once there is room"),
    ("not_a_folder", ""),
    ("root_inside_library", ""),
    (
        "library_inside_root",
        "start Trove with TROVE_LIBRARY set to keep the library elsewhere",
    ),
    (
        "root_overlaps",
        "remove that folder from the sidebar first, or add one that neither holds it nor lies in it",
    ),
    ("asset_not_found", "it may have just been removed; the view refreshes"),
    (
        "root_not_found",
        "it may have just been removed; the sidebar lists the watched folders",
    ),
    (
        "read_only",
        "close the other Trove window or stop `trove watch`, then start Trove again",
    ),
    ("cancelled", ""),
    ("watch_failed", ""),
    // Sync and restore.
    ("no_target", "set one with Sync…"),
    ("restore_folder_missing", "use Restore to… beside the folder"),
    ("restore_conflict", ""),
    (
        "target_damaged",
        "Verify in the Sync panel finds every damaged copy, and the next sync sends good ones",
    ),
    // Sharing.
    ("share_expiry_invalid", ""),
    (
        "request_invalid",
        "pick at least one file type and a size limit of at least 1 MB",
    ),
    // Curation.
    ("curation_invalid", ""),
    ("system_folder", ""),
    ("bad_log_filter", ""),
    ("target_overlaps", ""),
    ("bad_storage_setting", ""),
    ("album_not_found", "the sidebar lists the albums"),
    ("album_refused", ""),
    (
        "sidecar_refused",
        "fix or move the sidecar aside; Trove tries again after the next edit",
    ),
    (
        "nothing_selected",
        "select assets in the grid, or search for them, and try again",
    ),
    ("library_exists", "pick a new, empty folder"),
    ("no_snapshot", "check the bucket's address and endpoint"),
    (
        "share_needs_bucket",
        "set an S3-compatible bucket as the target with Sync…",
    ),
    (
        "share_key_needed",
        "it was made by the command line with a sharing key: renew or revoke it there (`trove share`)",
    ),
    ("share_too_big", "select fewer assets"),
    (
        "nothing_to_share",
        "wait until its preview is made (the activity bar shows the work left)",
    ),
    ("share_not_found", "the Sync panel lists the shares"),
    ("share_not_live", "make a new share"),
    ("share_request_renew", ""),
    ("share_copy_failed", ""),
    // Viewing.
    ("page_render_failed", ""),
    ("full_image_failed", ""),
    // The target.
    ("store_not_found", ""),
    ("store_no_bucket", ""),
    ("store_bad_credentials", "enter the keys again in Sync…"),
    ("store_access_denied", ""),
    ("store_no_credentials", "enter the access key and the secret in Sync…"),
    ("store_checksum_mismatch", "the next sync sends it again"),
    ("store_full", ""),
    ("store_upload_gone", "the next sync starts the upload again"),
    ("store_network", "the next sync resumes where this one stopped"),
    ("store_server_busy", "the next sync resumes where this one stopped"),
    ("store_refused", ""),
    (
        "store_archived",
        "the fixity check asks for its restore and checks it once it is back",
    ),
    ("store_io", ""),
    ("store_unsupported", ""),
    ("store_invalid", ""),
    // Search.
    ("query_too_long", ""),
    ("query_too_deep", ""),
    ("query_too_complex", ""),
    ("query_syntax", ""),
    ("query_unknown_field", ""),
    ("query_bad_value", ""),
    ("index_open", "start Trove again to rebuild the index from the catalog"),
    ("index_locked", "stop `trove watch` or close the other Trove window"),
    ("index_read_only", ""),
    (
        "index_unusable",
        "start Trove again while no other Trove process writes: it rebuilds the index",
    ),
    ("index_io", ""),
    ("index_error", "start Trove again to rebuild the index from the catalog"),
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
            "the desktop hints"
        );
    }

    /// The desktop's own codes are listed once, and where one is also a
    /// core code it means the same mistake.
    #[test]
    fn the_desktops_own_codes_are_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for c in crate::codes::ALL {
            assert!(seen.insert(c), "{c} is listed twice");
        }
        let shared: Vec<&str> = crate::codes::ALL
            .iter()
            .copied()
            .filter(|c| trove_core::CoreError::codes().any(|k| k == *c))
            .collect();
        assert_eq!(shared, ["request_invalid", "read_only", "root_not_found"]);
    }
}
