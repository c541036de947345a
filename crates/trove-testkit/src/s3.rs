//! A real S3-compatible server for tests: SeaweedFS (`weed mini`) on
//! 127.0.0.1, with its own data folder and identities, installed by
//! `scripts/deps.sh`. It checks SigV4 signatures, Content-MD5 and presigned
//! expiry, so tests exercise what a real bucket does (never a mock).
//! s3s-fs (a Rust S3 server over a plain folder, also installed by
//! `scripts/deps.sh`) is the second, stricter one: it implements less of S3
//! (no ListMultipartUploads, one identity, no policies), which is what the
//! store's conformance suite runs against it for.
//!
//! The server dies with the test process: it runs under a small shell that
//! kills it when the pipe from the test process closes, even if the test
//! process is killed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The bucket every server is started with.
pub const BUCKET: &str = "trove-test";
/// Full-access identity.
pub const ACCESS_KEY: &str = "troveaccess";
pub const SECRET_KEY: &str = "trovesecret-0123456789";
/// An identity that may only read `share/` of the bucket (the sharing key).
pub const SHARE_ACCESS_KEY: &str = "troveshare";
pub const SHARE_SECRET_KEY: &str = "troveshare-secret-0123456789";

/// Which server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    SeaweedFs,
    S3sFs,
}

/// A running S3 server (SeaweedFS unless started with [`S3Server::start_s3s`]).
#[derive(Debug)]
pub struct S3Server {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    pub port: u16,
    pub kind: ServerKind,
    dir: tempfile::TempDir,
    child: Child,
    _keepalive: ChildStdin,
}

