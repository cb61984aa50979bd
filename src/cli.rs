//! The command line: the top-level parser and the list of commands. Each
//! command's flags live beside its `run` in `commands/`.

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::commands::{self, *};
use crate::error::Error;
use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "gov",
    version,
    about = "Install Go toolchains side by side and run the right one everywhere",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what gov does
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Act on the system store (GOV_SYSTEM_HOME, default /opt/gov), as its owner
    #[arg(long, global = true)]
    pub system: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download, verify and install releases (default: what this directory selects)
    Install(install::Args),
    /// List releases available for download, newest first
    ListRemote(list_remote::Args),
    /// Register an existing Go root (such as a distribution's Go) as a release
    Link(link::Args),
    /// Register the Go toolchains goenv, gvm, g, asdf, mise and others installed
    Import(import::Args),
    /// Remove installed releases (a linked one: only the link)
    Uninstall(uninstall::Args),
    /// List installed releases; the active one is marked
    List(list::Args),
    /// Show or set the global default
    Global(global::Args),
    /// The changes of the global default, newest first
    History(history::Args),
    /// Set the global default back to what it was before the last change
    Rollback(history::RollbackArgs),
    /// Install a newer release, check it on this project, then switch to it
    Upgrade(upgrade::Args),
    /// Show or write .go-version in the current directory
    Local(local::Args),
    /// Set or unset GOV_VERSION in the current shell (prints shell code)
    Shell(shell::Args),
    /// Print the active release and what selected it
    Current(current::Args),
    /// Print the full path of go (or PROGRAM) of the active release
    Which(which::Args),
    /// Print the environment the active release needs (GOROOT, PATH, ...)
    Env(env::Args),
    /// Print the lines to evaluate in a shell's start-up file
    Init(init::Args),
    /// Check the machine's Go set-up and say how to fix what is wrong
    Doctor(doctor::Args),
    /// Print a completion script
    Completions(completions::Args),
    /// Run a command with the active release's environment
    Exec(exec::ExecArgs),
    /// Run a command with the environment of the release REQUEST names
    Run(exec::RunArgs),
    /// Run a command under several releases at once and tabulate which passed
    Matrix(matrix::Args),
    /// Remove CI job caches, other mirrors' indexes and leftovers nobody uses
    Prune(prune::Args),
    /// Fill a directory that any web server can serve as a Go release mirror
    Mirror(mirror::Args),
    /// Write gov.lock: the exact release and its archives' digests, beside the version file
    Lock(lock::Args),
    /// Print a Dockerfile, devcontainer or CI job pinned to the selected release
    Export(export::Args),
    /// Print an SBOM (SPDX or CycloneDX) of the installed toolchains or of Go programs
    Sbom(sbom::Args),
    /// Check the Go releases in use against the Go vulnerability database
    Audit(audit::Args),
}

impl Cli {
    /// Runs the command the line names.
    pub fn run(self) -> Result<(), Error> {
        let s = &Settings::resolve(self.global.quiet, self.global.verbose, self.global.system)?;
        // A killed upgrade left files changed: every command says so (gov
        // upgrade and gov matrix deal with it themselves).
        if !matches!(self.command, Command::Upgrade(_) | Command::Matrix(_)) {
            upgrade::warn_of_killed_upgrades(&s.store, None);
        }
        match &self.command {
            Command::Install(a) => commands::install::run(a, s),
            Command::ListRemote(a) => list_remote::run(a, s),
            Command::Link(a) => link::run(a, s),
            Command::Import(a) => import::run(a, s),
            Command::Uninstall(a) => uninstall::run(a, s),
            Command::List(a) => list::run(a, s),
            Command::Global(a) => global::run(a, s),
            Command::History(a) => history::run(a, s),
            Command::Rollback(a) => history::rollback(a, s),
            Command::Upgrade(a) => upgrade::run(a, s),
            Command::Local(a) => local::run(a, s),
            Command::Shell(a) => shell::run(a, s),
            Command::Current(a) => current::run(a, s),
            Command::Which(a) => which::run(a, s),
            Command::Env(a) => env::run(a, s),
            Command::Init(a) => init::run(a, s),
            Command::Doctor(a) => doctor::run(a, s),
            Command::Completions(a) => {
                completions::run(a, Cli::command());
                Ok(())
            }
            Command::Exec(a) => exec::exec(a, s),
            Command::Run(a) => exec::run(a, s),
            Command::Matrix(a) => matrix::run(a, s),
            Command::Prune(a) => prune::run(a, s),
            Command::Mirror(a) => mirror::run(a, s),
            Command::Lock(a) => commands::lock::run(a, s),
            Command::Export(a) => export::run(a, s),
            Command::Sbom(a) => sbom::run(a, s),
            Command::Audit(a) => audit::run(a, s),
        }
    }
}
