//! Wakes idle workers when jobs are enqueued in this process.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Wakes idle workers when jobs are enqueued in this process.
#[derive(Debug, Default)]
pub(crate) struct JobSignal {
    generation: Mutex<u64>,
    cond: Condvar,
}

impl JobSignal {
    pub(crate) fn notify(&self) {
        let mut g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
        *g = g.wrapping_add(1);
        self.cond.notify_all();
    }

    pub(crate) fn wait(&self, timeout: Duration) {
        let g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.cond.wait_timeout(g, timeout);
    }
}
