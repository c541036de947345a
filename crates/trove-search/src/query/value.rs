//! Field clauses: what each `field:value` means, checked as it is parsed.

use std::ops::Bound;
use std::str::FromStr;

use trove_types::AssetKind;

use crate::SearchError;
use crate::date;
use crate::doc::{normalize_extension, tag_levels, whole};
use crate::query::FIELD_NAMES;

/// Which text fields a word or phrase is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextTarget {
    /// Free text: names, folders, title and every other text.
    Any,
    Name,
    Folder,
    Title,
    Caption,
    Creator,
    Camera,
    Lens,
}

/// Numeric fields with comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumField {
    Rating,
    Iso,
    Width,
    Height,
    Focal,
    Aperture,
}

/// An interval of numbers, either end open or unbounded (never both).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Interval<T> {
    pub lower: Bound<T>,
    pub upper: Bound<T>,
}

/// One checked leaf of a query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Clause {
    /// Words (prefix and typo tolerant) or an exact phrase.
    Text {
        target: TextTarget,
        text: String,
        phrase: bool,
    },
    Kind(AssetKind),
    /// Normalized: lower case, no dot.
    Ext(String),
    Mime(String),
    /// Capture time in `[from, to)`, Unix ms UTC.
    Taken {
        from: Option<i64>,
        to: Option<i64>,
    },
    Int {
        field: NumField,
        interval: Interval<i64>,
    },
    Float {
        field: NumField,
        interval: Interval<f64>,
    },
    /// The analyzed exact value of a `tag:`, `album:` or `label:`.
    Tag(String),
    Album(String),
    Label(String),
    Flag(String),
    /// `has:comment` and the other [`crate::doc::HAS_VALUES`].
    Has(&'static str),
    Missing(bool),
    /// Within `radius_m` metres of a point.
    Near {
        lat: f64,
        lon: f64,
        radius_m: f64,
    },
}

fn bad(field: &str, value: &str, expected: &'static str) -> SearchError {
    SearchError::BadValue {
        field: field.to_owned(),
        value: value.chars().take(64).collect(),
        expected,
    }
}

/// Reads `field:value`.
pub(crate) fn clause(field: &str, value: &str, quoted: bool) -> Result<Clause, SearchError> {
    let lower = field.to_ascii_lowercase();
    let text = |target| Clause::Text {
        target,
        text: value.to_owned(),
        phrase: quoted,
    };
    let exact = |expected| whole(value).ok_or_else(|| bad(field, value, expected));
    Ok(match lower.as_str() {
        "name" => text(TextTarget::Name),
        "folder" | "path" => text(TextTarget::Folder),
        "title" => text(TextTarget::Title),
        "caption" => text(TextTarget::Caption),
        "creator" => text(TextTarget::Creator),
        "camera" => text(TextTarget::Camera),
        "lens" => text(TextTarget::Lens),
        "kind" => {
            let v = value.trim().to_ascii_lowercase();
            let kind = AssetKind::ALL.into_iter().find(|k| k.as_str() == v);
            Clause::Kind(kind.ok_or_else(|| bad(field, value, "one of image, video, audio, document, other"))?)
        }
        "ext" => Clause::Ext(normalize_extension(value).ok_or_else(|| bad(field, value, "a file extension"))?),
        "mime" => Clause::Mime(exact("a MIME type such as image/jpeg")?),
        "taken" => {
            let (from, to) = taken(value).ok_or_else(|| {
                bad(
                    field,
                    value,
                    "a date YYYY, YYYY-MM or YYYY-MM-DD, a range FROM..TO, or a comparison such as >=2023-06",
                )
            })?;
            Clause::Taken { from, to }
        }
        "rating" => int(
            field,
            value,
            NumField::Rating,
            -1,
            5,
            "a rating -1..5, such as 4, >=4 or 2..4",
        )?,
        "iso" => int(
            field,
            value,
            NumField::Iso,
            0,
            i64::MAX,
            "an ISO speed such as 800, >3200 or 100..400",
        )?,
        "width" => int(
            field,
            value,
            NumField::Width,
            0,
            i64::MAX,
            "pixels, such as 4000 or >=1920",
        )?,
        "height" => int(
            field,
            value,
            NumField::Height,
            0,
            i64::MAX,
            "pixels, such as 3000 or >=1080",
        )?,
        "focal" => float(field, value, NumField::Focal, "millimetres, such as 35, 35mm or 24..70")?,
        "aperture" => float(
            field,
            value,
            NumField::Aperture,
            "an f-number, such as 2.8, f/2.8 or <=2",
        )?,
        "tag" | "keyword" => {
            let path = tag_levels(value).join("/");
            Clause::Tag(whole(&path).ok_or_else(|| bad(field, value, "a tag, such as family/kids"))?)
        }
        "album" => Clause::Album(exact("an album name")?),
        "label" => Clause::Label(exact("a colour label, such as red")?),
        "flag" => match value.trim().to_ascii_lowercase().as_str() {
            v @ ("pick" | "reject") => Clause::Flag(v.to_owned()),
            _ => return Err(bad(field, value, "pick or reject")),
        },
        "has" => {
            let v = value.trim().to_ascii_lowercase();
            let found = crate::doc::HAS_VALUES.iter().find(|h| **h == v);
            Clause::Has(found.copied().ok_or_else(|| {
                bad(
                    field,
                    value,
                    "one of comment, caption, title, creator, keyword, album, gps, rating, flag, label",
                )
            })?)
        }
        "missing" => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Clause::Missing(true),
            "false" | "no" | "0" => Clause::Missing(false),
            _ => return Err(bad(field, value, "true or false")),
        },
        "near" => near(value).ok_or_else(|| {
            bad(
                field,
                value,
                "LAT,LON,RADIUS with the radius in m or km, such as 64.14,-21.94,5km",
            )
        })?,
        _ => {
            debug_assert!(!FIELD_NAMES.contains(&lower.as_str()));
            return Err(SearchError::UnknownField {
                field: field.to_owned(),
            });
        }
    })
}

