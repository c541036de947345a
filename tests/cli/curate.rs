//! Curating from the command line: rate, flag, label, tag, texts, undo and
//! redo, by path, id or search; bad values and empty selections are usage
//! errors (exit 2) that change nothing.

use super::{stderr, stdout_json, trove};
use trove_testkit::write_jpeg;

fn library_of_three() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    for (i, name) in ["a.jpg", "b.jpg", "c.jpg"].iter().enumerate() {
        write_jpeg(&photos.join(name), 16 + i as u32, 16, [10, 20, 30], 1, None);
    }
    let out = trove(&lib, &["add", photos.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (tmp, lib, photos)
}

fn names(lib: &std::path::Path, query: &str) -> Vec<String> {
    let found = stdout_json(&trove(lib, &["search", query, "--json"]));
    let mut names: Vec<String> = found["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn rate_flag_label_tag_and_caption_then_undo_and_redo() {
    let (_tmp, lib, photos) = library_of_three();
    let a = photos.join("a.jpg");
    let b = photos.join("b.jpg");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());

    let out = trove(&lib, &["rate", a, b, "4", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let edit = stdout_json(&out);
    assert_eq!(
        (edit["summary"].as_str(), edit["assets"].as_u64()),
        (Some("rating 4"), Some(2))
    );

    assert!(trove(&lib, &["flag", "--query", "rating:>=4", "pick"]).status.success());
    assert!(trove(&lib, &["label", b, "purple"]).status.success());
    let out = trove(
        &lib,
        &["tag", a, "+Places/Iceland/Reykjavik", "+Birds", "-Nothing", "--json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["change"]["add"][0], "Places|Iceland|Reykjavik");
    assert!(trove(&lib, &["caption", a, "Puffins on the cliff"]).status.success());

    assert_eq!(names(&lib, "rating:4"), ["a.jpg", "b.jpg"]);
    assert_eq!(names(&lib, "flag:pick"), ["a.jpg", "b.jpg"]);
    assert_eq!(names(&lib, "label:purple"), ["b.jpg"]);
    assert_eq!(names(&lib, "keyword:Places/Iceland"), ["a.jpg"]);
    assert_eq!(names(&lib, "puffins"), ["a.jpg"]);

    let info = stdout_json(&trove(&lib, &["info", a, "--json"]));
    assert_eq!(info["curation"]["rating"], 4);
    assert_eq!(info["curation"]["flag"], "pick");
    assert_eq!(
        info["curation"]["keywords"],
        serde_json::json!(["Birds", "Places|Iceland|Reykjavik"])
    );

    let out = trove(&lib, &["undo", "--json"]);
    assert_eq!(stdout_json(&out)["state"], "undone");
    assert!(names(&lib, "puffins").is_empty(), "the caption was taken back");
    assert!(trove(&lib, &["undo"]).status.success());
    assert!(names(&lib, "keyword:Places").is_empty());
    assert!(trove(&lib, &["redo"]).status.success());
    assert_eq!(names(&lib, "keyword:Places"), ["a.jpg"]);

    let history = stdout_json(&trove(&lib, &["history", "--json"]));
    let states: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["undone", "done", "done", "done", "done"]);
}

#[test]
fn bad_values_and_empty_selections_exit_2_and_change_nothing() {
    let (_tmp, lib, photos) = library_of_three();
    let a = photos.join("a.jpg");
    let a = a.to_str().unwrap();
    for args in [
        vec!["rate", a, "6"],
        vec!["label", a, "teal"],
        vec!["flag", a, "maybe"],
        vec!["tag", a, "+A||B"],
        vec!["rate", "--query", "name:nothing-like-this", "3"],
        vec!["rate", "3"],
        vec!["rate", "--query", "rating:lots", "3"],
    ] {
        let out = trove(&lib, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error: "), "{args:?}: {}", stderr(&out));
    }
    let out = trove(&lib, &["rate", "/no/such/photo.jpg", "3"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("/no/such/photo.jpg"), "{}", stderr(&out));
    let history = stdout_json(&trove(&lib, &["history", "--json"]));
    assert_eq!(history, serde_json::json!([]));
    let out = trove(&lib, &["undo"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("nothing to undo"), "{}", stderr(&out));
}

#[test]
fn albums_comments_and_the_keyword_tree_from_the_command_line() {
    let (_tmp, lib, photos) = library_of_three();
    let path = |n: &str| photos.join(n).to_str().unwrap().to_owned();
    let ok = |args: &[&str]| {
        let out = trove(&lib, args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    ok(&["album", "create", "Trips", "--folder"]);
    ok(&["album", "create", "Iceland 2024", "--in", "Trips"]);
    ok(&["album", "add", "Trips/Iceland 2024", &path("c.jpg"), &path("a.jpg")]);
    ok(&[
        "album",
        "order",
        "Trips/Iceland 2024",
        &path("a.jpg"),
        "--before",
        &path("c.jpg"),
    ]);
    let shown = stdout_json(&ok(&["album", "show", "Trips/Iceland 2024", "--json"]));
    let order: Vec<&str> = shown
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["a.jpg", "c.jpg"]);
    ok(&["album", "smart", "Picks", "flag:pick"]);
    ok(&["flag", &path("b.jpg"), "pick"]);
    let list = stdout_json(&ok(&["album", "list", "--json"]));
    let counts: Vec<(String, u64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["path"].as_str().unwrap().to_owned(), a["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        counts,
        [
            ("Picks".into(), 1),
            ("Trips".into(), 0),
            ("Trips/Iceland 2024".into(), 2)
        ]
    );
    assert_eq!(names(&lib, "album:\"Iceland 2024\""), ["a.jpg", "c.jpg"]);

    ok(&["comment", &path("a.jpg"), "Print this one", "--author", "ana"]);
    assert_eq!(names(&lib, "print"), ["a.jpg"]);
    let info = stdout_json(&ok(&["info", &path("a.jpg"), "--json"]));
    assert_eq!(info["curation"]["comments"][0]["author"], "ana");
    assert_eq!(info["curation"]["albums"], serde_json::json!(["Trips/Iceland 2024"]));

    ok(&["tag", &path("a.jpg"), "+Places/Island/Reykjavik"]);
    ok(&["keywords", "rename", "Places/Island", "Places/Iceland"]);
    let tree = stdout_json(&ok(&["keywords", "tree", "--json"]));
    let tree: Vec<&str> = tree
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["keyword"].as_str().unwrap())
        .collect();
    assert_eq!(tree, ["Places", "Places|Iceland", "Places|Iceland|Reykjavik"]);
    assert_eq!(names(&lib, "keyword:places/iceland"), ["a.jpg"]);
    // A rename is a step of the history: undo puts the old name back, on
    // the asset and in search.
    let out = ok(&["undo", "--json"]);
    assert_eq!(
        stdout_json(&out)["summary"],
        "keyword Places|Island renamed to Places|Iceland"
    );
    assert_eq!(names(&lib, "keyword:places/island"), ["a.jpg"]);
    assert!(names(&lib, "keyword:places/iceland").is_empty());
    ok(&["redo"]);
    assert_eq!(names(&lib, "keyword:places/iceland"), ["a.jpg"]);

    for args in [
        vec!["album", "rm", "Trips"],
        vec!["album", "create", "Iceland 2024", "--in", "Trips"],
        vec!["album", "add", "Nowhere", "a.jpg"],
        vec!["keywords", "merge", "Nope", "Places"],
        vec!["comment", &path("a.jpg"), "   "],
    ] {
        let out = trove(&lib, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

/// `trove sidecars write` writes what is curated beside the originals, and
/// `trove sidecars read` takes in what another tool wrote since.
#[test]
fn sidecars_are_written_and_read_back_from_the_command_line() {
    let (_tmp, lib, photos) = library_of_three();
    let a = photos.join("a.jpg");
    let a = a.to_str().unwrap();
    assert!(trove(&lib, &["rate", a, "4"]).status.success());
    let out = trove(&lib, &["sidecars", "write", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout_json(&out)["written"], 1);
    let written = std::fs::read_to_string(photos.join("a.jpg.xmp")).unwrap();
    assert!(written.contains(">4</xmp:Rating>"), "{written}");
    // Another tool changes the rating in the sidecar.
    std::fs::write(
        photos.join("a.jpg.xmp"),
        written.replace(">4</xmp:Rating>", ">2</xmp:Rating>"),
    )
    .unwrap();
    let when = std::time::SystemTime::now() + std::time::Duration::from_secs(2);
    std::fs::File::options()
        .write(true)
        .open(photos.join("a.jpg.xmp"))
        .unwrap()
        .set_modified(when)
        .unwrap();
    assert!(trove(&lib, &["sidecars", "read"]).status.success());
    let info = stdout_json(&trove(&lib, &["info", a, "--json"]));
    assert_eq!(info["curation"]["rating"], 2, "{info}");
    // The asset waits to be written again (with every field the catalog
    // has); writing keeps the other tool's rating.
    let status = stdout_json(&trove(&lib, &["sidecars", "status", "--json"]));
    assert_eq!(
        (status["mode"].as_str(), status["waiting"].as_u64()),
        (Some("write"), Some(1))
    );
    assert!(trove(&lib, &["sidecars", "write"]).status.success());
    let again = std::fs::read_to_string(photos.join("a.jpg.xmp")).unwrap();
    assert!(again.contains(">2</xmp:Rating>"), "{again}");
}
