//! One file per command: its clap `Args` beside its `run(args, settings)`.
//! A command parses, calls the domain modules, and prints.

pub mod audit;
pub mod completions;
pub mod current;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod export;
pub mod global;
pub mod history;
pub mod import;
pub mod init;
pub mod install;
pub mod link;
pub mod list;
pub mod list_remote;
pub mod local;
pub mod lock;
pub mod matrix;
pub mod mirror;
pub mod prune;
pub mod sbom;
pub mod shell;
pub mod uninstall;
pub mod upgrade;
pub mod which;

use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::download::Fetcher;
use crate::error::Error;
use crate::index::{self, Index};
use crate::platform;
use crate::request::Request;
use crate::settings::Settings;
use crate::shell::Shell;
use crate::store::Installed;

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
    Ok(Request::parse(value.trim())?)
}

/// The installed release a request names, or an error whose hint works:
/// `gov install` when the cached release index knows such a release, the
/// nearest real ones when it does not (the network is never asked).
pub fn installed_match(settings: &Settings, request: &Request) -> Result<Installed, Error> {
    if let Some(installed) = settings.store.pick(request)? {
        return Ok(installed);
    }
    let (os, arch) = platform::host();
    match cached_index(settings) {
        Some(index) if index.pick(request, os, arch).is_none() => {
            let nearest = nearest_names(&index, request);
            Err(Error::failed(
                format!("Go {request} is not installed, and no Go release is called that"),
                format!(
                    "the nearest releases are {}; `gov list` shows what is installed",
                    nearest.join(", ")
                ),
            ))
        }
        _ => Err(Error::failed(
            format!("Go {request} is not installed"),
            format!("run `gov install {request}`, or `gov list` to see what is installed"),
        )),
    }
}

/// The release index as cached, without asking the network; `None` when
/// there is no cache.
pub fn cached_index(settings: &Settings) -> Option<Index> {
    let source = index::Source {
        offline: true,
        ..index::Source::of(&settings.sources, &settings.store, false)
    };
    index::load(&source, &Fetcher::new(&settings.sources)).ok()
}

/// The three releases of `index` named most like `request`, for a hint.
pub fn nearest_names(index: &Index, request: &Request) -> Vec<String> {
    index
        .nearest(&request.to_string(), 3)
        .iter()
        .map(|v| v.to_string())
        .collect()
}

/// `--source`: `dl` or `proxy`.
pub fn parse_channel(text: &str) -> Result<crate::sources::Channel, String> {
    crate::sources::Channel::parse(text)
        .ok_or_else(|| format!("`{text}` is neither `dl` nor `proxy`"))
}

/// The settings' sources, with `--source` when given.
pub fn sources_with(
    settings: &Settings,
    channel: Option<crate::sources::Channel>,
) -> crate::sources::Sources {
    let mut sources = settings.sources.clone();
    if let Some(channel) = channel {
        sources.channel = Ok(channel);
    }
    sources
}