/// `5`, `=5`, `>4`, `>=4`, `<2`, `<=2`, `2..4`, `2..`, `..4`; `clean`
/// strips what may decorate each number (a unit).
fn interval<T: FromStr + Copy + PartialOrd>(value: &str, clean: fn(&str) -> &str) -> Option<Interval<T>> {
    let v = value.trim();
    let parse = |s: &str| clean(s.trim()).trim().parse::<T>().ok();
    let (lower, upper) = if let Some(rest) = v.strip_prefix(">=") {
        (Bound::Included(parse(rest)?), Bound::Unbounded)
    } else if let Some(rest) = v.strip_prefix("<=") {
        (Bound::Unbounded, Bound::Included(parse(rest)?))
    } else if let Some(rest) = v.strip_prefix('>') {
        (Bound::Excluded(parse(rest)?), Bound::Unbounded)
    } else if let Some(rest) = v.strip_prefix('<') {
        (Bound::Unbounded, Bound::Excluded(parse(rest)?))
    } else if let Some((a, b)) = v.split_once("..") {
        let lower = if a.trim().is_empty() {
            Bound::Unbounded
        } else {
            Bound::Included(parse(a)?)
        };
        let upper = if b.trim().is_empty() {
            Bound::Unbounded
        } else {
            Bound::Included(parse(b)?)
        };
        if let (Bound::Included(l), Bound::Included(u)) = (lower, upper)
            && l > u
        {
            return None;
        }
        (lower, upper)
    } else {
        let x = parse(v.strip_prefix('=').unwrap_or(v))?;
        (Bound::Included(x), Bound::Included(x))
    };
    if matches!((lower, upper), (Bound::Unbounded, Bound::Unbounded)) {
        return None;
    }
    Some(Interval { lower, upper })
}

fn int(
    field: &str,
    value: &str,
    which: NumField,
    min: i64,
    max: i64,
    expected: &'static str,
) -> Result<Clause, SearchError> {
    let interval = interval::<i64>(value, |s| s).ok_or_else(|| bad(field, value, expected))?;
    let in_range = |b: Bound<i64>| match b {
        Bound::Included(x) | Bound::Excluded(x) => (min..=max).contains(&x),
        Bound::Unbounded => true,
    };
    if !in_range(interval.lower) || !in_range(interval.upper) {
        return Err(bad(field, value, expected));
    }
    Ok(Clause::Int { field: which, interval })
}

fn float(field: &str, value: &str, which: NumField, expected: &'static str) -> Result<Clause, SearchError> {
    // `35mm`, `f/2.8`, `f2.8`.
    let clean: fn(&str) -> &str = |s| {
        let s = s.strip_prefix("f/").or_else(|| s.strip_prefix('f')).unwrap_or(s);
        s.strip_suffix("mm").unwrap_or(s)
    };
    let interval = interval::<f64>(value, clean).ok_or_else(|| bad(field, value, expected))?;
    let finite = |b: Bound<f64>| match b {
        Bound::Included(x) | Bound::Excluded(x) => x.is_finite(),
        Bound::Unbounded => true,
    };
    if !finite(interval.lower) || !finite(interval.upper) {
        return Err(bad(field, value, expected));
    }
    Ok(Clause::Float { field: which, interval })
}

