//! The parts of `gov upgrade` that touch the world: checks run under the
//! target release with their output streamed and its tail kept, a backup
//! of every file the upgrade may change (restored byte for byte when a
//! check fails or the user interrupts), and the go.mod edit made by the
//! target's own Go.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::context::Context;
use crate::fsx;
use crate::toolchain_env::ToolchainEnv;

/// How much of a check's output the report keeps.
pub const TAIL_BYTES: usize = 16 * 1024;

/// The signals that mean "stop": Ctrl-C, `kill`, a closed terminal or ssh
/// connection, Ctrl-\\.
const INTERRUPTS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The signal that interrupted gov (one of [`INTERRUPTS`]), or 0.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// From now on SIGINT, SIGTERM, SIGHUP and SIGQUIT are noted instead of
/// killing gov, so it can restore what it changed, or stop what it
/// started, first.
pub fn catch_interrupts() {
    for signal in INTERRUPTS {
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        unsafe {
            libc::signal(signal, on_signal as *const () as libc::sighandler_t);
        }
    }
}

/// Those signals act as usual again (once nothing is left to restore).
pub fn release_interrupts() {
    for signal in INTERRUPTS {
        // SAFETY: restoring the default disposition.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
}

/// The signal that interrupted gov, if one did.
pub fn interrupted() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// What became of one check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckRun {
    pub command: String,
    /// The exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub passed: bool,
    /// The last lines of its output (stdout and stderr together).
    #[serde(skip)]
    pub tail: String,
}

/// Runs `command` with `sh -c` in `cwd` under `env`, its output streamed to
/// stderr; stops it when gov is interrupted.
pub fn run_check(
    command: &str,
    cwd: &Path,
    env: &ToolchainEnv,
    ctx: &Context,
) -> io::Result<CheckRun> {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", command])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    env.apply(&mut cmd, ctx);
    // Its own process group, so that an interrupt stops all it started
    // (gov passes Ctrl-C on itself, see below).
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn()?;
    let tail = Arc::new(Mutex::new(Vec::<u8>::new()));
    let pumps: Vec<_> = [
        child
            .stdout
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|r| Box::new(r) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|mut reader| {
        let tail = tail.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = io::stderr().write_all(&buf[..n]);
                let mut tail = tail.lock().unwrap();
                tail.extend_from_slice(&buf[..n]);
                if tail.len() > 2 * TAIL_BYTES {
                    let cut = tail.len() - TAIL_BYTES;
                    tail.drain(..cut);
                }
            }
        })
    })
    .collect();
    // Polled, to notice an interrupt; quickly at first, as most checks of
    // a small project end soon.
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if interrupted().is_some() {
            // SAFETY: kill(2) on the check's own process group.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            break child.wait()?;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    for pump in pumps {
        let _ = pump.join();
    }
    let tail = tail.lock().unwrap();
    let start = tail.len().saturating_sub(TAIL_BYTES);
    let text = String::from_utf8_lossy(&tail[start..]);
    let lines: Vec<&str> = text.lines().collect();
    let last = lines[lines.len().saturating_sub(20)..].join("\n");
    Ok(CheckRun {
        command: command.to_string(),
        code: status.code(),
        passed: status.success(),
        tail: last,
    })
}

/// Files as they were, to be put back byte for byte.
#[derive(Debug, Default)]
pub struct Backup {
    files: Vec<(PathBuf, Option<Vec<u8>>)>,
}

impl Backup {
    /// Remembers `path` as it is now (or that it is absent).
    pub fn keep(&mut self, path: &Path) -> io::Result<()> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(fsx::with_path(e, path)),
        };
        self.files.push((path.to_path_buf(), bytes));
        Ok(())
    }

    /// Puts every file back as it was; one that was absent is removed.
    pub fn restore(&self) -> io::Result<()> {
        for (path, bytes) in &self.files {
            let now = std::fs::read(path).ok();
            if now.as_ref() == bytes.as_ref() {
                continue;
            }
            match bytes {
                Some(bytes) => fsx::write_atomic(path, bytes)?,
                None => match std::fs::remove_file(path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => {
                        return Err(fsx::with_path(e, path))
                    }
                    _ => {}
                },
            }
        }
        Ok(())
    }
}

/// Moves `go.mod`'s `go` line to `version` with the target's own Go
/// (`go mod edit`), and drops its `toolchain` line, which would now equal
/// the `go` line (as Go itself drops it).
pub fn edit_go_mod(
    go_mod: &Path,
    version: &str,
    had_toolchain: bool,
    env: &ToolchainEnv,
    ctx: &Context,
) -> Result<(), String> {
    let dir = go_mod.parent().unwrap_or(Path::new("."));
    let go = env
        .get(crate::env_vars::GOROOT)
        .map(|root| Path::new(root).join("bin/go"))
        .ok_or("no GOROOT")?;
    let mut edits = vec![format!("-go={version}")];
    if had_toolchain {
        edits.push("-toolchain=none".into());
    }
    for edit in edits {
        let mut cmd = Command::new(&go);
        cmd.args(["mod", "edit", &edit, "go.mod"]).current_dir(dir);
        env.apply(&mut cmd, ctx);
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", go.display()))?;
        if !out.status.success() {
            return Err(format!(
                "`go mod edit {edit}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    Ok(())
}
