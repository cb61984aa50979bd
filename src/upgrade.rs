//! `gov upgrade`: the plan — what the target is, which file switches, the
//! go.mod to move, the checks — worked out by a pure function ([`Plan::new`])
//! from what was resolved, its typed errors ([`UpgradeError`]) and outcomes
//! ([`Outcome`]); then the parts that touch the world: checks run under the
//! target release with their output streamed and its tail kept, and the
//! go.mod edit made by the target's own Go; the processes gov starts for
//! them die with gov, even of a `SIGKILL` ([`crate::interrupt`]). The
//! files an upgrade may change are kept in the store's journal
//! ([`crate::store::Journal`]).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::context::Context;
use crate::goroot::GoRoot;
use crate::interrupt::{die_with_gov, group_of, has_ended, interrupted, signal_group, GroupGuard};
use crate::resolve::Source;
use crate::store::{Installed, Journal, Lock, Store, StoreError};
use crate::toolchain_env::ToolchainEnv;
use crate::version::Version;
use crate::version_files::{self, FileKind, VersionFileError};

/// The check of a Go module when none is given.
pub const MODULE_CHECK: &str = "go build ./... && go test ./...";

/// The choices of the command line, as plain values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// `--check`: the checks asked for (none: the default).
    pub checks: Vec<String>,
    pub no_check: bool,
    pub global: bool,
    pub local: bool,
    pub go_mod: bool,
}

/// What the upgrade switches when the checks pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Switch {
    /// The global default.
    Global,
    /// A `.go-version` or `.tool-versions` (written if missing).
    File(PathBuf, FileKind),
    /// Only go.mod (selected by it, with --go-mod).
    Nothing,
}

impl Switch {
    /// What to switch, from what selected the `current` release and the
    /// flags; `cwd` is where `--local` writes its `.go-version`.
    pub fn choose(
        current: Version,
        source: &Source,
        flags: &Flags,
        cwd: &Path,
    ) -> Result<Switch, UpgradeError> {
        Ok(match (source, flags.global, flags.local) {
            (_, true, _) => Switch::Global,
            (_, _, true) => Switch::File(cwd.join(".go-version"), FileKind::GoVersion),
            (Source::Global, ..) => Switch::Global,
            (Source::File(path), ..) => match path.file_name().and_then(|n| n.to_str()) {
                Some(".go-version") => Switch::File(path.clone(), FileKind::GoVersion),
                Some(".tool-versions") => Switch::File(path.clone(), FileKind::ToolVersions),
                _ if flags.go_mod => Switch::Nothing,
                _ => {
                    return Err(UpgradeError::SelectedByFile {
                        current,
                        path: path.clone(),
                    })
                }
            },
            (Source::Variable, ..) | (Source::Plus, ..) => {
                return Err(UpgradeError::SelectedInShell {
                    current,
                    by: source.to_string(),
                })
            }
        })
    }
}

impl Switch {
    /// Makes it select `installed` (release `target`); `command` is what
    /// the history of the global default records. A version file is
    /// rewritten keeping the rest of it, through a link, which stays one.
    pub fn apply(
        &self,
        installed: &Installed,
        target: Version,
        command: &str,
        store: &Store,
    ) -> Result<(), UpgradeError> {
        match self {
            Switch::Global => store.set_global(installed, command)?,
            Switch::File(path, kind) => {
                let text = version_files::read(path)?;
                let new = text
                    .as_deref()
                    .and_then(|t| version_files::rewrite(t, *kind, &target.to_string()))
                    .unwrap_or_else(|| format!("{target}\n"));
                crate::store::write_through(path, new.as_bytes())?;
            }
            Switch::Nothing => {}
        }
        Ok(())
    }
}

/// Keeps in `journal` every file `plan` may change, each under its own
/// lock (another project may link to it, or share a version file above
/// both); the locks are held until they are dropped.
pub fn keep(plan: &Plan, store: &Store, journal: &mut Journal) -> Result<Vec<Lock>, UpgradeError> {
    let mut kept = vec![];
    if let Some(go_mod) = &plan.go_mod {
        kept.push(go_mod.clone());
        kept.push(go_mod.with_file_name("go.sum"));
    }
    if let Switch::File(path, _) = &plan.switch {
        kept.push(path.clone());
    }
    let mut locks = vec![];
    let mut reals = vec![];
    for path in &kept {
        let real = crate::store::real_path(path)?;
        if reals.contains(&real) {
            continue;
        }
        let Some(lock) = store.try_lock_path(&real)? else {
            return Err(UpgradeError::Busy {
                who: String::new(),
                path: real,
            });
        };
        locks.push(lock);
        reals.push(real);
    }
    for path in kept {
        journal
            .keep(&path)
            .map_err(|error| UpgradeError::Keep { error })?;
    }
    Ok(locks)
}

