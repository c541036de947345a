//! Upload requests: a page with a form that posts files into
//! `incoming/<id>/` of the bucket under a signed POST policy (size and
//! content-type limits, expiry), and the import of what arrived.

use std::path::{Path, PathBuf};
use std::time::Duration;

use trove_catalog::{ShareItem, ShareKind, ShareRecord};
use trove_store::{ObjectStore, PostPolicy};
use trove_types::AssetId;

use super::expiry::check_expiry;
use super::links::presign;
use super::make::new_share_id;
use super::{ShareCredentials, ShareOutcome, page};
use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::EventSink;
use crate::library::Library;
use crate::scan::ScanScope;
use crate::sync::runtime;

/// What an upload request accepts.
#[derive(Debug, Clone)]
pub struct RequestOptions {
    pub expires: Duration,
    /// Largest file accepted, in bytes.
    pub max_size: u64,
    /// The most files, and bytes in all, imported from the request: a
    /// stranger with the link cannot fill the library (what is over is
    /// refused at import, with why, and left in the bucket).
    pub max_files: u64,
    pub max_total: u64,
    /// Accepted `Content-Type` prefixes, e.g. `image/`, `video/`.
    pub accept: Vec<String>,
    pub title: Option<String>,
    pub message: Option<String>,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions {
            expires: super::DEFAULT_SHARE_EXPIRY,
            max_size: 2 << 30,
            max_files: 500,
            max_total: 20 << 30,
            accept: ["image/", "video/", "audio/", "application/pdf"]
                .map(String::from)
                .to_vec(),
            title: None,
            message: None,
        }
    }
}

/// What importing an upload request's files did.
#[derive(Debug, Clone, Default)]
pub struct IncomingReport {
    /// Files downloaded, verified and catalogued (path, asset).
    pub imported: Vec<(PathBuf, AssetId)>,
    pub bytes: u64,
    /// Files imported by an earlier run.
    pub already: u64,
    /// Objects that could not be imported, with why.
    pub refused: Vec<(String, String)>,
    /// The import was stopped before every object was fetched: what had
    /// arrived is catalogued, and running it again fetches the rest.
    pub cancelled: bool,
}

