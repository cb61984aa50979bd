//! The per-call path: `go`, `gofmt` and friends in `GOV_HOME/bin` are links
//! to the gov binary. Resolve the release, set its environment, `exec` the
//! real program. No argument parser, no logging, no runtime: this runs on
//! every `go` call.

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::commands;
use crate::env_vars;
use crate::error::{self, Error};
use crate::resolve::{self, Context, ResolveError, Resolved};
use crate::settings;
use crate::store::Store;

/// Shims nested deeper than this are a loop.
const MAX_DEPTH: u32 = 16;

/// Runs `program` with `args` (argv without argv[0]); returns only on error.
pub fn main(program: &str, mut args: Vec<OsString>) -> u8 {
    let plus = match args.first().and_then(|a| a.to_str()) {
        Some(a) if a.starts_with('+') => Some(args.remove(0)),
        _ => None,
    };
    let plus = plus
        .as_ref()
        .map(|p| p.to_str().unwrap_or_default().trim_start_matches('+'));
    match run(program, plus, args) {
        Ok(never) => match never {},
        Err(e) => error::report(&e),
    }
}

fn run(
    program: &str,
    plus: Option<&str>,
    args: Vec<OsString>,
) -> Result<std::convert::Infallible, Error> {
    let depth = std::env::var(env_vars::GOV_SHIM_DEPTH)
        .ok()
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(0);
    if depth >= MAX_DEPTH {
        return Err(Error::failed(
            format!("the `{program}` shim ran itself {depth} times over: a PATH or link loop"),
            format!(
                "make sure no toolchain's `bin/{program}` leads back to `{}`",
                shim_dir_hint()
            ),
        ));
    }
    let store = Store::from_process()?;
    let ctx = Context::from_process()?;
    let resolved = match resolve::resolve(plus, &ctx, &store) {
        Err(ResolveError::NotInstalled { request, .. })
            if settings::is_set(env_vars::GOV_AUTO_INSTALL) =>
        {
            commands::install::auto_install(&store, &request)?;
            resolve::resolve(plus, &ctx, &store)?
        }
        other => other?,
    };
    let target = resolve::program_path(&resolved.root, program);
    if std::fs::metadata(&target).is_err() {
        // A program only some releases have (`godoc`): the next one on PATH.
        let Some(next) = next_on_path(program) else {
            return Err(missing_program(program, &resolved, &target));
        };
        let err = Command::new(&next)
            .args(args)
            .env(env_vars::GOV_SHIM_DEPTH, (depth + 1).to_string())
            .exec();
        return Err(Error::failed(
            format!("cannot run `{}`: {err}", next.display()),
            None,
        ));
    }
    check_not_a_shim(&target, &resolved)?;

    let mut cmd = Command::new(&target);
    cmd.args(args)
        .env(env_vars::GOROOT, &resolved.root)
        .env(env_vars::GOV_SHIM_DEPTH, (depth + 1).to_string());
    if std::env::var_os(env_vars::GOTOOLCHAIN).is_none_or(|v| v.is_empty()) {
        cmd.env(env_vars::GOTOOLCHAIN, "local");
    }
    if plus.is_some() {
        // Programs that `go +1.21 …` starts run 1.21 too.
        cmd.env(env_vars::GOV_VERSION, resolved.version.to_string());
    }
    let err = cmd.exec();
    Err(Error::failed(
        format!("cannot run `{}`: {err}", target.display()),
        None,
    ))
}

fn missing_program(program: &str, resolved: &Resolved, target: &Path) -> Error {
    Error::failed(
        format!(
            "Go {} (selected by {}) has no program `{program}` (`{}` does not exist), and no other `{program}` is on PATH",
            resolved.version,
            resolved.source,
            target.display()
        ),
        format!(
            "run `gov which {program}` to check, or `gov uninstall {v}` and `gov install {v}` if the release is damaged",
            v = resolved.version
        ),
    )
}

/// The first executable `program` on PATH that is not gov itself.
fn next_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env_vars::PATH)?;
    let this = std::env::current_exe().and_then(std::fs::metadata).ok();
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(program))
        .find(|candidate| {
            let Ok(meta) = std::fs::metadata(candidate) else {
                return false;
            };
            let is_gov = this
                .as_ref()
                .is_some_and(|me| me.dev() == meta.dev() && me.ino() == meta.ino());
            meta.is_file() && meta.mode() & 0o111 != 0 && !is_gov
        })
}

/// The program must not be this very binary (a link loop).
fn check_not_a_shim(target: &Path, resolved: &Resolved) -> Result<(), Error> {
    let Ok(meta) = std::fs::metadata(target) else {
        return Ok(());
    };
    let this = std::env::current_exe().and_then(std::fs::metadata);
    if this.is_ok_and(|me| me.dev() == meta.dev() && me.ino() == meta.ino()) {
        return Err(Error::failed(
            format!(
                "`{}` is gov's own shim: running it would loop forever",
                target.display()
            ),
            format!(
                "Go {} points back at gov; run `gov uninstall {}` and link the real Go root",
                resolved.version, resolved.version
            ),
        ));
    }
    Ok(())
}

fn shim_dir_hint() -> String {
    Store::from_process()
        .map(|s| s.bin_dir().display().to_string())
        .unwrap_or_else(|_| "the gov shims".into())
}