/// The target: the newest of the index's match and an installed one (a
/// linked release, or offline); `None` when neither matches.
pub fn newest(in_index: Option<Version>, installed: Option<Version>) -> Option<Version> {
    match (in_index, installed) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// What was resolved before planning.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The active release and what selected it.
    pub current: Version,
    pub source: &'a Source,
    /// What switches (see [`Switch::choose`]).
    pub switch: Switch,
    /// The release to upgrade to, and whether it is installed already.
    pub target: Version,
    pub target_installed: bool,
    /// The go.mod of the module this directory is in
    /// ([`crate::version_files::find_module`]), and its `go` line.
    pub module: Option<&'a Path>,
    pub module_go: Option<Version>,
    pub cwd: &'a Path,
    pub flags: &'a Flags,
    /// The store's own global default: with `--global`, an active release
    /// that is the target and the default already leaves nothing to do.
    pub global: Option<Version>,
}

/// What an upgrade does, in order: install the target, move the go.mod,
/// run the checks, then switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub current: Version,
    pub target: Version,
    /// The target must be installed first.
    pub install: bool,
    /// The go.mod whose go line moves to the target (`--go-mod`).
    pub go_mod: Option<PathBuf>,
    pub checks: Vec<String>,
    pub switch: Switch,
    /// Nothing to do: the target is active, and the go.mod (if any) says
    /// so already.
    pub up_to_date: bool,
}

impl Plan {
    /// The plan, from what was resolved; no I/O.
    pub fn new(inputs: Inputs<'_>) -> Result<Plan, UpgradeError> {
        let flags = inputs.flags;
        if flags.go_mod {
            if let Source::File(path) = inputs.source {
                if path.extension().is_some_and(|e| e == "work") {
                    return Err(UpgradeError::Workspace {
                        current: inputs.current,
                        path: path.clone(),
                    });
                }
            }
        }
        let go_mod = match (flags.go_mod, inputs.module) {
            (false, _) => None,
            (true, Some(module)) => Some(module.to_path_buf()),
            (true, None) => {
                return Err(UpgradeError::NoGoMod {
                    cwd: inputs.cwd.to_path_buf(),
                })
            }
        };
        let checks = match (flags.no_check, flags.checks.is_empty(), inputs.module) {
            (true, ..) => vec![],
            (false, false, _) => flags.checks.clone(),
            (false, true, Some(_)) => vec![MODULE_CHECK.to_string()],
            (false, true, None) => vec![],
        };
        let go_mod_done = go_mod.is_none() || inputs.module_go.is_none_or(|v| v == inputs.target);
        Ok(Plan {
            current: inputs.current,
            target: inputs.target,
            install: !inputs.target_installed,
            up_to_date: inputs.target == inputs.current
                && go_mod_done
                && !flags.local
                && (!flags.global || inputs.global == Some(inputs.target)),
            go_mod,
            checks,
            switch: inputs.switch,
        })
    }
}

/// How an upgrade ended (a failure is an [`UpgradeError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A dry run: only the plan.
    Planned,
    /// Nothing to do.
    #[serde(rename = "already")]
    UpToDate,
    /// The checks passed and the switch is made.
    Switched,
    /// A check failed; nothing was switched.
    Failed,
}

