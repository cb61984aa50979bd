//! `gov exec CMD…` and `gov run REQUEST CMD…`: run a command with a
//! release's environment (`GOROOT`, its `bin/` first on `PATH`,
//! `GOTOOLCHAIN=local` unless set). The command replaces gov, so its exit
//! code, signals and standard streams are its own.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::commands::{installed_match, parse_request};
use crate::env_vars;
use crate::error::Error;
use crate::resolve;
use crate::settings::Settings;
use crate::version::Version;

pub fn exec(settings: &Settings, command: &[OsString]) -> Result<(), Error> {
    let resolved = resolve::resolve(None, &settings.ctx, &settings.store)?;
    if settings.verbose {
        eprintln!("gov: Go {} (set by {})", resolved.version, resolved.source);
    }
    run_with(&resolved.root, None, command)
}

pub fn run(settings: &Settings, request: &str, command: &[OsString]) -> Result<(), Error> {
    let request = parse_request(request)?;
    let installed = installed_match(&settings.store, &request)?;
    if settings.verbose {
        eprintln!("gov: Go {} for `{request}`", installed.version);
    }
    run_with(&installed.root, Some(installed.version), command)
}

/// `pin` also sets `GOV_VERSION`, so shims the command starts agree.
fn run_with(
    root: &std::path::Path,
    pin: Option<Version>,
    command: &[OsString],
) -> Result<(), Error> {
    let (program, args) = command.split_first().expect("clap requires a command");
    let path = std::env::var_os(env_vars::PATH).unwrap_or_default();
    let path = crate::env::prepend_path(&root.join("bin"), &path);
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env(env_vars::GOROOT, root)
        .env(env_vars::PATH, path);
    if std::env::var_os(env_vars::GOTOOLCHAIN).is_none_or(|v| v.is_empty()) {
        cmd.env(env_vars::GOTOOLCHAIN, "local");
    }
    if let Some(v) = pin {
        cmd.env(env_vars::GOV_VERSION, v.to_string());
    }
    let err = cmd.exec();
    Err(Error::failed(
        format!("cannot run `{}`: {err}", program.to_string_lossy()),
        Some("check the command's name, or run `gov which PROGRAM`".to_string()),
    ))
}
