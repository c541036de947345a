//! A TCP proxy on 127.0.0.1 that damages connections on purpose: it cuts
//! some in the middle of a request body and stalls others, so tests can
//! check that uploads survive a flaky network. It can also play two kinds of
//! S3-compatible server with the real one behind it: one that ignores
//! `x-amz-checksum-sha256` (the header is hidden from the answers), and one
//! that refuses it as Backblaze B2 does (such requests are answered with
//! B2's 400 and never reach the server); and a bucket whose ETags are not
//! MD5s (SSE-KMS), with the checksum echo right; and objects in an archive
//! storage class (Glacier), refused until a restore is asked for and has
//! had time to finish (the proxy answers RestoreObject itself).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A running fault proxy in front of `127.0.0.1:<upstream>`.
#[derive(Debug)]
pub struct FaultProxy {
    pub port: u16,
    faults: Arc<Faults>,
}

#[derive(Debug, Default)]
struct Faults {
    /// Connections still to cut after `cut_after` bytes from the client.
    cuts: AtomicU64,
    cut_after: AtomicU64,
    /// Connections still to stall (stop forwarding, hold open) after
    /// `cut_after` bytes.
    stalls: AtomicU64,
    /// Connections cut or stalled so far.
    done: AtomicU64,
    /// While set, the network is down: every connection is cut at once.
    down: std::sync::atomic::AtomicBool,
    /// While set, answers lose their `x-amz-checksum-sha256` headers.
    hide_checksums: std::sync::atomic::AtomicBool,
    /// While set, requests carrying `x-amz-checksum-sha256` are refused.
    refuse_checksums: std::sync::atomic::AtomicBool,
    /// While set, answers carry ETags that are not the MD5 of the object.
    rewrite_etags: std::sync::atomic::AtomicBool,
    /// ETags rewritten so far.
    etags_rewritten: AtomicU64,
    /// Requests refused so far.
    refused: AtomicU64,
    /// While set, the head of every request (its line and headers) is
    /// kept, for tests that check what the client asked for.
    record: std::sync::atomic::AtomicBool,
    recorded: std::sync::Mutex<Vec<String>>,
    /// While set, requests whose path contains this are held (no answer,
    /// the connection open) for 10 minutes: a process can be killed in the
    /// middle of that upload.
    stall_marker: std::sync::Mutex<Option<String>>,
    /// Requests held so far by `stall_marker`.
    stalled_requests: AtomicU64,
    /// While set, objects play an archive storage class.
    archive: std::sync::Mutex<Option<Archive>>,
}

/// The archive mode's state.
#[derive(Debug)]
struct Archive {
    /// Keys whose path contains this are archived.
    marker: String,
    /// How long a restore takes once asked for.
    ready_after: Duration,
    /// When each key's restore was asked for (request path as key).
    asked: HashMap<String, Instant>,
    /// RestoreObject requests answered.
    restore_requests: u64,
    /// Reads refused with InvalidObjectState.
    refused_reads: u64,
}

/// What the archive mode did so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArchiveCounts {
    /// RestoreObject requests answered (first asks and repeats).
    pub restore_requests: u64,
    /// Distinct objects whose restore was asked for.
    pub objects_asked: u64,
    /// Reads refused because the object was not restored (yet).
    pub refused_reads: u64,
}

