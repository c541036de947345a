//! How to reach a bucket: its name, endpoint, region and options, and where
//! the credentials come from.

use std::time::Duration;

/// Where the S3 store gets its credentials.
#[derive(Clone)]
pub enum CredentialSource {
    /// Given explicitly (the desktop's keychain, tests).
    Static {
        access_key: String,
        secret_key: String,
        session_token: Option<String>,
    },
    /// The standard AWS chain (environment, `~/.aws` profile, SSO, IMDS),
    /// optionally with a named profile. Only front ends choose this: it
    /// reads the process environment.
    AwsChain { profile: Option<String> },
}

impl std::fmt::Debug for CredentialSource {
    // Secrets never reach logs: only the access key id is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialSource::Static { access_key, .. } => f
                .debug_struct("Static")
                .field("access_key", access_key)
                .finish_non_exhaustive(),
            CredentialSource::AwsChain { profile } => f.debug_struct("AwsChain").field("profile", profile).finish(),
        }
    }
}

/// How to reach a bucket.
#[derive(Clone, Debug)]
pub struct S3Options {
    pub bucket: String,
    /// Key prefix inside the bucket, without slashes at either end.
    pub prefix: String,
    /// A custom endpoint (MinIO, Garage, R2...); `None` for AWS.
    pub endpoint: Option<String>,
    /// `None` takes the chain's region, else `us-east-1`.
    pub region: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`). Most self-hosted
    /// servers need it; it is the default whenever an endpoint is given.
    pub path_style: bool,
    /// `AES256` or `aws:kms`; `None` leaves the bucket default.
    pub server_side_encryption: Option<String>,
    /// The KMS key (id, alias or ARN) under `aws:kms`; `None`: the
    /// bucket's key. Ignored under any other encryption.
    pub sse_kms_key_id: Option<String>,
    pub credentials: CredentialSource,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest wait for a response to start once a request is sent.
    pub read_timeout: Duration,
    /// An upload or download that moves no bytes for this long is cut and
    /// retried.
    pub stall_timeout: Duration,
    /// Attempts per request inside the SDK (standard retry with back-off).
    pub max_attempts: u32,
}

impl S3Options {
    /// Options with sensible timeouts for `bucket`.
    pub fn new(bucket: impl Into<String>, credentials: CredentialSource) -> S3Options {
        S3Options {
            bucket: bucket.into(),
            prefix: String::new(),
            endpoint: None,
            region: None,
            path_style: false,
            server_side_encryption: None,
            sse_kms_key_id: None,
            credentials,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            stall_timeout: Duration::from_secs(20),
            max_attempts: 3,
        }
    }
}
