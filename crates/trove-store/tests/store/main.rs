//! The ObjectStore conformance suite: every check runs against the folder
//! store and against the S3 store on two real servers on 127.0.0.1 (started
//! by trove-testkit): SeaweedFS, and s3s-fs, which implements less of S3.
//! Results are read back.
#![allow(clippy::unwrap_used)]

mod suite;

use std::time::Duration;

use trove_store::{CredentialSource, FolderStore, S3Options, S3Store};
use trove_testkit::s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};

/// A folder store over a fresh temp dir (kept alive by the guard).
fn folder_store() -> (FolderStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (FolderStore::new(dir.path().to_path_buf()), dir)
}

fn s3_options(prefix: &str) -> S3Options {
    options_for(S3Server::shared(), prefix)
}

fn options_for(server: &S3Server, prefix: &str) -> S3Options {
    let mut opts = S3Options::new(
        BUCKET,
        CredentialSource::Static {
            access_key: ACCESS_KEY.into(),
            secret_key: SECRET_KEY.into(),
            session_token: None,
        },
    );
    opts.endpoint = Some(server.endpoint.clone());
    opts.prefix = prefix.to_owned();
    opts.read_timeout = Duration::from_secs(20);
    opts
}

/// An S3 store under a prefix no other test uses.
async fn s3_store() -> S3Store {
    let prefix = format!("conformance/{}", uuid::Uuid::new_v4().simple());
    S3Store::connect(s3_options(&prefix)).await.unwrap()
}

/// The same on the s3s-fs server.
async fn s3s_store() -> S3Store {
    let prefix = format!("conformance/{}", uuid::Uuid::new_v4().simple());
    S3Store::connect(options_for(S3Server::shared_s3s(), &prefix))
        .await
        .unwrap()
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod folder {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (store, _dir) = super::folder_store();
                    super::suite::$name(&store, super::suite::Server::Folder).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let store = super::s3_store().await;
                    super::suite::$name(&store, super::suite::Server::SeaweedFs).await;
                }
            )*
        }
        mod s3s {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let store = super::s3s_store().await;
                    super::suite::$name(&store, super::suite::Server::S3sFs).await;
                }
            )*
        }
    };
}

conformance!(
    check_passes,
    put_then_read_back,
    wrong_md5_is_refused_and_nothing_is_stored,
    sha256_alone_verifies_the_upload,
    missing_objects_are_not_found,
    listing_pages_through_every_key_in_order,
    listing_filters_by_prefix,
    multipart_round_trip,
    multipart_part_with_wrong_md5_is_refused,
    multipart_abort_discards_the_upload,
    copy_keeps_the_bytes,
    overwrite_replaces_the_object,
    presign_or_clear_refusal,
    invalid_keys_are_refused,
    download_to_file_is_exact,
);

