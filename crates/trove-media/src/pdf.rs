//! PDF documents through poppler's `pdfinfo` and `pdftoppm`: page count,
//! title, author, creation date, and page images.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use trove_types::{CaptureSource, CaptureTime, Metadata};

use crate::MediaError;
use crate::tools::Tools;

/// What a PDF's document information says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PdfInfo {
    pub pages: Option<u32>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub created: Option<CaptureTime>,
    /// Page size of the first page in points (1/72 inch).
    pub page_size: Option<(f64, f64)>,
}

impl PdfInfo {
    /// Adds the document information to an asset's metadata (a title the
    /// file's XMP gave wins).
    pub fn fill_metadata(&self, m: &mut Metadata) {
        m.page_count = self.pages;
        m.author = self.author.clone();
        m.title = m.title.take().or_else(|| self.title.clone());
    }
}

const TIMEOUT: Duration = Duration::from_secs(60);

/// Reads a PDF's document information.
pub fn pdf_info(tools: &Tools, path: &Path) -> Result<PdfInfo, MediaError> {
    let run = tools.pdfinfo(TIMEOUT, 1 << 20);
    let out = run
        .exec([
            OsStr::new("-isodates"),
            OsStr::new("-enc"),
            OsStr::new("UTF-8"),
            OsStr::new("--"),
            path.as_os_str(),
        ])
        .map_err(corrupt)?;
    Ok(parse_pdfinfo(&String::from_utf8_lossy(&out.stdout)))
}

fn corrupt(e: MediaError) -> MediaError {
    match e {
        MediaError::ToolFailed { detail, .. } => MediaError::Corrupt { format: "PDF", detail },
        other => other,
    }
}

/// Parses `pdfinfo -isodates` output (`Key:   value` lines).
pub fn parse_pdfinfo(text: &str) -> PdfInfo {
    let mut info = PdfInfo::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "Pages" => info.pages = value.parse().ok(),
            "Title" => info.title = Some(value.to_owned()),
            "Author" => info.author = Some(value.to_owned()),
            "CreationDate" => info.created = parse_iso(value),
            "Page size" => {
                // "595.276 x 841.89 pts (A4)"
                let mut nums = value.split_whitespace().filter_map(|w| w.parse::<f64>().ok());
                if let (Some(w), Some(h)) = (nums.next(), nums.next()) {
                    info.page_size = Some((w, h));
                }
            }
            _ => {}
        }
    }
    info
}

/// `2026-11-21T19:03:01+01` / `+01:00` / `Z`, as `pdfinfo -isodates` prints.
fn parse_iso(s: &str) -> Option<CaptureTime> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    // pdfinfo may print the offset as `+01` without minutes.
    let normalized = match s.len() {
        22 if matches!(s.as_bytes()[19], b'+' | b'-') => format!("{s}:00"),
        _ => s.to_owned(),
    };
    let dt = time::OffsetDateTime::parse(&normalized, &Rfc3339).ok()?;
    (dt.year() > 1970).then(|| CaptureTime {
        unix_ms: (dt.unix_timestamp_nanos() / 1_000_000) as i64,
        offset_minutes: Some(dt.offset().whole_minutes()),
        source: CaptureSource::Container,
    })
}

/// Renders one page (1-based) as a PNG whose long side is `long_side`.
pub fn pdf_page_png(tools: &Tools, path: &Path, page: u32, long_side: u32) -> Result<Vec<u8>, MediaError> {
    let page = page.max(1).to_string();
    let size = long_side.to_string();
    let run = tools.pdftoppm(TIMEOUT, (long_side as usize).pow(2) * 4 + (1 << 20));
    let out = run
        .exec([
            OsStr::new("-f"),
            OsStr::new(&page),
            OsStr::new("-l"),
            OsStr::new(&page),
            OsStr::new("-singlefile"),
            OsStr::new("-scale-to"),
            OsStr::new(&size),
            OsStr::new("-png"),
            OsStr::new("--"),
            path.as_os_str(),
        ])
        .map_err(corrupt)?;
    if out.stdout.is_empty() {
        return Err(MediaError::Corrupt {
            format: "PDF",
            detail: format!("pdftoppm rendered nothing for page {page}"),
        });
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfinfo_output() {
        let text = "Title:           Field notes\nAuthor:          Ada\nCreator:         x\nCreationDate:    2024-03-01T10:00:00+01\nPages:           3\nPage size:       595.276 x 841.89 pts (A4)\n";
        let info = parse_pdfinfo(text);
        assert_eq!(info.pages, Some(3));
        assert_eq!(info.title.as_deref(), Some("Field notes"));
        assert_eq!(info.author.as_deref(), Some("Ada"));
        assert_eq!(info.page_size, Some((595.276, 841.89)));
        let created = info.created.expect("creation date");
        assert_eq!(created.unix_ms, 1_709_283_600_000);
        assert_eq!(created.offset_minutes, Some(60));
    }
}