impl S3Server {
    /// One server per test process, started on first use.
    pub fn shared() -> &'static S3Server {
        static SERVER: OnceLock<S3Server> = OnceLock::new();
        SERVER.get_or_init(S3Server::start)
    }

    /// One s3s-fs server per test process, started on first use.
    pub fn shared_s3s() -> &'static S3Server {
        static SERVER: OnceLock<S3Server> = OnceLock::new();
        SERVER.get_or_init(S3Server::start_s3s)
    }

    /// Starts a new s3s-fs server with [`BUCKET`] created and the full-access
    /// identity (s3s-fs knows only one). Panics with what to do when
    /// `s3s-fs` is not installed.
    pub fn start_s3s() -> S3Server {
        let bin = find_binary("s3s-fs", "TROVE_S3S_FS", "s3s-fs");
        let dir = tempfile::Builder::new().prefix("trove-s3s-").tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join(BUCKET)).unwrap();
        launch(ServerKind::S3sFs, dir, &bin, |_| {
            let port = free_ports(1)[0];
            let args: Vec<String> = vec![
                "--host".into(),
                "127.0.0.1".into(),
                "--port".into(),
                port.to_string(),
                "--access-key".into(),
                ACCESS_KEY.into(),
                "--secret-key".into(),
                SECRET_KEY.into(),
                data.display().to_string(),
            ];
            (port, None, args)
        })
    }

    /// Starts a new server with [`BUCKET`] created. Panics with what to do
    /// when `weed` is not installed.
    pub fn start() -> S3Server {
        let weed = find_binary("weed", "TROVE_WEED", "SeaweedFS");
        let dir = tempfile::Builder::new().prefix("trove-s3-").tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let config = dir.path().join("identities.json");
        std::fs::write(
            &config,
            format!(
                r#"{{"identities":[
  {{"name":"trove","credentials":[{{"accessKey":"{ACCESS_KEY}","secretKey":"{SECRET_KEY}"}}],
    "actions":["Admin","Read","Write","List","Tagging"]}},
  {{"name":"share","credentials":[{{"accessKey":"{SHARE_ACCESS_KEY}","secretKey":"{SHARE_SECRET_KEY}"}}],
    "actions":["Read:{BUCKET}/share/*"]}}
]}}"#
            ),
        )
        .unwrap();
        launch(ServerKind::SeaweedFs, dir, &weed, |dir| {
            let ports = free_ports(11);
            let p = |i: usize| ports[i].to_string();
            let args: Vec<String> = vec![
                // Logs go to server.log in the temp dir, not glog files in /tmp.
                "-logtostderr".into(),
                "mini".into(),
                format!("-dir={}", data.display()),
                "-ip=127.0.0.1".into(),
                "-ip.bind=127.0.0.1".into(),
                format!("-s3.config={}", config.display()),
                format!("-bucket={BUCKET}"),
                format!("-s3.port={}", p(0)),
                format!("-s3.port.grpc={}", p(1)),
                format!("-master.port={}", p(2)),
                format!("-master.port.grpc={}", p(3)),
                format!("-volume.port={}", p(4)),
                format!("-volume.port.grpc={}", p(5)),
                format!("-filer.port={}", p(6)),
                format!("-filer.port.grpc={}", p(7)),
                format!("-admin.port={}", p(8)),
                format!("-admin.port.grpc={}", p(9)),
                format!("-filer.localSocket={}", dir.join("filer.sock").display()),
                "-admin.ui=false".into(),
                "-webdav=false".into(),
                "-s3.port.iceberg=0".into(),
                "-s3.port.lance=0".into(),
                "-master.telemetry=false".into(),
                "-master.volumeSizeLimitMB=64".into(),
            ];
            (ports[0], Some(ports[6]), args)
        })
    }

    /// Where the server keeps its data (to damage objects on purpose).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// CPU seconds (user + system) the server has used so far, read from
    /// /proc for `weed` (the child of the `sh` watcher; USER_HZ is 100).
    /// The benchmark reports it: on a shared machine the server's work
    /// competes with the client's.
    pub fn cpu_seconds(&self) -> f64 {
        let sh = self.child.id();
        let children = std::fs::read_to_string(format!("/proc/{sh}/task/{sh}/children")).unwrap_or_default();
        children
            .split_whitespace()
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
            .filter_map(|stat| {
                let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
                Some(fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?)
            })
            .sum::<f64>()
            / 100.0
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Reads `key` of [`BUCKET`] back with rclone, an independent client
    /// (panics with rclone's message if it cannot).
    pub fn read_object(&self, key: &str) -> Vec<u8> {
        let out = self
            .rclone()
            .args(["cat", &format!("s3:{BUCKET}/{key}")])
            .output()
            .expect("rclone runs (scripts/deps.sh installs it)");
        assert!(
            out.status.success(),
            "rclone cat {key}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// An `rclone` command that reaches this server as remote `s3:` (an
    /// independent client to read back what Trove wrote, and the benchmark's
    /// anchor). `AWS_CA_BUNDLE` is removed: rclone refuses to start with it
    /// on a plain-HTTP endpoint.
    pub fn rclone(&self) -> Command {
        let mut cmd = Command::new("rclone");
        cmd.envs(self.rclone_env()).env_remove("AWS_CA_BUNDLE");
        cmd
    }

    fn rclone_env(&self) -> Vec<(String, String)> {
        [
            ("RCLONE_CONFIG_S3_TYPE", "s3"),
            (
                "RCLONE_CONFIG_S3_PROVIDER",
                match self.kind {
                    ServerKind::SeaweedFs => "SeaweedFS",
                    ServerKind::S3sFs => "Other",
                },
            ),
            ("RCLONE_CONFIG_S3_ACCESS_KEY_ID", ACCESS_KEY),
            ("RCLONE_CONFIG_S3_SECRET_ACCESS_KEY", SECRET_KEY),
            ("RCLONE_CONFIG_S3_ENDPOINT", &self.endpoint),
            ("RCLONE_CONFIG_S3_REGION", "us-east-1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server up to three times (a port found free may be taken by
/// the time the server binds it). `attempt` gives, for the server's temp
/// dir, its S3 port, SeaweedFS's filer port (to wait for the bucket) and
/// its arguments.
fn launch(
    kind: ServerKind,
    dir: tempfile::TempDir,
    program: &Path,
    mut attempt: impl FnMut(&Path) -> (u16, Option<u16>, Vec<String>),
) -> S3Server {
    let mut last_error = String::new();
    for _ in 0..3 {
        let (port, filer_port, args) = attempt(dir.path());
        let (mut child, keepalive) = spawn_watched(dir.path(), program, &args);
        let ready = match filer_port {
            Some(filer) => wait_ready(port, filer, &mut child),
            None => wait_port(port, &mut child),
        };
        match ready {
            Ok(()) => {
                return S3Server {
                    endpoint: format!("http://127.0.0.1:{port}"),
                    port,
                    kind,
                    dir,
                    child,
                    _keepalive: keepalive,
                };
            }
            Err(e) => {
                drop(keepalive);
                let _ = child.kill();
                let _ = child.wait();
                last_error = format!(
                    "{e}\n--- server.log ---\n{}",
                    std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
                );
            }
        }
    }
    panic!("the S3 test server ({kind:?}) did not start: {last_error}");
}

/// `name` from `$env_var`, else from PATH.
fn find_binary(name: &str, env_var: &str, what: &str) -> PathBuf {
    #[allow(clippy::disallowed_methods)] // test tooling: lets a developer point at another build
    if let Some(p) = std::env::var_os(env_var) {
        return PathBuf::from(p);
    }
    #[allow(clippy::disallowed_methods)]
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("`{name}` ({what}) is not installed: run scripts/deps.sh, or set {env_var} to its path");
}

/// Starts `program args` in `dir`, logging to `dir/server.log`, under a
/// watcher that kills it when this process goes away.
///
/// The watcher holds the pipe from this process; when it closes (this
/// process ended, however), `read` returns, the server is killed and its
/// temp dir removed (the shared server is a static, never dropped: its dirs
/// once piled up by the hundred in /tmp). `sh` itself ends when the server
/// does. SIGKILL: weed's graceful shutdown on SIGTERM sometimes never
/// finished, and servers outlived their tests.
fn spawn_watched(dir: &Path, program: &Path, args: &[String]) -> (Child, ChildStdin) {
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(concat!(
            r#"exec 3<&0; d="$1"; w="$2"; shift 2; "$w" "$@" </dev/null & pid=$!; "#,
            r#"{ read -r _ <&3; kill -KILL $pid 2>/dev/null; sleep 1; rm -rf "$d"; } & wait $pid"#
        ))
        .arg("trove-s3")
        .arg(dir)
        .arg(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let keepalive = child.stdin.take().unwrap();
    (child, keepalive)
}

/// `n` distinct free loopback ports (bound together, then released).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n).map(|_| TcpListener::bind("127.0.0.1:0").unwrap()).collect();
    listeners.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

/// Waits until the S3 port answers and the bucket exists (the filer, which
/// needs no signature, lists the bucket's folder).
fn wait_ready(port: u16, filer_port: u16, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("weed exited early with {status}"));
        }
        let s3_up = http_get(port, "/").map(|r| r.starts_with("HTTP/1.1 "));
        let bucket = http_get(filer_port, &format!("/buckets/{BUCKET}/"));
        match (s3_up, bucket) {
            (Ok(true), Ok(resp)) if resp.starts_with("HTTP/1.1 200") => return Ok(()),
            (_, Ok(resp)) => last = resp.lines().next().unwrap_or("").to_owned(),
            (_, Err(e)) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("no answer on port {port} within 60 s (last: {last})"))
}

/// Waits until `port` answers HTTP.
fn wait_port(port: u16, child: &mut Child) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited early with {status}"));
        }
        match http_get(port, "/") {
            Ok(r) if r.starts_with("HTTP/1.1 ") => return Ok(()),
            Ok(r) => last = r.lines().next().unwrap_or("").to_owned(),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("no answer on port {port} within 30 s (last: {last})"))
}

fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}
