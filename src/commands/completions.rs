//! `gov completions SHELL`: a completion script generated from the flags.

use clap::CommandFactory;

use crate::cli::Cli;

pub fn run(shell: clap_complete::Shell) {
    clap_complete::generate(shell, &mut Cli::command(), "gov", &mut std::io::stdout());
}
