//! Calendar arithmetic in UTC on Unix milliseconds, without a time zone
//! database: capture times are stored in UTC and the year and month
//! histograms and `taken:` ranges are UTC calendar periods.

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`). `month` is 1..=12, `day` 1..=31.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The UTC (year, month) of a Unix time in milliseconds.
pub(crate) fn year_month(ms: i64) -> (i64, u32) {
    let (year, month, _) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    (year, month)
}

/// The number of days in a month.
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    (days_from_civil(next_year, next_month, 1) - days_from_civil(year, month, 1)) as u32
}

/// Unix milliseconds at the start (00:00 UTC) of a day.
pub(crate) fn day_start_ms(year: i64, month: u32, day: u32) -> i64 {
    days_from_civil(year, month, day) * MS_PER_DAY
}

/// The capture times the index can hold: Tantivy keeps dates as
/// nanoseconds in an `i64`, about the years 1678 to 2262.
pub(crate) const INDEXABLE_MS: std::ops::RangeInclusive<i64> = (i64::MIN / 1_000_000)..=(i64::MAX / 1_000_000);

/// A Tantivy date for `ms`, clamped to what it can hold.
pub(crate) fn tantivy_date(ms: i64) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_millis(ms.clamp(*INDEXABLE_MS.start(), *INDEXABLE_MS.end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_calendar() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-800_000, -1, 0, 1, 11_016, 11_017, 19_522, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(year_month(-1), (1969, 12));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 12), 31);
    }
}
