//! `gov list-remote [PREFIX] [--all] [--json]`: releases in the index,
//! newest first, the installed ones marked.

use serde::Serialize;

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::error::Error;
use crate::index;
use crate::platform;
use crate::settings::Settings;

#[derive(Serialize)]
struct Row {
    version: String,
    stable: bool,
    installed: bool,
    /// The archive for this machine, when the index has one.
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
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let filter = args.prefix.as_deref().map(parse_request).transpose()?;
    let fetcher = Fetcher::new(&settings.sources);
    let source = index::Source::of(&settings.sources, &settings.store, args.refresh);
    let index = index::load(&source, &fetcher)?;
    settings.explain(format!("release index from {}", index.origin));
    let installed: Vec<_> = settings
        .store
        .installed()?
        .into_iter()
        .map(|i| i.version)
        .collect();
    let (os, arch) = platform::host();
    let rows: Vec<Row> = index
        .releases
        .iter()
        .filter(|r| filter.as_ref().is_none_or(|f| f.matches(&r.version)))
        .map(|r| Row {
            version: r.version.to_string(),
            stable: r.version.is_stable(),
            installed: installed.contains(&r.version),
            archive: r.archive(os, arch).map(|f| f.filename.clone()),
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
