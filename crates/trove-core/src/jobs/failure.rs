//! Why a job attempt failed, and whether trying again can help.

use crate::error::CoreError;

/// Why a job attempt failed.
#[derive(Debug)]
pub(crate) struct JobFailure {
    pub(crate) message: String,
    /// Retrying will not help (bad payload, a root that no longer exists).
    pub(crate) permanent: bool,
    /// The library's disk is full: nothing is wrong with the job, which
    /// goes back to the queue without counting an attempt while the
    /// workers wait for space.
    pub(crate) disk_full: bool,
}

impl JobFailure {
    pub(crate) fn permanent(message: String) -> Self {
        JobFailure {
            message,
            permanent: true,
            disk_full: false,
        }
    }

    pub(crate) fn retryable(message: String) -> Self {
        JobFailure {
            message,
            permanent: false,
            disk_full: false,
        }
    }

    /// A failed file-system operation: `what` says which (it names the
    /// file); a full disk is told apart.
    pub(crate) fn io(what: String, e: &std::io::Error) -> Self {
        if trove_types::is_no_space(e) {
            Self::disk_full(format!("{what}: the disk is full"))
        } else {
            Self::retryable(format!("{what}: {e}"))
        }
    }

    pub(crate) fn disk_full(message: String) -> Self {
        JobFailure {
            message,
            permanent: false,
            disk_full: true,
        }
    }
}

impl From<CoreError> for JobFailure {
    fn from(e: CoreError) -> Self {
        let permanent = e.is_user_error() || matches!(&e, CoreError::Catalog(c) if c.is_not_found());
        JobFailure {
            message: e.to_string(),
            permanent: permanent && !e.is_disk_full(),
            disk_full: e.is_disk_full(),
        }
    }
}
