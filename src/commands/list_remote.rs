//! `gov list-remote [PREFIX] [--all] [--json]`: releases in the index (or,
//! with `--source proxy`, the toolchain modules the proxies list), newest
//! first, the installed ones marked.

use serde::Serialize;

use crate::commands::parse_request;
use crate::download::DownloadError;
use crate::download::Fetcher;
use crate::error::Error;
use crate::goproxy;
use crate::index;
use crate::install::{proxy, InstallError};
use crate::platform::Platform;
use crate::settings::Settings;
use crate::sources::Channel;
use crate::version::Version;

#[derive(Serialize)]
struct Row {
    version: String,
    stable: bool,
    installed: bool,
    /// The archive (or module zip) for this machine, when there is one.
    archive: Option<String>,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov list-remote          stable releases with an archive for this machine
  gov list-remote 1.21     only 1.21.x
  gov list-remote --all    pre-releases and archived releases too")]
pub struct Args {
    /// Only releases this request matches, such as 1.22
    prefix: Option<String>,
    /// Also pre-releases and releases without an archive for this machine
    #[arg(long)]
    all: bool,
    /// Print JSON: version, stable, installed, archive
    #[arg(long)]
    json: bool,
    /// Fetch the release index even if the cached copy is fresh
    #[arg(long)]
    refresh: bool,
    /// Where releases come from: `dl` (the index) or `proxy` (the
    /// `golang.org/toolchain` modules GOPROXY lists) [env: GOV_SOURCE]
    #[arg(long, value_name = "dl|proxy", value_parser = super::parse_channel)]
    source: Option<Channel>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let filter = args.prefix.as_deref().map(parse_request).transpose()?;
    let sources = super::sources_with(settings, args.source);
    let channel = sources.channel.clone().map_err(DownloadError::Setting)?;
    let installed: Vec<_> = settings
        .store
        .installed()?
        .into_iter()
        .map(|i| i.version)
        .collect();
    let host = Platform::host();
    let listed: Vec<(Version, Option<String>)> = match channel {
        Channel::Dl => {
            let source = index::Source::of(&sources, &settings.store, args.refresh);
            let index = index::load(&source, &Fetcher::new(&sources))?;
            settings.explain(format!("release index from {}", index.origin));
            index
                .releases
                .iter()
                .map(|r| {
                    let archive = r.archive(&host.os, &host.arch);
                    (r.version, archive.map(|f| f.filename.clone()))
                })
                .collect()
        }
        Channel::Proxy => {
            let fetcher = proxy::fetcher(&sources).map_err(InstallError::from)?;
            let proxies =
                proxy::Channel::new(&sources.go, &settings.store).map_err(InstallError::from)?;
            settings.explain(format!(
                "toolchain modules from GOPROXY {}",
                sources.go.goproxy()
            ));
            let mut versions = proxies
                .versions(&fetcher, &host)
                .map_err(InstallError::from)?;
            versions.reverse();
            versions
                .into_iter()
                .map(|v| {
                    let zip = goproxy::module_version(&v, &host).map(|m| format!("{m}.zip"));
                    (v, zip.ok())
                })
                .collect()
        }
    };
    let rows: Vec<Row> = listed
        .into_iter()
        .filter(|(v, _)| filter.as_ref().is_none_or(|f| f.matches(v)))
        .map(|(v, archive)| Row {
            version: v.to_string(),
            stable: v.is_stable(),
            installed: installed.contains(&v),
            archive,
        })
        .filter(|row| args.all || (row.stable && row.archive.is_some()))
        .collect();
    if args.json {
        super::print_json(&rows);
        return Ok(());
    }
    let mut out = String::new();
    for row in &rows {
        out.push_str(&row.version);
        if row.installed {
            out.push_str("  (installed)");
        }
        out.push('\n');
    }
    print!("{out}");
    if rows.is_empty() {
        settings.say("no release in the index matches");
    }
    Ok(())
}
