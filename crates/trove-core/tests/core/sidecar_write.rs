//! Writing curation into XMP sidecars, checked with exiftool (Debian's
//! libimage-exiftool-perl) as the independent reader: every property Trove
//! writes, sidecars written the way Lightroom and darktable write them
//! updated without losing what Trove does not own, Trove's own writes not
//! taken for another tool's, and bad sidecars and read-only folders
//! reported while the catalog keeps the values.

use std::path::Path;
use std::process::Command;

use trove_core::catalog::{CurationChange, TextField};
use trove_core::{Cancel, NoEvents, Selection, SidecarMode, SidecarNaming};
use trove_testkit::jpeg_bytes;

use super::Env;

/// exiftool's reading of a file's XMP, as JSON.
fn exiftool(path: &Path) -> serde_json::Value {
    let out = Command::new("exiftool")
        .args(["-j", "-struct", "-XMP:all"])
        .arg(path)
        .output()
        .expect("exiftool (scripts/deps.sh installs libimage-exiftool-perl)");
    assert!(
        out.status.success(),
        "exiftool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v[0].clone()
}

fn set_age(path: &Path, secs: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

fn curate(env: &Env, rel: &str) -> trove_core::types::AssetId {
    let id = env.asset_at(rel).asset.id;
    let sel = Selection::Ids(vec![id]);
    for change in [
        CurationChange::Rating { rating: 4 },
        CurationChange::Label {
            label: Some(trove_core::types::ColorLabel::Red),
        },
        CurationChange::Text {
            field: TextField::Title,
            value: Some("Harbour & boats".into()),
        },
        CurationChange::Text {
            field: TextField::Caption,
            value: Some("Fishing boats at dawn".into()),
        },
        CurationChange::Text {
            field: TextField::Creator,
            value: Some("Ana Sigurðardóttir".into()),
        },
        CurationChange::Text {
            field: TextField::Rights,
            value: Some("© 2024 Ana".into()),
        },
        CurationChange::Keywords {
            add: vec!["Places|Iceland|Reykjavik".parse().unwrap(), "Boats".parse().unwrap()],
            remove: vec![],
        },
    ] {
        env.lib.edit(&sel, change, &NoEvents).unwrap();
    }
    id
}

#[test]
fn exiftool_reads_every_property_trove_writes_and_the_original_is_untouched() {
    let env = Env::new();
    let jpeg = jpeg_bytes(16, 16, [9, 9, 9], 0, None);
    std::fs::write(env.path("photo.jpg"), &jpeg).unwrap();
    env.scan();
    env.lib
        .set_sidecar_settings(SidecarMode::Write, SidecarNaming::Full)
        .unwrap();
    curate(&env, "photo.jpg");
    let report = env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    assert_eq!((report.written, report.failed), (1, 0));

    let x = exiftool(&env.path("photo.jpg.xmp"));
    assert_eq!(x["Rating"], 4, "{x}");
    assert_eq!(x["Label"], "Red");
    assert_eq!(x["Title"], "Harbour & boats");
    assert_eq!(x["Description"], "Fishing boats at dawn");
    assert_eq!(
        x["Creator"],
        serde_json::json!(["Ana Sigurðardóttir"]),
        "dc:creator is a list"
    );
    assert_eq!(x["Rights"], "© 2024 Ana");
    assert_eq!(
        x["Subject"],
        serde_json::json!(["Boats", "Places", "Iceland", "Reykjavik"])
    );
    assert_eq!(
        x["HierarchicalSubject"],
        serde_json::json!(["Boats", "Places|Iceland|Reykjavik"])
    );
    assert_eq!(x["TagsList"], serde_json::json!(["Boats", "Places/Iceland/Reykjavik"]));
    assert_eq!(
        std::fs::read(env.path("photo.jpg")).unwrap(),
        jpeg,
        "the original is never written"
    );

    // A reject is Lightroom's rating -1.
    let id = env.asset_at("photo.jpg").asset.id;
    env.lib
        .edit(
            &Selection::Ids(vec![id]),
            CurationChange::Flag {
                flag: Some(trove_core::types::Flag::Reject),
            },
            &NoEvents,
        )
        .unwrap();
    env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    assert_eq!(exiftool(&env.path("photo.jpg.xmp"))["Rating"], -1);

    // Trove's own write is not another tool's edit: a scan changes nothing.
    let before = env.lib.edit_history(50).unwrap().len();
    let report = env.scan();
    assert_eq!(report.changed, 0, "{report:?}");
    assert_eq!(env.lib.edit_history(50).unwrap().len(), before);
}

#[test]
fn a_darktable_and_lightroom_sidecar_keeps_what_trove_does_not_own() {
    let env = Env::new();
    std::fs::write(env.path("DSC_1.jpg"), jpeg_bytes(16, 16, [1, 2, 3], 1, None)).unwrap();
    // exiftool writes the sidecar as another tool would: Lightroom's
    // develop settings, a darktable field, a rating and keywords.
    let out = Command::new("exiftool")
        .args([
            "-q",
            "-o",
            "DSC_1.jpg.xmp",
            "-XMP-crs:Exposure2012=+0.50",
            "-XMP-crs:WhiteBalance=Custom",
            "-XMP-xmp:Rating=2",
            "-XMP-dc:Subject=Tag",
            "-XMP-lr:HierarchicalSubject=Old|Tag",
            "-XMP-xmpMM:DocumentID=xmp.did:1234",
            "DSC_1.jpg",
        ])
        .current_dir(&env.root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    set_age(&env.path("DSC_1.jpg"), 7200);
    set_age(&env.path("DSC_1.jpg.xmp"), 7200);
    env.scan();
    assert_eq!(
        env.lib.curation(env.asset_at("DSC_1.jpg").asset.id).unwrap().rating,
        2,
        "read from the sidecar"
    );

    env.lib
        .set_sidecar_settings(SidecarMode::Write, SidecarNaming::Full)
        .unwrap();
    curate(&env, "DSC_1.jpg");
    env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    let x = exiftool(&env.path("DSC_1.jpg.xmp"));
    assert_eq!(x["Exposure2012"], "+0.50", "Lightroom's settings survive: {x}");
    assert_eq!(x["WhiteBalance"], "Custom");
    assert_eq!(x["DocumentID"], "xmp.did:1234");
    assert_eq!(x["Rating"], 4);
    assert_eq!(
        x["HierarchicalSubject"],
        serde_json::json!(["Boats", "Old|Tag", "Places|Iceland|Reykjavik"]),
        "the file's keywords were the curation's, and the new ones joined them"
    );
    assert!(
        !env.path("DSC_1.xmp").exists(),
        "the existing sidecar is updated, no second one made"
    );
}

/// Another tool edits a sidecar Trove wrote: `exiftool` changes the
/// rating and the title in place, as Lightroom or darktable would.
fn edit_as_other_tool(env: &Env, sidecar: &str, rating: i32, title: &str) {
    let out = Command::new("exiftool")
        .args([
            "-q",
            "-overwrite_original",
            &format!("-XMP-xmp:Rating={rating}"),
            &format!("-XMP-dc:Title={title}"),
            sidecar,
        ])
        .current_dir(&env.root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn when_both_sides_changed_a_field_the_later_change_wins_and_the_other_is_in_the_history() {
    let env = Env::new();
    std::fs::write(env.path("photo.jpg"), jpeg_bytes(16, 16, [4, 5, 6], 0, None)).unwrap();
    env.scan();
    env.lib
        .set_sidecar_settings(SidecarMode::Write, SidecarNaming::Full)
        .unwrap();
    let id = curate(&env, "photo.jpg");
    env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    let sel = Selection::Ids(vec![id]);

    // The person retitles in Trove; before the sidecar is written again,
    // another tool changed the rating and the title in the sidecar, an
    // hour earlier (its modification time says so). Trove's title and
    // rating edits are both later: they win.
    env.lib
        .edit(
            &sel,
            CurationChange::Text {
                field: TextField::Title,
                value: Some("Trove's title".into()),
            },
            &NoEvents,
        )
        .unwrap();
    edit_as_other_tool(&env, "photo.jpg.xmp", 2, "Older title");
    set_age(&env.path("photo.jpg.xmp"), 3600);
    env.scan();
    let c = env.lib.curation(id).unwrap();
    assert_eq!(c.rating, 4, "Trove's later rating wins");
    assert_eq!(c.title.as_deref(), Some("Trove's title"), "Trove's later title wins");
    let history = env.lib.edit_history(4).unwrap();
    let from_file = CurationChange::Text {
        field: TextField::Title,
        value: Some("Older title".into()),
    };
    assert!(
        history
            .iter()
            .any(|e| e.change == from_file && e.summary.contains("the file's XMP")),
        "the file's value is kept in the history: {history:?}"
    );
    // Undo of the put-back brings the file's value.
    env.lib.undo(&NoEvents).unwrap();
    assert_eq!(env.lib.curation(id).unwrap().title.as_deref(), Some("Older title"));
    env.lib.redo(&NoEvents).unwrap();
    assert_eq!(env.lib.curation(id).unwrap().title.as_deref(), Some("Trove's title"));
    // The sidecar gets the winning values.
    env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    let x = exiftool(&env.path("photo.jpg.xmp"));
    assert_eq!(
        (x["Rating"].as_i64(), x["Title"].as_str()),
        (Some(4), Some("Trove's title"))
    );

    // Now the other tool's change is the later one: it wins, and the
    // fields it did not change keep the person's values.
    edit_as_other_tool(&env, "photo.jpg.xmp", 1, "Newer title");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(env.path("photo.jpg.xmp"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    env.scan();
    let c = env.lib.curation(id).unwrap();
    assert_eq!((c.rating, c.title.as_deref()), (1, Some("Newer title")));
    assert_eq!(c.caption.as_deref(), Some("Fishing boats at dawn"));
    env.lib.undo(&NoEvents).unwrap();
    assert_eq!(
        env.lib.curation(id).unwrap().title.as_deref(),
        Some("Trove's title"),
        "the value the file replaced is one undo away"
    );
}

#[test]
fn bad_sidecars_and_read_only_folders_are_reported_and_left_alone() {
    let env = Env::new();
    std::fs::create_dir_all(env.path("locked")).unwrap();
    std::fs::write(env.path("bad.jpg"), jpeg_bytes(16, 16, [5, 5, 5], 2, None)).unwrap();
    std::fs::write(env.path("locked/ro.jpg"), jpeg_bytes(16, 16, [6, 6, 6], 3, None)).unwrap();
    let garbage = b"this is not XMP, it is someone's notes".to_vec();
    std::fs::write(env.path("bad.jpg.xmp"), &garbage).unwrap();
    env.scan();
    env.lib
        .set_sidecar_settings(SidecarMode::Write, SidecarNaming::Base)
        .unwrap();
    let bad = curate(&env, "bad.jpg");
    let ro = curate(&env, "locked/ro.jpg");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.path("locked"), std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes into a read-only folder anyway: there, a folder where
    // the sidecar would go stands in for a place that cannot be written.
    let running_as_root = std::fs::write(env.path("locked/probe"), b"x").is_ok();
    if running_as_root {
        std::fs::remove_file(env.path("locked/probe")).unwrap();
        std::fs::create_dir_all(env.path("locked/ro.xmp/in-the-way")).unwrap();
        std::fs::create_dir_all(env.path("locked/ro.jpg.xmp/in-the-way")).unwrap();
    }
    let report = env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    assert_eq!(report.failed, 2, "{report:?}");
    assert_eq!(
        std::fs::read(env.path("bad.jpg.xmp")).unwrap(),
        garbage,
        "left byte for byte"
    );
    let counts = env.lib.sidecar_counts().unwrap();
    let errors: Vec<&str> = counts.failures.iter().map(|(_, e)| e.as_str()).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("bad.jpg.xmp") && e.contains("rdf:Description")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("locked/ro.")), "{errors:?}");
    // The catalog has the values all the same.
    assert_eq!(env.lib.curation(bad).unwrap().rating, 4);
    assert_eq!(env.lib.curation(ro).unwrap().rating, 4);

    // Once the folder is writable and the sidecar mended, the next run
    // writes them.
    std::fs::set_permissions(env.path("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let _ = std::fs::remove_dir_all(env.path("locked/ro.xmp"));
    let _ = std::fs::remove_dir_all(env.path("locked/ro.jpg.xmp"));
    std::fs::remove_file(env.path("bad.jpg.xmp")).unwrap();
    let report = env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    assert_eq!(report.failed, 0, "{report:?}");
    assert_eq!(
        exiftool(&env.path("locked/ro.xmp"))["Rating"],
        4,
        "named photo.xmp, as asked"
    );
    assert_eq!(env.lib.sidecar_counts().unwrap().dirty, 0);
}

#[test]
fn sidecars_are_off_unless_asked() {
    let env = Env::new();
    std::fs::write(env.path("a.jpg"), jpeg_bytes(16, 16, [7, 7, 7], 4, None)).unwrap();
    env.scan();
    curate(&env, "a.jpg");
    let report = env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    assert_eq!(report.written, 0);
    let names: Vec<String> = std::fs::read_dir(&env.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.jpg"], "nothing written into the folder");
}

/// A RAW and a JPEG of one name: Lightroom's `photo.xmp` belongs to the
/// RAW; the JPEG gets a sidecar of its own rather than writing over it.
#[test]
fn a_raw_and_a_jpeg_of_one_name_each_keep_their_own_sidecar() {
    let env = Env::new();
    let preview = jpeg_bytes(32, 24, [200, 10, 10], 8, None);
    std::fs::write(env.path("DSC_7.NEF"), trove_testkit::raw_tiff(1, &preview, &preview)).unwrap();
    std::fs::write(env.path("DSC_7.jpg"), jpeg_bytes(32, 24, [10, 10, 200], 9, None)).unwrap();
    std::fs::write(env.path("DSC_7.xmp"), trove_testkit::xmp_packet(2, "", "", &[], &[])).unwrap();
    set_age(&env.path("DSC_7.NEF"), 7200);
    set_age(&env.path("DSC_7.jpg"), 7200);
    set_age(&env.path("DSC_7.xmp"), 7200);
    env.scan();
    let (raw, jpg) = (env.asset_at("DSC_7.NEF").asset.id, env.asset_at("DSC_7.jpg").asset.id);
    assert_eq!(env.lib.curation(raw).unwrap().rating, 2, "the RAW reads its sidecar");
    let (owner, other) = (raw, jpg);
    env.lib
        .set_sidecar_settings(SidecarMode::Write, SidecarNaming::Base)
        .unwrap();
    env.lib
        .edit(
            &Selection::Ids(vec![owner]),
            CurationChange::Rating { rating: 5 },
            &NoEvents,
        )
        .unwrap();
    env.lib
        .edit(
            &Selection::Ids(vec![other]),
            CurationChange::Rating { rating: 1 },
            &NoEvents,
        )
        .unwrap();
    let report = env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    let failures = env.lib.sidecar_counts().unwrap().failures;
    assert_eq!((report.written, report.failed), (2, 0), "{report:?} {failures:?}");
    assert_eq!(
        exiftool(&env.path("DSC_7.xmp"))["Rating"],
        5,
        "the owner's sidecar has the owner's stars"
    );
    assert_eq!(
        exiftool(&env.path("DSC_7.jpg.xmp"))["Rating"],
        1,
        "the other file got its own"
    );
}

/// Two RAWs and a JPEG of one name, none with a sidecar yet, with
/// Lightroom's naming: `photo.xmp` goes to the first RAW by name, and the
/// other RAW and the JPEG get sidecars of their own, whatever order they
/// are written in. No file's stars end up in another's sidecar.
#[test]
fn two_raws_of_one_name_never_share_a_sidecar() {
    let env = Env::new();
    let preview = jpeg_bytes(32, 24, [200, 10, 10], 8, None);
    let other_preview = jpeg_bytes(32, 24, [10, 200, 10], 8, None);
    // The JPEG first, so it is catalogued (and written) before the RAWs.
    std::fs::write(env.path("IMG_1.jpg"), jpeg_bytes(32, 24, [10, 10, 200], 9, None)).unwrap();
    std::fs::write(env.path("IMG_1.NEF"), trove_testkit::raw_tiff(1, &preview, &preview)).unwrap();
    std::fs::write(
        env.path("IMG_1.CR2"),
        trove_testkit::raw_tiff(2, &other_preview, &other_preview),
    )
    .unwrap();
    for name in ["IMG_1.jpg", "IMG_1.NEF", "IMG_1.CR2"] {
        set_age(&env.path(name), 7200);
    }
    env.scan();
    env.lib
        .set_sidecar_settings(SidecarMode::Write, SidecarNaming::Base)
        .unwrap();
    for (name, stars) in [("IMG_1.jpg", 1), ("IMG_1.NEF", 3), ("IMG_1.CR2", 5)] {
        let id = env.asset_at(name).asset.id;
        env.lib
            .edit(
                &Selection::Ids(vec![id]),
                CurationChange::Rating { rating: stars },
                &NoEvents,
            )
            .unwrap();
    }
    let report = env.lib.write_dirty_sidecars(&Cancel::new()).unwrap();
    assert_eq!((report.written, report.failed), (3, 0), "{report:?}");
    assert_eq!(
        exiftool(&env.path("IMG_1.xmp"))["Rating"],
        5,
        "the first RAW by name owns photo.xmp"
    );
    assert_eq!(exiftool(&env.path("IMG_1.NEF.xmp"))["Rating"], 3);
    assert_eq!(exiftool(&env.path("IMG_1.jpg.xmp"))["Rating"], 1);
}
