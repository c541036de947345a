// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    limit_malloc_arenas();
    paint_without_compositing();
    trove_desktop::run();
}

/// WebKitGTK's accelerated compositing made every frame of a scrolling
/// 100,000-asset grid take about 70 ms where rendering is done in software
/// (no GPU driver, Xvfb, many VMs), and its layers held about 190 MB; without
/// it frames take 16 ms and the web process needs 309 MB instead of 497
/// (docs/benchmarks.md). Off unless the person set the variable themselves
/// (`WEBKIT_DISABLE_COMPOSITING_MODE=0` turns compositing back on).
fn paint_without_compositing() {
    #[cfg(target_os = "linux")]
    #[allow(unsafe_code, clippy::disallowed_methods)]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        // SAFETY: before the runtime and the web view start: no other
        // thread reads the environment yet.
        unsafe { std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1") };
    }
}

/// glibc gives each thread that allocates its own arena (up to 8 per core)
/// and rarely returns their freed memory. In A/B runs of the desktop
/// benchmark (scrolling a 100,000-asset grid) `MALLOC_ARENA_MAX=2` set
/// before start took the app from 420-447 MB to 187-243 MB and WebKit's
/// network process from 122 to 61 MB, at no measurable cost to launch or
/// search; the app's own figure still varies between runs
/// (docs/benchmarks.md). `mallopt` covers this process; the variable covers
/// the WebKit processes it starts. Done before any thread of ours exists.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code, clippy::disallowed_methods)]
    {
        // SAFETY: mallopt only tunes the allocator.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: first thing in main: no thread of ours reads the
            // environment concurrently.
            unsafe { std::env::set_var("MALLOC_ARENA_MAX", "2") };
        }
    }
}
