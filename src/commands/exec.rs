//! `gov exec CMD…` and `gov run REQUEST CMD…`: run a command with a
//! release's environment (`GOROOT`, its `bin/` first on `PATH`,
//! `GOTOOLCHAIN=local` unless set). The command replaces gov, so its exit
//! code, signals and standard streams are its own.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::commands::{installed_match, parse_request};
use crate::error::Error;
use crate::fsx;
use crate::goroot::GoRoot;
use crate::resolve;
use crate::settings::Settings;
use crate::toolchain_env::ToolchainEnv;
use crate::version::Version;

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
    let system = settings
        .store
        .system()
        .is_some_and(|s| resolved.root.starts_with(s.home()));
    check_runs_here(
        settings,
        &env,
        resolved.version,
        &resolved.root,
        system,
        &args.command,
    )?;
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
    check_runs_here(
        settings,
        &env,
        installed.version,
        &installed.root,
        installed.system,
        &args.command,
    )?;
    run_with(settings, &env, &args.command)
}

/// Refuses a release built for another machine before anything runs: its
/// `bin/go` (which whatever the command is calls), and the command itself
/// when PATH finds it in the release (`gofmt`). A command from elsewhere
/// (`make`) is the user's own.
fn check_runs_here(
    settings: &Settings,
    env: &ToolchainEnv,
    version: Version,
    root: &Path,
    system: bool,
    command: &[OsString],
) -> Result<(), Error> {
    let go_root = GoRoot::new(root);
    go_root.check_go_runs_here(version, system)?;
    let program = Path::new(command.first().expect("clap requires a command"));
    if program.components().count() != 1 {
        return Ok(());
    }
    let path = env.path(&settings.ctx).unwrap_or_default();
    let found = std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| fsx::is_executable(p));
    match found {
        Some(p) if p.starts_with(root) && p != go_root.go() => {
            go_root.check_runs_here(version, &p, system)?;
            Ok(())
        }
        _ => Ok(()),
    }
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
