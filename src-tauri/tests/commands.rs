//! Every command through Tauri's mock runtime, against a real library.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{Value, json};
use tauri::Manager as _;
use tauri::test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use trove_core::{Library, OpenOptions};
use trove_desktop::dto::Operation;
use trove_desktop::{AppState, setup};

struct App {
    _tmp: tempfile::TempDir,
    photos: std::path::PathBuf,
    lib: Arc<Library>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    tauri_app: tauri::App<tauri::test::MockRuntime>,
}

fn app() -> App {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    trove_testkit::write_png(&photos.join("a.png"), 8, 8, [1, 2, 3], 0);
    trove_testkit::write_png(&photos.join("sub/b.png"), 8, 8, [4, 5, 6], 0);
    let lib = Arc::new(Library::open(&tmp.path().join("lib"), OpenOptions::write().create(true)).unwrap());
    let app = setup(mock_builder(), AppState::with(lib.clone()))
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _tmp: tmp,
        photos,
        lib,
        webview,
        tauri_app: app,
    }
}

fn invoke(app: &App, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        &app.webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

/// The id of the watched folder at `path` (0 when there is none).
fn inbox_root(app: &App, path: &std::path::Path) -> i64 {
    let info = invoke(app, "library_info", json!({})).unwrap();
    info["roots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == path.to_str().unwrap())
        .map_or(0, |r| r["id"].as_i64().unwrap())
}

fn run_jobs(app: &App) {
    app.lib
        .run_jobs(
            &trove_core::WorkerOptions::for_cores(2),
            &trove_core::NoEvents,
            &trove_core::Cancel::new(),
        )
        .unwrap();
}

#[test]
fn add_root_queues_an_import_and_the_grid_lists_its_assets() {
    let app = app();
    let root = invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    assert_eq!(root["files"], 0, "queued, not yet scanned");
    run_jobs(&app);

    let info = invoke(&app, "library_info", json!({})).unwrap();
    assert_eq!(info["assets"], 2);
    assert_eq!(info["writable"], true);
    assert_eq!(info["roots"][0]["files"], 2);

    let page = invoke(&app, "list_assets", json!({ "offset": 0, "limit": 1 })).unwrap();
    assert_eq!(page["total"], 2);
    assert_eq!(page["assets"].as_array().unwrap().len(), 1);
    let cell = &page["assets"][0];
    assert_eq!(cell["kind"], "image");
    assert_eq!(cell["mime"], "image/png");
    assert_eq!(cell["web_viewable"], true, "the web view shows a PNG as it is");
    assert!(cell.get("path").is_none(), "the page never sees file-system paths");
    let rest = invoke(&app, "list_assets", json!({ "offset": 1, "limit": 100 })).unwrap();
    // One folder's assets only.
    let root_id = info["roots"][0]["id"].as_i64().unwrap();
    let mine = invoke(
        &app,
        "list_assets",
        json!({ "offset": 0, "limit": 100, "rootId": root_id }),
    )
    .unwrap();
    assert_eq!(mine["total"], 2);
    let err = invoke(
        &app,
        "list_assets",
        json!({ "offset": 0, "limit": 100, "rootId": 4242 }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "root_not_found");
    assert_eq!(rest["assets"].as_array().unwrap().len(), 1);
    assert_ne!(rest["assets"][0]["id"], cell["id"]);

    assert_eq!(invoke(&app, "rescan", json!({ "rootId": null })), Ok(Value::Null));
    assert_eq!(app.lib.status().unwrap().jobs.queued, 1);

    // The timeline's sections add up to the listing.
    let days = invoke(&app, "timeline", json!({ "rootId": root_id })).unwrap();
    let days = days.as_array().unwrap();
    assert!(!days.is_empty());
    assert_eq!(days.iter().map(|d| d["count"].as_u64().unwrap()).sum::<u64>(), 2);
    let date = days[0]["date"].as_str().unwrap();
    assert!(date.len() == 10 && date.as_bytes()[4] == b'-', "{date}");
    let err = invoke(&app, "timeline", json!({ "rootId": 4242 })).unwrap_err();
    assert_eq!(err["code"], "root_not_found");

    // Removing the folder leaves the files and keeps the assets, as missing.
    let removed = invoke(&app, "remove_root", json!({ "rootId": root_id })).unwrap();
    assert_eq!(removed["files"], 2);
    assert_eq!(removed["now_missing"], 2);
    assert!(app.photos.join("a.png").exists() && app.photos.join("sub/b.png").exists());
    let info = invoke(&app, "library_info", json!({})).unwrap();
    assert_eq!(info["roots"], json!([]));
    let page = invoke(&app, "list_assets", json!({ "offset": 0, "limit": 10 })).unwrap();
    assert_eq!(page["total"], 2);
    assert_eq!(page["assets"][0]["status"], "missing");
    let err = invoke(&app, "remove_root", json!({ "rootId": root_id })).unwrap_err();
    assert_eq!(err["code"], "root_not_found");
}

#[test]
fn bad_input_gets_coded_errors() {
    let app = app();
    let err = invoke(&app, "add_root", json!({ "path": "relative/folder" })).unwrap_err();
    assert_eq!(err["code"], "bad_path");
    let err = invoke(&app, "add_root", json!({ "path": "/no/such/folder" })).unwrap_err();
    assert_eq!(err["code"], "not_a_folder");
    assert!(err["message"].as_str().unwrap().contains("/no/such/folder"));
    let lib_dir = app.lib.dir().to_str().unwrap().to_owned();
    let err = invoke(&app, "add_root", json!({ "path": lib_dir })).unwrap_err();
    assert_eq!(err["code"], "root_inside_library");
    let err = invoke(&app, "list_assets", json!({ "offset": 0, "limit": 100_000 })).unwrap_err();
    assert_eq!(err["code"], "bad_limit");
    let err = invoke(&app, "rescan", json!({ "rootId": 42 })).unwrap_err();
    assert_eq!(err["code"], "root_not_found");
    // Missing arguments are rejected by Tauri before the command runs.
    assert!(invoke(&app, "list_assets", json!({})).is_err());
}

#[test]
fn search_finds_assets_with_facets_and_refuses_bad_queries() {
    let app = app();
    invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    run_jobs(&app);
    let args = |query: &str, sort: &str, limit: u64| json!({ "query": query, "sort": sort, "offset": 0, "limit": limit, "facets": true });
    let page = invoke(&app, "search_assets", args("kind:image", "name", 10)).unwrap();
    assert_eq!(page["total"], 2);
    let names: Vec<&str> = page["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.png", "b.png"]);
    assert!(
        page["assets"][0].get("path").is_none(),
        "the page never sees file-system paths"
    );
    assert!(page["assets"][0]["thumbhash"].is_string(), "{page}");
    assert_eq!(page["facets"]["kind"][0], json!({ "value": "image", "count": 2 }));
    assert_eq!(page["facets"]["ext"][0]["value"], "png");
    let one = invoke(&app, "search_assets", args("b", "relevance", 10)).unwrap();
    assert_eq!(one["total"], 1);
    assert_eq!(one["assets"][0]["name"], "b.png");

    let err = invoke(&app, "search_assets", args("camera:\"unclosed", "relevance", 10)).unwrap_err();
    assert!(err["code"].as_str().unwrap().starts_with("query_"), "{err}");
    let err = invoke(&app, "search_assets", args(&"(".repeat(10_000), "relevance", 10)).unwrap_err();
    assert!(err["code"].as_str().unwrap().starts_with("query_"), "{err}");
    let err = invoke(&app, "search_assets", args("a", "sideways", 10)).unwrap_err();
    assert_eq!(err["code"], "bad_sort");
    // Only videos and sounds open in the system player (never a photo, a
    // script or a launcher with its default application).
    let photo = page["assets"][0]["id"].as_str().unwrap();
    let err = invoke(&app, "open_original", json!({ "id": photo })).unwrap_err();
    assert_eq!(err["code"], "not_playable", "{err}");
    let err = invoke(&app, "search_assets", args("a", "name", 0)).unwrap_err();
    assert_eq!(err["code"], "bad_limit");
}

#[test]
fn asset_ids_give_the_grid_s_order_beyond_its_loaded_pages() {
    let app = app();
    for i in 0..6u8 {
        trove_testkit::write_png(&app.photos.join(format!("more/c{i}.png")), 8, 8, [10 + i, 20, 30], 0);
    }
    // A folder whose name is not UTF-8 (Latin-1 "café"): browsable all the same.
    let latin1 = std::path::PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
        b"caf\xe9",
    ));
    trove_testkit::write_png(&app.photos.join(&latin1).join("d.png"), 8, 8, [90, 20, 30], 0);
    let root = invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    run_jobs(&app);
    let ids_of = |page: &Value| -> Vec<String> {
        page["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let strings = |v: Value| -> Vec<String> { serde_json::from_value(v).unwrap() };
    let ids = |query: &str, sort: &str, root: Value, offset: u64, limit: u64| {
        invoke(
            &app,
            "asset_ids",
            json!({ "query": query, "sort": sort, "rootId": root, "offset": offset, "limit": limit }),
        )
    };

    // The listing: the same ids in the same order as its pages, any window.
    let listing = ids_of(&invoke(&app, "list_assets", json!({ "offset": 0, "limit": 100 })).unwrap());
    assert_eq!(listing.len(), 9);
    assert_eq!(strings(ids("", "newest", Value::Null, 0, 1000).unwrap()), listing);
    assert_eq!(
        strings(ids("  ", "relevance", Value::Null, 3, 4).unwrap()),
        listing[3..7]
    );
    assert_eq!(
        strings(ids("", "relevance", root["id"].clone(), 7, 10).unwrap()),
        listing[7..]
    );

    // A search: the ids of its pages, in the sort asked for.
    let page = invoke(
        &app,
        "search_assets",
        json!({ "query": "kind:image", "sort": "name", "offset": 0, "limit": 100, "facets": false }),
    )
    .unwrap();
    let found = ids_of(&page);
    assert_eq!(found.len(), 9);
    assert_eq!(strings(ids("kind:image", "name", Value::Null, 0, 1000).unwrap()), found);
    assert_eq!(
        strings(ids("kind:image", "name", Value::Null, 2, 3).unwrap()),
        found[2..5]
    );
    assert_eq!(strings(ids("c3", "relevance", Value::Null, 0, 10).unwrap()).len(), 1);

    // Browsing by sub-folder: its tree, then its assets (and those below it).
    let tree = invoke(&app, "folder_tree", json!({ "rootId": root["id"] })).unwrap();
    assert_eq!(
        tree,
        json!([
            { "path": "caf\u{FFFD}", "key": "caf%E9", "name": "caf\u{FFFD}", "depth": 1, "files": 1 },
            { "path": "more", "key": "more", "name": "more", "depth": 1, "files": 6 },
            { "path": "sub", "key": "sub", "name": "sub", "depth": 1, "files": 1 }
        ])
    );
    // Asked by its key, the non-UTF-8 folder gives its one file.
    let cafe = invoke(
        &app,
        "list_assets",
        json!({ "offset": 0, "limit": 100, "rootId": root["id"], "folder": tree[0]["key"] }),
    )
    .unwrap();
    assert_eq!(cafe["total"], 1);
    assert_eq!(cafe["assets"][0]["name"], "d.png");
    let in_folder = |folder: &str| {
        invoke(
            &app,
            "list_assets",
            json!({ "offset": 0, "limit": 100, "rootId": root["id"], "folder": folder }),
        )
    };
    let more = in_folder("more").unwrap();
    assert_eq!(more["total"], 6);
    let sub = ids_of(&in_folder("sub/").unwrap());
    assert_eq!(sub.len(), 1);
    let folder_ids = invoke(
        &app,
        "asset_ids",
        json!({ "query": "", "sort": "newest", "rootId": root["id"], "folder": "more", "offset": 0, "limit": 100 }),
    )
    .unwrap();
    assert_eq!(strings(folder_ids), ids_of(&more));
    let days = invoke(&app, "timeline", json!({ "rootId": root["id"], "folder": "more" })).unwrap();
    let counted: u64 = days
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 6);
    for bad in ["../photos", "/etc", "more/../.."] {
        assert_eq!(in_folder(bad).unwrap_err()["code"], "bad_path", "{bad}");
    }
    let err = invoke(
        &app,
        "list_assets",
        json!({ "offset": 0, "limit": 10, "folder": "more" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "folder_needs_root");
    let err = invoke(&app, "folder_tree", json!({ "rootId": 4242 })).unwrap_err();
    assert_eq!(err["code"], "root_not_found");

    let err = ids("", "newest", json!(4242), 0, 10).unwrap_err();
    assert_eq!(err["code"], "root_not_found");
    let err = ids("", "newest", Value::Null, 0, 0).unwrap_err();
    assert_eq!(err["code"], "bad_limit");
    let err = ids("", "newest", Value::Null, 0, 2_000_000).unwrap_err();
    assert_eq!(err["code"], "bad_limit");
    let err = ids("", "sideways", Value::Null, 0, 10).unwrap_err();
    assert_eq!(err["code"], "bad_sort");
    let err = ids("camera:\"unclosed", "relevance", Value::Null, 0, 10).unwrap_err();
    assert!(err["code"].as_str().unwrap().starts_with("query_"), "{err}");
}

#[test]
fn thumbnails_are_served_by_asset_id_only() {
    let app = app();
    std::fs::write(app.photos.join("notes.txt"), "not for the web view").unwrap();
    let root = invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    assert_eq!(root["kinds"], "media", "a text file is not media by default");
    // The folder is asked to take documents too (which rescans it).
    let err = invoke(
        &app,
        "set_root_kinds",
        json!({ "rootId": root["id"], "kinds": "everything" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "bad_kinds");
    let root = invoke(
        &app,
        "set_root_kinds",
        json!({ "rootId": root["id"], "kinds": "documents" }),
    )
    .unwrap();
    assert_eq!(root["kinds"], "documents");
    run_jobs(&app);
    let page = invoke(&app, "list_assets", json!({ "offset": 0, "limit": 10 })).unwrap();
    let assets = page["assets"].as_array().unwrap();
    let id = assets.iter().find(|a| a["kind"] == "image").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let text_id = assets.iter().find(|a| a["kind"] == "document").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lib = Some(app.lib.as_ref());

    let ok = trove_desktop::thumbs::respond(lib, &format!("/{id}/thumb"), None);
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "image/jpeg");
    assert!(ok.body().starts_with(&[0xFF, 0xD8]));
    // convertFileSrc encodes the slash and the @.
    let encoded = trove_desktop::thumbs::respond(lib, &format!("/{id}%2Fthumb%402x"), None);
    assert_eq!(encoded.status(), 200);
    // A range (how video seeks): exactly those bytes.
    let part = trove_desktop::thumbs::respond(lib, &format!("/{id}/thumb"), Some("bytes=2-9"));
    assert_eq!(part.status(), 206);
    assert_eq!(part.body().as_slice(), &ok.body()[2..10]);
    let total = ok.body().len();
    assert_eq!(part.headers()["content-range"], format!("bytes 2-9/{total}").as_str());

    // The original itself, by id, when the web view can show its type.
    let original = trove_desktop::thumbs::respond(lib, &format!("/{id}/original"), None);
    assert_eq!(original.status(), 200);
    assert_eq!(original.headers()["content-type"], "image/png");
    let name = &page["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap()["name"];
    let on_disk = ["a.png", "sub/b.png"]
        .iter()
        .map(|p| std::fs::read(app.photos.join(p)).unwrap())
        .find(|b| b.as_slice() == original.body().as_slice());
    assert!(on_disk.is_some(), "the bytes of {name}");
    let text = trove_desktop::thumbs::respond(lib, &format!("/{text_id}/original"), None);
    assert_eq!(text.status(), 404, "a type the web view cannot show is not served");
    // Zoom to 100%: a PNG is its own full-size image; a text file has none.
    let full = trove_desktop::thumbs::respond(lib, &format!("/{id}/full"), None);
    assert_eq!(full.status(), 200);
    assert_eq!(full.body(), original.body());
    let text = trove_desktop::thumbs::respond(lib, &format!("/{text_id}/full"), None);
    assert_eq!(text.status(), 404);

    for bad in [
        "/etc/passwd",
        "/../../etc/passwd",
        &format!("/{id}/originals"),
        &format!("/{id}/../../x"),
        "/",
    ] {
        assert_eq!(trove_desktop::thumbs::respond(lib, bad, None).status(), 400, "{bad}");
    }
    let unknown = trove_desktop::thumbs::respond(lib, "/00000000-0000-4000-8000-000000000000/thumb", None);
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        trove_desktop::thumbs::respond(None, &format!("/{id}/thumb"), None).status(),
        503
    );

    // Thumbnails of assets on screen go first; bad ids are refused.
    assert!(invoke(&app, "prioritize_thumbnails", json!({ "ids": [id] })).is_ok());
    let err = invoke(&app, "prioritize_thumbnails", json!({ "ids": ["../../etc"] })).unwrap_err();
    assert_eq!(err["code"], "bad_id");
}

#[test]
fn the_viewer_gets_an_assets_detail_by_id_only() {
    let app = app();
    invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    run_jobs(&app);
    let page = invoke(&app, "list_assets", json!({ "offset": 0, "limit": 10 })).unwrap();
    let id = page["assets"][0]["id"].as_str().unwrap().to_owned();
    let d = invoke(&app, "asset_detail", json!({ "id": id })).unwrap();
    assert_eq!(d["asset"]["id"], id.as_str());
    assert_eq!(d["blake3"].as_str().unwrap().len(), 64);
    let labels: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"Dimensions"), "{labels:?}");
    assert!(
        d["derivatives"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["variant"] == "preview"),
        "{d}"
    );
    let rel = d["files"][0]["rel_path"].as_str().unwrap();
    assert!(!rel.starts_with('/'), "no absolute paths: {rel}");

    let err = invoke(
        &app,
        "asset_detail",
        json!({ "id": app.photos.join("a.png").to_str().unwrap() }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "bad_id", "a path is not an id");
    let err = invoke(
        &app,
        "asset_detail",
        json!({ "id": "00000000-0000-4000-8000-000000000000" }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "asset_not_found");
}

#[test]
fn jobs_can_be_paused_resumed_and_retried() {
    let app = app();
    assert_eq!(
        invoke(&app, "set_jobs_paused", json!({ "paused": true })),
        Ok(json!(true))
    );
    invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    let status = invoke(&app, "job_status", json!({})).unwrap();
    assert_eq!(status["paused"], true);
    assert_eq!(
        status["kinds"],
        json!([{ "kind": "scan_root", "queued": 1, "running": 0, "failed": 0, "done": 0 }])
    );
    assert_eq!(
        invoke(&app, "set_jobs_paused", json!({ "paused": false })),
        Ok(json!(false))
    );
    run_jobs(&app);
    let status = invoke(&app, "job_status", json!({})).unwrap();
    assert_eq!(status["kinds"], json!([]));
    assert_eq!(status["failed"], json!([]));

    // A failed job shows its reason and can be queued again.
    let conn = rusqlite::Connection::open(app.lib.catalog_path()).unwrap();
    conn.execute(
        "INSERT INTO jobs (kind, payload, dedup_key, max_attempts, created_at, updated_at, state, attempts, last_error)
         VALUES ('scan_root', '{\"root_id\": 999}', 'scan:999', 3, 0, 0, 'failed', 3, 'root 999 is gone')",
        [],
    )
    .unwrap();
    let status = invoke(&app, "job_status", json!({})).unwrap();
    let failed = &status["failed"][0];
    assert_eq!(failed["error"], "root 999 is gone");
    let id = failed["id"].as_i64().unwrap();
    assert_eq!(invoke(&app, "retry_jobs", json!({ "id": id })), Ok(json!(1)));
    let err = invoke(&app, "retry_jobs", json!({ "id": id })).unwrap_err();
    assert_eq!(err["code"], "job_not_found");
}

/// GET with curl: the HTTP status and the body.
fn fetch(url: &str) -> (u16, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    let out = std::process::Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o"])
        .arg(&body)
        .args(["-w", "%{http_code}", url])
        .output()
        .unwrap();
    assert!(out.status.success(), "curl: {}", String::from_utf8_lossy(&out.stderr));
    (
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap(),
        std::fs::read(&body).unwrap_or_default(),
    )
}

#[test]
fn a_target_with_keys_in_the_keychain_syncs_shares_and_revokes() {
    use trove_testkit::s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};
    let app = app();
    invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    run_jobs(&app);
    let events: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    {
        let events = events.clone();
        app.tauri_app.state::<AppState>().set_emitter(Arc::new(move |dto| {
            events.lock().unwrap().push(serde_json::to_value(dto).unwrap());
        }));
    }
    let server = S3Server::shared();
    let url = format!("s3://{BUCKET}/desktop-{}", std::process::id());

    // Bad settings are refused before anything is stored.
    let half =
        json!({ "url": url, "endpoint": server.endpoint, "region": null, "accessKey": ACCESS_KEY, "secretKey": null });
    assert_eq!(
        invoke(&app, "set_sync_target", half).unwrap_err()["code"],
        "keys_incomplete"
    );
    let bad = json!({ "url": "ftp://nowhere", "endpoint": null, "region": null, "accessKey": null, "secretKey": null });
    assert_eq!(
        invoke(&app, "set_sync_target", bad).unwrap_err()["code"],
        "store_invalid"
    );
    assert_eq!(invoke(&app, "sync_now", json!({})).unwrap_err()["code"], "no_target");

    let settings = invoke(
        &app,
        "set_sync_target",
        json!({ "url": url, "endpoint": server.endpoint, "region": null, "accessKey": ACCESS_KEY, "secretKey": SECRET_KEY, "keepReplacedDays": 30 }),
    )
    .unwrap();
    assert_eq!(settings["credentials"], "keychain", "{settings}");
    assert_eq!(settings["keep_replaced_days"], 30, "{settings}");
    assert_eq!(
        invoke(&app, "sync_settings", json!({})).unwrap()["keep_replaced_days"],
        30
    );
    assert_eq!(settings["keychain"], true);
    assert!(
        !settings.to_string().contains(SECRET_KEY),
        "the secret never reaches the page"
    );
    // Storage classes and encryption: set, kept when the form leaves them
    // out, back to the bucket's default when empty; an archive tier that
    // needs a restore before a read, or a mode Trove cannot ask for, is
    // refused and nothing changes.
    let with = |extra: Value| {
        let mut args = json!({ "url": url, "endpoint": server.endpoint, "region": null, "accessKey": null, "secretKey": null, "keepReplacedDays": 30 });
        args.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        invoke(&app, "set_sync_target", args)
    };
    let stored = with(json!({ "storageClass": "STANDARD_IA", "proxyStorageClass": "", "sse": "AES256" })).unwrap();
    assert_eq!(
        (&stored["storage_class"], &stored["proxy_storage_class"], &stored["sse"]),
        (&json!("STANDARD_IA"), &Value::Null, &json!("AES256")),
        "{stored}"
    );
    let kept = with(json!({})).unwrap();
    assert_eq!(
        (&kept["storage_class"], &kept["sse"]),
        (&json!("STANDARD_IA"), &json!("AES256"))
    );
    for bad in [
        json!({ "proxyStorageClass": "DEEP_ARCHIVE" }),
        json!({ "restoreTier": "Instant" }),
        json!({ "proxyStorageClass": "standard ia" }),
        json!({ "sse": "SSE-C" }),
        json!({ "sse": "AES256", "sseKmsKeyId": "alias/photos" }),
        json!({ "sse": "aws:kms", "sseKmsKeyId": "alias/my photos" }),
    ] {
        assert_eq!(with(bad.clone()).unwrap_err()["code"], "bad_storage_setting", "{bad}");
    }
    assert_eq!(
        invoke(&app, "sync_settings", json!({})).unwrap()["storage_class"],
        "STANDARD_IA"
    );
    // Originals in an archive class, asked back at the Bulk tier; the
    // tier stays when the form leaves it out, "" clears it.
    let archive = with(json!({ "storageClass": "DEEP_ARCHIVE", "restoreTier": "bulk" })).unwrap();
    assert_eq!(
        (&archive["storage_class"], &archive["restore_tier"]),
        (&json!("DEEP_ARCHIVE"), &json!("Bulk"))
    );
    assert_eq!(with(json!({})).unwrap()["restore_tier"], "Bulk");
    assert_eq!(
        with(json!({ "restoreTier": "", "storageClass": "STANDARD_IA" })).unwrap()["restore_tier"],
        Value::Null
    );
    // A KMS key with aws:kms: stored, kept when the form leaves it out,
    // dropped when the encryption changes to one that takes no key.
    let kms = with(json!({ "sse": "aws:kms", "sseKmsKeyId": " alias/photos " })).unwrap();
    assert_eq!(
        (&kms["sse"], &kms["sse_kms_key_id"]),
        (&json!("aws:kms"), &json!("alias/photos")),
        "{kms}"
    );
    assert_eq!(with(json!({})).unwrap()["sse_kms_key_id"], "alias/photos");
    let switched = with(json!({ "sse": "AES256" })).unwrap();
    assert_eq!(
        (&switched["sse"], &switched["sse_kms_key_id"]),
        (&json!("AES256"), &Value::Null),
        "{switched}"
    );
    let cleared = with(json!({ "storageClass": "", "sse": "" })).unwrap();
    assert_eq!(
        (&cleared["storage_class"], &cleared["sse"]),
        (&Value::Null, &Value::Null)
    );
    // The keys are bound to the endpoint: pointing the target elsewhere
    // without giving them again is refused, and nothing changes.
    let elsewhere = json!({ "url": url, "endpoint": "https://other-host.example", "region": null, "accessKey": null, "secretKey": null });
    let err = invoke(&app, "set_sync_target", elsewhere).unwrap_err();
    assert_eq!(err["code"], "keys_for_another_endpoint", "{err}");
    assert_eq!(
        invoke(&app, "sync_settings", json!({})).unwrap()["endpoint"],
        server.endpoint.as_str()
    );
    // Plain HTTP to another machine needs the person's confirmation.
    let plain = json!({ "url": url, "endpoint": "http://192.0.2.7:9000", "region": null, "accessKey": ACCESS_KEY, "secretKey": SECRET_KEY });
    assert_eq!(
        invoke(&app, "set_sync_target", plain).unwrap_err()["code"],
        "plain_http"
    );

    // A sync stopped at once ends cancelled, with everything still pending;
    // nothing else of its kind runs meanwhile.
    let finished = |events: &std::sync::Mutex<Vec<Value>>| {
        let started = std::time::Instant::now();
        loop {
            let found = events
                .lock()
                .unwrap()
                .iter()
                .find(|e| e["type"] == "sync_finished")
                .cloned();
            if let Some(f) = found {
                break f;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the sync did not finish"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    // No sync while a verification runs (and none of either twice).
    let verifying = app
        .tauri_app
        .state::<AppState>()
        .operations()
        .start(Operation::Verify, &[])
        .unwrap();
    assert_eq!(
        invoke(&app, "sync_now", json!({})).unwrap_err()["code"],
        "verify_running"
    );
    drop(verifying);
    // Held here rather than by a real sync, which a cancel may end before
    // the next call (the test raced that way under load).
    let syncing = app
        .tauri_app
        .state::<AppState>()
        .operations()
        .start(Operation::Sync, &[])
        .unwrap();
    assert_eq!(invoke(&app, "sync_now", json!({})).unwrap_err()["code"], "sync_running");
    assert_eq!(
        invoke(&app, "verify_now", json!({ "samplePercent": null })).unwrap_err()["code"],
        "sync_running"
    );
    drop(syncing);
    // A sync stopped at once ends as cancelled, having verified nothing.
    invoke(&app, "sync_now", json!({})).unwrap();
    assert_eq!(
        invoke(&app, "cancel_operation", json!({ "operation": "sync" })).unwrap(),
        true
    );
    let stopped = finished(&events);
    assert_eq!(stopped["error"]["code"], "cancelled", "{stopped}");
    assert_eq!(invoke(&app, "sync_settings", json!({})).unwrap()["verified"], 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while invoke(&app, "cancel_operation", json!({ "operation": "sync" })).unwrap() == true {
        assert!(
            std::time::Instant::now() < deadline,
            "the stopped sync stays registered"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        invoke(&app, "cancel_operation", json!({ "operation": "everything" })).is_err(),
        "an unknown operation is refused"
    );
    events.lock().unwrap().clear();

    invoke(&app, "sync_now", json!({})).unwrap();
    let finished = finished(&events);
    assert_eq!(finished["error"], Value::Null, "{finished}");
    assert!(finished["uploaded"].as_u64().unwrap() >= 2 * 4, "{finished}");
    assert!(events.lock().unwrap().iter().any(|e| e["type"] == "sync_progress"));
    let page = invoke(&app, "list_assets", json!({ "offset": 0, "limit": 10 })).unwrap();
    for a in page["assets"].as_array().unwrap() {
        assert_eq!(a["sync"], "synced", "{a}");
    }
    let settings = invoke(&app, "sync_settings", json!({})).unwrap();
    assert_eq!(settings["pending"], 0);
    assert!(settings["verified"].as_u64().unwrap() >= 8);
    let root_id = settings["policies"][0]["root_id"].as_i64().unwrap();
    assert_eq!(settings["policies"][0]["policy"], "all");

    // Verify now: every object read back matches; a bad sample is refused.
    let verified = invoke(&app, "verify_now", json!({ "samplePercent": null })).unwrap();
    assert_eq!(verified["checked"], settings["verified"], "{verified}");
    assert_eq!(verified["ok"], verified["checked"]);
    assert_eq!(verified["damaged"], json!([]));
    assert_eq!(
        invoke(&app, "verify_now", json!({ "samplePercent": 0 })).unwrap_err()["code"],
        "bad_sample"
    );
    // The history: newest first (the check on top, the uploads below), a
    // page at a time, no failure; exported as PREMIS events, oldest first.
    let history = invoke(&app, "audit_history", json!({ "before": null, "failuresOnly": false })).unwrap();
    let rows = history.as_array().unwrap();
    assert_eq!(rows[0]["event"], "fixity_check", "{history}");
    assert_eq!(rows[0]["success"], true, "{history}");
    assert!(rows.iter().any(|r| r["event"] == "upload"), "{history}");
    assert!(rows.windows(2).all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64()));
    let older = invoke(
        &app,
        "audit_history",
        json!({ "before": rows[0]["id"], "failuresOnly": false }),
    )
    .unwrap();
    assert_eq!(older.as_array().unwrap().len(), rows.len() - 1);
    assert_eq!(
        invoke(&app, "audit_history", json!({ "before": null, "failuresOnly": true })).unwrap(),
        json!([])
    );
    let out = app.photos.parent().unwrap().join("history.jsonl");
    let n = invoke(&app, "export_audit", json!({ "path": out })).unwrap();
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(n.as_u64(), Some(rows.len() as u64));
    assert_eq!(lines.len(), rows.len());
    assert_eq!(lines[0]["eventType"]["trove"], "upload", "{}", lines[0]);
    assert_eq!(lines[lines.len() - 1]["eventType"]["trove"], "fixity_check");
    assert_eq!(
        invoke(&app, "export_audit", json!({ "path": "history.jsonl" })).unwrap_err()["code"],
        "bad_path"
    );
    // Per-folder policy.
    invoke(
        &app,
        "set_root_policy",
        json!({ "rootId": root_id, "policy": "proxies" }),
    )
    .unwrap();
    let settings = invoke(&app, "sync_settings", json!({})).unwrap();
    assert_eq!(settings["policies"][0]["policy"], "proxies");
    assert_eq!(
        invoke(&app, "set_root_policy", json!({ "rootId": root_id, "policy": "some" })).unwrap_err()["code"],
        "bad_policy"
    );
    assert_eq!(
        invoke(&app, "set_root_policy", json!({ "rootId": 999, "policy": "none" })).unwrap_err()["code"],
        "root_not_found"
    );

    // Share one asset: the link gives its preview; revoking ends it.
    let id = page["assets"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        invoke(
            &app,
            "share_asset",
            json!({ "id": "../x", "expiresHours": 24, "originals": false })
        )
        .unwrap_err()["code"],
        "bad_id"
    );
    assert_eq!(
        invoke(
            &app,
            "share_asset",
            json!({ "id": id, "expiresHours": 24 * 8, "originals": false })
        )
        .unwrap_err()["code"],
        "share_expiry_invalid"
    );
    let shared = invoke(
        &app,
        "share_asset",
        json!({ "id": id, "expiresHours": 24, "originals": false }),
    )
    .unwrap();
    let link = shared["links"][0].as_str().unwrap().to_owned();
    let (status, body) = fetch(&link);
    assert_eq!(status, 200);
    assert!(body.starts_with(&[0xFF, 0xD8]), "the preview is a JPEG");
    let share_id = shared["share"]["id"].as_str().unwrap().to_owned();
    // A selection as a page: the page lists both assets.
    let ids: Vec<&str> = page["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let args = json!({ "ids": ids, "title": "Two <b>", "expiresHours": 1, "originals": false });
    let paged = invoke(&app, "share_page", args).unwrap();
    assert_eq!(paged["share"]["kind"], "page");
    assert_eq!(paged["share"]["assets"], 2);
    let (status, html) = fetch(paged["links"][0].as_str().unwrap());
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("<title>Two &lt;b&gt;</title>"));
    let none = json!({ "ids": [], "title": null, "expiresHours": 1, "originals": false });
    assert_eq!(invoke(&app, "share_page", none).unwrap_err()["code"], "share_page_size");
    let bad = json!({ "ids": ["/etc/passwd"], "title": null, "expiresHours": 1, "originals": false });
    assert_eq!(invoke(&app, "share_page", bad).unwrap_err()["code"], "bad_id");
    assert_eq!(
        invoke(&app, "revoke_share", json!({ "id": "nope" })).unwrap_err()["code"],
        "bad_id"
    );
    assert!(
        invoke(&app, "revoke_share", json!({ "id": share_id }))
            .unwrap()
            .as_u64()
            .unwrap()
            >= 1
    );
    let (status, _) = fetch(&link);
    assert!(status == 403 || status == 404, "the revoked link answers {status}");
    // Renewing the page signs fresh links that work.
    let page_id = paged["share"]["id"].as_str().unwrap();
    let renewed = invoke(&app, "renew_share", json!({ "id": page_id, "expiresHours": 48 })).unwrap();
    assert!(
        renewed["share"]["expires_at"].as_i64() > paged["share"]["expires_at"].as_i64(),
        "{renewed}"
    );
    let (status, _) = fetch(renewed["links"][0].as_str().unwrap());
    assert_eq!(status, 200);
    assert_eq!(
        invoke(&app, "renew_share", json!({ "id": "x", "expiresHours": 1 })).unwrap_err()["code"],
        "bad_id"
    );
    let shares = invoke(&app, "list_shares", json!({})).unwrap();
    let states: Vec<&str> = shares
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2);
    assert!(states.contains(&"revoked") && states.contains(&"live"), "{states:?}");

    // An upload request: its page answers; what someone sent into its
    // prefix is downloaded, verified and catalogued in the folder asked for.
    let request = |args: Value| invoke(&app, "request_files", args);
    let asked = request(json!({ "title": "Send me the photos", "message": null, "expiresHours": 24, "maxMb": 20, "accept": ["image/"] })).unwrap();
    assert_eq!(asked["share"]["kind"], "request");
    let (status, html) = fetch(asked["links"][0].as_str().unwrap());
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&html).contains("Send me the photos"));
    for bad in [
        json!({ "title": null, "message": null, "expiresHours": 24, "maxMb": 0, "accept": ["image/"] }),
        json!({ "title": null, "message": null, "expiresHours": 24, "maxMb": 10_000, "accept": ["image/"] }),
        json!({ "title": null, "message": null, "expiresHours": 24, "maxMb": 20, "accept": [] }),
        json!({ "title": null, "message": null, "expiresHours": 24, "maxMb": 20, "accept": ["text/html\"><script>"] }),
    ] {
        assert_eq!(request(bad.clone()).unwrap_err()["code"], "request_invalid", "{bad}");
    }
    let request_id = asked["share"]["id"].as_str().unwrap().to_owned();
    let sent = app.photos.parent().unwrap().join("from-a-friend.png");
    trove_testkit::write_png(&sent, 16, 16, [90, 10, 200], 3);
    let out = server
        .rclone()
        .arg("copyto")
        .arg(&sent)
        .arg(format!(
            "s3:{BUCKET}/desktop-{}/incoming/{request_id}/1-abc-from-a-friend.png",
            std::process::id()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let inbox = app.photos.parent().unwrap().join("inbox");
    let import = |to: Value| invoke(&app, "import_incoming", json!({ "id": request_id, "to": to }));
    assert_eq!(import(json!("relative/inbox")).unwrap_err()["code"], "bad_path");
    assert_eq!(
        invoke(&app, "import_incoming", json!({ "id": "../x", "to": null })).unwrap_err()["code"],
        "bad_id"
    );
    let got = import(json!(inbox.to_str().unwrap())).unwrap();
    assert_eq!(got["imported"].as_array().unwrap().len(), 1, "{got}");
    assert_eq!(got["folder"], inbox.to_str().unwrap());
    assert_eq!(got["refused"], json!([]));
    let landed: Vec<_> = std::fs::read_dir(&inbox).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(landed.len(), 1, "{landed:?}");
    assert_eq!(std::fs::read(&landed[0]).unwrap(), std::fs::read(&sent).unwrap());
    let info = invoke(&app, "library_info", json!({})).unwrap();
    assert!(
        info["roots"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["path"] == inbox.to_str().unwrap()),
        "the folder is watched: {info}"
    );
    let again = import(json!(inbox.to_str().unwrap())).unwrap();
    assert_eq!(again["imported"], json!([]));
    assert_eq!(again["already"], 1);
    assert_eq!(again["cancelled"], false);

    // One import at a time; cancel_operation stops the running one.
    let state = app.tauri_app.state::<AppState>();
    let running = state.operations().start(Operation::ImportIncoming, &[]).unwrap();
    assert_eq!(
        import(json!(inbox.to_str().unwrap())).unwrap_err()["code"],
        "import_running"
    );
    assert_eq!(
        invoke(&app, "cancel_operation", json!({ "operation": "import_incoming" })).unwrap(),
        true
    );
    assert!(running.cancel().is_cancelled());
    drop(running);
    assert_eq!(
        invoke(&app, "cancel_operation", json!({ "operation": "import_incoming" })).unwrap(),
        false
    );

    // A run killed after the download was recorded but before the file was
    // catalogued: the next import catalogs the file it left.
    let db = rusqlite::Connection::open(app.lib.dir().join("catalog.db")).unwrap();
    let orphaned = db
        .execute("UPDATE share_items SET asset_id = NULL WHERE role = 'incoming'", [])
        .unwrap();
    assert_eq!(orphaned, 1);
    invoke(&app, "remove_root", json!({ "rootId": inbox_root(&app, &inbox) })).unwrap();
    let healed = import(json!(inbox.to_str().unwrap())).unwrap();
    assert_eq!(healed["imported"].as_array().unwrap().len(), 1, "{healed}");
    assert_eq!(healed["already"], 0);
    let relinked: Option<i64> = db
        .query_row("SELECT asset_id FROM share_items WHERE role = 'incoming'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(relinked.is_some(), "the share item points at the asset again");
    assert!(inbox_root(&app, &inbox) > 0, "the folder is watched again");

    trove_desktop::credentials::forget(&url).unwrap();
}

/// A library recovered without its proxies fetches each from the target
/// the first time the page asks for it: the `thumb:` answer is a 404 at
/// once, the proxy is queued (once), fetched with the keychain's keys and
/// checked, a `proxies_made` event follows, and the next answer is the
/// proxy, byte for byte the one the lost library made.
#[test]
fn a_recovered_librarys_thumbnails_are_fetched_from_the_target_when_first_shown() {
    use trove_core::{AssetFilter, CredentialSource, RecoverProxies, RecoverRequest, SyncOptions, TargetSettings};
    use trove_testkit::s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};
    let app = app();
    invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    run_jobs(&app);
    let server = S3Server::shared();
    let settings = TargetSettings {
        url: format!("s3://{BUCKET}/on-demand-{}", std::process::id()),
        endpoint: Some(server.endpoint.clone()),
        ..TargetSettings::default()
    };
    let creds = CredentialSource::Static {
        access_key: ACCESS_KEY.into(),
        secret_key: SECRET_KEY.into(),
        session_token: None,
    };
    app.lib.set_target(&settings).unwrap();
    let sent = app
        .lib
        .sync(
            &creds,
            &SyncOptions::default(),
            &trove_core::NoEvents,
            &trove_core::Cancel::new(),
        )
        .unwrap();
    assert_eq!(sent.pending, 0, "{sent:?}");

    let tmp = tempfile::tempdir().unwrap();
    let (recovered, report) = Library::recover(
        &tmp.path().join("lib"),
        &RecoverRequest {
            target: settings.clone(),
            at_ms: None,
            proxies: RecoverProxies::None,
            request_timeout: std::time::Duration::from_secs(60),
            folders_in: tmp.path().to_owned(),
            manifests_only: false,
        },
        &creds,
        OpenOptions::write(),
    )
    .unwrap();
    assert_eq!(report.proxies_fetched, 0);
    let lib = Arc::new(recovered);
    let asset = lib.assets(&AssetFilter::default()).unwrap()[0].id;
    let path = format!("{asset}/thumb");
    assert_eq!(trove_desktop::thumbs::respond(Some(&lib), &path, None).status(), 404);
    assert!(lib.proxy_stored_elsewhere(asset, "thumb").unwrap());

    // The keys the person gave for this target, in the keychain.
    trove_desktop::credentials::save(&settings.url, settings.endpoint.as_deref(), ACCESS_KEY, SECRET_KEY).unwrap();
    let events: Arc<std::sync::Mutex<Vec<Value>>> = Arc::default();
    let fetcher = {
        let events = events.clone();
        trove_desktop::fetcher::ProxyFetcher::start(
            lib.clone(),
            Arc::new(move |dto| events.lock().unwrap().push(serde_json::to_value(dto).unwrap())),
        )
    };
    assert!(fetcher.want(&lib, asset, "thumb"));
    assert!(!fetcher.want(&lib, asset, "thumb"), "asked once");
    let started = std::time::Instant::now();
    while !events.lock().unwrap().iter().any(|e| e["type"] == "proxies_made") {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no proxy fetched: {:?}",
            events.lock().unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let answer = trove_desktop::thumbs::respond(Some(&lib), &path, None);
    assert_eq!(answer.status(), 200);
    let made = app.lib.proxy_file(asset, "thumb").unwrap().unwrap();
    assert_eq!(answer.body(), &std::fs::read(made.path).unwrap());
    assert!(!lib.proxy_stored_elsewhere(asset, "thumb").unwrap());
    assert!(!fetcher.want(&lib, asset, "thumb"), "here now: nothing to fetch");
}

/// "Recover a library from a bucket" goes only into an empty library (the
/// recovered one takes its place at the next start): with a folder added,
/// it is refused with its own code before anything is fetched; half a
/// pair of keys and a bad URL are refused first.
#[test]
fn a_library_is_recovered_only_into_an_empty_one() {
    let app = app();
    let ask = |url: &str, secret: Option<&str>| {
        invoke(
            &app,
            "recover_library",
            json!({ "url": url, "endpoint": "http://127.0.0.1:9", "accessKey": "k", "secretKey": secret }),
        )
        .unwrap_err()["code"]
            .clone()
    };
    assert_eq!(ask("s3://bucket/lib", None), "keys_incomplete");
    assert_eq!(ask("ftp://bucket/lib", Some("s")), "store_invalid");
    // A recovery that finished and waits for the restart is not made twice.
    let staged = trove_core::recovery_staging_dir(app.lib.dir());
    drop(Library::open(&staged, OpenOptions::write().create(true)).unwrap());
    assert_eq!(ask("s3://bucket/lib", Some("s")), "library_not_empty");
    std::fs::remove_dir_all(&staged).unwrap();
    invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    assert_eq!(ask("s3://bucket/lib", Some("s")), "library_not_empty");
    assert!(
        !trove_core::recovery_staging_dir(app.lib.dir()).exists(),
        "nothing was made beside the library"
    );
}

/// Restore of a folder's originals: an unknown folder and a relative
/// destination are refused by code; with no target, the core says so.
#[test]
fn restoring_originals_checks_its_folder_and_destination() {
    let app = app();
    let restore = |args: Value| invoke(&app, "restore_originals", args).unwrap_err()["code"].clone();
    assert_eq!(restore(json!({ "rootId": 999 })), "root_not_found");
    let root = invoke(&app, "add_root", json!({ "path": app.photos.to_str().unwrap() })).unwrap();
    let id = root["id"].as_i64().unwrap();
    assert_eq!(restore(json!({ "rootId": id, "to": "relative/dir" })), "bad_path");
    assert_eq!(restore(json!({ "rootId": id, "relocate": true })), "bad_path");
    assert_eq!(restore(json!({ "rootId": id })), "no_target");
    // The guard of the one restore at a time was released by each refusal.
    assert_eq!(restore(json!({ "rootId": id })), "no_target");
    // Relocating the folder: a relative path, a file, or the library's own
    // folder are refused by code; a real folder is taken.
    let relocate = |path: &std::path::Path| invoke(&app, "relocate_root", json!({ "rootId": id, "path": path }));
    let code = |r: Result<Value, Value>| r.unwrap_err()["code"].clone();
    assert_eq!(code(relocate(std::path::Path::new("photos"))), "bad_path");
    assert_eq!(code(relocate(&app.photos.join("a.png"))), "not_a_folder");
    assert_eq!(code(relocate(app.lib.dir())), "root_inside_library");
    let elsewhere = app.photos.parent().unwrap().join("moved");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let moved = relocate(&elsewhere).unwrap();
    assert_eq!(moved["path"], elsewhere.canonicalize().unwrap().to_str().unwrap());
    assert_eq!(moved["id"], id, "the same folder, at its new place");
}
