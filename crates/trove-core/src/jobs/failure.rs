//! Why a job attempt failed, and whether trying again can help.

use crate::error::CoreError;

/// Why a job attempt failed.
#[derive(Debug)]
pub(crate) struct JobFailure {
    pub(crate) message: String,
    /// Retrying will not help (bad payload, a root that no longer exists).
    pub(crate) permanent: bool,
}

impl JobFailure {
    pub(crate) fn permanent(message: String) -> Self {
        JobFailure {
            message,
            permanent: true,
        }
    }

    pub(crate) fn retryable(message: String) -> Self {
        JobFailure {
            message,
            permanent: false,
        }
    }
}

impl From<CoreError> for JobFailure {
    fn from(e: CoreError) -> Self {
        let permanent = e.is_user_error() || matches!(&e, CoreError::Catalog(c) if c.is_not_found());
        JobFailure {
            message: e.to_string(),
            permanent,
        }
    }
}