impl Library {
    /// Makes an upload-request link: a page whose form lets someone send
    /// files into `incoming/<id>/` of the bucket (nowhere else), each at most
    /// `max_size` bytes and of an accepted type, until the link expires.
    pub fn request_files(&self, creds: &ShareCredentials, opts: &RequestOptions) -> Result<ShareOutcome> {
        self.require_writer("making an upload request")?;
        let expires = check_expiry(&format!("{} s", opts.expires.as_secs()), opts.expires)?;
        if opts.accept.is_empty() {
            return Err(CoreError::RequestInvalid {
                asked: "no accepted types".into(),
                why: "name at least one accepted type, e.g. image/",
            });
        }
        if opts.max_files == 0 || opts.max_total == 0 {
            return Err(CoreError::RequestInvalid {
                asked: format!("{} files, {} bytes in all", opts.max_files, opts.max_total),
                why: "a request must take at least one file and one byte",
            });
        }
        if opts.max_size == 0 {
            return Err(CoreError::RequestInvalid {
                asked: "max size 0".into(),
                why: "the largest accepted file must be at least 1 byte",
            });
        }
        let target = self.share_target()?;
        let id = new_share_id()?;
        let now = self.now_ms();
        let rt = runtime(2)?;
        let stores = rt.block_on(Library::share_stores(&target, creds, None))?;
        rt.block_on(stores.main.check())?;
        let record = ShareRecord {
            id: id.clone(),
            target_id: target.id,
            kind: ShareKind::Request,
            title: opts.title.clone().filter(|t| !t.trim().is_empty()),
            message: opts.message.clone().filter(|t| !t.trim().is_empty()),
            options: serde_json::json!({
                "max_size": opts.max_size,
                "max_files": opts.max_files,
                "max_total": opts.max_total,
                "accept": opts.accept,
            })
            .to_string(),
            share_key: stores.share_key,
            created_at: now,
            expires_at: now + expires.as_millis() as i64,
            revoked_at: None,
            cleaned_at: None,
        };
        let prefix = format!("incoming/{id}/");
        // One policy per accepted type: a policy holds one Content-Type
        // condition, and the server enforces it. Policies are signed with
        // the main key: the policy itself pins the prefix, sizes and types
        // (it cannot be widened without the secret), and servers such as
        // SeaweedFS check POST uploads against bucket-wide write rights,
        // which the sharing key should not have.
        let mut policies = serde_json::Map::new();
        let mut action = String::new();
        let mut key_prefix = String::new();
        for accept in &opts.accept {
            let post = rt.block_on(stores.main.presign_post(
                &prefix,
                expires,
                &PostPolicy {
                    max_size: opts.max_size,
                    content_type_prefix: Some(accept.clone()),
                },
            ))?;
            action = post.url;
            key_prefix = post.key_prefix;
            policies.insert(accept.clone(), serde_json::json!(post.fields));
        }
        let page_key = format!("share/{id}/index.html");
        let page_url = rt.block_on(presign(
            &stores.signer,
            &page_key,
            expires,
            None,
            Some("text/html; charset=utf-8"),
        ))?;
        let title = record.title.clone().unwrap_or_else(|| "Send files".to_owned());
        let data = serde_json::json!({
            "title": title,
            "message": record.message,
            "expires": page::rfc3339(record.expires_at),
            "max_size": opts.max_size,
            "max_files": opts.max_files,
            "max_total": opts.max_total,
            "accept": opts.accept,
            "action": action,
            "key_prefix": key_prefix,
            "policies": policies,
        });
        let html = page::render_request_page(&title, &data, &page_url, &action);
        let body = bytes::Bytes::from(html.into_bytes());
        let size = body.len() as u64;
        rt.block_on(stores.main.put_bytes(
            &page_key,
            body.clone(),
            trove_store::BodySums::of(&body),
            &trove_store::PutOptions {
                content_type: Some("text/html; charset=utf-8".into()),
                ..Default::default()
            },
        ))?;
        {
            let mut cat = self.catalog();
            let mut batch = cat.batch(self.now_ms())?;
            batch.insert_share(
                &record,
                &[ShareItem {
                    key: page_key,
                    position: 0,
                    asset_row: None,
                    role: "page".into(),
                    name: None,
                    size,
                }],
            )?;
            batch.commit()?;
        }
        Ok(ShareOutcome {
            share: self.share_info(&record)?,
            links: vec![super::ShareLink {
                label: "page".into(),
                asset: None,
                url: page_url,
            }],
        })
    }

