//! End-to-end tests live in `cli/` (the `trove` binary, run as a user
//! would) and `desktop/` (the desktop app through tauri-driver). This crate
//! has no library code of its own.
