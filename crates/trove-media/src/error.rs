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
}

impl MediaError {
    /// Stable, machine-readable code for the catalog and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            MediaError::Corrupt { .. } => "corrupt",
            MediaError::Absent { .. } => "absent",
        }
    }
}