/// Why an upgrade did not happen, or could not put back what it changed.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error("Go {current} is selected by `{}`", path.display())]
    SelectedByFile { current: Version, path: PathBuf },
    #[error("Go {current} is selected by {by} in this shell only")]
    SelectedInShell { current: Version, by: String },
    #[error("Go {current} is selected by the workspace `{}`", path.display())]
    Workspace { current: Version, path: PathBuf },
    #[error("--go-mod: no go.mod in `{}` or above", cwd.display())]
    NoGoMod { cwd: PathBuf },
    /// Another upgrade holds the lock of `path` (`who`: its pid and
    /// command, when known).
    #[error("another gov upgrade{who} is changing `{}`", path.display())]
    Busy { who: String, path: PathBuf },
    #[error("Go {target} is not installed after installing it")]
    NotInstalled { target: Version },
    /// A file could not be kept in the journal.
    #[error("{error}")]
    Keep { error: io::Error },
    #[error("cannot move `{}` to Go {target}: {reason}", go_mod.display())]
    EditGoMod {
        go_mod: PathBuf,
        target: Version,
        reason: String,
    },
    #[error("cannot run the check `{check}`: {error}")]
    StartCheck { check: String, error: io::Error },
    /// Boxed: it carries both releases.
    #[error("the check `{}` failed under Go {} ({}), so Go {} stays", .0.check, .0.target, .0.code.map_or("a signal".to_string(), |c| format!("exit code {c}")), .0.current)]
    CheckFailed(Box<FailedCheck>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    VersionFile(#[from] VersionFileError),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error("cannot put back the files this upgrade changed: {error}")]
    Restore { error: io::Error },
    #[error("cannot put back the files of a killed `{command}` in `{}`: {error}", project.display())]
    Recover {
        command: String,
        project: PathBuf,
        error: io::Error,
    },
}

/// A check that did not pass: which, under what, and how it ended.
#[derive(Debug)]
pub struct FailedCheck {
    pub check: String,
    pub target: Version,
    pub current: Version,
    /// The exit code; `None` when killed by a signal.
    pub code: Option<i32>,
}

impl UpgradeError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            UpgradeError::SelectedByFile { .. } => "pass --go-mod to move its go line, or --local or --global to pin the target elsewhere".into(),
            UpgradeError::SelectedInShell { .. } => "pass --global or --local to choose what to switch, then `gov shell --unset`".into(),
            UpgradeError::Workspace { path, .. } => format!(
                "--go-mod moves a go.mod, not a go.work: run `gov run TARGET go work edit -go=TARGET` in `{}`, then `gov upgrade` without --go-mod",
                path.parent().map_or(String::new(), |d| d.display().to_string())
            ),
            UpgradeError::NoGoMod { .. } => "run it in a Go module, or leave out --go-mod".into(),
            UpgradeError::Busy { .. } => "wait for it to end, then run the command again".into(),
            UpgradeError::NotInstalled { .. } | UpgradeError::StartCheck { .. } => return None,
            UpgradeError::Store(e) => return e.hint(),
            UpgradeError::VersionFile(e) => return e.hint(),
            UpgradeError::Io(e) => return crate::fsx::io_hint(e),
            UpgradeError::Keep { .. } => {
                "nothing was changed; gov changes only regular files of up to 64 MiB".into()
            }
            UpgradeError::EditGoMod { .. } => {
                "nothing was changed; fix the go.mod, or leave out --go-mod".into()
            }
            UpgradeError::CheckFailed(failed) => format!(
                "nothing was switched and every file is as it was; Go {target} stays installed: try it with `gov run {target} sh -c {}`",
                crate::shell::Shell::Sh.quote(&failed.check),
                target = failed.target,
            ),
            UpgradeError::Restore { .. } | UpgradeError::Recover { .. } => {
                "fix the cause, then run `gov upgrade --recover`".into()
            }
        })
    }

    /// 2 when the command line asks for what cannot be done, else 1.
    pub fn exit_code(&self) -> u8 {
        match self {
            UpgradeError::SelectedByFile { .. }
            | UpgradeError::SelectedInShell { .. }
            | UpgradeError::Workspace { .. } => 2,
            _ => 1,
        }
    }
}

/// How much of a check's output the report keeps.
pub const TAIL_BYTES: usize = 16 * 1024;