    /// Downloads what arrived for an upload request into `to` (created if
    /// needed; never overwriting a file), checks each file's size and MD5
    /// against the bucket's, and catalogs it: `to` becomes a watched folder
    /// unless it lies in one. Files imported before are skipped.
    ///
    /// `cancel` stops it between files and during a download (whose temp
    /// file is removed); what had arrived is still catalogued, and the
    /// report says it was cancelled. A file that arrived in an earlier run
    /// but was not catalogued (that run was killed) is catalogued now if it
    /// is still in `to`.
    pub fn import_incoming(
        &self,
        creds: &ShareCredentials,
        id: &str,
        to: &Path,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<IncomingReport> {
        self.require_writer("importing received files")?;
        let record = self
            .catalog()
            .share(id)?
            .ok_or_else(|| CoreError::ShareNotFound { id: id.to_owned() })?;
        if record.kind != ShareKind::Request {
            return Err(CoreError::ShareNotLive {
                id: id.to_owned(),
                state: "not an upload request",
            });
        }
        // Revoked: what arrived was deleted with it, and nothing is taken
        // in from it any more.
        if record.revoked_at.is_some() {
            return Err(CoreError::ShareNotLive {
                id: id.to_owned(),
                state: "revoked",
            });
        }
        let options: serde_json::Value = serde_json::from_str(&record.options).unwrap_or_default();
        let max_size = options["max_size"].as_u64().unwrap_or(u64::MAX);
        // Requests made before the caps existed have none.
        let max_files = options["max_files"].as_u64().unwrap_or(u64::MAX);
        let max_total = options["max_total"].as_u64().unwrap_or(u64::MAX);
        let target = self.target_of(&record)?;
        let known: std::collections::HashMap<String, ShareItem> = self
            .catalog()
            .share_items(id)?
            .into_iter()
            .filter(|i| i.role == "incoming")
            .map(|i| (i.key.clone(), i))
            .collect();
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, &creds.main, Duration::from_secs(60)))?;
        let prefix = format!("incoming/{id}/");
        let mut objects = Vec::new();
        let mut next = None;
        loop {
            let page = rt.block_on(store.list(&prefix, next))?;
            objects.extend(page.objects);
            next = page.next;
            if next.is_none() {
                break;
            }
        }
        let mut report = IncomingReport::default();
        let mut arrived: Vec<(ShareItem, PathBuf)> = Vec::new();
        // What the request has taken in so far, in earlier runs included.
        let mut taken_files = known.len() as u64;
        let mut taken_bytes: u64 = known.values().map(|i| i.size).sum();
        // Oldest first (the names start with the page's upload time).
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        for object in objects {
            if cancel.is_cancelled() {
                report.cancelled = true;
                break;
            }
            if let Some(item) = known.get(&object.key) {
                // Downloaded before but never catalogued: catalog it now.
                let left = item
                    .name
                    .as_ref()
                    .map(|n| to.join(n))
                    .filter(|p| item.asset_row.is_none() && p.metadata().is_ok_and(|m| m.len() == item.size));
                match left {
                    Some(path) => arrived.push((item.clone(), path)),
                    None => report.already += 1,
                }
                continue;
            }
            if object.size > max_size {
                report.refused.push((
                    object.key.clone(),
                    format!("{} bytes is over the request's limit", object.size),
                ));
                continue;
            }
            if taken_files >= max_files {
                report.refused.push((
                    object.key.clone(),
                    format!("the request takes at most {max_files} files, and has them"),
                ));
                continue;
            }
            if taken_bytes.saturating_add(object.size) > max_total {
                report.refused.push((
                    object.key.clone(),
                    format!(
                        "{} bytes more would take the request over its {max_total} bytes in all",
                        object.size
                    ),
                ));
                continue;
            }
            std::fs::create_dir_all(to).map_err(|e| CoreError::io("create folder", to, e))?;
            let name = safe_name(object.key.rsplit('/').next().unwrap_or_default());
            let tmp = to.join(format!(".{name}.trove-incoming-{}", uuid::Uuid::new_v4().simple()));
            let fetched = match rt.block_on(until_cancelled(cancel, store.get_to_file(&object.key, &tmp))) {
                Some(Ok(f)) => f,
                None => {
                    let _ = std::fs::remove_file(&tmp);
                    report.cancelled = true;
                    break;
                }
                Some(Err(e)) => {
                    let _ = std::fs::remove_file(&tmp);
                    report.refused.push((object.key.clone(), e.to_string()));
                    continue;
                }
            };
            let md5_ok = object.etag_md5().is_none_or(|m| m == fetched.md5);
            if fetched.size != object.size || !md5_ok {
                let _ = std::fs::remove_file(&tmp);
                report.refused.push((
                    object.key.clone(),
                    "the download does not match the bucket's size and MD5; run the import again".into(),
                ));
                continue;
            }
            let dest = match place_new(&tmp, to, &name) {
                Ok(d) => d,
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(e);
                }
            };
            // Recorded at once: a rerun never downloads it again, even if
            // cataloguing it fails below.
            let item = ShareItem {
                key: object.key.clone(),
                position: 0,
                asset_row: None,
                role: "incoming".into(),
                name: dest.file_name().map(|n| n.to_string_lossy().into_owned()),
                size: fetched.size,
            };
            {
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                batch.add_share_item(id, &item)?;
                batch.commit()?;
            }
            report.bytes += fetched.size;
            taken_files += 1;
            taken_bytes += fetched.size;
            arrived.push((item, dest));
        }
        if arrived.is_empty() {
            return Ok(report);
        }
        // Catalog them: in the watched folder that holds `to`, or with `to`
        // as a new one.
        let to = to.canonicalize().map_err(|e| CoreError::io("resolve folder", to, e))?;
        let root = match self.roots()?.into_iter().find(|r| to.starts_with(&r.path)) {
            Some(r) => r,
            None => self.add_root(&to, crate::AddRootOptions::default())?.0,
        };
        let rels: Vec<PathBuf> = arrived
            .iter()
            .filter_map(|(_, p)| {
                let p = to.join(p.file_name()?);
                p.strip_prefix(&root.path).ok().map(Path::to_path_buf)
            })
            .collect();
        // Not `cancel`: after a stop, what arrived is still catalogued (a
        // scan of only these files).
        self.scan_root(root.id, ScanScope::Paths(rels), 2, sink, &Cancel::new())?;
        for (item, path) in arrived {
            let path = to.join(path.file_name().unwrap_or_default());
            // A file the scan does not catalog (a name it ignores, or a
            // sidecar) is kept on disk and reported, not retried forever.
            let detail = match self.asset_detail(&path.to_string_lossy()) {
                Ok(d) => d,
                Err(e) => {
                    report.refused.push((
                        item.key.clone(),
                        format!("saved as {} but not catalogued: {e}", path.display()),
                    ));
                    continue;
                }
            };
            let mut cat = self.catalog();
            let mut batch = cat.batch(self.now_ms())?;
            batch.add_share_item(
                id,
                &ShareItem {
                    asset_row: Some(detail.asset.row_id),
                    ..item
                },
            )?;
            batch.commit()?;
            report.imported.push((path, detail.asset.id));
        }
        Ok(report)
    }
}

