//! What `gov matrix` does to the world: one command run under each of
//! several releases, up to N at once, every run in its own process group
//! with its output captured, stopped on `--fail-fast` or an interrupt.
//!
//! **Which releases.** By default every installed release (the user's store
//! and the system's) not older than the current module's `go` line — the
//! `go.work` in force, else the nearest `go.mod`, whatever `.go-version`
//! says, since the line is what the code needs — compared in Go's order
//! (`go 1.21` admits 1.21.0 and newer, and 1.21's pre-releases, as Go
//! itself does); outside a module, every installed release. Named
//! releases run in the order named, each once, installed first when
//! nothing installed matches. [`plan`] decides this from what is installed
//! and the `go` line; [`Report::outcome`] says how the runs ended.
//!
//! **The environment of a run** is [`ToolchainEnv`]'s, as for `gov run`
//! (`GOROOT`, the release's `bin/` first on `PATH`, `GOV_VERSION` pinned),
//! with two changes that make each run test its own release and nothing
//! else:
//! * `GOTOOLCHAIN=local` always, even when the caller set `GOTOOLCHAIN`: a
//!   run that switched toolchains would test another release;
//! * its own build cache, `GOCACHE=GOV_HOME/cache/go/<version>/build` —
//!   the directory `gov env --isolate version` gives that release, so the
//!   two share a warm cache, and `gov prune` removes it with the release.
//!   Go's build cache is safe for concurrent use, but one per release
//!   means parallel runs never contend for it, and each release's cache
//!   stays warm between matrices. The module cache (`GOMODCACHE`) and
//!   `GOPATH` stay the caller's: downloaded modules are the same for every
//!   release, Go's module cache is built for concurrent use, and one per
//!   release would download every dependency once per release (or fail
//!   offline).
//!
//! **A run** has no standard input; its standard output and error are one
//! pipe, so its output is kept interleaved as it wrote it (bounded: the
//! first and last [`OUTPUT_KEEP`] bytes). It runs in its own process
//! group: when it ends, whatever it left running in that group is killed
//! too (before the run is reaped, so the group id cannot have been reused);
//! a stop sends the signal to the group, then `SIGKILL` after
//! [`Options::grace`].
//!
//! **Stops.** `--fail-fast`: the first run that does not pass stops the
//! others with `SIGTERM`; those not started are skipped. An interrupt of
//! gov (`SIGINT`, `SIGTERM`, caught as `gov upgrade` catches them) is
//! passed on to every run's group; gov waits for all of them before it
//! reports. No run outlives gov, not even a `SIGKILL` of gov, which
//! nothing can catch: each run's first process gets Linux's parent-death
//! signal (`SIGKILL`), and a guard process in each run's group kills the
//! whole group when gov dies ([`interrupt::GroupGuard`]). Elsewhere than on
//! Linux a run then dies at its next write to gov's closed pipe.

use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::env_vars;
use crate::interrupt::{self, die_with_gov, group_of, has_ended, signal_group, GroupGuard};
use crate::request::Request;
use crate::store::{Installed, Store, StoreError};
use crate::toolchain_env::{EnvError, ToolchainEnv};
use crate::version::Version;
use crate::version_files::{self, VersionFileError};

/// How much of a run's output is kept from its start, and again from its
/// end; what lies between is left out (and said so).
pub const OUTPUT_KEEP: usize = 4 << 20;

/// After a run has ended, how long its output may take to reach its end:
/// only a process that left the run's group can hold the pipe open longer.
const DRAIN: Duration = Duration::from_secs(2);

/// The `go` line of the module the current directory is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoLine {
    /// The `go.work` or `go.mod` it is in.
    pub path: PathBuf,
    pub go: Version,
}

