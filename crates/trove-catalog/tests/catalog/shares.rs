//! Shares: recorded with their objects, renewed, revoked and cleaned.

use trove_catalog::{ShareItem, ShareKind, ShareRecord, TargetSettings};

use super::open;

fn share(id: &str, target_id: i64, created: i64, expires: i64) -> ShareRecord {
    ShareRecord {
        id: id.to_owned(),
        target_id,
        kind: ShareKind::Page,
        title: Some("Trip".into()),
        message: None,
        options: r#"{"originals":false}"#.into(),
        share_key: true,
        created_at: created,
        expires_at: expires,
        revoked_at: None,
        cleaned_at: None,
    }
}

fn item(key: &str, position: i64, size: u64) -> ShareItem {
    ShareItem {
        key: key.to_owned(),
        position,
        asset_row: None,
        role: "thumb".into(),
        name: Some("a.jpg".into()),
        size,
    }
}

#[test]
fn shares_are_kept_renewed_revoked_and_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let mut b = cat.batch(1_000).unwrap();
    let target = b
        .set_target(&TargetSettings {
            url: "s3://b".into(),
            ..Default::default()
        })
        .unwrap();
    let a = "a".repeat(32);
    let c = "c".repeat(32);
    b.insert_share(
        &share(&a, target, 1_000, 5_000),
        &[item("share/a/2/t.jpg", 2, 10), item("share/a/1/t.jpg", 1, 20)],
    )
    .unwrap();
    b.insert_share(&share(&c, target, 2_000, 9_000), &[]).unwrap();
    b.commit().unwrap();

    // Newest first; items in position order.
    let ids: Vec<String> = cat.shares().unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(ids, [c.clone(), a.clone()]);
    let items = cat.share_items(&a).unwrap();
    assert_eq!(items.iter().map(|i| i.position).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(cat.share(&a).unwrap().unwrap(), share(&a, target, 1_000, 5_000));
    // A share id is 32 hex digits: anything else is refused by the schema.
    let mut b = cat.batch(1_000).unwrap();
    assert!(b.insert_share(&share("short", target, 1, 2), &[]).is_err());
    drop(b);

    // Nothing to clean before the expiry; after it, the expired one only.
    assert!(cat.shares_to_clean(4_999).unwrap().is_empty());
    let due: Vec<String> = cat.shares_to_clean(5_000).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(due, std::slice::from_ref(&a));
    // Renewed: no longer due. Revoked: due at once. Cleaned: never again.
    let mut b = cat.batch(6_000).unwrap();
    b.set_share_expiry(&a, 50_000).unwrap();
    b.mark_share_revoked(&c).unwrap();
    b.commit().unwrap();
    let due: Vec<String> = cat.shares_to_clean(6_000).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(due, std::slice::from_ref(&c));
    assert_eq!(cat.share(&c).unwrap().unwrap().revoked_at, Some(6_000));
    let mut b = cat.batch(7_000).unwrap();
    b.mark_share_cleaned(&c).unwrap();
    // Revoking again keeps the first time.
    b.mark_share_revoked(&c).unwrap();
    b.commit().unwrap();
    assert!(cat.shares_to_clean(100_000).unwrap().iter().all(|s| s.id != c));
    assert_eq!(cat.share(&c).unwrap().unwrap().revoked_at, Some(6_000));
    assert!(cat.share(&"f".repeat(32)).unwrap().is_none());
}
