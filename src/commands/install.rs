//! `gov install [REQUEST...]`: download, verify, unpack and register.

use crate::commands::parse_request;
use crate::error::{self, Error};
use crate::install::{adopt_first_default, Done, InstallError, Installer};
use crate::platform::Platform;
use crate::request::Request;
use crate::resolve;
use crate::settings::Settings;
use crate::sources::Channel;
use crate::store::StoreError;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov install 1.22              the newest 1.22.x
  gov install latest 1.21.13    several at once, in parallel
  gov install                   what this directory's go.mod or .go-version asks for
  gov install 1.22 --os darwin --arch arm64   for another machine
  gov install 1.22 --source proxy   Go's module proxy, proved by the checksum database")]
pub struct Args {
    /// `1.22.4`, `1.22`, `1`, `latest`, `1.23rc1`
    requests: Vec<String>,
    /// Install another platform's toolchain (into GOV_HOME/platforms/OS-ARCH)
    #[arg(long)]
    os: Option<String>,
    /// The architecture to install for, in go.dev's names (amd64, arm64, ...)
    #[arg(long)]
    arch: Option<String>,
    /// Install even when no sha256 is published for the archive (unsafe)
    #[arg(long)]
    skip_checksum: bool,
    /// Fetch the release index even if the cached copy is fresh
    #[arg(long)]
    refresh: bool,
    /// Install into your own store even a release the system store has
    #[arg(long)]
    force: bool,
    /// Where releases come from: `dl` (go.dev/dl, GOV_INDEX_URL) or `proxy`
    /// (Go's module proxy, GOPROXY, proved by GOSUMDB) [env: GOV_SOURCE]
    #[arg(long, value_name = "dl|proxy", value_parser = super::parse_channel)]
    source: Option<Channel>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    settings.check_writable()?;
    let requests = if args.requests.is_empty() {
        // What the current directory selects, unless it is here already.
        let selection = resolve::select(None, &settings.ctx, &settings.store)?;
        if let Ok(resolved) = resolve::resolve_selection(selection.clone(), &settings.store) {
            settings.say(format!(
                "Go {} is installed and runs here ({}); nothing to install",
                resolved.version,
                resolved.reason()
            ));
            return Ok(());
        }
        vec![match selection.request {
            Request::Module(m) => m.install_request(),
            r => r,
        }]
    } else {
        args.requests
            .iter()
            .map(|r| parse_request(r))
            .collect::<Result<Vec<_>, _>>()?
    };
    let sources = super::sources_with(settings, args.source);
    let installer = Installer {
        platform: Platform::host_or(args.os.as_deref(), args.arch.as_deref()),
        skip_checksum: args.skip_checksum,
        refresh: args.refresh,
        progress: settings.progress(),
        verbose: settings.verbose,
        force: args.force,
        ..Installer::new(&settings.store, &sources)
    };
    let elsewhere = !installer.platform.is_host();
    let results = installer.install_all(&requests)?;
    finish(settings, results, elsewhere)
}

/// Says what became of each release (the first in a store with no global
/// default becomes it); each failure is reported, the last one decides
/// the exit. For another platform's releases, `elsewhere` says where they
/// went.
pub fn finish(
    settings: &Settings,
    results: Vec<Result<Done, InstallError>>,
    elsewhere: bool,
) -> Result<(), Error> {
    let first_default = match adopt_first_default(&settings.store, &results) {
        // Another gov uninstalled it since: there is nothing to adopt.
        Err(InstallError::Store(StoreError::NotInstalled { .. })) => None,
        adopted => adopted?,
    };
    let mut failure = None;
    for result in results {
        match result {
            Ok(Done::Installed(i, took)) => settings.say(format!(
                "installed Go {} in {:.1}s{}",
                i.version,
                took.as_secs_f64(),
                if elsewhere {
                    format!(" at `{}`", i.root.display())
                } else {
                    String::new()
                }
            )),
            Ok(Done::AlreadyInstalled(i)) => {
                settings.say(format!("Go {} is already installed", i.version))
            }
            Err(e) => {
                if let Some(previous) = failure.replace(Error::from(e)) {
                    error::report(&previous);
                }
            }
        }
    }
    if let Some(i) = first_default {
        settings.say(format!(
            "Go {} is the global default now (the first release installed; change it with `gov global VERSION`)",
            i.version
        ));
    }
    failure.map_or(Ok(()), Err)
}