/// Runs `work` until it finishes (`Some`) or `cancel` fires (`None`, the
/// work dropped), checking the flag every 100 ms.
async fn until_cancelled<T>(cancel: &Cancel, work: impl Future<Output = T>) -> Option<T> {
    let watch = async {
        while !cancel.is_cancelled() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::select! {
        out = work => Some(out),
        () = watch => None,
    }
}

/// A file name from a key's last segment that is safe on every system:
/// no separators, no leading dot, no control characters.
fn safe_name(segment: &str) -> String {
    let cleaned: String = segment
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._- ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').trim();
    // At most 150 bytes (file names are limited to 255 bytes, and the
    // temporary name adds about 50), cut on a character boundary.
    let mut end = cleaned.len().min(150);
    while !cleaned.is_char_boundary(end) {
        end -= 1;
    }
    let cleaned = &cleaned[..end];
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned.to_owned()
    }
}

/// Moves `tmp` to `dir/name`, or `dir/stem (2).ext` and so on: never over
/// an existing file (see `fsmeta::place_no_replace`).
fn place_new(tmp: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
    let p = Path::new(name);
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = p
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..10_000 {
        let dest = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match crate::fsmeta::place_no_replace(tmp, &dest) {
            Ok(()) => return Ok(dest),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(CoreError::io("move into place", &dest, e)),
        }
    }
    Err(CoreError::io(
        "find a free name",
        dir.join(name),
        std::io::Error::other("10,000 files of that name already exist"),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_made_safe() {
        assert_eq!(super::safe_name("..hidden"), "hidden");
        assert_eq!(super::safe_name("a/b\\c\u{0}.jpg"), "a_b_c_.jpg");
        assert_eq!(super::safe_name(""), "file");
        assert_eq!(super::safe_name("IMG 1 (copy).JPG"), "IMG 1 (copy).JPG");
        assert!(super::safe_name(&"é".repeat(200)).len() <= 150);
    }

    #[test]
    fn placing_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.jpg"), "first").unwrap();
        let tmp = dir.path().join(".tmp1");
        std::fs::write(&tmp, "second").unwrap();
        let placed = super::place_new(&tmp, dir.path(), "a.jpg").unwrap();
        assert_eq!(placed, dir.path().join("a (2).jpg"));
        assert_eq!(std::fs::read_to_string(dir.path().join("a.jpg")).unwrap(), "first");
        assert_eq!(std::fs::read_to_string(&placed).unwrap(), "second");
        assert!(!tmp.exists());
    }

    #[test]
    fn until_cancelled_gives_the_result_or_stops_the_work() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let cancel = super::Cancel::new();
        assert_eq!(rt.block_on(super::until_cancelled(&cancel, async { 7 })), Some(7));
        // Work that never ends stops soon after the flag is set.
        let flag = cancel.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(150));
            flag.cancel();
        });
        let started = std::time::Instant::now();
        let out: Option<()> = rt.block_on(super::until_cancelled(&cancel, std::future::pending()));
        assert_eq!(out, None);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
