use std::sync::{Arc, OnceLock};

use trove_core::Library;

use crate::dto::{ErrorDto, EventDto};

/// Sends an event to the page.
pub type Emitter = Arc<dyn Fn(EventDto) + Send + Sync>;

/// What commands share: the open library, once setup has opened it, and
/// the way to tell the page about work that goes on after a command
/// returned.
#[derive(Default)]
pub struct AppState {
    lib: OnceLock<Arc<Library>>,
    emitter: OnceLock<Emitter>,
    media_base: OnceLock<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("lib", &self.lib)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn empty() -> Self {
        Self::default()
    }

    pub fn with(lib: Arc<Library>) -> Self {
        let s = Self::default();
        s.set(lib);
        s
    }

    pub fn set(&self, lib: Arc<Library>) {
        let _ = self.lib.set(lib);
    }

    /// Sets where events go (the page's event channel; tests collect them).
    pub fn set_emitter(&self, emitter: Emitter) {
        let _ = self.emitter.set(emitter);
    }

    /// Where events go, for work that outlives a command (a no-op before
    /// an emitter is set).
    pub fn emitter(&self) -> Emitter {
        self.emitter.get().cloned().unwrap_or_else(|| Arc::new(|_| {}))
    }

    /// Records where the loopback media server listens.
    pub fn set_media_base(&self, base: String) {
        let _ = self.media_base.set(base);
    }

    /// The media server's base URL, once it runs.
    pub fn media_base(&self) -> Option<String> {
        self.media_base.get().cloned()
    }

    pub fn lib(&self) -> Result<Arc<Library>, ErrorDto> {
        self.lib
            .get()
            .cloned()
            .ok_or_else(|| ErrorDto::new("not_ready", "the library is still opening; try again in a moment"))
    }
}
