/// Why a file's media could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The bytes do not form a valid file of the format they claim.
    #[error("corrupt {format} data: {detail}")]
    Corrupt { format: &'static str, detail: String },
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
}

impl MediaError {
    /// Stable, machine-readable code for the catalog and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Corrupt { .. } => "corrupt",
            MediaError::Absent { .. } => "absent",
            MediaError::Unsupported { .. } => "unsupported",
            MediaError::TooLarge { .. } | MediaError::OverMemoryLimit { .. } => "too_large",
        }
    }
}
