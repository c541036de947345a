//! Renders core events: progress bars on a terminal, plain lines otherwise.
#![allow(clippy::print_stderr)]

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use trove_core::{Event, EventSink, JobRunSummary, ScanPhase, ScanReport};

use crate::output::bytes;

pub struct Reporter {
    quiet: bool,
    bars: bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    bar: Option<ProgressBar>,
    phase: Option<ScanPhase>,
    last_line: Option<Instant>,
    reports: Vec<ScanReport>,
    problems: u64,
}

impl Reporter {
    /// `quiet` hides progress (for `--json`); problems are still named.
    pub fn new(quiet: bool) -> Self {
        Reporter {
            quiet,
            bars: !quiet && std::io::stderr().is_terminal(),
            state: Mutex::new(State::default()),
        }
    }

    pub fn lines_only(mut self) -> Self {
        self.bars = false;
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn print(&self, st: &State, msg: &str) {
        match &st.bar {
            Some(bar) => bar.println(msg),
            None => eprintln!("{msg}"),
        }
    }

    pub fn finish(&self) {
        let mut st = self.state();
        if let Some(bar) = st.bar.take() {
            bar.finish_and_clear();
        }
    }

    pub fn reports(&self) -> Vec<ScanReport> {
        self.state().reports.clone()
    }

    /// 1 if any file or job failed, else 0.
    pub fn exit_code(&self, summary: &JobRunSummary) -> u8 {
        u8::from(self.state().problems > 0 || summary.failed > 0)
    }

    fn progress(&self, st: &mut State, p: &trove_core::ScanProgress) {
        if self.quiet {
            return;
        }
        if self.bars {
            if st.phase != Some(p.phase) {
                if let Some(bar) = st.bar.take() {
                    bar.finish_and_clear();
                }
                let bar = match p.phase {
                    ScanPhase::Discover => {
                        let b = ProgressBar::new_spinner();
                        b.set_style(
                            ProgressStyle::with_template("{spinner} finding files: {pos} found ({per_sec})")
                                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                        );
                        b
                    }
                    ScanPhase::Hash | ScanPhase::Finish => {
                        let b = ProgressBar::new(p.bytes_total);
                        b.set_style(
                            ProgressStyle::with_template(
                                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}  {msg}",
                            )
                            .unwrap_or_else(|_| ProgressStyle::default_bar()),
                        );
                        b
                    }
                };
                bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
                bar.enable_steady_tick(Duration::from_millis(100));
                st.bar = Some(bar);
                st.phase = Some(p.phase);
            }
            if let Some(bar) = &st.bar {
                match p.phase {
                    ScanPhase::Discover => bar.set_position(p.files_done),
                    _ => {
                        bar.set_length(p.bytes_total.max(1));
                        bar.set_position(p.bytes_done);
                        bar.set_message(format!("{}/{} files", p.files_done, p.files_total));
                    }
                }
            }
            return;
        }
        let due = st.last_line.is_none_or(|t| t.elapsed() >= Duration::from_secs(2));
        // The walk's first report (nothing found yet) says nothing useful.
        let empty_start = p.phase == ScanPhase::Discover && p.files_done == 0;
        if (st.phase != Some(p.phase) || due) && !empty_start {
            st.phase = Some(p.phase);
            st.last_line = Some(Instant::now());
            let msg = match p.phase {
                ScanPhase::Discover => format!("{}: finding files: {} found", p.root.display(), p.files_done),
                ScanPhase::Hash => format!(
                    "{}: reading {}/{} files, {}/{} ({}/s)",
                    p.root.display(),
                    p.files_done,
                    p.files_total,
                    bytes(p.bytes_done),
                    bytes(p.bytes_total),
                    bytes(p.bytes_per_sec() as u64)
                ),
                ScanPhase::Finish => format!("{}: finishing", p.root.display()),
            };
            self.print(st, &msg);
        }
    }
}

impl EventSink for Reporter {
    fn emit(&self, event: Event) {
        let mut st = self.state();
        match event {
            Event::ScanProgress(p) => self.progress(&mut st, &p),
            Event::ScanStarted { root, .. } => {
                st.phase = None;
                if !self.quiet && !self.bars {
                    self.print(&st, &format!("scanning {}", root.display()));
                }
            }
            Event::ScanFinished(r) => {
                if let Some(bar) = st.bar.take() {
                    bar.finish_and_clear();
                }
                st.phase = None;
                if !self.quiet {
                    let msg = format!(
                        "{}: {} files, {} new, {} duplicates, {} changed, {} moved, {} missing, {} returned, {} problems, {} read in {:.1} s",
                        r.root.display(),
                        r.files_seen,
                        r.new_assets,
                        r.duplicates,
                        r.changed,
                        r.moved,
                        r.missing,
                        r.returned,
                        r.problems,
                        bytes(r.bytes_read),
                        r.elapsed_ms as f64 / 1000.0
                    );
                    self.print(&st, &msg);
                    if r.left_out > 0 {
                        let msg = format!(
                            "{}: {} other files left out (not photos, videos, sound or PDFs); `trove kinds {} documents` or `all` catalogues them",
                            r.root.display(),
                            r.left_out,
                            r.root_id
                        );
                        self.print(&st, &msg);
                    }
                }
                st.reports.push(r);
            }
            Event::FileProblem {
                path, code, message, ..
            } => {
                st.problems += 1;
                self.print(&st, &format!("{}: {code}: {message}", path.display()));
            }
            Event::RootOffline { root, .. } => {
                let msg = format!(
                    "{} is offline (not reachable; is the drive plugged in?); its assets are kept",
                    root.display()
                );
                self.print(&st, &msg);
            }
            Event::RootOnline { root, .. } => {
                if !self.quiet {
                    self.print(&st, &format!("{} is back online", root.display()));
                }
            }
            Event::Warning { message } => self.print(&st, &format!("warning: {message}")),
            Event::JobsPaused { reason } => self.print(&st, &format!("jobs paused until there is space: {reason}")),
            Event::JobsResumed => self.print(&st, "space is back; jobs resumed"),
            Event::SearchIndexRebuilt { reason, moved_to } => {
                let msg = format!(
                    "warning: the search index could not be used ({reason}); it was moved to {} and is rebuilt from the catalog",
                    moved_to.display()
                );
                self.print(&st, &msg);
            }
            // Curation commands report their own edit (curate_cmd).
            Event::SearchIndexed(_) | Event::Edited(_) => {}
            // Sync reports its own progress (sync_cmd).
            Event::SyncProgress(_) | Event::SyncPaused { .. } | Event::SyncResumed | Event::SyncObjectFailed { .. } => {
            }
            Event::JobFailed {
                job_id,
                kind,
                error,
                will_retry,
            } => {
                let then = if will_retry {
                    "will retry"
                } else {
                    "gave up; `trove jobs --failed` lists it"
                };
                self.print(&st, &format!("job {job_id} ({kind}) failed: {error} ({then})"));
            }
            Event::WatchApplied { report, .. } => {
                if !self.quiet && !report.is_noop() {
                    let msg = format!(
                        "{}: {} new, {} duplicates, {} changed, {} moved, {} missing, {} returned",
                        report.root.display(),
                        report.new_assets,
                        report.duplicates,
                        report.changed,
                        report.moved,
                        report.missing,
                        report.returned
                    );
                    self.print(&st, &msg);
                }
            }
            Event::JobStarted { .. } | Event::JobFinished { .. } => {}
        }
    }
}
