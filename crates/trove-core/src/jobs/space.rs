//! Waiting for space: while the library's disk is full, a run's workers
//! claim no job (each would only fail the same way) and probe again after
//! a back-off that grows from one second to half a minute. Any write that
//! goes through (a job, an index update) ends the pause.

use std::sync::Mutex;
use std::time::{Duration, Instant};

const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub(crate) struct SpaceWait {
    /// While paused: when the next probe may start, and the back-off.
    paused: Mutex<Option<(Instant, Duration)>>,
}

impl SpaceWait {
    /// `Ok` when work may go ahead: not paused, or this caller takes the
    /// next probe (the others wait out a full back-off meanwhile).
    /// `Err` with the time left to wait otherwise.
    pub(crate) fn may_go(&self) -> Result<(), Duration> {
        let mut st = self.lock();
        match *st {
            None => Ok(()),
            Some((at, backoff)) => {
                let now = Instant::now();
                if now >= at {
                    *st = Some((now + backoff, backoff));
                    Ok(())
                } else {
                    Err(at - now)
                }
            }
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.lock().is_some()
    }

    /// Records a write that found the disk full; true when this starts a
    /// pause (the caller tells the person once).
    pub(crate) fn full(&self) -> bool {
        let mut st = self.lock();
        let now = Instant::now();
        match *st {
            None => {
                *st = Some((now + FIRST_BACKOFF, FIRST_BACKOFF));
                true
            }
            Some((_, backoff)) => {
                let next = (backoff * 2).min(MAX_BACKOFF);
                *st = Some((now + next, next));
                false
            }
        }
    }

    /// Records a write that went through; true when this ends a pause.
    pub(crate) fn ok(&self) -> bool {
        self.lock().take().is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Duration)>> {
        self.paused.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_lets_one_probe_through_per_back_off_and_ends_on_success() {
        let space = SpaceWait::default();
        assert!(space.may_go().is_ok());
        assert!(space.full(), "the first full disk starts a pause");
        assert!(!space.full(), "a second one only lengthens it");
        let wait = space.may_go().unwrap_err();
        assert!(wait > FIRST_BACKOFF && wait <= FIRST_BACKOFF * 2, "{wait:?}");
        // Once the back-off is over, one caller probes and the next waits.
        *space.paused.lock().unwrap() = Some((Instant::now(), FIRST_BACKOFF));
        assert!(space.may_go().is_ok());
        assert!(space.may_go().is_err());
        for _ in 0..10 {
            space.full();
        }
        assert!(space.may_go().unwrap_err() <= MAX_BACKOFF);
        assert!(space.ok(), "a write that goes through ends the pause");
        assert!(!space.ok());
        assert!(space.may_go().is_ok() && !space.is_paused());
    }
}