/// A calendar period `[start, end)` in Unix ms: `2023`, `2023-06`, `2023-06-14`.
fn period(s: &str) -> Option<(i64, i64)> {
    let mut parts = s.trim().split('-');
    let year_s = parts.next()?;
    if year_s.len() != 4 || !year_s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i64 = year_s.parse().ok()?;
    let number = |p: Option<&str>| -> Option<Option<u32>> {
        match p {
            None => Some(None),
            Some(p) if (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => {
                Some(Some(p.parse().ok()?))
            }
            Some(_) => None,
        }
    };
    let month = number(parts.next())?;
    let day = number(parts.next())?;
    if parts.next().is_some() {
        return None;
    }
    match (month, day) {
        (None, _) => Some((date::day_start_ms(year, 1, 1), date::day_start_ms(year + 1, 1, 1))),
        (Some(m), None) if (1..=12).contains(&m) => {
            let (ny, nm) = if m == 12 { (year + 1, 1) } else { (year, m + 1) };
            Some((date::day_start_ms(year, m, 1), date::day_start_ms(ny, nm, 1)))
        }
        (Some(m), Some(d)) if (1..=12).contains(&m) && d >= 1 && d <= date::days_in_month(year, m) => {
            let start = date::day_start_ms(year, m, d);
            Some((start, start + 86_400_000))
        }
        _ => None,
    }
}

/// `taken:` values as `[from, to)`.
fn taken(value: &str) -> Option<(Option<i64>, Option<i64>)> {
    let v = value.trim();
    if let Some(rest) = v.strip_prefix(">=") {
        return Some((Some(period(rest)?.0), None));
    }
    if let Some(rest) = v.strip_prefix("<=") {
        return Some((None, Some(period(rest)?.1)));
    }
    if let Some(rest) = v.strip_prefix('>') {
        return Some((Some(period(rest)?.1), None));
    }
    if let Some(rest) = v.strip_prefix('<') {
        return Some((None, Some(period(rest)?.0)));
    }
    if let Some((a, b)) = v.split_once("..") {
        let from = if a.trim().is_empty() { None } else { Some(period(a)?.0) };
        let to = if b.trim().is_empty() { None } else { Some(period(b)?.1) };
        return match (from, to) {
            (None, None) => None,
            (Some(f), Some(t)) if f >= t => None,
            _ => Some((from, to)),
        };
    }
    let (from, to) = period(v)?;
    Some((Some(from), Some(to)))
}

/// `lat,lon,radius[m|km]`; the radius defaults to kilometres.
fn near(value: &str) -> Option<Clause> {
    let mut parts = value.split(',').map(str::trim);
    let lat: f64 = parts.next()?.parse().ok()?;
    let lon: f64 = parts.next()?.parse().ok()?;
    let radius = parts.next()?.to_ascii_lowercase();
    if parts.next().is_some() {
        return None;
    }
    let (number, scale) = if let Some(km) = radius.strip_suffix("km") {
        (km, 1000.0)
    } else if let Some(m) = radius.strip_suffix('m') {
        (m, 1.0)
    } else {
        (radius.as_str(), 1000.0)
    };
    let radius_m = number.trim().parse::<f64>().ok()? * scale;
    let valid = (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
        && radius_m.is_finite()
        && radius_m > 0.0
        && radius_m <= 20_100_000.0;
    valid.then_some(Clause::Near { lat, lon, radius_m })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taken_reads_periods_ranges_and_comparisons() {
        let day = 86_400_000;
        let june = date::day_start_ms(2023, 6, 1);
        let july = date::day_start_ms(2023, 7, 1);
        assert_eq!(taken("2023-06"), Some((Some(june), Some(july))));
        assert_eq!(
            taken("2023-06-14"),
            Some((Some(june + 13 * day), Some(june + 14 * day)))
        );
        assert_eq!(
            taken("2023-06..2023-08"),
            Some((Some(june), Some(date::day_start_ms(2023, 9, 1))))
        );
        assert_eq!(taken(">=2023-06"), Some((Some(june), None)));
        assert_eq!(taken(">2023-06"), Some((Some(july), None)));
        assert_eq!(taken("2023-13"), None);
        assert_eq!(taken("2023-02-29"), None);
        assert_eq!(taken("2023-08..2023-06"), None);
        assert_eq!(taken("23"), None);
    }

    #[test]
    fn numbers_take_comparisons_and_ranges() {
        assert_eq!(
            interval::<i64>(">=4", |s| s),
            Some(Interval {
                lower: Bound::Included(4),
                upper: Bound::Unbounded
            })
        );
        assert_eq!(
            interval::<i64>("2..4", |s| s),
            Some(Interval {
                lower: Bound::Included(2),
                upper: Bound::Included(4)
            })
        );
        assert_eq!(interval::<i64>("..", |s| s), None);
        assert_eq!(interval::<i64>("4..2", |s| s), None);
        assert!(clause("rating", "6", false).is_err());
        assert!(clause("rating", "lots", false).is_err());
    }
}
