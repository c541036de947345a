/// Why a file's media could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MediaError {
    /// The bytes do not form a valid file of the format they claim.
    #[error("corrupt {format} data: {detail}")]
    Corrupt { format: &'static str, detail: String },
    /// The file is damaged, but its image decoded as far as it goes (a JPEG
    /// with extraneous bytes or a premature end: libjpeg-turbo's warnings,
    /// which every viewer shows through). Recorded on the asset next to the
    /// proxies made from it; not a failure.
    #[error("damaged {format} data ({detail}); the preview shows what could be decoded, grey where data is missing")]
    Damaged { format: &'static str, detail: String },
    /// The file has no metadata of the kind asked for. Not an error for the
    /// user; callers fall back to other sources.
    #[error("no {what} in the file")]
    Absent { what: &'static str },
    /// A format Trove cannot decode (yet).
    #[error("unsupported image format: {detail}")]
    Unsupported { detail: String },
    /// Larger than the decode limit: refused before any pixel is decoded.
    #[error(
        "the image is {width} x {height} pixels, over the {limit_mp} megapixel limit; it is catalogued without a preview"
    )]
    TooLarge { width: u64, height: u64, limit_mp: u64 },
    /// Decoding would need more memory than the limit allows.
    #[error(
        "decoding the image would need more memory than Trove allows ({detail}); it is catalogued without a preview"
    )]
    OverMemoryLimit { detail: String },
    /// An external tool the file needs (ffmpeg for video and audio,
    /// poppler for PDF) is not installed.
    #[error("needs {tool}, which is not installed: install {package} (Debian: `apt install {package}`), then make the proxies again", package = package_of(tool))]
    ToolMissing { tool: &'static str },
    /// An external tool failed for a reason other than the file's content.
    #[error("{tool} failed: {detail}")]
    ToolFailed { tool: &'static str, detail: String },
    /// An external tool stopped because the disk it writes to is full
    /// (ENOSPC or a quota): the file is fine, and the same work succeeds
    /// once there is space.
    #[error("{tool} could not write its output: the disk is full ({detail})")]
    DiskFull { tool: &'static str, detail: String },
    /// An external tool ran past its time limit and was stopped.
    #[error("{tool} was stopped after {seconds} s; the file may be damaged or very long")]
    Timeout { tool: &'static str, seconds: u64 },
}

/// The Debian package that ships a tool.
fn package_of(tool: &str) -> &'static str {
    match tool {
        "pdfinfo" | "pdftoppm" => "poppler-utils",
        "vips" | "vipsheader" => "libvips-tools",
        "dcraw_emu" => "libraw-bin",
        _ => "ffmpeg",
    }
}

impl MediaError {
    /// Stable, machine-readable code for the catalog and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Corrupt { .. } => "corrupt",
            MediaError::Damaged { .. } => "damaged",
            MediaError::Absent { .. } => "absent",
            MediaError::Unsupported { .. } => "unsupported",
            MediaError::TooLarge { .. } | MediaError::OverMemoryLimit { .. } => "too_large",
            MediaError::ToolMissing { .. } => "tool_missing",
            MediaError::ToolFailed { .. } => "tool_failed",
            MediaError::DiskFull { .. } => "disk_full",
            MediaError::Timeout { .. } => "timeout",
        }
    }
}
