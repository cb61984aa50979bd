//! gov: a Go toolchain manager. The binary is both the `gov` command and
//! every shim (`go`, `gofmt`, …): argv[0] decides which.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use gov::cli::{Cli, Command};
use gov::error::{self, Error};
use gov::settings::Settings;
use gov::{commands, shim};

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let name = Path::new(&argv0)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("gov");
    if name != "gov" && !name.starts_with("gov-") {
        return ExitCode::from(shim::main(name, args.collect()));
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(error::report(&e)),
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let settings = Settings::resolve(&cli.global)?;
    let s = &settings;
    match &cli.command {
        Command::Install {
            requests,
            os,
            arch,
            skip_checksum,
            refresh,
        } => commands::install::run(
            s,
            &commands::install::Args {
                requests,
                os: os.as_deref(),
                arch: arch.as_deref(),
                skip_checksum: *skip_checksum,
                refresh: *refresh,
            },
        ),
        Command::ListRemote {
            prefix,
            all,
            json,
            refresh,
        } => commands::list_remote::run(s, prefix.as_deref(), *all, *json, *refresh),
        Command::Link { name, dir, force } => commands::link::run(s, name, dir, *force),
        Command::Uninstall { versions } => commands::uninstall::run(s, versions),
        Command::List { json, bare } => commands::list::run(s, *json, *bare),
        Command::Global { version } => commands::global::run(s, version.as_deref()),
        Command::Local { version, unset } => commands::local::run(s, version.as_deref(), *unset),
        Command::Shell {
            version,
            unset,
            shell,
        } => commands::shell::run(s, version.as_deref(), *unset, *shell),
        Command::Current { json } => commands::current::run(s, *json),
        Command::Which { program } => commands::which::run(s, program),
        Command::Env {
            shell,
            isolate,
            json,
            hook,
            link_dir,
        } => match hook {
            Some(hook) => commands::env::hook(s, *hook, link_dir.as_deref()),
            None => {
                let shell = if *json {
                    commands::env::EnvShell::Json
                } else {
                    *shell
                };
                commands::env::run(s, shell, *isolate)
            }
        },
        Command::Init { shell, no_shims } => commands::init::run(s, *shell, *no_shims),
        Command::Doctor { json } => commands::doctor::run(s, *json),
        Command::Completions { shell } => {
            commands::completions::run(*shell);
            Ok(())
        }
        Command::Exec { command } => commands::exec::exec(s, command),
        Command::Run { request, command } => commands::exec::run(s, request, command),
    }
}