impl FaultProxy {
    pub fn start(upstream: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let faults = Arc::new(Faults::default());
        let f = faults.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let f = f.clone();
                std::thread::spawn(move || serve(client, upstream, &f));
            }
        });
        FaultProxy { port, faults }
    }

    /// The next `cuts` connections that send more than `after` bytes are
    /// closed at that point, and then the next `stalls` such connections
    /// stop moving bytes (held open for 10 minutes).
    pub fn damage(&self, cuts: u64, stalls: u64, after: u64) {
        self.faults.cut_after.store(after, Ordering::SeqCst);
        self.faults.cuts.store(cuts, Ordering::SeqCst);
        self.faults.stalls.store(stalls, Ordering::SeqCst);
    }

    /// Takes the network down (every connection, new or open, is cut) or
    /// brings it back.
    pub fn set_down(&self, down: bool) {
        self.faults.down.store(down, Ordering::SeqCst);
    }

    /// Makes the server's answers on new connections look like those of a
    /// server that ignores `x-amz-checksum-sha256`: the header is renamed
    /// (to `x-amz-checksum-hidden`, the same length, so nothing else moves).
    /// The rename is byte-level and would also hit a body holding that text:
    /// read objects back past the proxy.
    pub fn hide_checksums(&self, hide: bool) {
        self.faults.hide_checksums.store(hide, Ordering::SeqCst);
    }

    /// Makes new connections behave like Backblaze B2, which answers a
    /// request carrying `x-amz-checksum-sha256` with 400 InvalidArgument
    /// "Unsupported header". Such a request is answered here (after its body
    /// is read) and the connection closed; others go to the server. Request
    /// bodies must have a `Content-Length` (the SDK's do).
    pub fn refuse_checksums(&self, refuse: bool) {
        self.faults.refuse_checksums.store(refuse, Ordering::SeqCst);
    }

    /// Makes the server's answers on new connections look like those of a
    /// bucket with SSE-KMS or SSE-C encryption, or a server that computes
    /// ETags its own way: every ETag (headers of PUT, HEAD, GET and part
    /// uploads, and the XML of listings and completed uploads) has each of
    /// its 32 hex digits changed, so it is no longer the MD5 of the bytes,
    /// while `x-amz-checksum-sha256` echoes stay right. Byte-level, like
    /// [`FaultProxy::hide_checksums`].
    pub fn rewrite_etags(&self, rewrite: bool) {
        self.faults.rewrite_etags.store(rewrite, Ordering::SeqCst);
    }

    /// ETags rewritten so far by [`FaultProxy::rewrite_etags`].
    pub fn etags_rewritten(&self) -> u64 {
        self.faults.etags_rewritten.load(Ordering::SeqCst)
    }

    /// Requests refused so far by [`FaultProxy::refuse_checksums`].
    pub fn refused(&self) -> u64 {
        self.faults.refused.load(Ordering::SeqCst)
    }

    /// Connections damaged so far.
    pub fn damaged(&self) -> u64 {
        self.faults.done.load(Ordering::SeqCst)
    }

    /// Keeps the head of each request from now on (connections opened
    /// while it is set).
    pub fn record_requests(&self, record: bool) {
        self.faults.record.store(record, Ordering::SeqCst);
    }

    /// The heads of the requests recorded so far (request line, then
    /// headers with lower-case names), oldest first.
    pub fn requests(&self) -> Vec<String> {
        self.faults.recorded.lock().unwrap().clone()
    }

    /// Makes objects whose request path contains `marker` (e.g.
    /// `/originals/`) play an archive storage class on new connections, as
    /// S3 Glacier does: a GET is answered 403 `InvalidObjectState` until a
    /// RestoreObject has been asked for the key and `ready_after` has passed
    /// since. The proxy answers RestoreObject itself (202 the first time,
    /// 409 `RestoreAlreadyInProgress` while it runs, 200 once done); HEADs,
    /// listings and uploads go to the server. `None` ends the mode.
    pub fn archive(&self, marker: Option<&str>, ready_after: Duration) {
        *self.faults.archive.lock().unwrap() = marker.map(|m| Archive {
            marker: m.to_owned(),
            ready_after,
            asked: HashMap::new(),
            restore_requests: 0,
            refused_reads: 0,
        });
    }

    /// Holds every request on new connections whose path contains
    /// `marker` (e.g. `/catalog/`), unanswered, for 10 minutes, once its
    /// head has arrived; other requests pass. `None` ends the mode.
    pub fn stall_requests(&self, marker: Option<&str>) {
        *self.faults.stall_marker.lock().unwrap() = marker.map(str::to_owned);
    }

    /// Requests held so far by [`FaultProxy::stall_requests`].
    pub fn stalled_requests(&self) -> u64 {
        self.faults.stalled_requests.load(Ordering::SeqCst)
    }

    /// What [`FaultProxy::archive`] did so far.
    pub fn archive_counts(&self) -> ArchiveCounts {
        self.faults
            .archive
            .lock()
            .unwrap()
            .as_ref()
            .map(|a| ArchiveCounts {
                restore_requests: a.restore_requests,
                objects_asked: a.asked.len() as u64,
                refused_reads: a.refused_reads,
            })
            .unwrap_or_default()
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn take(counter: &AtomicU64) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// Copies `from` to `to`, letting `fix` rewrite (in place, the same
/// length) any window of `width` bytes it recognises, also where a read
/// splits it. A tail that could start a window waits for the next read, at
/// most 20 ms.
fn copy_fixing(
    from: &mut TcpStream,
    to: &mut TcpStream,
    width: usize,
    fix: impl Fn(&mut [u8]) -> bool,
) -> std::io::Result<()> {
    from.set_read_timeout(Some(Duration::from_millis(20)))?;
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let (n, quiet) = match from.read(&mut buf) {
            Ok(n) => (n, false),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => (0, true),
            Err(e) => return Err(e),
        };
        pending.extend_from_slice(&buf[..n]);
        let ended = n == 0 && !quiet;
        // When everything pending goes out now, the last windows are
        // shorter than `width`: `fix` sees them too.
        let flush = ended || quiet;
        let mut i = 0;
        while i < pending.len() && (flush || i + width <= pending.len()) {
            let end = (i + width).min(pending.len());
            if fix(&mut pending[i..end]) {
                i = end;
            } else {
                i += 1;
            }
        }
        let ready = if flush {
            pending.len()
        } else {
            pending.len().saturating_sub(width - 1)
        };
        to.write_all(&pending[..ready])?;
        pending.drain(..ready);
        if ended {
            return Ok(());
        }
    }
}

