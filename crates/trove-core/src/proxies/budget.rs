//! The memory budget of the image decodes in flight.
//!
//! Every worker may be decoding at once, and one 250-megapixel PNG alone
//! holds about 1.5 GB while it decodes (its pixels, then the 8-bit copy
//! that is shrunk). Each decode first takes what it will hold (estimated
//! from the file's header by `trove_media::decode_memory`) from this
//! budget and waits while the decodes in flight leave too little; one
//! larger than the whole budget waits until it runs alone. Decodes are let
//! in the order they asked (a large one is not overtaken for ever by
//! small ones that would fit beside the others). So the decodes
//! of a run stay within the budget however many workers there are, at the
//! cost of running the large ones one after the other.

use std::sync::{Condvar, Mutex};

#[derive(Debug)]
pub(crate) struct DecodeBudget {
    limit: u64,
    state: Mutex<State>,
    freed: Condvar,
}

/// Bytes held, and the tickets of the queue of decodes waiting.
#[derive(Debug, Default)]
struct State {
    used: u64,
    next_ticket: u64,
    serving: u64,
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
            state: Mutex::new(State::default()),
            freed: Condvar::new(),
        }
    }

    /// Waits until `bytes` fit beside the decodes in flight.
    pub(crate) fn take(&self, bytes: u64) -> Permit<'_> {
        let bytes = bytes.min(self.limit);
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let ticket = st.next_ticket;
        st.next_ticket += 1;
        while st.serving != ticket || st.used + bytes > self.limit {
            st = self.freed.wait(st).unwrap_or_else(|p| p.into_inner());
        }
        st.used += bytes;
        st.serving += 1;
        // The next in the queue may fit beside this one.
        self.freed.notify_all();
        Permit { budget: self, bytes }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut st = self.budget.state.lock().unwrap_or_else(|p| p.into_inner());
        st.used -= self.bytes;
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
        assert_eq!(budget.state.lock().unwrap().used, 0);
    }

    #[test]
    fn a_large_decode_waiting_is_not_overtaken_by_small_ones_that_would_fit() {
        let budget = DecodeBudget::new(100);
        let order = Mutex::new(Vec::new());
        let first = budget.take(60);
        std::thread::scope(|s| {
            let (budget, order) = (&budget, &order);
            s.spawn(move || {
                let _p = budget.take(100);
                order.lock().unwrap().push("large");
                std::thread::sleep(Duration::from_millis(50));
            });
            std::thread::sleep(Duration::from_millis(50));
            s.spawn(move || {
                // 30 fits beside the 60 held, but the large one asked first.
                let _p = budget.take(30);
                order.lock().unwrap().push("small");
            });
            std::thread::sleep(Duration::from_millis(50));
            assert!(order.lock().unwrap().is_empty(), "nothing overtook the queue");
            drop(first);
        });
        assert_eq!(*order.lock().unwrap(), ["large", "small"]);
    }
}
