//! The desktop's surface: every app command is declared in the permission
//! manifest (build.rs) and granted to the main window by
//! `capabilities/default.json`, and nothing else is open. Checked through
//! the mock runtime with the app's real, generated access control.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use trove_core::{Library, OpenOptions};
use trove_desktop::{AppState, setup};

fn invoke(webview: &tauri::WebviewWindow<MockRuntime>, url: &str, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: url.parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn only_the_main_window_reaches_the_commands_and_nothing_outside_the_capability_is_open() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = Arc::new(Library::open(&tmp.path().join("lib"), OpenOptions::write().create(true)).unwrap());
    let app = setup(mock_builder(), AppState::with(lib))
        .build(tauri::generate_context!(test = true))
        .unwrap();
    let main = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default())
        .build()
        .unwrap();
    let local = "tauri://localhost";

    // The main window's own page: its commands work.
    assert!(invoke(&main, local, "library_info", json!({})).is_ok());
    assert!(invoke(&main, local, "sidecar_status", json!({})).is_ok());
    // Another window (none is declared for it): nothing.
    let refused = invoke(&other, local, "library_info", json!({})).unwrap_err();
    assert!(refused.to_string().contains("not allowed"), "{refused}");
    // A page from elsewhere loaded into the main window: nothing.
    let refused = invoke(&main, "https://evil.example/", "library_info", json!({})).unwrap_err();
    assert!(refused.to_string().contains("not allowed"), "{refused}");
    // Plugin and core commands the screens do not use: refused, even in
    // the main window (only the folder picker, the save dialog of the
    // history's export and event listening are granted).
    for cmd in ["plugin:dialog|message", "plugin:window|close", "plugin:webview|print"] {
        let refused = invoke(&main, local, cmd, json!({})).unwrap_err();
        assert!(refused.to_string().contains("not allowed"), "{cmd}: {refused}");
    }
}

/// The names in a Rust array of string literals between `start` and the
/// next `end` in `text`.
fn names(text: &str, start: &str, end: &str, pick: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let from = text.find(start).unwrap() + start.len();
    let to = from + text[from..].find(end).unwrap();
    text[from..to].lines().filter_map(|l| pick(l.trim())).collect()
}

/// The commands registered, the commands declared and the commands granted
/// are the same list: a new command cannot be registered and forgotten in
/// the manifest (refused at run time) or granted without being declared.
#[test]
fn registered_declared_and_granted_commands_agree() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib_rs = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let registered = names(&lib_rs, "generate_handler![", "]", |l| {
        l.strip_prefix("commands::")
            .map(|c| c.trim_end_matches(',').rsplit("::").next().unwrap().to_owned())
    });
    let build_rs = std::fs::read_to_string(dir.join("build.rs")).unwrap();
    let declared = names(&build_rs, "const COMMANDS: &[&str] = &[", "];", |l| {
        l.strip_prefix('"').map(|c| c.trim_end_matches("\",").to_owned())
    });
    let cap: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("capabilities/default.json")).unwrap()).unwrap();
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    assert!(registered.len() > 40, "{registered:?}");
    assert_eq!(registered, declared, "lib.rs's handlers and build.rs's COMMANDS");
    assert_eq!(
        declared, granted,
        "build.rs's COMMANDS and the main window's capability"
    );
}
