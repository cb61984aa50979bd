//! `gov list-remote [PREFIX] [--all] [--json]`: releases in the index,
//! newest first, the installed ones marked.

use serde::Serialize;

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::error::Error;
use crate::index;
use crate::settings::Settings;

#[derive(Serialize)]
struct Row {
    version: String,
    stable: bool,
    installed: bool,
    /// The archive for this machine, when the index has one.
    archive: Option<String>,
}

pub fn run(
    settings: &Settings,
    prefix: Option<&str>,
    all: bool,
    json: bool,
    refresh: bool,
) -> Result<(), Error> {
    let filter = prefix.map(parse_request).transpose()?;
    let fetcher = Fetcher::from_env(settings.network.offline);
    let index = index::load(
        &settings.network.index_source(&settings.store, refresh),
        &fetcher,
    )?;
    let installed: Vec<_> = settings
        .store
        .installed()?
        .into_iter()
        .map(|i| i.version)
        .collect();
    let (os, arch) = index::host_platform();
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
        .filter(|row| all || (row.stable && row.archive.is_some()))
        .collect();
    if json {
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
