use std::fmt;
use std::path::PathBuf;

use crate::error::{Result, StoreError};

/// Where a library syncs to: `s3://bucket/prefix` or `file:///absolute/path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetUrl {
    S3 { bucket: String, prefix: String },
    Folder { path: PathBuf },
}

impl TargetUrl {
    /// Parses a target URL, with a message naming what is wrong.
    pub fn parse(url: &str) -> Result<TargetUrl> {
        let bad = |why: &str| {
            Err(StoreError::Invalid(format!(
                "target `{url}` is not valid: {why} (expected s3://BUCKET/PREFIX or file:///PATH)"
            )))
        };
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if !valid_bucket(bucket) {
                return bad("the bucket name must be 3-63 characters of a-z, 0-9, `.` and `-`");
            }
            let prefix = prefix.trim_matches('/');
            if !prefix.is_empty() {
                crate::validate_key(prefix)?;
            }
            Ok(TargetUrl::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.to_owned(),
            })
        } else if let Some(rest) = url.strip_prefix("file://") {
            if !rest.starts_with('/') {
                return bad("a folder target needs an absolute path, file:///PATH");
            }
            Ok(TargetUrl::Folder {
                path: PathBuf::from(rest),
            })
        } else {
            bad("unknown scheme")
        }
    }
}

impl fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetUrl::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            TargetUrl::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            TargetUrl::Folder { path } => write!(f, "file://{}", path.display()),
        }
    }
}

fn valid_bucket(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.as_bytes()[0].is_ascii_alphanumeric()
        && b.as_bytes()[b.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(
            TargetUrl::parse("s3://my-bucket/photos/trove/").unwrap(),
            TargetUrl::S3 {
                bucket: "my-bucket".into(),
                prefix: "photos/trove".into()
            }
        );
        assert_eq!(
            TargetUrl::parse("s3://my-bucket").unwrap(),
            TargetUrl::S3 {
                bucket: "my-bucket".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            TargetUrl::parse("file:///mnt/nas/trove").unwrap(),
            TargetUrl::Folder {
                path: "/mnt/nas/trove".into()
            }
        );
        assert_eq!(TargetUrl::parse("s3://b-1/x/y").unwrap().to_string(), "s3://b-1/x/y");
        for bad in [
            "s3://",
            "s3://UPPER",
            "s3://a",
            "file://relative",
            "http://x",
            "s3://b-1/a/../b",
        ] {
            assert!(TargetUrl::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
