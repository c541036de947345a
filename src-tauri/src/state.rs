use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use trove_core::{Cancel, Library};

use crate::codes;
use crate::dto::{ErrorDto, EventDto, Operation};

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
    operations: Arc<Operations>,
    open_error: OnceLock<ErrorDto>,
    first_page: Arc<FirstPage>,
    fetcher: OnceLock<Arc<crate::fetcher::ProxyFetcher>>,
}

/// Whether the grid's first page has been served: the start-up scan, the
/// watcher's set-up and the job workers wait for it (a few seconds at
/// most), so that on two cores the launch is not a race between walking
/// 100,000 files and showing the first screen.
#[derive(Debug, Default)]
pub struct FirstPage {
    served: Mutex<bool>,
    cond: Condvar,
}

impl FirstPage {
    /// The first page is out.
    pub fn served(&self) {
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        if !*served {
            *served = true;
            self.cond.notify_all();
        }
    }

    /// Waits until the first page is out, or `at_most` has passed.
    pub fn wait(&self, at_most: Duration) {
        let served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self
            .cond
            .wait_timeout_while(served, at_most, |served| !*served)
            .map_err(|p| p.into_inner());
    }
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

    /// Sets the queue of proxies fetched from the target on demand.
    pub fn set_fetcher(&self, fetcher: Arc<crate::fetcher::ProxyFetcher>) {
        let _ = self.fetcher.set(fetcher);
    }

    /// The queue of proxies fetched on demand, once the library is open.
    pub fn fetcher(&self) -> Option<Arc<crate::fetcher::ProxyFetcher>> {
        self.fetcher.get().cloned()
    }

    /// Records where the loopback media server listens.
    pub fn set_media_base(&self, base: String) {
        let _ = self.media_base.set(base);
    }

    /// The media server's base URL, once it runs.
    pub fn media_base(&self) -> Option<String> {
        self.media_base.get().cloned()
    }

    /// Records why the library could not be opened: every command that
    /// needs it answers with this error, so the page can say what is wrong
    /// instead of the app failing to start.
    pub fn set_open_error(&self, error: ErrorDto) {
        let _ = self.open_error.set(error);
    }

    /// The grid's first page: served, and waited for by background work.
    pub fn first_page(&self) -> &Arc<FirstPage> {
        &self.first_page
    }

    /// Long work the page started and can stop.
    pub fn operations(&self) -> &Arc<Operations> {
        &self.operations
    }

    pub fn lib(&self) -> Result<Arc<Library>, ErrorDto> {
        if let Some(lib) = self.lib.get() {
            return Ok(lib.clone());
        }
        Err(self
            .open_error
            .get()
            .cloned()
            .unwrap_or_else(|| ErrorDto::new(codes::NOT_READY, "the library is still opening; try again in a moment")))
    }
}

/// Long work the page started (a sync, a verification, an import of what
/// an upload request received): one of each kind at a time, each with the
/// flag that stops it.
#[derive(Debug, Default)]
pub struct Operations(Mutex<HashMap<Operation, Cancel>>);

impl Operations {
    /// Registers `op` as running, unless one of its kind or of `excludes`
    /// already is (that one is the error), in one step. It stays registered
    /// until the returned guard is dropped.
    pub fn start(self: &Arc<Self>, op: Operation, excludes: &[Operation]) -> Result<Running, Operation> {
        let mut running = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(busy) = std::iter::once(&op).chain(excludes).find(|o| running.contains_key(o)) {
            return Err(*busy);
        }
        let cancel = Cancel::new();
        running.insert(op, cancel.clone());
        Ok(Running {
            ops: self.clone(),
            op,
            cancel,
        })
    }

    pub fn is_running(&self, op: Operation) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains_key(&op)
    }

    /// Asks `op` to stop; false if it was not running.
    pub fn cancel(&self, op: Operation) -> bool {
        match self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&op)
        {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}

/// A running operation; dropping it (however the work ends, a panic
/// included) lets the next one of its kind start.
#[derive(Debug)]
pub struct Running {
    ops: Arc<Operations>,
    op: Operation,
    cancel: Cancel,
}

impl Running {
    /// Fires when the page asks the operation to stop.
    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.ops
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.op);
    }
}
