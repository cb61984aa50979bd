//! The parts of `gov upgrade` that touch the world: checks run under the
//! target release with their output streamed and its tail kept, and the
//! go.mod edit made by the target's own Go; the processes gov starts for
//! them die with gov, even of a `SIGKILL` ([`crate::interrupt`]). The
//! files an upgrade may change are kept in the store's journal
//! ([`crate::store::Journal`]).

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::context::Context;
use crate::interrupt::{die_with_gov, group_of, has_ended, interrupted, signal_group, GroupGuard};
use crate::toolchain_env::ToolchainEnv;

/// How much of a check's output the report keeps.
pub const TAIL_BYTES: usize = 16 * 1024;

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
/// stderr; stops it when gov is interrupted. It runs in its own process
/// group, which dies with gov (see [`die_with_gov`] and [`GroupGuard`]);
/// what it leaves running in that group when it ends is killed.
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
    // (gov passes Ctrl-C on itself, see below): the guard's, made before
    // the check starts, so that no moment of it goes unguarded.
    let guard = GroupGuard::start();
    let pgid = guard.as_ref().map_or(0, GroupGuard::pgid);
    std::os::unix::process::CommandExt::process_group(&mut cmd, pgid);
    die_with_gov(&mut cmd);
    let mut child = cmd.spawn()?;
    let group = group_of(&child, pgid);
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
    while !has_ended(&child) && interrupted().is_none() {
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    }
    // The check has ended, or gov was interrupted: its whole group goes.
    signal_group(group, libc::SIGKILL);
    let status = child.wait()?;
    drop(guard);
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
        die_with_gov(&mut cmd);
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
