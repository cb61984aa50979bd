//! The per-call path: `go`, `gofmt` and friends in `GOV_HOME/bin` are links
//! to the gov binary. Read the context, resolve the release, set its
//! environment, `exec` the real program. No argument parser, no logging, no
//! runtime: this runs on every `go` call. It reaches only resolution, the
//! store's read side, the child environment and errors (and `install::ensure`
//! with `GOV_AUTO_INSTALL`), and 20 bytes of the program: another machine's
//! is refused, never run.

use std::ffi::{OsStr, OsString};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::context::Context;
use crate::env_vars;
use crate::error::{self, Error};
use crate::goroot::GoRoot;
use crate::install;
use crate::resolve::{self, ResolveError, Resolved};
use crate::sources::Sources;
use crate::store::{self, Store};
use crate::toolchain_env::ToolchainEnv;

/// Shims nested deeper than this are a loop.
const MAX_DEPTH: u32 = 16;

/// Runs `program` with `args` (argv without argv[0]); returns only on error.
/// `go1.22.4` (golang.org/dl's convention, and what Go's own
/// `GOTOOLCHAIN=go1.22.4` looks for on PATH) runs exactly that release.
pub fn main(program: &str, mut args: Vec<OsString>) -> u8 {
    if let Some(version) = release_command(program) {
        return match run("go", Some(version), args) {
            Ok(never) => match never {},
            Err(e) => error::report(&e),
        };
    }
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

/// The directory of Go's `-C DIR` flag, which must come first: right after
/// `go` or after its subcommand (`go -C DIR build`, `go build -C DIR`), as
/// `-C DIR`, `-C=DIR`, `--C DIR` or `--C=DIR`.
fn chdir_flag(args: &[OsString]) -> Option<&Path> {
    let at = match args.first()?.as_encoded_bytes().first() {
        Some(b'-') => 0,
        _ => 1,
    };
    let flag = args.get(at)?.to_str()?;
    match flag {
        "-C" | "--C" => args.get(at + 1).map(Path::new),
        _ => flag
            .strip_prefix("-C=")
            .or_else(|| flag.strip_prefix("--C="))
            .map(Path::new),
    }
}

/// The release a `go1.X.Y` command name runs.
fn release_command(name: &str) -> Option<&str> {
    let version = name.strip_prefix("go")?;
    let release = crate::version::Version::parse(version).ok()?;
    (!release.is_language_version() && version.starts_with(|c: char| c.is_ascii_digit()))
        .then_some(version)
}

fn run(
    program: &str,
    plus: Option<&str>,
    args: Vec<OsString>,
) -> Result<std::convert::Infallible, Error> {
    let mut ctx = Context::from_process()?;
    // `go -C DIR …` reads DIR's go.mod and go.work: so does selection.
    if program == "go" {
        if let Some(dir) = chdir_flag(&args) {
            ctx.change_dir(dir);
        }
    }
    let depth = ctx
        .text(env_vars::GOV_SHIM_DEPTH)
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(0);
    if depth >= MAX_DEPTH {
        return Err(Error::failed(
            format!("the `{program}` shim ran itself {depth} times over: a PATH or link loop"),
            format!(
                "make sure no toolchain's `bin/{program}` leads back to `{}`",
                shim_dir_hint(&ctx)
            ),
        ));
    }
    let store = Store::from_context(&ctx)?;
    let resolved = match resolve::resolve(plus, &ctx, &store) {
        Err(e @ (ResolveError::NotInstalled { .. } | ResolveError::TooOld { .. }))
            if ctx.is_set(env_vars::GOV_AUTO_INSTALL) =>
        {
            let request = match e {
                ResolveError::TooOld { module, .. } => module.install_request(),
                ResolveError::NotInstalled { request, .. } => request,
                _ => unreachable!("matched above"),
            };
            let store = match std::env::current_exe() {
                Ok(exe) => store.clone().with_shim_target(exe),
                Err(_) => store.clone(),
            };
            install::ensure(
                &store,
                &Sources::from_context(&ctx),
                &request,
                true,
                &|line| eprintln!("gov: {line}"),
            )?;
            resolve::resolve(plus, &ctx, &store)?
        }
        other => other?,
    };
    let root = GoRoot::new(&resolved.root);
    let target = root.program(program);
    store.check_trusted(&resolved.root, Some(&target))?;
    // Another machine's program fails, or runs emulated without a word.
    let system = store
        .system()
        .is_some_and(|s| resolved.root.starts_with(s.home()));
    root.check_runs_here(resolved.version, &target, system)?;
    // A toolchain whose `bin/go` leads back here runs this shim again, one
    // level deeper: checked there, so the first call pays nothing for it.
    if depth > 0 {
        check_not_a_shim(&target, &resolved)?;
    }
    let mut env = ToolchainEnv::new(&resolved.root, &ctx);
    if plus.is_some() {
        // Programs that `go +1.21 …` starts run 1.21 too.
        env = env.pin(resolved.version);
    }
    let depth_value = OsString::from((depth + 1).to_string());
    let mut vars: Vec<(&str, &OsStr)> = env.vars.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
    vars.push((env_vars::GOV_SHIM_DEPTH, &depth_value));
    let err = exec(&target, &args, &vars);
    if err.kind() != std::io::ErrorKind::NotFound {
        return Err(Error::failed(
            format!("cannot run `{}`: {err}", target.display()),
            None,
        ));
    }
    // A program only some releases have (`godoc`), missing from an intact
    // release that nobody asked for by name: the next one on PATH. A
    // missing `go` means a broken release, never another Go.
    let optional = !store::CORE_PROGRAMS.contains(&program)
        && plus.is_none()
        && GoRoot::new(&resolved.root).go().is_file();
    let next = optional
        .then(|| next_on_path(program, ctx.path()))
        .flatten();
    let Some(next) = next else {
        return Err(missing_program(program, &resolved, &target, optional));
    };
    let err = Command::new(&next)
        .args(&args)
        .env(env_vars::GOV_SHIM_DEPTH, &depth_value)
        .exec();
    Err(Error::failed(
        format!("cannot run `{}`: {err}", next.display()),
        None,
    ))
}

/// Replaces this process with `program` run with `args` and the
/// environment changed by `vars`; returns only on failure. What
/// `Command::exec` does, without copying the whole environment first: the
/// entries kept are passed on as they are. This runs on every `go` call.
fn exec(program: &Path, args: &[OsString], vars: &[(&str, &OsStr)]) -> std::io::Error {
    use std::ffi::{CStr, CString};
    use std::os::unix::ffi::OsStrExt;
    let cstring = |bytes: &[u8]| CString::new(bytes).map_err(std::io::Error::other);
    let build = || -> std::io::Result<(Vec<CString>, Vec<CString>)> {
        let mut argv = vec![cstring(program.as_os_str().as_bytes())?];
        for a in args {
            argv.push(cstring(a.as_bytes())?);
        }
        let set = vars
            .iter()
            .map(|(k, v)| cstring(&[k.as_bytes(), b"=", v.as_bytes()].concat()))
            .collect::<Result<_, _>>()?;
        Ok((argv, set))
    };
    let (argv, set) = match build() {
        Ok(built) => built,
        Err(e) => return e,
    };
    let mut argv_p: Vec<*const libc::c_char> = argv.iter().map(|c| c.as_ptr()).collect();
    argv_p.push(std::ptr::null());
    let mut envp: Vec<*const libc::c_char> = Vec::with_capacity(64);
    extern "C" {
        static environ: *const *const libc::c_char;
    }
    // SAFETY: `environ` is the process's NULL-terminated array of
    // NUL-terminated `NAME=value` strings; nothing changes it while this
    // single-threaded path reads it, and the strings outlive the execve.
    unsafe {
        let mut entry = environ;
        while !entry.is_null() && !(*entry).is_null() {
            let bytes = CStr::from_ptr(*entry).to_bytes();
            let name = bytes.split(|b| *b == b'=').next().unwrap_or(bytes);
            if !vars.iter().any(|(k, _)| k.as_bytes() == name) {
                envp.push(*entry);
            }
            entry = entry.add(1);
        }
    }
    envp.extend(set.iter().map(|c| c.as_ptr()));
    envp.push(std::ptr::null());
    // SAFETY: every pointer is to a NUL-terminated string that outlives the
    // call, and both arrays end in a null pointer, as execve(2) requires.
    // SIGPIPE goes back to its default, as Rust's runtime ignored it.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::execve(argv[0].as_ptr(), argv_p.as_ptr(), envp.as_ptr());
    }
    std::io::Error::last_os_error()
}

