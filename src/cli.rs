//! The command line: definitions only, no logic.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Download, verify and install releases (default: what this directory selects)
    Install {
        /// `1.22.4`, `1.22`, `1`, `latest`, `1.23rc1`
        requests: Vec<String>,
        /// Install another platform's toolchain (into GOV_HOME/platforms/OS-ARCH)
        #[arg(long)]
        os: Option<String>,
        #[arg(long)]
        arch: Option<String>,
        /// Install even when no sha256 is published for the archive (unsafe)
        #[arg(long)]
        skip_checksum: bool,
        /// Fetch the release index even if the cached copy is fresh
        #[arg(long)]
        refresh: bool,
    },
    /// List releases available for download, newest first
    ListRemote {
        /// Only releases this request matches, such as 1.22
        prefix: Option<String>,
        /// Also pre-releases and releases without an archive for this machine
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
        /// Fetch the release index even if the cached copy is fresh
        #[arg(long)]
        refresh: bool,
    },
    /// Register an existing Go root (such as a distribution's Go) as a release
    Link {
        /// The release it is, such as 1.19.8
        name: String,
        /// The directory that holds bin/go
        dir: PathBuf,
        /// Link it even though its VERSION file names another release
        #[arg(long)]
        force: bool,
    },
    /// Remove installed releases (a linked one: only the link)
    Uninstall {
        #[arg(required = true)]
        versions: Vec<String>,
    },
    /// List installed releases; the active one is marked
    List {
        #[arg(long)]
        json: bool,
        /// Only the versions, one a line (for completion scripts)
        #[arg(long, hide = true, conflicts_with = "json")]
        bare: bool,
    },
    /// Show or set the global default
    Global { version: Option<String> },
    /// Show or write .go-version in the current directory
    Local {
        version: Option<String>,
        /// Remove .go-version from the current directory
        #[arg(long, conflicts_with = "version")]
        unset: bool,
    },
    /// Set or unset GOV_VERSION in the current shell (prints shell code)
    Shell {
        version: Option<String>,
        /// Unset GOV_VERSION
        #[arg(long, conflicts_with = "version")]
        unset: bool,
        /// The shell to print code for (default: from $SHELL)
        #[arg(long, value_enum)]
        shell: Option<ShellKind>,
    },
    /// Print the active release and what selected it
    Current {
        #[arg(long)]
        json: bool,
    },
    /// Print the full path of go (or PROGRAM) of the active release
    Which {
        #[arg(default_value = "go")]
        program: String,
    },
    /// Print the environment the active release needs (GOROOT, PATH, ...)
    Env {
        /// How to write it: for a shell, as JSON, or into GitHub Actions' files
        #[arg(long, value_enum, default_value = "sh")]
        shell: crate::commands::env::EnvShell,
        /// Give CI jobs their own GOCACHE, GOMODCACHE and GOPATH
        #[arg(long, value_enum, default_value = "none")]
        isolate: crate::env::Isolate,
        /// The same as --shell json
        #[arg(long)]
        json: bool,
        /// What the prompt hook of `gov init` runs
        #[arg(long, hide = true, value_enum)]
        hook: Option<crate::shell::InitShell>,
        #[arg(long, hide = true, requires = "hook")]
        link_dir: Option<PathBuf>,
    },
    /// Print the lines to evaluate in a shell's start-up file
    Init {
        shell: crate::shell::InitShell,
        /// No shims: a per-shell directory on PATH, repointed on `cd`
        #[arg(long)]
        no_shims: bool,
    },
    /// Check the machine's Go set-up and say how to fix what is wrong
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Print a completion script
    Completions { shell: clap_complete::Shell },
    /// Run a command with the active release's environment
    Exec {
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<OsString>,
    },
    /// Run a command with the environment of the release REQUEST names
    Run {
        request: String,
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        command: Vec<OsString>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellKind {
    Bash,
    Zsh,
    Fish,
    Sh,
}