/// Copies `from` to `to`, replacing every `needle` (ASCII, any case) with
/// `with` (the same length).
fn copy_renaming(from: &mut TcpStream, to: &mut TcpStream, needle: &[u8], with: &[u8]) -> std::io::Result<()> {
    assert_eq!(needle.len(), with.len());
    copy_fixing(from, to, needle.len(), |w| {
        let hit = w.eq_ignore_ascii_case(needle);
        if hit {
            w.copy_from_slice(with);
        }
        hit
    })
}

/// What comes right before an ETag's 32 hex digits: a header, or the XML
/// of a listing, a completed multipart upload or the request completing
/// one (quoted or not).
const ETAG_MARKS: [&[u8]; 5] = [b"etag: \"", b"etag:\"", b"<etag>\"", b"<etag>&quot;", b"<etag>"];
const ETAG_WIDTH: usize = 12 + 32;

/// Shifts each hex digit of an ETag that follows one of [`ETAG_MARKS`] at
/// the start of `w` one step up (`up`: the server's answers) or back down
/// (the client's requests, which quote the ETags they were given).
fn shift_etag(w: &mut [u8], up: bool) -> bool {
    for mark in ETAG_MARKS {
        if w.len() < mark.len() + 32 || !w[..mark.len()].eq_ignore_ascii_case(mark) {
            continue;
        }
        let digits = &mut w[mark.len()..mark.len() + 32];
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            continue;
        }
        for d in digits.iter_mut() {
            *d = match (d.to_ascii_lowercase(), up) {
                (b'9', true) => b'a',
                (b'f', true) => b'0',
                (b'a', false) => b'9',
                (b'0', false) => b'f',
                (c, true) => c + 1,
                (c, false) => c - 1,
            };
        }
        return true;
    }
    false
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The `Content-Length` of a request head (0 when it has none).
fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

/// A request head as recorded: the request line, then each header with
/// its name in lower case.
fn head_text(head: &[u8]) -> String {
    String::from_utf8_lossy(head)
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| match l.split_once(':') {
            Some((name, value)) if i > 0 => format!("{}: {}", name.trim().to_ascii_lowercase(), value.trim()),
            _ => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Forwards whole requests one at a time, recording each head when the
/// faults say so; with `header`, one whose head has it is answered with
/// Backblaze B2's refusal instead, and the connection ends.
fn forward_requests(
    from: &mut TcpStream,
    to: &mut TcpStream,
    reply: &mut TcpStream,
    header: Option<&[u8]>,
    faults: &Faults,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 * 1024];
    let mut more = |buf: &mut Vec<u8>| -> std::io::Result<bool> {
        let n = from.read(&mut chunk)?;
        buf.extend_from_slice(&chunk[..n]);
        Ok(n > 0)
    };
    loop {
        let head_end = loop {
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                break i + 4;
            }
            if !more(&mut buf)? {
                return Ok(());
            }
        };
        let stall = faults.stall_marker.lock().unwrap().clone();
        if let Some(marker) = stall {
            let line = String::from_utf8_lossy(&buf[..head_end])
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            if line.split(' ').nth(1).is_some_and(|t| t.contains(&marker)) {
                faults.stalled_requests.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(600));
                return Ok(());
            }
        }
        let end = head_end + content_length(&buf[..head_end]);
        while buf.len() < end {
            if !more(&mut buf)? {
                return Ok(());
            }
        }
        if faults.record.load(Ordering::SeqCst) {
            faults.recorded.lock().unwrap().push(head_text(&buf[..head_end]));
        }
        if let Some(answer) = archive_answer(&buf[..head_end], faults) {
            reply.write_all(answer.as_bytes())?;
            return reply.flush();
        }
        if let Some(header) = header
            && find(&buf[..head_end], header).is_some()
        {
            faults.refused.fetch_add(1, Ordering::SeqCst);
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Error><Code>InvalidArgument</Code>\
                 <Message>Unsupported header '{}' received for this API call.</Message></Error>",
                String::from_utf8_lossy(header)
            );
            write!(
                reply,
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            )?;
            return reply.flush();
        }
        to.write_all(&buf[..end])?;
        buf.drain(..end);
    }
}

