//! The desktop's sync credentials in the real OS keychain (a Secret
//! Service). scripts/test.sh runs the tests inside a private D-Bus session
//! with GNOME Keyring (scripts/with-keyring.sh); without a Secret Service
//! this test fails and says so.
#![allow(clippy::unwrap_used)]

use trove_core::{CredentialSource, Target};
use trove_desktop::credentials;

#[test]
fn keys_are_kept_in_the_keychain_and_forgotten() {
    if let Err(e) = credentials::probe() {
        panic!(
            "no Secret Service to test against ({}); run under scripts/with-keyring.sh",
            e.message
        );
    }
    let url = format!("s3://trove-keychain-test/{}", std::process::id());
    let target = Target {
        settings: trove_core::TargetSettings {
            url: url.clone(),
            ..Default::default()
        },
        ..Target::default()
    };
    credentials::save(&url, None, "AKIAEXAMPLE", "s3cr3t/with+chars").unwrap();
    let (source, from) = credentials::load(&target).unwrap();
    assert_eq!(from, "keychain");
    match source {
        CredentialSource::Static {
            access_key, secret_key, ..
        } => {
            assert_eq!(access_key, "AKIAEXAMPLE");
            assert_eq!(secret_key, "s3cr3t/with+chars");
        }
        other => panic!("expected keys from the keychain, got {other:?}"),
    }
    // Bound to the endpoint they were given for: the target pointing
    // elsewhere cannot use them.
    let moved = Target {
        settings: trove_core::TargetSettings {
            url: url.clone(),
            endpoint: Some("https://other-host.example".into()),
            ..Default::default()
        },
        ..Target::default()
    };
    assert_eq!(credentials::load(&moved).unwrap_err().code, "keys_for_another_endpoint");
    assert_eq!(credentials::bound_endpoint(&url), Some(None));
    // Nothing about the secret in its Debug form (logs).
    assert!(!format!("{:?}", credentials::load(&target).unwrap().0).contains("s3cr3t"));
    credentials::forget(&url).unwrap();
    let (source, from) = credentials::load(&target).unwrap();
    assert_eq!(from, "environment");
    assert!(matches!(source, CredentialSource::AwsChain { .. }));
    // Forgetting twice is fine.
    credentials::forget(&url).unwrap();
}
