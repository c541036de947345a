//! Times as the page shows them.

/// `YYYY-MM-DDTHH:MM:SS` of a wall-clock time in ms read as UTC
/// ([`trove_core::types::CaptureTime::wall_clock_ms`]).
pub fn wall_clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// algorithm), to avoid a date crate for one conversion.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::wall_clock;

    #[test]
    fn wall_clock_formats_known_instants() {
        assert_eq!(wall_clock(0), "1970-01-01T00:00:00");
        assert_eq!(wall_clock(1_700_000_000_000), "2023-11-14T22:13:20");
        assert_eq!(wall_clock(951_782_400_000), "2000-02-29T00:00:00");
        assert_eq!(wall_clock(-1000), "1969-12-31T23:59:59");
    }
}