/// The `go` line of the `go.work` in force (`GOWORK` as Go reads it), else
/// of the nearest `go.mod` from `cwd` up; `None` outside a module or when
/// the file has no `go` line.
pub fn module_go_line(
    cwd: &Path,
    gowork: Option<&OsStr>,
) -> Result<Option<GoLine>, VersionFileError> {
    let Some(file) = version_files::find_module(cwd, gowork)?.selecting else {
        return Ok(None);
    };
    Ok(match file.request {
        Request::Module(module) => module.go.map(|go| GoLine {
            path: file.path,
            go,
        }),
        _ => None,
    })
}

/// The releases a matrix runs by default: of `installed` (newest first),
/// those not older than `go`, or all without one. Entries named as
/// language versions (`1.22`) are no releases and never run.
pub fn default_releases(installed: Vec<Installed>, go: Option<Version>) -> Vec<Installed> {
    installed
        .into_iter()
        .filter(|i| !i.version.is_language_version())
        .filter(|i| go.is_none_or(|go| i.version >= go))
        .collect()
}

/// The releases gov knows are installed: the store, or a list in a test.
pub trait Releases {
    /// Every installed release, newest first.
    fn installed(&self) -> Result<Vec<Installed>, StoreError>;
    /// The installed release `request` names, if one is.
    fn pick(&self, request: &Request) -> Result<Option<Installed>, StoreError>;
}

impl Releases for Store {
    fn installed(&self) -> Result<Vec<Installed>, StoreError> {
        Store::installed(self)
    }
    fn pick(&self, request: &Request) -> Result<Option<Installed>, StoreError> {
        Store::pick(self, request)
    }
}

/// Which releases a matrix runs under, and what must be installed first.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The releases to run under, in order, each once; empty while
    /// `to_install` is not.
    pub releases: Vec<Installed>,
    /// Requests nothing installed matches, each once: installed before
    /// anything runs, then the plan is made again.
    pub to_install: Vec<Request>,
    pub why: Why,
}

/// Why these releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// No request: every installed release not older than this `go` line.
    GoLine(GoLine),
    /// No request and no `go` line here: every installed release.
    NoModule,
    /// The release each request picked, in the order asked.
    Requested(Vec<(Request, Version)>),
}

impl Why {
    /// What `--verbose` says of the choice, a line each.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Why::GoLine(line) => vec![format!(
                "every installed release not older than `go {}` of `{}`",
                line.go,
                line.path.display()
            )],
            Why::NoModule => vec!["every installed release (no go.mod or go.work here)".into()],
            Why::Requested(picked) => picked
                .iter()
                .map(|(request, version)| format!("Go {version} for `{request}`"))
                .collect(),
        }
    }
}

/// The plan for `requests` (none: the default of [`default_releases`],
/// with the `go` line `go_line` reads, asked only when a release is
/// installed). `installing_done`: the missing requests were installed,
/// so one still missing is an error rather than a plan to install it.
pub fn plan(
    requests: &[Request],
    releases: &dyn Releases,
    go_line: impl FnOnce() -> Result<Option<GoLine>, VersionFileError>,
    installing_done: bool,
) -> Result<Plan, MatrixError> {
    if requests.is_empty() {
        let installed = releases.installed()?;
        if installed.is_empty() {
            return Err(MatrixError::NothingInstalled);
        }
        let line = go_line()?;
        let chosen = default_releases(installed.clone(), line.as_ref().map(|l| l.go));
        let why = match line {
            Some(line) if chosen.is_empty() => {
                return Err(MatrixError::AllTooOld {
                    line,
                    installed: names(&installed),
                })
            }
            Some(line) => Why::GoLine(line),
            None => Why::NoModule,
        };
        return Ok(Plan {
            releases: chosen,
            to_install: Vec::new(),
            why,
        });
    }
    let mut missing: Vec<Request> = Vec::new();
    let mut chosen: Vec<Installed> = Vec::new();
    let mut picked = Vec::new();
    for request in requests {
        match releases.pick(request)? {
            None if installing_done => {
                return Err(MatrixError::NotInstalledAfter(request.clone()));
            }
            None => {
                if !missing.contains(request) {
                    missing.push(request.clone());
                }
            }
            Some(installed) => {
                picked.push((request.clone(), installed.version));
                if !chosen.iter().any(|c| c.version == installed.version) {
                    chosen.push(installed);
                }
            }
        }
    }
    if !missing.is_empty() {
        return Ok(Plan {
            releases: Vec::new(),
            to_install: missing,
            why: Why::Requested(Vec::new()),
        });
    }
    Ok(Plan {
        releases: chosen,
        to_install: Vec::new(),
        why: Why::Requested(picked),
    })
}