fn missing_program(program: &str, resolved: &Resolved, target: &Path, optional: bool) -> Error {
    let elsewhere = if optional {
        format!(", and no other `{program}` is on PATH")
    } else {
        String::new()
    };
    Error::failed(
        format!(
            "Go {} (selected by {}) has no program `{program}` (`{}` does not exist){elsewhere}",
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
fn next_on_path(program: &str, path: &OsStr) -> Option<PathBuf> {
    let this = std::env::current_exe().and_then(std::fs::metadata).ok();
    std::env::split_paths(path)
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

fn shim_dir_hint(ctx: &Context) -> String {
    Store::from_context(ctx)
        .map(|s| s.bin_dir().display().to_string())
        .unwrap_or_else(|_| "the gov shims".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_go_s_chdir_flag_where_go_does() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        for (line, want) in [
            (&["-C", "sub", "build"][..], Some("sub")),
            (&["build", "-C", "sub"], Some("sub")),
            (&["-C=sub", "build"], Some("sub")),
            (&["--C=sub", "build"], Some("sub")),
            (&["--C", "/abs", "test"], Some("/abs")),
            // Only first: later it is not Go's -C (Go refuses it there).
            (&["test", "-n", "-C", "sub"], None),
            (&["build", "./cmd"], None),
            (&["-C"], None),
            (&[], None),
        ] {
            assert_eq!(chdir_flag(&args(line)), want.map(Path::new), "{line:?}");
        }
    }
}