/// What became of one check.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckRun {
    pub command: String,
    /// The exit code; `None` when killed by a signal.
    pub code: Option<i32>,
    pub passed: bool,
    /// How long it ran.
    pub seconds: f64,
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
    let started = std::time::Instant::now();
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
    let seconds = started.elapsed().as_secs_f64();
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
        seconds,
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
        .map(|root| GoRoot::new(Path::new(root)).go())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn the_switch_follows_what_selected_the_release_unless_a_flag_says() {
        let cwd = Path::new("/p/sub");
        let file = |p: &str| Source::File(PathBuf::from(p));
        let flags = |global, local, go_mod| Flags {
            global,
            local,
            go_mod,
            ..Flags::default()
        };
        #[rustfmt::skip]
        let cases = [
            (Source::Global, flags(false, false, false), Ok(Switch::Global)),
            (file("/p/.go-version"), flags(false, false, false), Ok(Switch::File("/p/.go-version".into(), FileKind::GoVersion))),
            (file("/p/.tool-versions"), flags(false, false, false), Ok(Switch::File("/p/.tool-versions".into(), FileKind::ToolVersions))),
            (file("/p/.go-version"), flags(true, false, false), Ok(Switch::Global)),
            (Source::Global, flags(false, true, false), Ok(Switch::File("/p/sub/.go-version".into(), FileKind::GoVersion))),
            (file("/p/go.mod"), flags(false, false, true), Ok(Switch::Nothing)),
            (file("/p/go.work"), flags(false, false, true), Ok(Switch::Nothing)),
            (file("/p/go.mod"), flags(false, false, false), Err("Go 1.22.1 is selected by `/p/go.mod`")),
            (Source::Variable, flags(false, false, false), Err("Go 1.22.1 is selected by GOV_VERSION in this shell only")),
            (Source::Plus, flags(false, false, true), Err("Go 1.22.1 is selected by the +VERSION argument in this shell only")),
            (Source::Variable, flags(false, true, false), Ok(Switch::File("/p/sub/.go-version".into(), FileKind::GoVersion))),
        ];
        for (source, flags, want) in cases {
            let got = Switch::choose(v("1.22.1"), &source, &flags, cwd).map_err(|e| {
                assert_eq!(e.exit_code(), 2);
                assert!(e.hint().is_some());
                e.to_string()
            });
            assert_eq!(got, want.map_err(str::to_string), "{source:?} {flags:?}");
        }
    }

    #[test]
    fn the_target_is_the_newest_of_the_index_and_the_store() {
        #[rustfmt::skip]
        let cases = [
            (Some("1.22.5"), Some("1.22.3"), Some("1.22.5")),
            (Some("1.22.5"), Some("1.22.7"), Some("1.22.7")),
            (None, Some("1.22.3"), Some("1.22.3")),
            (Some("1.22.5"), None, Some("1.22.5")),
            (None, None, None),
        ];
        for (index, here, want) in cases {
            assert_eq!(
                newest(index.map(v), here.map(v)),
                want.map(v),
                "{index:?} {here:?}"
            );
        }
    }

    /// One row: what was resolved, and the plan (or error) it gives.
    struct Case {
        name: &'static str,
        source: Source,
        switch: Switch,
        target: &'static str,
        installed: bool,
        module: Option<&'static str>,
        module_go: Option<&'static str>,
        flags: Flags,
        global: Option<&'static str>,
        want: Result<Want, &'static str>,
    }

    struct Want {
        install: bool,
        go_mod: Option<&'static str>,
        checks: Vec<&'static str>,
        up_to_date: bool,
    }

    fn case(name: &'static str) -> Case {
        Case {
            name,
            source: Source::Global,
            switch: Switch::Global,
            target: "1.22.5",
            installed: false,
            module: None,
            module_go: None,
            flags: Flags::default(),
            global: None,
            want: Ok(Want {
                install: true,
                go_mod: None,
                checks: vec![],
                up_to_date: false,
            }),
        }
    }

    #[test]
    fn plans() {
        let module_check = vec![MODULE_CHECK];
        let cases = [
            case("a newer patch outside a module: install, no checks"),
            Case {
                installed: true,
                module: Some("/p/go.mod"),
                want: Ok(Want {
                    install: false,
                    go_mod: None,
                    checks: module_check.clone(),
                    up_to_date: false,
                }),
                ..case("in a module: go build and go test")
            },
            Case {
                module: Some("/p/go.mod"),
                flags: Flags {
                    checks: vec!["make test".into(), "true".into()],
                    ..Flags::default()
                },
                want: Ok(Want {
                    install: true,
                    go_mod: None,
                    checks: vec!["make test", "true"],
                    up_to_date: false,
                }),
                ..case("--check replaces the default")
            },
            Case {
                module: Some("/p/go.mod"),
                flags: Flags {
                    no_check: true,
                    ..Flags::default()
                },
                ..case("--no-check runs none")
            },
            Case {
                target: "1.22.1",
                installed: true,
                want: Ok(Want {
                    install: false,
                    go_mod: None,
                    checks: vec![],
                    up_to_date: true,
                }),
                ..case("the active release is the newest")
            },
            Case {
                target: "1.22.1",
                installed: true,
                switch: Switch::File("/p/.go-version".into(), FileKind::GoVersion),
                flags: Flags {
                    local: true,
                    ..Flags::default()
                },
                want: Ok(Want {
                    install: false,
                    go_mod: None,
                    checks: vec![],
                    up_to_date: false,
                }),
                ..case("--local pins even the active release")
            },
            Case {
                target: "1.22.1",
                installed: true,
                source: Source::File("/p/go.mod".into()),
                switch: Switch::Nothing,
                module: Some("/p/go.mod"),
                module_go: Some("1.21.0"),
                flags: Flags {
                    go_mod: true,
                    ..Flags::default()
                },
                want: Ok(Want {
                    install: false,
                    go_mod: Some("/p/go.mod"),
                    checks: module_check.clone(),
                    up_to_date: false,
                }),
                ..case("--go-mod with an older go line still moves it")
            },
            Case {
                target: "1.22.1",
                installed: true,
                module: Some("/p/go.mod"),
                module_go: Some("1.22.1"),
                flags: Flags {
                    go_mod: true,
                    ..Flags::default()
                },
                want: Ok(Want {
                    install: false,
                    go_mod: Some("/p/go.mod"),
                    checks: module_check.clone(),
                    up_to_date: true,
                }),
                ..case("--go-mod with the go line there already")
            },
            Case {
                flags: Flags {
                    go_mod: true,
                    ..Flags::default()
                },
                want: Err("--go-mod: no go.mod in `/p/sub` or above"),
                ..case("--go-mod outside a module")
            },
            Case {
                source: Source::File("/p/go.work".into()),
                switch: Switch::Nothing,
                module: Some("/p/a/go.mod"),
                flags: Flags {
                    go_mod: true,
                    ..Flags::default()
                },
                want: Err("Go 1.22.1 is selected by the workspace `/p/go.work`"),
                ..case("--go-mod under a workspace")
            },
            Case {
                target: "1.22.1",
                installed: true,
                flags: Flags {
                    global: true,
                    ..Flags::default()
                },
                global: Some("1.22.1"),
                want: Ok(Want {
                    install: false,
                    go_mod: None,
                    checks: vec![],
                    up_to_date: true,
                }),
                ..case("--global on the target, which is the default already: nothing to do")
            },
            Case {
                source: Source::File("/p/.go-version".into()),
                target: "1.22.1",
                installed: true,
                flags: Flags {
                    global: true,
                    ..Flags::default()
                },
                global: Some("1.21.4"),
                want: Ok(Want {
                    install: false,
                    go_mod: None,
                    checks: vec![],
                    up_to_date: false,
                }),
                ..case("--global on the target a file selects, with another default: switch it")
            },
        ];
        for c in cases {
            let got = Plan::new(Inputs {
                current: v("1.22.1"),
                source: &c.source,
                switch: c.switch.clone(),
                target: v(c.target),
                target_installed: c.installed,
                module: c.module.map(Path::new),
                module_go: c.module_go.map(v),
                cwd: Path::new("/p/sub"),
                flags: &c.flags,
                global: c.global.map(v),
            });
            let got = got
                .map(|plan| {
                    assert_eq!(
                        (plan.current, plan.target, &plan.switch),
                        (v("1.22.1"), v(c.target), &c.switch),
                        "{}",
                        c.name
                    );
                    (plan.install, plan.go_mod, plan.checks, plan.up_to_date)
                })
                .map_err(|e| e.to_string());
            let want = c
                .want
                .map(|w| {
                    (
                        w.install,
                        w.go_mod.map(PathBuf::from),
                        w.checks.into_iter().map(str::to_string).collect(),
                        w.up_to_date,
                    )
                })
                .map_err(str::to_string);
            assert_eq!(got, want, "{}", c.name);
        }
    }

    #[test]
    fn outcomes_keep_their_json_names() {
        let names: Vec<String> = [
            Outcome::Planned,
            Outcome::UpToDate,
            Outcome::Switched,
            Outcome::Failed,
        ]
        .iter()
        .map(|o| serde_json::to_string(o).unwrap())
        .collect();
        assert_eq!(
            names,
            [
                r#""planned""#,
                r#""already""#,
                r#""switched""#,
                r#""failed""#
            ]
        );
    }
}
