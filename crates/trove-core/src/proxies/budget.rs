//! The memory budget of the image decodes in flight.
//!
//! Every worker may be decoding at once, and one 250-megapixel PNG alone
//! holds about 1.5 GB while it decodes (its pixels, then the 8-bit copy
//! that is shrunk). Each decode first takes what it will hold (estimated
//! from the file's header by `trove_media::decode_memory`) from this
//! budget and waits while the decodes in flight leave too little; one
//! larger than the whole budget waits until it runs alone. So the decodes
//! of a run stay within the budget however many workers there are, at the
//! cost of running the large ones one after the other.

use std::sync::{Condvar, Mutex};

#[derive(Debug)]
pub(crate) struct DecodeBudget {
    limit: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

/// Bytes held by one decode, given back when dropped.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    budget: &'a DecodeBudget,
    bytes: u64,
}

impl DecodeBudget {
    pub(crate) fn new(limit: u64) -> Self {
        DecodeBudget {
            limit: limit.max(1),
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Waits until `bytes` fit beside the decodes in flight.
    pub(crate) fn take(&self, bytes: u64) -> Permit<'_> {
        let bytes = bytes.min(self.limit);
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        while *used + bytes > self.limit {
            used = self.freed.wait(used).unwrap_or_else(|p| p.into_inner());
        }
        *used += bytes;
        Permit { budget: self, bytes }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut used = self.budget.used.lock().unwrap_or_else(|p| p.into_inner());
        *used -= self.bytes;
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    #[test]
    fn decodes_in_flight_never_hold_more_than_the_budget() {
        let budget = DecodeBudget::new(100);
        let held = AtomicU64::new(0);
        let peak = AtomicU64::new(0);
        std::thread::scope(|s| {
            for cost in [60, 60, 30, 250, 10, 90] {
                let (budget, held, peak) = (&budget, &held, &peak);
                s.spawn(move || {
                    let _permit = budget.take(cost);
                    let now = held.fetch_add(cost.min(100), Ordering::SeqCst) + cost.min(100);
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    held.fetch_sub(cost.min(100), Ordering::SeqCst);
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= 100, "{peak:?}");
        assert_eq!(*budget.used.lock().unwrap(), 0);
    }
}
