// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    limit_malloc_arenas();
    trove_desktop::run();
}

/// glibc gives each thread that allocates its own arena (up to 8 per core)
/// and rarely returns their freed memory. After scrolling a 100,000-asset
/// grid (thousands of thumbnail reads, the web view's threads) the app held
/// 420-447 MB and WebKit's network process 122 MB; with two arenas, 187-243
/// MB and 61 MB, at no measurable cost to launch or search
/// (docs/benchmarks.md). `mallopt` covers this process where it still can;
/// the variable covers the WebKit processes it starts. Done before any
/// thread of ours exists.
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
