//! XMP sidecars beside originals: read with them, winning over what they
//! embed, never assets of their own, and noticed when edited alone.

use trove_core::{Cancel, NoEvents, ScanScope};
use trove_testkit::{insert_xmp, jpeg_bytes, raw_tiff, xmp_packet};

use super::Env;

/// Sets a file's modification time to `secs` seconds ago (old enough that
/// the scan trusts it).
fn set_age(env: &Env, rel: &str, secs: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    let f = std::fs::File::options().write(true).open(env.path(rel)).unwrap();
    f.set_modified(when).unwrap();
}

fn rating(env: &Env, rel: &str) -> Option<i8> {
    env.asset_at(rel).metadata.and_then(|m| m.rating)
}

fn write_sidecar(env: &Env, rel: &str, rating: i8, keywords: &[&str]) {
    let xml = xmp_packet(rating, "", "", keywords, &[]);
    std::fs::write(env.path(rel), xml).unwrap();
}

#[test]
fn a_sidecar_wins_over_the_embedded_xmp_field_by_field_and_is_no_asset() {
    let env = Env::new();
    let embedded = xmp_packet(2, "Red", "Embedded title", &["old"], &[]);
    let jpeg = insert_xmp(&jpeg_bytes(16, 16, [9, 9, 9], 0, None), &embedded);
    std::fs::write(env.path("photo.jpg"), jpeg).unwrap();
    write_sidecar(&env, "photo.xmp", 5, &["puffin", "iceland"]);
    let report = env.scan();
    assert_eq!(report.files_seen, 1, "the sidecar belongs to the photo");
    assert_eq!(env.assets().len(), 1);
    let m = env.asset_at("photo.jpg").metadata.unwrap();
    assert_eq!(m.rating, Some(5));
    assert_eq!(m.raw["xmp"]["keywords"], serde_json::json!(["puffin", "iceland"]));
    assert_eq!(
        m.title.as_deref(),
        Some("Embedded title"),
        "what the sidecar lacks comes from the file"
    );
}

#[test]
fn darktable_style_sidecars_of_raw_files_are_read() {
    let env = Env::new();
    let preview = jpeg_bytes(64, 48, [200, 10, 10], 2, None);
    std::fs::write(env.path("DSC_1.NEF"), raw_tiff(1, &preview, &preview)).unwrap();
    write_sidecar(&env, "DSC_1.NEF.xmp", 4, &["fox"]);
    env.scan();
    assert_eq!(env.assets().len(), 1);
    assert_eq!(rating(&env, "DSC_1.NEF"), Some(4));
}

#[test]
fn editing_only_the_sidecar_is_noticed_and_removing_it_falls_back() {
    let env = Env::new();
    let embedded = xmp_packet(2, "", "", &[], &[]);
    std::fs::write(
        env.path("photo.jpg"),
        insert_xmp(&jpeg_bytes(16, 16, [9, 9, 9], 0, None), &embedded),
    )
    .unwrap();
    write_sidecar(&env, "photo.xmp", 5, &[]);
    set_age(&env, "photo.jpg", 7200);
    set_age(&env, "photo.xmp", 7200);
    env.scan();
    let id = env.asset_at("photo.jpg").asset.id;
    let unchanged = env.scan();
    assert_eq!((unchanged.unchanged, unchanged.changed), (1, 0));

    write_sidecar(&env, "photo.xmp", 3, &[]);
    set_age(&env, "photo.xmp", 3600);
    let report = env.scan();
    assert_eq!(report.changed, 1, "{report:?}");
    assert_eq!(rating(&env, "photo.jpg"), Some(3));
    assert_eq!(env.asset_at("photo.jpg").asset.id, id, "same asset");

    // The watcher names the sidecar alone: its original is read again.
    write_sidecar(&env, "photo.xmp", 1, &[]);
    set_age(&env, "photo.xmp", 1800);
    env.lib
        .scan_root(
            env.root_id,
            ScanScope::Paths(vec!["photo.xmp".into()]),
            1,
            &NoEvents,
            &Cancel::new(),
        )
        .unwrap();
    assert_eq!(rating(&env, "photo.jpg"), Some(1));

    std::fs::remove_file(env.path("photo.xmp")).unwrap();
    env.scan();
    assert_eq!(rating(&env, "photo.jpg"), Some(2), "back to the embedded rating");
    assert_eq!(env.assets().len(), 1);
}

/// A sidecar whose original is gone is not an asset (it is XMP, not a
/// photo); a folder set to catalogue every file takes it like any file.
#[test]
fn an_xmp_file_with_no_original_is_left_out_unless_the_folder_takes_every_file() {
    let env = Env::new();
    write_sidecar(&env, "lonely.xmp", 3, &[]);
    let report = env.scan();
    assert_eq!((env.assets().len(), report.left_out), (0, 1));
    env.lib
        .set_folder_kinds(&env.root_id.to_string(), trove_core::types::FolderKinds::All)
        .unwrap();
    env.scan();
    assert_eq!(env.assets().len(), 1);
}

