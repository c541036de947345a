//! The kinds of jobs this build runs, and which workers run them.

/// Reconcile one root with the disk. Payload: `{"root_id": N}`.
pub const SCAN_ROOT: &str = "scan_root";
/// Make the proxies of one asset. Payload: `{"asset": "<uuid>"}`.
pub const MAKE_PROXIES: &str = "make_proxies";
/// Heavy ffmpeg work on one video or audio asset: scrub strip, shot
/// changes, a playable copy. Payload: `{"asset": "<uuid>"}`.
pub const MAKE_PLAYABLE: &str = "make_playable";

/// Write the XMP sidecars of every asset edited since (when the library
/// writes sidecars). Payload: `{}`.
pub const WRITE_SIDECARS: &str = "write_sidecars";

/// Every kind this build can run, for claims.
pub const ALL_KINDS: &[&str] = &[SCAN_ROOT, MAKE_PROXIES, MAKE_PLAYABLE, WRITE_SIDECARS];

/// The kinds that run on the tool workers (see
/// [`super::WorkerOptions::tool_workers`]): long subprocess work that keeps every
/// core busy by itself.
pub(crate) const TOOL_KINDS: &[&str] = &[MAKE_PLAYABLE];
