//! Reading one file: BLAKE3 and MD5 in a single pass, keeping the head of
//! the file for kind detection and metadata, so every byte is read once.

use std::cell::RefCell;
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use md5::Digest;
use trove_catalog::{AssetContent, FileStat};
use trove_types::{AssetKind, CaptureSource, CaptureTime, ContentHash, FolderKinds, Metadata};

use crate::fsmeta::{file_stat, problem_of};

const BUF_LEN: usize = 1024 * 1024;

thread_local! {
    static BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; BUF_LEN]);
}

#[derive(Debug)]
pub(crate) enum ReadOutcome {
    Read {
        stat: FileStat,
        content: Box<AssetContent>,
    },
    /// The file disappeared before we could read it.
    Vanished,
    /// Not a kind of file the folder catalogues (its setting): a text file,
    /// JSON, a database beside the photos. Read no further than its head.
    LeftOut,
    Problem {
        code: &'static str,
        message: String,
    },
}

/// Reads and describes the file at `abs` (which the catalog knows as `rel`),
/// with its XMP sidecar (path, modification time) if it has one. A file
/// whose content `kinds` does not admit is [`ReadOutcome::LeftOut`] after
/// its first bytes.
pub(crate) fn read_file(
    abs: &Path,
    rel: &Path,
    sidecar: Option<(PathBuf, Option<i64>)>,
    kinds: FolderKinds,
) -> ReadOutcome {
    let sidecar_xmp = sidecar.as_ref().and_then(|(path, _)| read_sidecar(path));
    // A file that keeps changing while we read it is tried a few times,
    // then reported; the next scan or watch event picks it up again.
    for _ in 0..3 {
        match read_once(abs, rel, sidecar_xmp.as_ref(), kinds) {
            Ok(Some(ReadOutcome::Read { mut stat, content })) => {
                stat.sidecar_mtime_ns = sidecar.as_ref().and_then(|s| s.1);
                return ReadOutcome::Read { stat, content };
            }
            Ok(Some(outcome)) => return outcome,
            Ok(None) => continue, // changed under us
            Err(e) if e.kind() == ErrorKind::NotFound => return ReadOutcome::Vanished,
            Err(e) => {
                let (code, message) = problem_of(&e);
                return ReadOutcome::Problem { code, message };
            }
        }
    }
    ReadOutcome::Problem {
        code: "unstable",
        message: "the file kept changing while Trove read it; it will be read again on the next scan".into(),
    }
}

/// Sidecars larger than this are not XMP anyone wrote by hand or tool.
const MAX_SIDECAR: u64 = 4 << 20;

