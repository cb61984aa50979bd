//! One file per command: its clap `Args` beside its `run(args, settings)`.
//! A command parses, calls the domain modules, and prints.

pub mod completions;
pub mod current;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod global;
pub mod init;
pub mod install;
pub mod link;
pub mod list;
pub mod list_remote;
pub mod local;
pub mod shell;
pub mod uninstall;
pub mod which;

use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::error::Error;
use crate::request::Request;
use crate::shell::Shell;
use crate::store::{Installed, Store};

/// A clap parser of the shells `names`.
pub fn shells(names: &'static [&'static str]) -> impl TypedValueParser<Value = Shell> {
    PossibleValuesParser::new(names).map(|n| Shell::from_name(&n).expect("a listed shell"))
}

/// Prints `value` as pretty JSON on stdout, for `--json`.
pub fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("output serializes")
    );
}

/// Parses a request given on the command line.
pub fn parse_request(value: &str) -> Result<Request, Error> {
    Ok(Request::parse(value)?)
}

/// The installed release a request names, or an error with the install hint.
pub fn installed_match(store: &Store, request: &Request) -> Result<Installed, Error> {
    store.pick(request)?.ok_or_else(|| {
        Error::failed(
            format!("Go {request} is not installed"),
            format!("run `gov install {request}`, or `gov list` to see what is installed"),
        )
    })
}
