//! External tools (ffprobe, ffmpeg, pdfinfo, pdftoppm, vips) run as
//! subprocesses: at low CPU priority, under an address-space limit, with a
//! timeout, and with their output capped, so a hostile file can make a tool
//! fail but never hang or exhaust the machine.
//!
//! Nothing here is specific to one tool; `video`, `audio` and `pdf` build
//! the command lines.

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::MediaError;

/// Where the external tools are. The defaults are bare names, found on the
/// `PATH` of the process by the OS; a front end may point elsewhere.
#[derive(Debug, Clone)]
pub struct Tools {
    pub ffmpeg: PathBuf,
    pub ffprobe: PathBuf,
    pub pdfinfo: PathBuf,
    pub pdftoppm: PathBuf,
    /// libvips's tools, for images the built-in decoders refuse.
    pub vips: PathBuf,
    pub vipsheader: PathBuf,
    /// LibRaw's developer, for RAW files without a usable embedded preview.
    pub dcraw_emu: PathBuf,
    /// Niceness given to every tool (0-19): proxies are background work.
    pub niceness: i32,
    /// Address-space limit of every tool, in bytes.
    pub max_memory: u64,
}

impl Default for Tools {
    fn default() -> Self {
        Tools {
            ffmpeg: "ffmpeg".into(),
            ffprobe: "ffprobe".into(),
            pdfinfo: "pdfinfo".into(),
            pdftoppm: "pdftoppm".into(),
            vips: "vips".into(),
            vipsheader: "vipsheader".into(),
            dcraw_emu: "dcraw_emu".into(),
            niceness: 10,
            max_memory: 4 << 30,
        }
    }
}

/// What a tool printed, once it exited successfully.
#[derive(Debug)]
pub(crate) struct Output {
    pub stdout: Vec<u8>,
    /// The last few KiB of standard error.
    pub stderr: String,
}

/// How much of standard error is kept (the end: where tools say what failed).
pub(crate) const STDERR_TAIL: usize = 16 * 1024;

impl Tools {
    /// Every tool from one folder (a bundle shipped with the app), with the
    /// default limits.
    pub fn in_dir(dir: &Path) -> Tools {
        Tools {
            ffmpeg: dir.join("ffmpeg"),
            ffprobe: dir.join("ffprobe"),
            pdfinfo: dir.join("pdfinfo"),
            pdftoppm: dir.join("pdftoppm"),
            vips: dir.join("vips"),
            vipsheader: dir.join("vipsheader"),
            dcraw_emu: dir.join("dcraw_emu"),
            ..Tools::default()
        }
    }

    pub(crate) fn ffmpeg(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("ffmpeg", &self.ffmpeg, timeout, max_stdout)
    }

    pub(crate) fn ffprobe(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("ffprobe", &self.ffprobe, timeout, max_stdout)
    }

    pub(crate) fn pdfinfo(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("pdfinfo", &self.pdfinfo, timeout, max_stdout)
    }

    pub(crate) fn pdftoppm(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("pdftoppm", &self.pdftoppm, timeout, max_stdout)
    }

    pub(crate) fn vips(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("vips", &self.vips, timeout, max_stdout)
    }

    pub(crate) fn vipsheader(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("vipsheader", &self.vipsheader, timeout, max_stdout)
    }

    pub(crate) fn dcraw_emu(&self, timeout: Duration, max_stdout: usize) -> Run<'_> {
        self.run("dcraw_emu", &self.dcraw_emu, timeout, max_stdout)
    }

    fn run<'a>(&'a self, tool: &'static str, program: &'a Path, timeout: Duration, max_stdout: usize) -> Run<'a> {
        Run {
            tools: self,
            tool,
            program: program.as_os_str(),
            timeout,
            max_stdout,
            stderr_tail: STDERR_TAIL,
        }
    }
}

/// One run of a tool.
pub(crate) struct Run<'a> {
    tools: &'a Tools,
    /// The tool's name as users know it (`ffmpeg`), for messages.
    tool: &'static str,
    program: &'a OsStr,
    timeout: Duration,
    /// Standard output beyond this is an error (a frame that should be a
    /// few MB, a JSON that should be a few KB).
    max_stdout: usize,
    /// How much of the end of standard error to keep.
    stderr_tail: usize,
}