/// `1.22.4, 1.21.13`.
pub fn names(releases: &[Installed]) -> String {
    releases
        .iter()
        .map(|i| i.version.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a matrix ended, from its [`Report`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every run passed.
    Passed,
    /// A signal stopped gov: how many runs it stopped, how many never
    /// started.
    Interrupted {
        signal: i32,
        stopped: usize,
        skipped: usize,
    },
    /// Some runs could not start: their releases and the first one's why.
    CannotStart {
        versions: Vec<Version>,
        why: String,
        stopped: usize,
        skipped: usize,
    },
    /// Some runs failed: their releases, of `total`.
    Failed {
        versions: Vec<Version>,
        total: usize,
        stopped: usize,
        skipped: usize,
    },
}

impl Report {
    /// What the runs add up to: an interrupt first, then a run that could
    /// not start, then a failure.
    pub fn outcome(&self) -> Outcome {
        let count = |f: &dyn Fn(&State) -> bool| self.runs.iter().filter(|r| f(&r.state)).count();
        let stopped = count(&|s| matches!(s, State::Stopped(_)));
        let skipped = count(&|s| matches!(s, State::Skipped));
        if let Some(signal) = self.interrupted {
            return Outcome::Interrupted {
                signal,
                stopped,
                skipped,
            };
        }
        let versions = |f: &dyn Fn(&State) -> bool| {
            self.runs
                .iter()
                .filter(|r| f(&r.state))
                .map(|r| r.version)
                .collect::<Vec<_>>()
        };
        let unstartable = versions(&|s| matches!(s, State::CannotStart(_)));
        if !unstartable.is_empty() {
            let why = self
                .runs
                .iter()
                .find_map(|r| match &r.state {
                    State::CannotStart(why) => Some(why.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            return Outcome::CannotStart {
                versions: unstartable,
                why,
                stopped,
                skipped,
            };
        }
        let failed = versions(&|s| matches!(s, State::Ended(e) if *e != Exit::Code(0)));
        if !failed.is_empty() {
            return Outcome::Failed {
                versions: failed,
                total: self.runs.len(),
                stopped,
                skipped,
            };
        }
        Outcome::Passed
    }
}

/// Why a matrix could not be planned or did not pass.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("no Go release is installed to run under")]
    NothingInstalled,
    #[error(
        "`{}` needs Go {} or newer, but every installed release is older: {installed}",
        line.path.display(),
        line.go
    )]
    AllTooOld { line: GoLine, installed: String },
    #[error("Go {0} is not installed after installing it")]
    NotInstalledAfter(Request),
    #[error("cannot run `{program}` under Go {}: {why}{stops}", join(versions))]
    CannotStart {
        program: String,
        versions: Vec<Version>,
        why: String,
        /// `; --fail-fast stopped …`, or nothing.
        stops: String,
    },
    #[error("`{shown}` failed under Go {} ({} of {total} releases){stops}", join(versions), versions.len())]
    Failed {
        shown: String,
        versions: Vec<Version>,
        total: usize,
        stops: String,
        /// The results went out as JSON, output included.
        json: bool,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    VersionFile(#[from] VersionFileError),
}

impl MatrixError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            MatrixError::NothingInstalled => {
                "name the releases, which installs them: `gov matrix 1.21 1.22 -- CMD`".into()
            }
            MatrixError::AllTooOld { line, .. } => format!(
                "run `gov install {}`, or name the releases: `gov matrix {} -- CMD`",
                line.go, line.go
            ),
            MatrixError::NotInstalledAfter(_) => "run `gov list` to see what is installed".into(),
            MatrixError::CannotStart { .. } => {
                "check the command's name: each run has its release's bin/ first on PATH, then yours"
                    .into()
            }
            MatrixError::Failed {
                shown,
                versions,
                json,
                ..
            } => format!(
                "{}; run it under one release with `gov run {} {shown}`",
                if *json {
                    "each run's output is in the JSON"
                } else {
                    "the output of each failure is above"
                },
                versions.first().map(|v| v.to_string()).unwrap_or_default()
            ),
            MatrixError::Store(e) => return e.hint(),
            MatrixError::VersionFile(e) => return e.hint(),
        })
    }
}

