//! Sync credentials of the desktop app. They are kept in the OS keychain
//! (the Secret Service on Linux: GNOME Keyring, KWallet), one entry per
//! target URL, never in the catalog or in logs. Without a keychain entry
//! (or without a keychain at all) the standard AWS chain is used:
//! AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws.

use serde::{Deserialize, Serialize};
use trove_core::{CredentialSource, Target};

use crate::codes;
use crate::dto::ErrorDto;

/// The keychain's service name for Trove's entries.
pub const SERVICE: &str = "app.trove.desktop";

#[derive(Serialize, Deserialize)]
struct Stored {
    access_key: String,
    secret_key: String,
    /// The endpoint the keys were given for (`None`: the provider's own,
    /// AWS). Keys are only ever sent there: a changed endpoint (a typo, or
    /// a page that changed the target) makes them unusable until the
    /// person gives them again. Entries written before this was kept have
    /// no binding (`bound` false) until they are next saved.
    #[serde(default)]
    endpoint: Option<String>,
    #[serde(default)]
    bound: bool,
}

fn entry(target_url: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(SERVICE, target_url)
}

fn unavailable(e: &keyring::Error) -> ErrorDto {
    ErrorDto::new(
        codes::KEYCHAIN_UNAVAILABLE,
        format!(
            "the system keychain cannot be used ({e}); start GNOME Keyring or KWallet (a Secret Service), \
             or give the keys as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile in ~/.aws) \
             to Trove's environment instead"
        ),
    )
}

/// Whether the keychain answers; `Err` says why not.
pub fn probe() -> Result<(), ErrorDto> {
    let e = entry("probe").map_err(|e| unavailable(&e))?;
    match e.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(&e)),
    }
}

/// Stores the keys of a target in the keychain, bound to the endpoint
/// they are for.
pub fn save(target_url: &str, endpoint: Option<&str>, access_key: &str, secret_key: &str) -> Result<(), ErrorDto> {
    let value = serde_json::to_string(&Stored {
        access_key: access_key.to_owned(),
        secret_key: secret_key.to_owned(),
        endpoint: endpoint.map(str::to_owned),
        bound: true,
    })
    .map_err(|e| ErrorDto::new(codes::INTERNAL, e.to_string()))?;
    entry(target_url)
        .and_then(|e| e.set_password(&value))
        .map_err(|e| unavailable(&e))
}

/// Forgets the keys of a target.
pub fn forget(target_url: &str) -> Result<(), ErrorDto> {
    match entry(target_url).and_then(|e| e.delete_credential()) {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(&e)),
    }
}

/// The endpoint the keychain's keys of `target_url` are bound to:
/// `None` when there are no keys there (or no keychain, or keys saved
/// before endpoints were kept), `Some(None)` for the provider's own.
pub fn bound_endpoint(target_url: &str) -> Option<Option<String>> {
    probe().ok()?;
    let value = entry(target_url).and_then(|e| e.get_password()).ok()?;
    let s: Stored = serde_json::from_str(&value).ok()?;
    s.bound.then_some(s.endpoint)
}

/// The keys a form gave: both (trimmed), or neither (the AWS environment
/// is used); one without the other is refused.
pub fn key_pair(access_key: Option<String>, secret_key: Option<String>) -> Result<Option<(String, String)>, ErrorDto> {
    let clean = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    match (clean(access_key), clean(secret_key)) {
        (Some(a), Some(s)) => Ok(Some((a, s))),
        (None, None) => Ok(None),
        _ => Err(ErrorDto::new(
            codes::KEYS_INCOMPLETE,
            "give both the access key id and the secret key, or neither (to use the AWS environment)",
        )),
    }
}

/// Refuses a plain-HTTP endpoint on another machine unless the person
/// confirmed that the network is theirs.
pub fn check_plain_http(endpoint: Option<&str>, allowed: Option<bool>) -> Result<(), ErrorDto> {
    match endpoint {
        Some(e) if is_plain_http_elsewhere(e) && allowed != Some(true) => Err(ErrorDto::new(
            codes::PLAIN_HTTP,
            format!(
                "{e} is plain HTTP to another machine: your keys' signatures and your originals would cross the network unencrypted; use https://, or confirm that this network is yours"
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether `endpoint` sends keys and originals unencrypted to another
/// machine: plain `http://` to anything but this computer.
pub fn is_plain_http_elsewhere(endpoint: &str) -> bool {
    let Some(rest) = endpoint
        .trim()
        .to_ascii_lowercase()
        .strip_prefix("http://")
        .map(str::to_owned)
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or("").to_owned(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h).to_owned(),
    };
    !(host == "localhost" || host == "::1" || host.starts_with("127."))
}

/// The credentials of a target and where they came from ("keychain" or
/// "environment"). Only a missing entry (or no keychain at all) falls back
/// to the environment; a keychain that answers with an error, or an entry
/// Trove cannot read, is an error the user sees.
pub fn load(target: &Target) -> Result<(CredentialSource, &'static str), ErrorDto> {
    let environment = || {
        (
            CredentialSource::AwsChain {
                profile: target.settings.profile.clone(),
            },
            "environment",
        )
    };
    if probe().is_err() {
        return Ok(environment());
    }
    match entry(&target.settings.url).and_then(|e| e.get_password()) {
        Ok(value) => {
            let s: Stored = serde_json::from_str(&value).map_err(|_| {
                ErrorDto::new(
                    codes::KEYCHAIN_ENTRY_UNREADABLE,
                    format!(
                        "the keychain entry of {} is not one Trove wrote; set the keys again",
                        target.settings.url
                    ),
                )
            })?;
            if s.bound && s.endpoint != target.settings.endpoint {
                let name = |e: &Option<String>| e.clone().unwrap_or_else(|| "the provider's own endpoint".into());
                return Err(ErrorDto::new(
                    codes::KEYS_FOR_ANOTHER_ENDPOINT,
                    format!(
                        "the keys of {} were given for {}, and the target now points at {}; give the keys again so they go only where you say",
                        target.settings.url,
                        name(&s.endpoint),
                        name(&target.settings.endpoint)
                    ),
                ));
            }
            Ok((
                CredentialSource::Static {
                    access_key: s.access_key,
                    secret_key: s.secret_key,
                    session_token: None,
                },
                "keychain",
            ))
        }
        Err(keyring::Error::NoEntry) => Ok(environment()),
        Err(e) => Err(unavailable(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_http_elsewhere;

    #[test]
    fn plain_http_counts_only_when_it_leaves_this_computer() {
        for local in [
            "http://127.0.0.1:9000",
            "http://localhost:9000/",
            "http://[::1]:9000",
            "HTTP://127.0.0.2",
        ] {
            assert!(!is_plain_http_elsewhere(local), "{local}");
        }
        for remote in [
            "http://192.0.2.7:9000",
            "http://nas.local",
            "http://minio.example.com/x",
            "http://[2001:db8::1]:9000",
        ] {
            assert!(is_plain_http_elsewhere(remote), "{remote}");
        }
        assert!(!is_plain_http_elsewhere("https://s3.example.com"));
    }
}