impl Run<'_> {
    /// Keeps more of standard error (for tools that report results there).
    pub(crate) fn stderr_tail(mut self, bytes: usize) -> Self {
        self.stderr_tail = bytes;
        self
    }

    /// Runs the tool with `args` and waits for it, killing it at the timeout.
    /// A non-zero exit is `ToolFailed` with the end of its standard error.
    pub(crate) fn exec<I, S>(&self, args: I) -> Result<Output, MediaError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = Command::new(self.program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    MediaError::ToolMissing { tool: self.tool }
                }
                _ => MediaError::ToolFailed {
                    tool: self.tool,
                    detail: format!("could not start it: {e}"),
                },
            })?;
        restrain(&child, self.tools);
        let stdout = child.stdout.take().map(|out| {
            let max = self.max_stdout;
            thread::spawn(move || read_capped(out, max))
        });
        let cap = self.stderr_tail;
        let stderr = child
            .stderr
            .take()
            .map(|err| thread::spawn(move || read_tail(err, cap)));
        let status = wait_until(&mut child, Instant::now() + self.timeout);
        let out = stdout.map(|t| t.join().unwrap_or(Ok(Vec::new()))).transpose();
        let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        let Some(status) = status else {
            return Err(MediaError::Timeout {
                tool: self.tool,
                seconds: self.timeout.as_secs(),
            });
        };
        let stdout = match out {
            Ok(o) => o.unwrap_or_default(),
            Err(TooMuch) => {
                return Err(MediaError::ToolFailed {
                    tool: self.tool,
                    detail: format!("it wrote more than {} bytes", self.max_stdout),
                });
            }
        };
        if !status.success() {
            if trove_types::says_no_space(&err) {
                return Err(MediaError::DiskFull {
                    tool: self.tool,
                    detail: last_lines(&err),
                });
            }
            return Err(MediaError::ToolFailed {
                tool: self.tool,
                detail: last_lines(&err),
            });
        }
        Ok(Output { stdout, stderr: err })
    }
}

/// Lowers the child's priority and caps its address space. Done from the
/// parent right after the spawn (no `unsafe` pre-exec hook): a tool gets a
/// few instructions in before the limits apply, which is harmless.
fn restrain(child: &Child, tools: &Tools) {
    use rustix::process::{Pid, Resource, Rlimit, prlimit, setpriority_process};
    let Some(pid) = Pid::from_raw(child.id() as i32) else {
        return;
    };
    // Both may fail (the child may already have exited); neither is fatal.
    let _ = setpriority_process(Some(pid), tools.niceness);
    let _ = prlimit(
        Some(pid),
        Resource::As,
        Rlimit {
            current: Some(tools.max_memory),
            maximum: Some(tools.max_memory),
        },
    );
}

/// Waits for the child; kills it at the deadline and returns `None`.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<std::process::ExitStatus> {
    let mut nap = Duration::from_millis(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) => {}
            Err(_) => break,
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

struct TooMuch;

/// Reads everything, but keeps at most `max` bytes; more is an error. The
/// pipe is drained to the end either way so the tool never blocks on it.
fn read_capped(mut r: impl Read, max: usize) -> Result<Vec<u8>, TooMuch> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut over = false;
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) if !over && out.len() + n <= max => out.extend_from_slice(&buf[..n]),
            Ok(_) => {
                over = true;
                out = Vec::new();
            }
        }
    }
    if over { Err(TooMuch) } else { Ok(out) }
}

/// Reads everything, keeping the last `cap` bytes.
fn read_tail(mut r: impl Read, cap: usize) -> String {
    let mut tail: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&buf[..n]);
        if tail.len() > 2 * cap {
            tail.drain(..tail.len() - cap);
        }
    }
    if tail.len() > cap {
        tail.drain(..tail.len() - cap);
    }
    String::from_utf8_lossy(&tail).into_owned()
}

/// The last non-empty lines of a tool's standard error, for a message.
pub(crate) fn last_lines(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    let text = lines[start..].join(" / ");
    if text.is_empty() {
        "it exited with an error and said nothing".into()
    } else if text.len() > 500 {
        let mut cut = 500;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &text[..cut])
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(tools: &'a Tools, program: &'a str, timeout_ms: u64, max_stdout: usize) -> Run<'a> {
        tools.run(
            "test tool",
            Path::new(program),
            Duration::from_millis(timeout_ms),
            max_stdout,
        )
    }

    #[test]
    fn a_hung_tool_is_stopped_at_the_timeout() {
        let started = Instant::now();
        let err = run(&Tools::default(), "sleep", 200, 1024).exec(["30"]).unwrap_err();
        assert_eq!(err.code(), "timeout");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_missing_tool_is_named() {
        let err = run(&Tools::default(), "/nonexistent/trove-tool", 1000, 1024)
            .exec(["x"])
            .unwrap_err();
        assert_eq!(err.code(), "tool_missing");
    }

    #[test]
    fn output_over_the_cap_is_an_error_not_a_memory_hog() {
        let err = run(&Tools::default(), "head", 10_000, 1000)
            .exec(["-c", "100000", "/dev/zero"])
            .unwrap_err();
        assert_eq!(err.code(), "tool_failed", "{err}");
    }

    #[test]
    fn a_tool_that_finds_the_disk_full_says_so_and_blames_no_file() {
        // /dev/full answers every write with ENOSPC, as a full disk does.
        let err = run(&Tools::default(), "dd", 10_000, 1024)
            .exec(["if=/dev/zero", "of=/dev/full", "bs=1k", "count=1"])
            .unwrap_err();
        assert_eq!(err.code(), "disk_full", "{err}");
        assert!(err.to_string().contains("disk is full"), "{err}");
    }

    #[test]
    fn a_failing_tool_reports_the_end_of_its_stderr() {
        let err = run(&Tools::default(), "sh", 10_000, 1000)
            .exec(["-c", "echo noise >&2; echo 'bad header' >&2; exit 3"])
            .unwrap_err();
        assert!(err.to_string().contains("bad header"), "{err}");
    }
}