/// The archive mode's answer to a request, when it answers it rather
/// than the server: a restore asked for, or a read of an archived object
/// not restored yet. The connection closes after it.
fn archive_answer(head: &[u8], faults: &Faults) -> Option<String> {
    let mut guard = faults.archive.lock().unwrap();
    let archive = guard.as_mut()?;
    let line = String::from_utf8_lossy(head).lines().next()?.to_owned();
    let mut parts = line.split(' ');
    let (method, target) = (parts.next()?, parts.next()?);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if !path.contains(&archive.marker) {
        return None;
    }
    let ready = |a: &Archive| a.asked.get(path).is_some_and(|t| t.elapsed() >= a.ready_after);
    let answer = |status: &str, code: Option<&str>| {
        let body = code
            .map(|c| {
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{c}</Code>\
                     <Message>{c} for {path}</Message><StorageClass>GLACIER</StorageClass></Error>"
                )
            })
            .unwrap_or_default();
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let is_restore = method == "POST" && query.split('&').any(|p| p == "restore" || p.starts_with("restore="));
    if is_restore {
        archive.restore_requests += 1;
        if ready(archive) {
            return Some(answer("200 OK", None));
        }
        if archive.asked.contains_key(path) {
            return Some(answer("409 Conflict", Some("RestoreAlreadyInProgress")));
        }
        archive.asked.insert(path.to_owned(), Instant::now());
        return Some(answer("202 Accepted", None));
    }
    if method == "GET" && !ready(archive) {
        archive.refused_reads += 1;
        return Some(answer("403 Forbidden", Some("InvalidObjectState")));
    }
    None
}

fn serve(client: TcpStream, upstream: u16, faults: &Arc<Faults>) {
    if faults.down.load(Ordering::SeqCst) {
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
        return;
    };
    let (mut c_read, mut s_write) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let (mut s_read, mut c_write) = (server, client);
    // Server to client: a plain copy, or one that renames a header.
    let hide = faults.hide_checksums.load(Ordering::SeqCst);
    let etags = faults.rewrite_etags.load(Ordering::SeqCst).then(|| faults.clone());
    let back = std::thread::spawn(move || {
        if let Some(f) = etags {
            let _ = copy_fixing(&mut s_read, &mut c_write, ETAG_WIDTH, |w| {
                let hit = shift_etag(w, true);
                if hit {
                    f.etags_rewritten.fetch_add(1, Ordering::SeqCst);
                }
                hit
            });
        } else if hide {
            let _ = copy_renaming(
                &mut s_read,
                &mut c_write,
                b"x-amz-checksum-sha256",
                b"x-amz-checksum-hidden",
            );
        } else {
            let _ = std::io::copy(&mut s_read, &mut c_write);
        }
        let _ = c_write.shutdown(Shutdown::Both);
    });
    if faults.rewrite_etags.load(Ordering::SeqCst) {
        // The client quotes back the ETags it was given (completing a
        // multipart upload): the server gets its own.
        let _ = copy_fixing(&mut c_read, &mut s_write, ETAG_WIDTH, |w| shift_etag(w, false));
        let _ = s_write.shutdown(Shutdown::Both);
        let _ = back.join();
        return;
    }
    let refuse = faults.refuse_checksums.load(Ordering::SeqCst);
    let archive = faults.archive.lock().unwrap().is_some();
    let stall = faults.stall_marker.lock().unwrap().is_some();
    if refuse || archive || stall || faults.record.load(Ordering::SeqCst) {
        let mut reply = c_read.try_clone().unwrap();
        let _ = forward_requests(
            &mut c_read,
            &mut s_write,
            &mut reply,
            refuse.then_some(b"x-amz-checksum-sha256".as_slice()),
            faults,
        );
        let _ = c_read.shutdown(Shutdown::Both);
        let _ = s_write.shutdown(Shutdown::Both);
        let _ = back.join();
        return;
    }
    // Client to server: count bytes and maybe cut or stall.
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0u64;
    let mut armed = true;
    loop {
        let n = match c_read.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        sent += n as u64;
        if faults.down.load(Ordering::SeqCst) {
            break;
        }
        if armed && sent > faults.cut_after.load(Ordering::SeqCst) {
            armed = false;
            if take(&faults.cuts) {
                faults.done.fetch_add(1, Ordering::SeqCst);
                let _ = s_write.write_all(&buf[..n / 2]);
                let _ = c_read.shutdown(Shutdown::Both);
                let _ = s_write.shutdown(Shutdown::Both);
                break;
            }
            if take(&faults.stalls) {
                faults.done.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(600));
                break;
            }
        }
        if s_write.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = s_write.shutdown(Shutdown::Both);
    let _ = back.join();
}
