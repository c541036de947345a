//! The checks every ObjectStore must pass. Each takes a store whose prefix
//! no other test uses.

use std::collections::BTreeSet;
use std::time::Duration;

use bytes::Bytes;
use tokio::task::JoinSet;
use trove_store::{BodySums, ObjectStore, PresignGet, PutOptions, md5_of, multipart_etag, sha256_of};
use trove_testkit::Rng;

/// The server behind the store under test. The checks are the same for
/// all, except where a server is known to answer differently; each such
/// place says how, and what it means for Trove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    Folder,
    SeaweedFs,
    S3sFs,
}

fn body(seed: u64, len: usize) -> Bytes {
    let mut v = vec![0u8; len];
    Rng::new(seed).fill(&mut v);
    Bytes::from(v)
}

async fn put<S: ObjectStore>(store: &S, key: &str, bytes: &Bytes) {
    store
        .put_bytes(key, bytes.clone(), BodySums::of(bytes), &PutOptions::default())
        .await
        .unwrap_or_else(|e| panic!("put {key}: {e}"));
}

pub async fn check_passes<S: ObjectStore>(store: &S, _server: Server) {
    store.check().await.unwrap();
}

pub async fn put_then_read_back<S: ObjectStore>(store: &S, _server: Server) {
    let bytes = body(1, 200_000);
    let mut opts = PutOptions {
        content_type: Some("image/jpeg".into()),
        ..Default::default()
    };
    opts.metadata
        .insert("blake3".into(), blake3::hash(&bytes).to_hex().to_string());
    let put = store
        .put_bytes("originals/ab/photo.jpg", bytes.clone(), BodySums::of(&bytes), &opts)
        .await
        .unwrap();
    assert_eq!(put.size, 200_000);
    // Both stores here confirm the SHA-256 they checked (SeaweedFS echoes
    // `x-amz-checksum-sha256`).
    assert_eq!(put.sha256, Some(sha256_of(&bytes)));

    let head = store.head("originals/ab/photo.jpg").await.unwrap();
    assert_eq!(head.key, "originals/ab/photo.jpg");
    assert_eq!(head.size, 200_000);
    if store.features().etag_is_md5 {
        assert_eq!(head.etag_md5(), Some(md5_of(&bytes)), "etag {:?}", head.etag);
    }
    if let Some(sha256) = head.sha256 {
        assert_eq!(sha256, sha256_of(&bytes), "the stored SHA-256 differs");
    }
    if store.features().metadata {
        assert_eq!(
            head.metadata.get("blake3").map(String::as_str),
            Some(blake3::hash(&bytes).to_hex().as_str())
        );
    }
    let fetched = store.read_hashes("originals/ab/photo.jpg").await.unwrap();
    assert_eq!(fetched.size, 200_000);
    assert_eq!(fetched.md5, md5_of(&bytes));
    assert_eq!(fetched.blake3, *blake3::hash(&bytes).as_bytes());
}