/// Parses a sidecar. One that cannot be read or parsed is ignored: the
/// original still imports, with what it embeds.
fn read_sidecar(path: &Path) -> Option<trove_media::XmpSummary> {
    let mut bytes = Vec::new();
    // Non-blocking, like the original: a sidecar swapped for a FIFO after
    // the walk must not hang the scan.
    let file = open_nonblocking(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    file.take(MAX_SIDECAR).read_to_end(&mut bytes).ok()?;
    trove_media::parse_xmp(&bytes).ok()
}

fn read_once(
    abs: &Path,
    rel: &Path,
    sidecar: Option<&trove_media::XmpSummary>,
    kinds: FolderKinds,
) -> std::io::Result<Option<ReadOutcome>> {
    let mut file = open_nonblocking(abs)?;
    let meta = file.metadata()?;
    let before = file_stat(&meta);
    if !meta.is_file() {
        return Ok(Some(ReadOutcome::Problem {
            code: "not_regular",
            message: "not a regular file; Trove catalogs only files".into(),
        }));
    }
    if before.size == 0 {
        return Ok(Some(ReadOutcome::Problem {
            code: "empty",
            message: "the file is empty (0 bytes); there is nothing to catalog. Trove will look again if it changes"
                .into(),
        }));
    }
    let mut b3 = blake3::Hasher::new();
    let mut md5 = md5::Md5::new();
    let mut head: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    // How much of the start to keep: the first read decides (more for a
    // TIFF whose directory lies at its end, say).
    let mut head_len = trove_media::HEAD_LEN;
    // What the file is, from its head: decided once, here, for both the
    // folder's setting and the description.
    let mut detected: Option<trove_media::Detected> = None;
    let left_out = BUF.with(|buf| -> std::io::Result<bool> {
        let mut buf = buf.borrow_mut();
        loop {
            let n = match file.read(&mut buf[..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let chunk = &buf[..n];
            if total == 0 {
                head_len = trove_media::head_len_for(chunk, before.size);
            }
            let had = head.len();
            if had < head_len {
                let take = (head_len - had).min(n);
                head.extend_from_slice(&chunk[..take]);
            }
            // The kind is known once the detector's share of the head is in.
            let detect_len = trove_media::HEAD_LEN.min(before.size as usize);
            if had < detect_len && (head.len() >= detect_len || total + n as u64 >= before.size) {
                let d = trove_media::detect(rel, &head);
                if !kinds.admits(d.kind, d.mime.as_deref()) {
                    return Ok(true);
                }
                detected = Some(d);
            }
            b3.update(chunk);
            md5.update(chunk);
            total += n as u64;
        }
        Ok(false)
    })?;
    if left_out {
        return Ok(Some(ReadOutcome::LeftOut));
    }
    let after = file_stat(&file.metadata()?);
    if after != before || total != after.size {
        return Ok(None);
    }
    let blake3 = ContentHash(*b3.finalize().as_bytes());
    let md5: [u8; 16] = md5.finalize().into();
    Ok(Some(ReadOutcome::Read {
        stat: after,
        content: Box::new(describe(
            detected.unwrap_or_else(|| trove_media::detect(rel, &head)),
            &head,
            blake3,
            md5,
            &after,
            sidecar,
        )),
    }))
}

/// Opens for reading without blocking: a path that became a FIFO between
/// the walk and the read would otherwise block until a writer appears.
/// (O_NONBLOCK does not affect reads of regular files.)
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// Turns the head of a file into the catalog's description of its content.
fn describe(
    detected: trove_media::Detected,
    head: &[u8],
    blake3: ContentHash,
    md5: [u8; 16],
    stat: &FileStat,
    sidecar: Option<&trove_media::XmpSummary>,
) -> AssetContent {
    let exif = if detected.kind == AssetKind::Image {
        trove_media::probe_exif(head).ok()
    } else {
        None
    };
    // XMP (ratings, labels, titles, keywords) rides in images, PDFs and
    // videos alike as a plain-text packet near the start of the file.
    let embedded = match detected.kind {
        AssetKind::Image | AssetKind::Document | AssetKind::Video => {
            trove_media::probe_xmp(head).ok().filter(|x| !x.is_empty())
        }
        _ => None,
    };
    // IPTC-IIM, the older block (captions, keywords, credits, place) that
    // Photoshop and newsroom tools still write beside XMP: it fills what
    // the XMP leaves out, as the Metadata Working Group's guidance ranks
    // them.
    let iptc = match detected.kind {
        AssetKind::Image => trove_media::probe_iptc(head),
        _ => None,
    };
    let embedded = match (embedded, iptc) {
        (x, None) => x,
        (None, Some(i)) => Some(i),
        (Some(x), Some(i)) => Some(x.or(i)),
    };
    // The sidecar is what editors write: its fields win, field by field.
    let xmp = match (embedded, sidecar.filter(|s| !s.is_empty())) {
        (e, None) => e,
        (None, Some(s)) => Some(s.clone()),
        (Some(e), Some(s)) => Some(s.clone().or(e)),
    };
    let orientation = exif
        .as_ref()
        .and_then(|e| e.metadata.orientation)
        .or_else(|| xmp.as_ref().and_then(|x| x.orientation));
    let dims = if detected.kind == AssetKind::Image {
        trove_media::image_dimensions(head, orientation).or_else(|| {
            let e = exif.as_ref()?;
            Some((e.pixel_width?, e.pixel_height?))
        })
    } else {
        None
    };
    // EXIF's date first; then the XMP's (Photoshop output, scans and
    // exports often carry the date only there), as exiftool ranks them;
    // the file's modification time is the last guess.
    let capture = exif
        .as_ref()
        .and_then(|e| e.capture)
        .or_else(|| xmp.as_ref().and_then(trove_media::XmpSummary::capture))
        .or_else(|| {
            Some(CaptureTime {
                unix_ms: stat.mtime_ns.div_euclid(1_000_000),
                offset_minutes: None,
                source: CaptureSource::FileMtime,
            })
        });
    let metadata = exif.map(|e| e.metadata);
    let metadata = match (metadata, xmp) {
        (m, None) => m,
        (m, Some(x)) => {
            let mut m = m.unwrap_or_else(Metadata::empty);
            x.apply_to(&mut m);
            Some(m)
        }
    };
    AssetContent {
        blake3,
        md5: Some(md5),
        size: stat.size,
        kind: detected.kind,
        mime: detected.mime,
        capture,
        width: dims.map(|d| d.0),
        height: dims.map(|d| d.1),
        duration_ms: None,
        metadata,
    }
}