/// Another tool (Lightroom, digiKam) edits the sidecar after the person
/// curated in Trove: what the tool changed wins field by field, what it
/// did not change keeps the person's value, and the replaced value is in
/// the history, where undo brings it back.
#[test]
fn another_tools_sidecar_edit_wins_field_by_field_and_undo_brings_back_what_it_replaced() {
    use trove_core::Selection;
    use trove_core::catalog::CurationChange;

    let env = Env::new();
    std::fs::write(env.path("photo.jpg"), jpeg_bytes(16, 16, [9, 9, 9], 0, None)).unwrap();
    std::fs::write(
        env.path("photo.xmp"),
        xmp_packet(3, "Red", "Harbour", &[], &["Places|Iceland"]),
    )
    .unwrap();
    set_age(&env, "photo.jpg", 7200);
    set_age(&env, "photo.xmp", 7200);
    env.scan();
    let id = env.asset_at("photo.jpg").asset.id;
    let sel = Selection::Ids(vec![id]);
    env.lib
        .edit(&sel, CurationChange::Rating { rating: 5 }, &NoEvents)
        .unwrap();
    env.lib
        .edit(
            &sel,
            CurationChange::Keywords {
                add: vec!["Birds|Puffin".parse().unwrap()],
                remove: vec![],
            },
            &NoEvents,
        )
        .unwrap();

    // The other tool changes the label and the keywords, not the rating.
    std::fs::write(
        env.path("photo.xmp"),
        xmp_packet(3, "Green", "Harbour", &[], &["Places|Iceland|Reykjavik"]),
    )
    .unwrap();
    set_age(&env, "photo.xmp", 3600);
    env.scan();
    let c = env.lib.curation(id).unwrap();
    assert_eq!(c.rating, 5, "the file did not change the rating: the person's stands");
    assert_eq!(
        c.label.map(|l| l.as_str()),
        Some("green"),
        "the file's later label wins"
    );
    let keywords: Vec<String> = c.keywords.iter().map(ToString::to_string).collect();
    assert_eq!(keywords, ["Birds|Puffin", "Places|Iceland|Reykjavik"]);
    let history: Vec<String> = env
        .lib
        .edit_history(10)
        .unwrap()
        .into_iter()
        .map(|e| e.summary)
        .collect();
    assert!(
        history.contains(&"label green (from the file's XMP)".to_owned()),
        "{history:?}"
    );

    // Undo takes the file's newest change back, one step at a time.
    env.lib.undo(&NoEvents).unwrap();
    env.lib.undo(&NoEvents).unwrap();
    let c = env.lib.curation(id).unwrap();
    assert_eq!(c.label.map(|l| l.as_str()), Some("red"));
    let keywords: Vec<String> = c.keywords.iter().map(ToString::to_string).collect();
    assert_eq!(keywords, ["Birds|Puffin", "Places|Iceland"]);
}

/// A photo whose caption, keywords and place are only in its IPTC-IIM
/// block (as older Photoshop and newsroom tools write them, here by
/// exiftool) gets them; an embedded XMP value wins where both have one.
#[test]
fn iptc_fills_what_the_xmp_leaves_out() {
    let env = Env::new();
    let embedded = xmp_packet(3, "", "XMP title", &[], &[]);
    std::fs::write(
        env.path("scan.jpg"),
        insert_xmp(&jpeg_bytes(32, 24, [90, 90, 20], 3, None), &embedded),
    )
    .unwrap();
    let out = std::process::Command::new("exiftool")
        .args([
            "-overwrite_original",
            "-codedcharacterset=utf8",
            "-IPTC:ObjectName=IPTC title",
            "-IPTC:Keywords=Iceland",
            "-IPTC:Keywords=Lundi",
            "-IPTC:Caption-Abstract=Two puffins",
            "-IPTC:City=Reykjavík",
        ])
        .arg(env.path("scan.jpg"))
        .output()
        .expect("exiftool runs (scripts/deps.sh installs libimage-exiftool-perl)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    set_age(&env, "scan.jpg", 3600);
    env.scan();
    let d = env.asset_at("scan.jpg");
    let m = d.metadata.unwrap();
    assert_eq!(m.title.as_deref(), Some("XMP title"), "XMP wins where both say");
    assert_eq!(m.description.as_deref(), Some("Two puffins"));
    assert_eq!(m.raw["xmp"]["keywords"], serde_json::json!(["Iceland", "Lundi"]));
    assert_eq!(m.raw["xmp"]["city"], "Reykjavík");
    let keywords: Vec<String> = d.curation.keywords.iter().map(ToString::to_string).collect();
    assert_eq!(keywords, ["Iceland", "Lundi"]);
    let found = env
        .lib
        .search(
            &trove_core::SearchQuery {
                text: "tag:lundi".into(),
                limit: 10,
                ..Default::default()
            },
            &NoEvents,
        )
        .unwrap();
    assert_eq!(found.total, 1);
}
