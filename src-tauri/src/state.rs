use std::sync::{Arc, OnceLock};

use trove_core::Library;

use crate::dto::ErrorDto;

/// What commands share: the open library, once setup has opened it.
#[derive(Debug, Default)]
pub struct AppState {
    lib: OnceLock<Arc<Library>>,
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

    pub fn lib(&self) -> Result<Arc<Library>, ErrorDto> {
        self.lib
            .get()
            .cloned()
            .ok_or_else(|| ErrorDto::new("not_ready", "the library is still opening; try again in a moment"))
    }
}
