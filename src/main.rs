//! gov: a Go toolchain manager. The binary is both the `gov` command and
//! every shim (`go`, `gofmt`, …): argv[0] decides which.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use gov::cli::Cli;
use gov::{error, shim};

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
    match Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(error::report(&e)),
    }
}