// --- store-specific checks -------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_wrong_secret_is_a_credentials_error() {
    let mut opts = s3_options("wrong-secret");
    opts.credentials = CredentialSource::Static {
        access_key: ACCESS_KEY.into(),
        secret_key: "not-the-secret".into(),
        session_token: None,
    };
    let store = S3Store::connect(opts).await.unwrap();
    let err = trove_store::ObjectStore::check(&store).await.unwrap_err();
    assert_eq!(err.code(), "store_bad_credentials", "{err}");
    assert!(err.stops_everything());
    assert!(!err.to_string().contains("not-the-secret"), "secret leaked: {err}");
    // Where the keys come from is the front end's to say (its hints).
    assert!(
        err.to_string().contains("check the access key and the secret"),
        "no hint: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_unknown_key_is_a_credentials_error() {
    let mut opts = s3_options("wrong-key");
    opts.credentials = CredentialSource::Static {
        access_key: "nobody".into(),
        secret_key: "nothing-at-all".into(),
        session_token: None,
    };
    let store = S3Store::connect(opts).await.unwrap();
    let err = trove_store::ObjectStore::check(&store).await.unwrap_err();
    assert_eq!(err.code(), "store_bad_credentials", "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_missing_bucket_is_named() {
    let mut opts = s3_options("");
    opts.bucket = "no-such-bucket-here".into();
    let store = S3Store::connect(opts).await.unwrap();
    let err = trove_store::ObjectStore::check(&store).await.unwrap_err();
    assert_eq!(err.code(), "store_no_bucket", "{err}");
    assert!(err.to_string().contains("no-such-bucket-here"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_dead_endpoint_is_a_retryable_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut opts = s3_options("dead");
    opts.endpoint = Some(format!("http://127.0.0.1:{port}"));
    opts.max_attempts = 1;
    opts.connect_timeout = Duration::from_secs(2);
    let store = S3Store::connect(opts).await.unwrap();
    let started = std::time::Instant::now();
    let err = trove_store::ObjectStore::check(&store).await.unwrap_err();
    assert_eq!(err.code(), "store_network", "{err}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folder_missing_root_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("unplugged-drive");
    let store = FolderStore::new(root.clone());
    let err = trove_store::ObjectStore::check(&store).await.unwrap_err();
    assert_eq!(err.code(), "store_no_bucket", "{err}");
    let err = trove_store::ObjectStore::put_bytes(
        &store,
        "a/b",
        bytes::Bytes::from_static(b"x"),
        trove_store::BodySums::of(b"x"),
        &Default::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "store_no_bucket", "{err}");
    assert!(!root.exists(), "the folder store created the missing root");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_objects_read_back_with_an_independent_client() {
    // rclone (Debian's) lists and hashes what trove-store wrote.
    let store = s3_store().await;
    let body = bytes::Bytes::from(vec![7u8; 300_000]);
    let md5 = trove_store::md5_of(&body);
    // Sent as the bulk uploader sends: a SHA-256 alone, as checksum and
    // signed payload hash; rclone checks the MD5 of what arrived.
    let sums = trove_store::BodySums {
        md5: None,
        sha256: Some(trove_store::sha256_of(&body)),
    };
    trove_store::ObjectStore::put_bytes(&store, "independent/check.bin", body, sums, &Default::default())
        .await
        .unwrap();
    let server = S3Server::shared();
    let remote = format!(
        "s3:{BUCKET}/{}/independent/",
        trove_store::ObjectStore::describe(&store)
            .strip_prefix(&format!("s3://{BUCKET}/"))
            .unwrap()
    );
    let out = server
        .rclone()
        .args(["md5sum", &remote])
        .output()
        .expect("rclone is installed by scripts/deps.sh");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim(), format!("{}  check.bin", hex::encode(md5)));
}

/// Posts a form like a browser would, with curl; returns the HTTP status
/// and the body.
fn post_form(
    post: &trove_store::PresignedPost,
    key: &str,
    content_type: &str,
    file: &std::path::Path,
) -> (u16, String) {
    let mut cmd = std::process::Command::new("curl");
    cmd.args(["-sS", "-o", "-", "-w", "\n%{http_code}"]);
    for (name, value) in &post.fields {
        cmd.arg("-F").arg(format!("{name}={value}"));
    }
    cmd.arg("-F").arg(format!("key={key}"));
    cmd.arg("-F").arg(format!("Content-Type={content_type}"));
    cmd.arg("-F").arg(format!("file=@{}", file.display()));
    cmd.arg(&post.url);
    let out = cmd.output().expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap(), body.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_presigned_post_uploads_only_within_its_limits() {
    use trove_store::{ObjectStore as _, PostPolicy};
    let store = s3_store().await;
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.jpg");
    std::fs::write(&small, vec![7u8; 3000]).unwrap();
    let big = dir.path().join("big.jpg");
    std::fs::write(&big, vec![8u8; 5000]).unwrap();
    let policy = PostPolicy {
        max_size: 4096,
        content_type_prefix: Some("image/".into()),
    };
    let post = store
        .presign_post("incoming/req1/", Duration::from_secs(600), &policy)
        .await
        .unwrap();
    assert!(post.key_prefix.ends_with("/incoming/req1/"), "{}", post.key_prefix);
    // Within the limits: stored under the prefix, byte for byte.
    let key = format!("{}a-small.jpg", post.key_prefix);
    let (status, body) = post_form(&post, &key, "image/jpeg", &small);
    assert!((200..300).contains(&status), "{status}: {body}");
    let info = store.head("incoming/req1/a-small.jpg").await.unwrap();
    assert_eq!(info.size, 3000);
    // Too big, wrong type, or outside the prefix: refused, nothing stored.
    let (status, body) = post_form(&post, &format!("{}b-big.jpg", post.key_prefix), "image/jpeg", &big);
    assert!(status >= 400, "oversize accepted: {status} {body}");
    assert!(store.head("incoming/req1/b-big.jpg").await.unwrap_err().is_not_found());
    let (status, body) = post_form(&post, &format!("{}c.html", post.key_prefix), "text/html", &small);
    assert!(status >= 400, "wrong type accepted: {status} {body}");
    assert!(store.head("incoming/req1/c.html").await.unwrap_err().is_not_found());
    let outside = key.replace("/incoming/req1/", "/originals/");
    let (status, body) = post_form(&post, &outside, "image/jpeg", &small);
    assert!(status >= 400, "key outside the prefix accepted: {status} {body}");
    assert!(store.head("originals/a-small.jpg").await.unwrap_err().is_not_found());
    // A tampered policy is refused.
    let mut forged = post.clone();
    forged.fields.insert("x-amz-signature".into(), "0".repeat(64));
    let (status, _) = post_form(&forged, &format!("{}d.jpg", post.key_prefix), "image/jpeg", &small);
    assert!(status >= 400, "forged signature accepted: {status}");
    // Longer than 7 days: refused before anything is signed.
    let err = store
        .presign_post("incoming/req1/", Duration::from_secs(8 * 24 * 3600), &policy)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_listing_at_the_bucket_root_keeps_to_the_prefix() {
    use trove_store::ObjectStore as _;
    let store = S3Store::connect(s3_options("")).await.unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string();
    let keys = [
        format!("manifests/da/{run}.json"),
        format!("share/{run}/1/thumb.jpg"),
        format!("share/{run}/index.html"),
        format!("share/{run}x/other.jpg"),
        format!("share{run}"),
    ];
    for k in &keys {
        let b = bytes::Bytes::from_static(b"x");
        store
            .put_bytes(k, b.clone(), trove_store::BodySums::of(&b), &Default::default())
            .await
            .unwrap();
    }
    let page = store.list(&format!("share/{run}/"), None).await.unwrap();
    let mut got: Vec<String> = page.objects.into_iter().map(|o| o.key).collect();
    got.sort();
    assert_eq!(got, [keys[1].clone(), keys[2].clone()]);
}

/// An object in an archive storage class (the fault proxy plays S3
/// Glacier): a read is `Archived`, not a denial; a restore is asked for
/// (started, then under way) and the object reads once it has run. A folder
/// has no archive class and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_archived_objects_read_once_restored() {
    use trove_store::{BodySums, ObjectStore, PutOptions, RestoreAsked, RestoreTier};
    let server = S3Server::shared();
    let proxy = trove_testkit::fault::FaultProxy::start(server.port);
    let mut opts = options_for(server, &format!("conformance/{}", uuid::Uuid::new_v4().simple()));
    opts.endpoint = Some(proxy.endpoint());
    // Before the first connection: the mode holds for connections opened
    // after it is set (and uploads pass through it).
    proxy.archive(Some("/arch/"), Duration::from_secs(2));
    let store = S3Store::connect(opts).await.unwrap();
    let bytes = bytes::Bytes::from_static(b"an archived original");
    store
        .put_bytes(
            "arch/a.bin",
            bytes.clone(),
            BodySums::of(&bytes),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    let err = store.get_bytes("arch/a.bin", 1024).await.unwrap_err();
    assert!(err.is_archived(), "{err}");
    assert_eq!(err.code(), "store_archived");
    assert!(!err.stops_everything() && !err.is_retryable(), "{err}");
    assert!(err.to_string().contains("arch/a.bin"), "{err}");
    let asked = store.request_restore("arch/a.bin", 1, RestoreTier::Bulk).await.unwrap();
    assert_eq!(asked, RestoreAsked::Started);
    let again = store.request_restore("arch/a.bin", 1, RestoreTier::Bulk).await.unwrap();
    assert_eq!(again, RestoreAsked::InProgress);
    assert!(store.get_bytes("arch/a.bin", 1024).await.unwrap_err().is_archived());
    // HEAD still answers while the object is archived.
    assert_eq!(store.head("arch/a.bin").await.unwrap().size, bytes.len() as u64);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let (read, _) = store.get_bytes("arch/a.bin", 1024).await.unwrap();
    assert_eq!(read, bytes);
    let counts = proxy.archive_counts();
    assert_eq!(
        (counts.restore_requests, counts.objects_asked, counts.refused_reads),
        (2, 1, 2)
    );

    let (folder, _dir) = folder_store();
    let err = folder
        .request_restore("a.bin", 1, RestoreTier::Standard)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_unsupported", "{err}");
}
