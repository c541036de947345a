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

/// Stores the keys of a target in the keychain.
pub fn save(target_url: &str, access_key: &str, secret_key: &str) -> Result<(), ErrorDto> {
    let value = serde_json::to_string(&Stored {
        access_key: access_key.to_owned(),
        secret_key: secret_key.to_owned(),
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
