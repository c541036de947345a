//! The TypeScript types in `ui/src/lib/bindings/` are generated from the
//! DTOs. This test fails when they drift; regenerate them with
//! `UPDATE_BINDINGS=1 cargo test -p trove-desktop --test bindings`.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::path::PathBuf;

use trove_desktop::dto::*;
use ts_rs::TS;

fn generated() -> Vec<(String, String)> {
    fn one<T: TS + 'static>() -> (String, String) {
        (format!("{}.ts", T::name()), T::export_to_string().unwrap())
    }
    vec![
        one::<ErrorDto>(),
        one::<ChangeDto>(),
        one::<EditDto>(),
        one::<CurationDto>(),
        one::<CommentDto>(),
        one::<AlbumDto>(),
        one::<KeywordDto>(),
        one::<SidecarStatusDto>(),
        one::<RootDto>(),
        one::<AssetDto>(),
        one::<AssetPageDto>(),
        one::<LibraryDto>(),
        one::<RecoveredDto>(),
        one::<RestoreDto>(),
        one::<ScanReportDto>(),
        one::<EventDto>(),
        one::<FacetValueDto>(),
        one::<FacetsDto>(),
        one::<SearchPageDto>(),
        one::<FieldDto>(),
        one::<FileDto>(),
        one::<DerivativeDto>(),
        one::<SyncObjectDto>(),
        one::<AssetDetailDto>(),
        one::<JobKindDto>(),
        one::<FailedJobDto>(),
        one::<JobStatusDto>(),
        one::<SyncSettingsDto>(),
        one::<ShareDto>(),
        one::<ShareLinksDto>(),
        one::<IncomingDto>(),
        one::<FolderDto>(),
        one::<RefusedDto>(),
        one::<TimelineDayDto>(),
        one::<RemovedRootDto>(),
        one::<RootPolicyDto>(),
        one::<TextTrackDto>(),
        one::<PlaybackDto>(),
        one::<MissingElementDto>(),
        one::<VerifyDto>(),
        one::<AuditDto>(),
        one::<Operation>(),
    ]
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings");
    let update = std::env::var_os("UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    for (name, ts) in generated() {
        let path = dir.join(&name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != ts {
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, ts).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "TypeScript bindings are out of date: {stale:?}; run `UPDATE_BINDINGS=1 cargo test -p trove-desktop --test bindings`"
    );
}
