//! Proxies of a recovered library, fetched from its target the first time
//! the page asks for them (`Library::fetch_missing_proxies`): the `thumb:`
//! answer is a 404 at once (the page shows the placeholder), the asset is
//! queued here and fetched in batches off the web view's threads, and a
//! `proxies_made` event makes the page ask again. One that failed is not
//! asked for again for ten minutes.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trove_core::Library;
use trove_core::types::AssetId;

use crate::credentials;
use crate::dto::EventDto;

/// Where the queue's events go (the app state's emitter; the same type,
/// named here so that this module does not name the state's).
pub type Emitter = Arc<dyn Fn(EventDto) + Send + Sync>;

/// The most assets one fetch takes (a screenful of thumbnails).
const BATCH: usize = 64;
/// How long a batch waits for more of the screen's requests.
const GATHER: Duration = Duration::from_millis(150);
/// How long an asked proxy is not asked for again.
const RETRY_AFTER: Duration = Duration::from_secs(600);

/// The queue of proxies to fetch.
pub struct ProxyFetcher {
    queue: Mutex<Sender<(AssetId, String)>>,
    asked: Mutex<HashMap<(AssetId, String), Instant>>,
}

impl std::fmt::Debug for ProxyFetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyFetcher").finish_non_exhaustive()
    }
}

impl ProxyFetcher {
    /// Starts the fetching thread for `lib`; events go to `emit`.
    pub fn start(lib: Arc<Library>, emit: Emitter) -> Arc<ProxyFetcher> {
        let (tx, rx) = channel();
        let spawned = std::thread::Builder::new()
            .name("trove-proxy-fetch".into())
            .spawn(move || run(&lib, &rx, &emit));
        if let Err(e) = spawned {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("trove: proxies will not be fetched from the target: {e}");
            }
        }
        Arc::new(ProxyFetcher {
            queue: Mutex::new(tx),
            asked: Mutex::new(HashMap::new()),
        })
    }

    /// Queues the proxy if the library lacks it but its target holds it,
    /// and it was not asked for lately. Returns whether it was queued.
    pub fn want(&self, lib: &Library, asset: AssetId, variant: &str) -> bool {
        if !lib.is_writer() || !matches!(lib.proxy_stored_elsewhere(asset, variant), Ok(true)) {
            return false;
        }
        {
            let mut asked = self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let key = (asset, variant.to_owned());
            if asked.get(&key).is_some_and(|t| t.elapsed() < RETRY_AFTER) {
                return false;
            }
            asked.retain(|_, t| t.elapsed() < RETRY_AFTER);
            asked.insert(key, Instant::now());
        }
        let queue = self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        queue.send((asset, variant.to_owned())).is_ok()
    }
}

fn run(lib: &Library, rx: &Receiver<(AssetId, String)>, emit: &Emitter) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        let until = Instant::now() + GATHER;
        while batch.len() < BATCH {
            let left = until.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let mut by_variant: HashMap<String, Vec<AssetId>> = HashMap::new();
        for (id, variant) in batch {
            by_variant.entry(variant).or_default().push(id);
        }
        let credentials = match lib.target().map_err(Into::into).and_then(|t| credentials::load(&t)) {
            Ok((c, _)) => c,
            Err(e) => {
                emit(EventDto::Warning {
                    message: format!("proxies could not be fetched from the target: {}", e.message),
                });
                continue;
            }
        };
        let mut fetched = 0;
        for (variant, ids) in by_variant {
            match lib.fetch_missing_proxies(&credentials, &ids, &[variant.as_str()]) {
                Ok(r) => fetched += r.fetched,
                Err(e) => emit(EventDto::Warning {
                    message: format!("proxies could not be fetched from the target: {e}"),
                }),
            }
        }
        if fetched > 0 {
            emit(EventDto::ProxiesMade { job_id: 0 });
        }
    }
}
