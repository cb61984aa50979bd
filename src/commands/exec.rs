//! `gov exec CMD…` and `gov run REQUEST CMD…`: run a command with a
//! release's environment (`GOROOT`, its `bin/` first on `PATH`,
//! `GOTOOLCHAIN=local` unless set). The command replaces gov, so its exit
//! code, signals and standard streams are its own.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::commands::{installed_match, parse_request};
use crate::error::Error;
use crate::resolve;
use crate::settings::Settings;
use crate::toolchain_env::ToolchainEnv;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov exec go test ./...
  gov exec make build       any program, with the release's go first on PATH")]
pub struct ExecArgs {
    /// The command and its arguments
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<OsString>,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov run 1.21 go test ./...
  gov run latest make build")]
pub struct RunArgs {
    /// An installed release or request such as 1.21
    request: String,
    /// The command and its arguments
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<OsString>,
}

pub fn exec(args: &ExecArgs, settings: &Settings) -> Result<(), Error> {
    let resolved = resolve::resolve(None, &settings.ctx, &settings.store)?;
    settings.explain(format!("Go {} ({})", resolved.version, resolved.reason()));
    settings.store.check_trusted(&resolved.root, None)?;
    let env = ToolchainEnv::new(&resolved.root, &settings.ctx).with_path()?;
    run_with(settings, &env, &args.command)
}

/// Also sets `GOV_VERSION`, so shims the command starts agree.
pub fn run(args: &RunArgs, settings: &Settings) -> Result<(), Error> {
    let request = parse_request(&args.request)?;
    let installed = installed_match(settings, &request)?;
    settings.explain(format!("Go {} for `{request}`", installed.version));
    settings.store.check_trusted(&installed.root, None)?;
    let env = ToolchainEnv::new(&installed.root, &settings.ctx)
        .pin(installed.version)
        .with_path()?;
    run_with(settings, &env, &args.command)
}

fn run_with(settings: &Settings, env: &ToolchainEnv, command: &[OsString]) -> Result<(), Error> {
    let (program, args) = command.split_first().expect("clap requires a command");
    let mut cmd = Command::new(program);
    cmd.args(args);
    env.apply(&mut cmd, &settings.ctx);
    let err = cmd.exec();
    Err(Error::failed(
        format!("cannot run `{}`: {err}", program.to_string_lossy()),
        Some("check the command's name, or run `gov which PROGRAM`".to_string()),
    ))
}
