//! How long a share may live: parsing `24h`, `3d`... and the limits.

use std::time::Duration;

use super::MAX_SHARE_EXPIRY;
use crate::error::{CoreError, Result};

/// Parses `90m`, `12h`, `3d`, `1w` (or plain seconds) into a duration and
/// refuses anything longer than SigV4's 7 days.
pub fn parse_expiry(text: &str) -> Result<Duration> {
    let t = text.trim();
    let bad = || CoreError::ShareExpiry {
        asked: text.to_owned(),
        why: "write it as 90m, 12h, 3d or 1w",
    };
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "" | "s" => n,
        "m" | "min" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        "w" => n.saturating_mul(7 * 86_400),
        _ => return Err(bad()),
    };
    check_expiry(text, Duration::from_secs(secs))
}

pub(super) fn check_expiry(asked: &str, d: Duration) -> Result<Duration> {
    if d > MAX_SHARE_EXPIRY {
        return Err(CoreError::ShareExpiry {
            asked: asked.to_owned(),
            why: "a signed link lasts at most 7 days (SigV4's limit); renew it before it expires instead",
        });
    }
    if d < Duration::from_secs(1) {
        return Err(CoreError::ShareExpiry {
            asked: asked.to_owned(),
            why: "a link must last at least one second",
        });
    }
    Ok(d)
}
