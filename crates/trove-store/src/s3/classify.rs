//! What an S3 error response means: one of [`StoreError`]'s classes, from
//! the status and the code servers answer with.

use crate::error::StoreError;

pub(super) fn classify(
    store: String,
    op: &'static str,
    key: String,
    status: u16,
    code: String,
    detail: String,
) -> StoreError {
    match (status, code.as_str()) {
        (_, "NoSuchBucket") => StoreError::NoBucket { store },
        (_, "NoSuchUpload") => StoreError::UploadGone { store, key },
        (_, "NoSuchKey") | (404, "NotFound" | "") => StoreError::NotFound { store, key },
        // S3 answers 403 for a read of an object in an archive class: not
        // a matter of permission (the 403 arm below would stop the sync).
        (_, "InvalidObjectState") => StoreError::Archived {
            store,
            key,
            detail: format!("{code}: {detail}"),
        },
        (
            _,
            "InvalidAccessKeyId"
            | "SignatureDoesNotMatch"
            | "InvalidToken"
            | "ExpiredToken"
            | "AuthorizationHeaderMalformed",
        ) => StoreError::BadCredentials {
            store,
            detail: format!("{code}: {detail}"),
        },
        // S3 passes on KMS's refusals of the target's key (no such key, key
        // disabled, not allowed to use it) as `KMS.<exception>`: every
        // upload would meet the same, so the sync stops at once.
        (_, c) if c.starts_with("KMS.") => StoreError::AccessDenied {
            store,
            key,
            detail: format!(
                "the target's KMS key cannot be used ({code}: {detail}); check the KMS key id (--sse-kms-key-id) and that the key is enabled"
            ),
        },
        (_, "AccessDenied" | "AllAccessDisabled" | "AccountProblem") | (403, _) => StoreError::AccessDenied {
            store,
            key,
            detail: if code.is_empty() {
                "403 Forbidden; the credentials may be wrong or lack permission".into()
            } else {
                format!("{code}: {detail}")
            },
        },
        (_, "BadDigest" | "InvalidDigest" | "XAmzContentSHA256Mismatch" | "InvalidChecksum") => {
            StoreError::ChecksumMismatch {
                store,
                key,
                detail: format!("the server refused the body ({code}: {detail})"),
            }
        }
        (507, _) | (_, "QuotaExceeded" | "InsufficientStorage" | "StorageFull" | "XMinioStorageFull") => {
            StoreError::Full {
                store,
                key,
                detail: format!("{status} {code}: {detail}"),
            }
        }
        // Not a passing failure: the server does not do this at all (s3s-fs
        // has no ListMultipartUploads, for one).
        (501, _) | (_, "NotImplemented") => StoreError::Unsupported { store, what: op },
        (500..=599, _) | (_, "SlowDown" | "RequestTimeout" | "InternalError" | "ServiceUnavailable") => {
            StoreError::ServerBusy {
                store,
                op,
                key,
                status,
                code,
            }
        }
        _ => StoreError::Refused {
            store,
            op,
            key,
            status,
            code,
            detail,
        },
    }
}

/// The SDK reports a credential chain that found nothing as a dispatch
/// failure; its text is the only stable signal.
pub(super) fn is_missing_credentials(detail: &str) -> bool {
    [
        "CredentialsNotLoaded",
        "no providers in chain",
        "credential provider was not enabled",
        "no credentials",
    ]
    .iter()
    .any(|needle| detail.contains(needle))
}

/// A refusal of how a request was made rather than of what it carried:
/// 400 `InvalidArgument` / `InvalidRequest` or 501 `NotImplemented`, as
/// servers answer a header they do not support.
pub(super) fn refuses_a_header(e: &StoreError) -> bool {
    match e {
        StoreError::Refused { status: 400, code, .. } => matches!(code.as_str(), "InvalidArgument" | "InvalidRequest"),
        StoreError::Unsupported { .. } => true,
        _ => false,
    }
}