fn join(versions: &[Version]) -> String {
    versions
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The environment a matrix run of `installed` gets: see the module's doc.
pub fn run_env(
    installed: &Installed,
    store: &Store,
    ctx: &Context,
) -> Result<ToolchainEnv, EnvError> {
    // An empty variable is an unset one: the environment says `local`.
    let mut local = ctx.clone();
    local.set(env_vars::GOTOOLCHAIN, "");
    let env = ToolchainEnv::new(&installed.root, &local)
        .pin(installed.version)
        .with_path()?
        .with_build_cache(installed.version, store);
    Ok(env)
}

/// One release to run the command under.
pub struct Job {
    pub version: Version,
    pub env: ToolchainEnv,
}

pub struct Options {
    /// Runs at once (at least 1).
    pub parallel: usize,
    /// The first run that does not pass stops the others.
    pub fail_fast: bool,
    /// Between the stopping signal and `SIGKILL`.
    pub grace: Duration,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

/// What became of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// It ran to its end: its exit code, or the signal that killed it.
    Ended(Exit),
    /// gov stopped it (`--fail-fast`, an interrupt): how it then ended.
    Stopped(Exit),
    /// It never started: a failure (`--fail-fast`) or an interrupt came
    /// first.
    Skipped,
    /// It could not be started: why.
    CannotStart(String),
}

#[derive(Debug, Clone)]
pub struct Run {
    pub version: Version,
    pub state: State,
    /// From start to end; `None` when it never started (or could not).
    pub duration: Option<Duration>,
    /// Standard output and error as written (lossy UTF-8); `None` when it
    /// never started (or could not).
    pub output: Option<String>,
}

impl Run {
    pub fn passed(&self) -> bool {
        self.state == State::Ended(Exit::Code(0))
    }
}

/// Every run, in the order of the jobs, and the signal that interrupted
/// gov, if one did.
pub struct Report {
    pub runs: Vec<Run>,
    pub interrupted: Option<i32>,
}

/// A run in progress.
struct Running {
    index: usize,
    child: Child,
    started: Instant,
    capture: Arc<Mutex<Capture>>,
    /// Hears when the output has been read to its end.
    drained: Receiver<()>,
    /// gov sent it the stopping signal.
    stopped: bool,
    /// When to send `SIGKILL` after that, once.
    kill_at: Option<Instant>,
    /// Kills the run's group if gov dies.
    guard: Option<GroupGuard>,
    /// The run's process group.
    group: libc::pid_t,
}

/// Runs `command` in `cwd` under each job, at most `options.parallel` at
/// once, in the order given; `done` hears of each run as it ends. SIGINT
/// and SIGTERM to gov are caught until every run is over (see the
/// module's doc).
pub fn run_all(
    jobs: &[Job],
    command: &[OsString],
    cwd: &Path,
    ctx: &Context,
    options: &Options,
    done: &mut dyn FnMut(&Run),
) -> Report {
    interrupt::catch_interrupts();
    let mut runs: Vec<Option<Run>> = vec![None; jobs.len()];
    let mut running: Vec<Running> = Vec::new();
    let mut next = 0;
    // The signal that stops every run, once one is decided on.
    let mut stopping: Option<i32> = None;
    let mut interrupted = None;
    let mut failed = false;
    let mut pause = Duration::from_millis(1);
    loop {
        if stopping.is_none() {
            if let Some(signal) = interrupt::interrupted() {
                interrupted = Some(signal);
                stopping = Some(signal);
            } else if options.fail_fast && failed {
                stopping = Some(libc::SIGTERM);
            }
            if let Some(signal) = stopping {
                let kill_at = Instant::now() + options.grace;
                // A run that has just ended by itself is not stopped.
                for r in running.iter_mut().filter(|r| !has_ended(&r.child)) {
                    signal_group(r.group, signal);
                    r.stopped = true;
                    r.kill_at = Some(kill_at);
                }
            }
        }
        for r in &mut running {
            if r.kill_at.is_some_and(|at| Instant::now() >= at) {
                signal_group(r.group, libc::SIGKILL);
                r.kill_at = None;
            }
        }
        while stopping.is_none()
            && !(options.fail_fast && failed)
            && running.len() < options.parallel.max(1)
            && next < jobs.len()
        {
            match start(next, &jobs[next], command, cwd, ctx) {
                Ok(run) => running.push(run),
                Err(e) => {
                    let run = Run {
                        version: jobs[next].version,
                        state: State::CannotStart(cannot_start(&e)),
                        duration: None,
                        output: None,
                    };
                    failed = true;
                    done(&run);
                    runs[next] = Some(run);
                }
            }
            next += 1;
        }
        let mut ended = false;
        let mut i = 0;
        while i < running.len() {
            if !has_ended(&running[i].child) {
                i += 1;
                continue;
            }
            let (index, run) = finish(running.remove(i), jobs);
            failed |= !run.passed();
            done(&run);
            runs[index] = Some(run);
            ended = true;
        }
        if running.is_empty() && (next == jobs.len() || stopping.is_some()) {
            break;
        }
        // A failure to act on at once: no pause.
        if options.fail_fast && failed && stopping.is_none() {
            continue;
        }
        // Polled, to notice an interrupt; quickly after a change.
        if ended {
            pause = Duration::from_millis(1);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    }
    let runs = runs
        .into_iter()
        .zip(jobs)
        .map(|(run, job)| {
            run.unwrap_or(Run {
                version: job.version,
                state: State::Skipped,
                duration: None,
                output: None,
            })
        })
        .collect();
    let interrupted = interrupted.or_else(interrupt::interrupted);
    // Every run is over: SIGINT and SIGTERM act as usual again.
    interrupt::release_interrupts();
    Report { runs, interrupted }
}

/// Starts the run of job `index`: its own process group, no input, its
/// output into one pipe that a thread reads into a [`Capture`].
fn start(
    index: usize,
    job: &Job,
    command: &[OsString],
    cwd: &Path,
    ctx: &Context,
) -> io::Result<Running> {
    let (program, args) = command.split_first().expect("clap requires a command");
    let (mut reader, writer) = io::pipe()?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer);
    // The guard first, leading the group the run joins: no moment of the
    // run goes unguarded.
    let guard = GroupGuard::start();
    let pgid = guard.as_ref().map_or(0, GroupGuard::pgid);
    cmd.process_group(pgid);
    job.env.apply(&mut cmd, ctx);
    die_with_gov(&mut cmd);
    let child = cmd.spawn()?;
    let group = group_of(&child, pgid);
    // gov's copies of the writing end go with `cmd`: the reader sees the
    // end of the output when the run's group is gone.
    drop(cmd);
    let capture = Arc::new(Mutex::new(Capture::default()));
    let (tx, drained) = mpsc::channel();
    let into = capture.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => into.lock().unwrap().push(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = tx.send(());
    });
    Ok(Running {
        index,
        child,
        started: Instant::now(),
        capture,
        drained,
        stopped: false,
        kill_at: None,
        guard,
        group,
    })
}