pub async fn wrong_md5_is_refused_and_nothing_is_stored<S: ObjectStore>(store: &S, server: Server) {
    let bytes = body(2, 10_000);
    let err = store
        .put_bytes(
            "bad/md5.bin",
            bytes.clone(),
            BodySums::md5(md5_of(b"something else")),
            &PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_checksum_mismatch", "{err}");
    assert!(err.is_retryable());
    // s3s-fs 0.14 writes the body before it checks Content-MD5 and keeps
    // the refused one. Trove never counts a refused upload as done, and the
    // retry overwrites it.
    if server != Server::S3sFs {
        let err = store.head("bad/md5.bin").await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
    }
}

pub async fn sha256_alone_verifies_the_upload<S: ObjectStore>(store: &S, server: Server) {
    // The bulk uploader's way: one SHA-256, checked by the receiving end
    // and (S3) signed as the payload hash, no MD5.
    let bytes = body(21, 150_000);
    let sums = BodySums {
        md5: None,
        sha256: Some(sha256_of(&bytes)),
    };
    let put = store
        .put_bytes("sha/good.bin", bytes.clone(), sums, &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(put.sha256, Some(sha256_of(&bytes)));
    let fetched = store.read_hashes("sha/good.bin").await.unwrap();
    assert_eq!(fetched.md5, md5_of(&bytes));

    let wrong = BodySums {
        md5: None,
        sha256: Some(sha256_of(b"something else")),
    };
    let err = store
        .put_bytes("sha/bad.bin", bytes.clone(), wrong, &PutOptions::default())
        .await
        .unwrap_err();
    if server == Server::S3sFs {
        // s3s-fs answers a body that does not match its signed payload hash
        // (the same wrong SHA-256) with a 500: refused all the same.
        assert_eq!(err.code(), "store_server_busy", "{err}");
    } else {
        assert_eq!(err.code(), "store_checksum_mismatch", "{err}");
    }
    let err = store.head("sha/bad.bin").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    let err = store
        .put_bytes("sha/none.bin", bytes, BodySums::default(), &PutOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_invalid", "{err}");
}

pub async fn missing_objects_are_not_found<S: ObjectStore>(store: &S, _server: Server) {
    // The target must exist for "not found" to mean the object.
    put(store, "present", &body(3, 10)).await;
    for err in [
        store.head("missing/key").await.unwrap_err(),
        store.read_hashes("missing/key").await.unwrap_err(),
    ] {
        assert!(err.is_not_found(), "{err}");
        assert_eq!(err.code(), "store_not_found");
        assert!(err.to_string().contains("missing/key"), "{err}");
    }
    store.delete("missing/key").await.unwrap();
}

pub async fn listing_pages_through_every_key_in_order<S: ObjectStore + Clone>(store: &S, _server: Server) {
    // More than one page (1,000), in nested "directories" whose names sort
    // differently as paths and as keys (`a/` vs `a-b`).
    let mut keys = BTreeSet::new();
    for i in 0..1_030u32 {
        let key = match i % 4 {
            0 => format!("list/a/{i:05}"),
            1 => format!("list/a-b/{i:05}"),
            2 => format!("list/{:02x}/{i:05}.jpg", i % 7),
            _ => format!("list/z{i:05}"),
        };
        keys.insert(key);
    }
    let mut set = JoinSet::new();
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    for key in keys.clone() {
        let store = store.clone();
        let permit = sem.clone().acquire_owned().await.unwrap();
        set.spawn(async move {
            let b = Bytes::from(key.clone().into_bytes());
            store
                .put_bytes(&key, b.clone(), BodySums::of(&b), &PutOptions::default())
                .await
                .unwrap();
            drop(permit);
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    let mut seen = Vec::new();
    let mut next = None;
    let mut pages = 0;
    loop {
        let page = store.list("list/", next).await.unwrap();
        pages += 1;
        for o in &page.objects {
            assert_eq!(o.size, o.key.len() as u64, "{}", o.key);
        }
        seen.extend(page.objects.into_iter().map(|o| o.key));
        next = page.next;
        if next.is_none() {
            break;
        }
        assert!(pages < 10, "listing does not end");
    }
    assert!(pages >= 2, "1,030 keys fit in one page");
    // Order is the server's: S3 lists in byte order, SeaweedFS folder by
    // folder. Every key must come exactly once.
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "keys repeated across pages");
    assert_eq!(unique, keys, "keys missing or extra");
}

pub async fn listing_filters_by_prefix<S: ObjectStore>(store: &S, _server: Server) {
    for key in [
        "p/photos/1.jpg",
        "p/photos/2.jpg",
        "p/photos-old/3.jpg",
        "p/proxies/ab/t.jpg",
        "p/x",
    ] {
        put(store, key, &body(4, 5)).await;
    }
    let keys = |page: trove_store::ListPage| page.objects.into_iter().map(|o| o.key).collect::<Vec<_>>();
    assert_eq!(
        keys(store.list("p/photos/", None).await.unwrap()),
        ["p/photos/1.jpg", "p/photos/2.jpg"]
    );
    let mut loose = keys(store.list("p/photos", None).await.unwrap());
    loose.sort();
    assert_eq!(loose, ["p/photos-old/3.jpg", "p/photos/1.jpg", "p/photos/2.jpg"]);
    assert_eq!(
        keys(store.list("p/nothing/", None).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(keys(store.list("p/", None).await.unwrap()).len(), 5);
}

pub async fn multipart_round_trip<S: ObjectStore>(store: &S, server: Server) {
    let part1 = body(5, 5 * 1024 * 1024);
    let part2 = body(6, 1234);
    let mut opts = PutOptions::default();
    opts.metadata.insert("blake3".into(), "abc".into());
    let id = store.create_multipart("big/video.mov", &opts).await.unwrap();
    if server == Server::S3sFs {
        // No ListMultipartUploads (501): sync then leaves stale uploads to
        // the bucket's lifecycle rules.
        let err = store.list_uploads("big/").await.unwrap_err();
        assert_eq!(err.code(), "store_unsupported", "{err}");
    } else {
        let uploads = store.list_uploads("big/").await.unwrap();
        assert!(
            uploads.iter().any(|u| u.upload_id == id && u.key == "big/video.mov"),
            "{uploads:?}"
        );
    }
    // Parts may arrive out of order.
    let p2 = store
        .upload_part("big/video.mov", &id, 2, part2.clone(), md5_of(&part2))
        .await
        .unwrap();
    let p1 = store
        .upload_part("big/video.mov", &id, 1, part1.clone(), md5_of(&part1))
        .await
        .unwrap();
    assert_eq!(p1.etag, hex::encode(md5_of(&part1)));
    assert_eq!(p2.size, 1234);
    let listed = store.list_parts("big/video.mov", &id).await.unwrap();
    if server == Server::S3sFs {
        // s3s-fs lists parts without their ETags: a resumed upload then
        // sends every part again (it cannot tell which arrived whole).
        let numbers: Vec<(u32, u64, &str)> = listed.iter().map(|p| (p.number, p.size, p.etag.as_str())).collect();
        assert_eq!(numbers, [(1, 5 * 1024 * 1024, ""), (2, 1234, "")]);
    } else {
        assert_eq!(listed, vec![p1.clone(), p2.clone()]);
    }
    store.complete_multipart("big/video.mov", &id, &[p1, p2]).await.unwrap();

    let head = store.head("big/video.mov").await.unwrap();
    assert_eq!(head.size, 5 * 1024 * 1024 + 1234);
    if store.features().etag_is_md5 {
        assert_eq!(
            head.etag.as_deref(),
            Some(multipart_etag(&[md5_of(&part1), md5_of(&part2)]).as_str())
        );
        assert_eq!(head.etag_md5(), None, "a multipart ETag read as an MD5");
    }
    if store.features().metadata {
        assert_eq!(head.metadata.get("blake3").map(String::as_str), Some("abc"));
    }
    let mut whole = part1.to_vec();
    whole.extend_from_slice(&part2);
    let fetched = store.read_hashes("big/video.mov").await.unwrap();
    assert_eq!(fetched.md5, md5_of(&whole));
    if server != Server::S3sFs {
        let uploads = store.list_uploads("big/").await.unwrap();
        assert!(
            !uploads.iter().any(|u| u.upload_id == id),
            "completed upload still listed"
        );
    }
}

/// A part whose Content-MD5 does not match its bytes: S3 and SeaweedFS
/// refuse it (BadDigest). s3s-fs ignores Content-MD5 and keeps it; its
/// ETag is then the MD5 of the bytes, not the one sent, and the engine's
/// verification of the completed object (whose ETag then differs from the
/// one computed from the part MD5s sent) reads it back and refuses it.
/// The part's ETag alone is no proof either way (SSE-KMS gives ETags that
/// are not MD5s), so the store does not compare it.
pub async fn multipart_part_with_wrong_md5_is_refused<S: ObjectStore>(store: &S, server: Server) {
    let id = store.create_multipart("big/bad", &PutOptions::default()).await.unwrap();
    let part = body(7, 1000);
    let sent = store
        .upload_part("big/bad", &id, 1, part.clone(), md5_of(b"other"))
        .await;
    match (server, sent) {
        (Server::S3sFs, Ok(p)) => {
            assert_ne!(p.etag, hex::encode(md5_of(b"other")));
            assert_eq!(p.etag, hex::encode(md5_of(&part)));
        }
        (_, Err(err)) => assert_eq!(err.code(), "store_checksum_mismatch", "{err}"),
        (s, Ok(p)) => panic!("{s:?} kept a part whose Content-MD5 is wrong: {p:?}"),
    }
    store.abort_multipart("big/bad", &id).await.unwrap();
}

pub async fn multipart_abort_discards_the_upload<S: ObjectStore>(store: &S, server: Server) {
    let id = store
        .create_multipart("big/aborted", &PutOptions::default())
        .await
        .unwrap();
    let part = body(8, 1000);
    store
        .upload_part("big/aborted", &id, 1, part.clone(), md5_of(&part))
        .await
        .unwrap();
    store.abort_multipart("big/aborted", &id).await.unwrap();
    let again = store.abort_multipart("big/aborted", &id).await;
    let late_part = store
        .upload_part("big/aborted", &id, 2, part.clone(), md5_of(&part))
        .await
        .unwrap_err();
    if server == Server::S3sFs {
        // s3s-fs answers an upload ID it no longer has with AccessDenied,
        // not NoSuchUpload; it has no list of uploads either.
        assert_eq!(again.unwrap_err().code(), "store_access_denied");
        assert_eq!(late_part.code(), "store_access_denied", "{late_part}");
    } else {
        again.unwrap(); // idempotent
        let uploads = store.list_uploads("big/").await.unwrap();
        assert!(!uploads.iter().any(|u| u.upload_id == id), "{uploads:?}");
        assert!(late_part.is_not_found(), "{late_part}");
    }
    assert!(store.head("big/aborted").await.unwrap_err().is_not_found());
}

pub async fn copy_keeps_the_bytes<S: ObjectStore>(store: &S, _server: Server) {
    let bytes = body(9, 77_777);
    put(store, "copy/from.bin", &bytes).await;
    store.copy("copy/from.bin", "copy/to/there.bin").await.unwrap();
    let fetched = store.read_hashes("copy/to/there.bin").await.unwrap();
    assert_eq!(fetched.md5, md5_of(&bytes));
    assert_eq!(store.head("copy/from.bin").await.unwrap().size, 77_777);
}

pub async fn overwrite_replaces_the_object<S: ObjectStore>(store: &S, _server: Server) {
    put(store, "over/k", &body(10, 100)).await;
    let second = body(11, 50);
    put(store, "over/k", &second).await;
    let fetched = store.read_hashes("over/k").await.unwrap();
    assert_eq!(fetched.size, 50);
    assert_eq!(fetched.md5, md5_of(&second));
    store.delete("over/k").await.unwrap();
    assert!(store.head("over/k").await.unwrap_err().is_not_found());
}

pub async fn presign_or_clear_refusal<S: ObjectStore>(store: &S, server: Server) {
    let bytes = body(12, 4096);
    put(store, "share/x/photo.jpg", &bytes).await;
    let opts = PresignGet {
        content_disposition: Some("attachment; filename=\"IMG 1.jpg\"".into()),
        content_type: None,
    };
    if !store.features().presign {
        let err = store
            .presign_get("share/x/photo.jpg", Duration::from_secs(60), &opts)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_unsupported", "{err}");
        return;
    }
    let url = store
        .presign_get("share/x/photo.jpg", Duration::from_secs(600), &opts)
        .await
        .unwrap();
    let resp = reqwest::get(&url).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers().get("content-disposition").unwrap().to_str().unwrap(),
        "attachment; filename=\"IMG 1.jpg\""
    );
    assert_eq!(resp.bytes().await.unwrap(), bytes);
    // A tampered signature is refused.
    let tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    let status = reqwest::get(&tampered).await.unwrap().status();
    // s3s-fs refuses it as a bad request (400), S3 as forbidden.
    let expected = if server == Server::S3sFs { 400 } else { 403 };
    assert_eq!(status, expected);
    // Longer than SigV4 allows: refused before anything is sent.
    let err = store
        .presign_get("share/x/photo.jpg", Duration::from_secs(8 * 24 * 3600), &opts)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_invalid");
    assert!(err.to_string().contains("7 days"), "{err}");
}

pub async fn invalid_keys_are_refused<S: ObjectStore>(store: &S, _server: Server) {
    for key in ["", "/etc/passwd", "a/../../b", "a//b"] {
        let b = Bytes::from_static(b"x");
        let err = store
            .put_bytes(key, b.clone(), BodySums::of(&b), &PutOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store_invalid", "{key:?}: {err}");
    }
}

pub async fn download_to_file_is_exact<S: ObjectStore>(store: &S, _server: Server) {
    let bytes = body(13, 3 * 1024 * 1024 + 17);
    put(store, "dl/file.bin", &bytes).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.bin");
    let fetched = store.get_to_file("dl/file.bin", &dest).await.unwrap();
    assert_eq!(fetched.size, bytes.len() as u64);
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);
    let err = store
        .get_to_file("dl/none", &dir.path().join("none"))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