/// Reaps an ended run: what it left in its group is killed first, then
/// its output is read to its end (or [`DRAIN`] passes). Returns the index
/// of its job.
fn finish(mut r: Running, jobs: &[Job]) -> (usize, Run) {
    let duration = r.started.elapsed();
    signal_group(r.group, libc::SIGKILL);
    let status = r.child.wait();
    drop(r.guard.take());
    let drained = r.drained.recv_timeout(DRAIN).is_ok();
    let mut output = r.capture.lock().unwrap().text();
    if !drained {
        output.push_str(
            "\n[gov: output cut: a process the command started left its process group and still holds it open]\n",
        );
    }
    let exit = match status {
        Ok(s) => match (s.code(), s.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Code(-1),
        },
        Err(_) => Exit::Code(-1),
    };
    let run = Run {
        version: jobs[r.index].version,
        // Once signalled, stopped, whatever it then did.
        state: if r.stopped {
            State::Stopped(exit)
        } else {
            State::Ended(exit)
        },
        duration: Some(duration),
        output: Some(output),
    };
    (r.index, run)
}

/// Why a command could not start, in words.
fn cannot_start(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "command not found".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// The start and the end of an output, with what lies between counted.
#[derive(Default)]
struct Capture {
    head: Vec<u8>,
    tail: Vec<u8>,
    left_out: u64,
}

impl Capture {
    fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < OUTPUT_KEEP {
            let take = bytes.len().min(OUTPUT_KEEP - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * OUTPUT_KEEP {
            let cut = self.tail.len() - OUTPUT_KEEP;
            self.tail.drain(..cut);
            self.left_out += cut as u64;
        }
    }

    fn text(&self) -> String {
        let mut out = String::from_utf8_lossy(&self.head).into_owned();
        if self.left_out > 0 {
            out.push_str(&format!(
                "\n[gov: {} bytes of output left out]\n",
                self.left_out
            ));
        }
        out.push_str(&String::from_utf8_lossy(&self.tail));
        out
    }
}

/// `SIGTERM` for 15: the names of the signals a run is likely to meet.
pub fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGHUP => "SIGHUP",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGILL => "SIGILL",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGKILL => "SIGKILL",
        libc::SIGUSR1 => "SIGUSR1",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGUSR2 => "SIGUSR2",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGALRM => "SIGALRM",
        libc::SIGTERM => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installed(versions: &[&str]) -> Vec<Installed> {
        versions
            .iter()
            .map(|v| Installed {
                version: Version::parse(v).unwrap(),
                root: PathBuf::from("/g").join(v),
                is_link: false,
                system: false,
            })
            .collect()
    }

    fn names(list: &[Installed]) -> Vec<String> {
        list.iter().map(|i| i.version.to_string()).collect()
    }

    #[test]
    fn the_go_line_is_a_minimum_in_gos_order() {
        let all = installed(&["1.22.4", "1.21.0", "1.21rc2", "1.20.14", "1.20"]);
        let at = |go: &str| {
            names(&default_releases(
                all.clone(),
                Some(Version::parse(go).unwrap()),
            ))
        };
        assert_eq!(at("1.21"), ["1.22.4", "1.21.0", "1.21rc2"]);
        assert_eq!(at("1.21.0"), ["1.22.4", "1.21.0"]);
        assert_eq!(
            at("1.20"),
            ["1.22.4", "1.21.0", "1.21rc2", "1.20.14", "1.20"]
        );
        assert_eq!(at("1.23"), Vec::<String>::new());
        assert_eq!(names(&default_releases(all.clone(), None)).len(), 5);
        // A release linked under a language version's name never runs.
        assert_eq!(
            names(&default_releases(installed(&["1.22", "1.22.1"]), None)),
            ["1.22.1"]
        );
    }

    /// A store that has `0`, as [`Releases`] sees it.
    struct Fake(Vec<Installed>);

    impl Releases for Fake {
        fn installed(&self) -> Result<Vec<Installed>, StoreError> {
            Ok(self.0.clone())
        }
        fn pick(&self, request: &Request) -> Result<Option<Installed>, StoreError> {
            let versions: Vec<Version> = self.0.iter().map(|i| i.version).collect();
            Ok(request
                .pick(&versions)
                .and_then(|v| self.0.iter().find(|i| i.version == v).cloned()))
        }
    }

    /// Each case: what is installed, the requests, the `go` line here,
    /// whether installing is done; then the releases to run, the requests
    /// to install and the `--verbose` lines, or the error.
    #[test]
    fn plans() {
        type Want = Result<(Vec<&'static str>, Vec<&'static str>, Vec<&'static str>), &'static str>;
        type Case<'a> = (
            &'a str,
            &'a [&'a str],
            &'a [&'a str],
            Option<&'a str>,
            bool,
            Want,
        );
        let cases: Vec<Case> = vec![
            (
                "nothing installed, nothing asked",
                &[], &[], Some("1.21"), false,
                Err("no Go release is installed to run under"),
            ),
            (
                "no module: every installed release",
                &["1.22.4", "1.21.0"], &[], None, false,
                Ok((vec!["1.22.4", "1.21.0"], vec![], vec!["every installed release (no go.mod or go.work here)"])),
            ),
            (
                "the go line is a minimum",
                &["1.22.4", "1.21.0", "1.20.14"], &[], Some("1.21"), false,
                Ok((vec!["1.22.4", "1.21.0"], vec![], vec!["every installed release not older than `go 1.21` of `/m/go.mod`"])),
            ),
            (
                "every release older than the go line",
                &["1.21.0", "1.20.14"], &[], Some("1.22"), false,
                Err("`/m/go.mod` needs Go 1.22 or newer, but every installed release is older: 1.21.0, 1.20.14"),
            ),
            (
                "requests in their order, each release once",
                &["1.22.4", "1.21.0"], &["1.21", "1.22", "1.21.0"], Some("1.23"), false,
                Ok((vec!["1.21.0", "1.22.4"], vec![], vec!["Go 1.21.0 for `1.21`", "Go 1.22.4 for `1.22`", "Go 1.21.0 for `1.21.0`"])),
            ),
            (
                "what nothing matches is installed first, once",
                &["1.22.4"], &["1.20", "1.22", "1.20", "1.19.3"], None, false,
                Ok((vec![], vec!["1.20", "1.19.3"], vec![])),
            ),
            (
                "still missing after installing",
                &["1.22.4"], &["1.22", "1.20"], None, true,
                Err("Go 1.20 is not installed after installing it"),
            ),
        ];
        for (name, have, requests, go, installing_done, want) in cases {
            let fake = Fake(installed(have));
            let requests: Vec<Request> = requests
                .iter()
                .map(|r| Request::parse(r).unwrap())
                .collect();
            let line = go.map(|go| GoLine {
                path: "/m/go.mod".into(),
                go: Version::parse(go).unwrap(),
            });
            let got = plan(&requests, &fake, || Ok(line), installing_done)
                .map(|p| {
                    (
                        names(&p.releases),
                        p.to_install
                            .iter()
                            .map(|r| r.to_string())
                            .collect::<Vec<_>>(),
                        p.why.lines(),
                    )
                })
                .map_err(|e| e.to_string());
            match (got, want) {
                (Ok(got), Ok(want)) => {
                    assert_eq!(got.0, want.0, "{name}");
                    assert_eq!(got.1, want.1, "{name}");
                    assert_eq!(got.2, want.2, "{name}");
                }
                (Err(got), Err(want)) => assert_eq!(got, want, "{name}"),
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn the_go_line_is_read_only_when_a_release_is_installed() {
        let read = std::cell::Cell::new(false);
        let go_line = || {
            read.set(true);
            Ok(None)
        };
        assert!(plan(&[], &Fake(vec![]), go_line, false).is_err());
        assert!(!read.get());
    }

    /// Each case: the runs' states and an interrupt; how the matrix ended.
    #[test]
    fn outcomes() {
        let run = |v: &str, state: State| Run {
            version: Version::parse(v).unwrap(),
            state,
            duration: None,
            output: None,
        };
        let v = |list: &[&str]| {
            list.iter()
                .map(|v| Version::parse(v).unwrap())
                .collect::<Vec<_>>()
        };
        let passed = State::Ended(Exit::Code(0));
        let failed = State::Ended(Exit::Code(1));
        let cases = [
            (
                vec![run("1.22.4", passed.clone()), run("1.21.0", passed.clone())],
                None,
                Outcome::Passed,
            ),
            (
                vec![
                    run("1.22.4", failed.clone()),
                    run("1.21.0", State::Stopped(Exit::Signal(15))),
                    run("1.20.0", State::Skipped),
                ],
                Some(2),
                Outcome::Interrupted {
                    signal: 2,
                    stopped: 1,
                    skipped: 1,
                },
            ),
            (
                vec![
                    run("1.22.4", failed.clone()),
                    run("1.21.0", State::CannotStart("no such file".into())),
                    run("1.20.0", State::Skipped),
                ],
                None,
                Outcome::CannotStart {
                    versions: v(&["1.21.0"]),
                    why: "no such file".into(),
                    stopped: 0,
                    skipped: 1,
                },
            ),
            (
                vec![
                    run("1.22.4", failed.clone()),
                    run("1.21.0", State::Ended(Exit::Signal(9))),
                    run("1.20.0", passed.clone()),
                ],
                None,
                Outcome::Failed {
                    versions: v(&["1.22.4", "1.21.0"]),
                    total: 3,
                    stopped: 0,
                    skipped: 0,
                },
            ),
        ];
        for (runs, interrupted, want) in cases {
            let report = Report { runs, interrupted };
            assert_eq!(report.outcome(), want);
        }
    }

    #[test]
    fn the_workspace_wins_then_the_nearest_module() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("w/m/sub")).unwrap();
        std::fs::write(root.join("w/m/go.mod"), "module m\n\ngo 1.21.3\n").unwrap();
        std::fs::write(root.join("w/m/.go-version"), "1.19.8\n").unwrap();
        let cwd = root.join("w/m/sub");
        let line = |gowork: Option<&str>| {
            module_go_line(&cwd, gowork.map(OsStr::new))
                .unwrap()
                .map(|l| {
                    (
                        l.path.strip_prefix(root).unwrap().to_owned(),
                        l.go.to_string(),
                    )
                })
        };
        assert_eq!(line(None), Some(("w/m/go.mod".into(), "1.21.3".into())));
        std::fs::write(root.join("w/go.work"), "go 1.22\n\nuse ./m\n").unwrap();
        assert_eq!(line(None), Some(("w/go.work".into(), "1.22".into())));
        assert_eq!(
            line(Some("off")),
            Some(("w/m/go.mod".into(), "1.21.3".into()))
        );
        assert!(
            module_go_line(&root.join("w/m"), Some(OsStr::new("/nonexistent/go.work"))).is_err()
        );
        assert_eq!(module_go_line(root, None).unwrap(), None);
        std::fs::write(root.join("w/m/go.mod"), "module m\n\ngo banana\n").unwrap();
        assert!(module_go_line(&cwd, Some(OsStr::new("off"))).is_err());
    }

    #[test]
    fn a_long_output_keeps_its_start_and_its_end() {
        let mut c = Capture::default();
        c.push(b"first\n");
        for _ in 0..(3 * OUTPUT_KEEP / 1024) {
            c.push(&[b'x'; 1024]);
        }
        c.push(b"\nlast\n");
        let text = c.text();
        assert!(text.starts_with("first\n"));
        assert!(text.ends_with("\nlast\n"));
        assert!(text.contains("bytes of output left out]"));
        assert!(text.len() < 3 * OUTPUT_KEEP + 100);
    }
}
