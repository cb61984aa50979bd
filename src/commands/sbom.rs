//! `gov sbom [VERSION...] [--format spdx|cyclonedx] [--output FILE]`: an
//! SBOM of the installed toolchains, from their install records.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::commands::parse_request;
use crate::error::Error;
use crate::fsx;
use crate::platform::Platform;
use crate::request::Request;
use crate::sbom::{self, cyclonedx, spdx, Bom};
use crate::settings::Settings;
use crate::store::{rfc3339, Installed, Record};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// SPDX 2.3 JSON
    Spdx,
    /// CycloneDX 1.5 JSON
    Cyclonedx,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov sbom > toolchains.spdx.json                 every installed release
  gov sbom 1.22 --format cyclonedx --output go.cdx.json")]
pub struct Args {
    /// Releases to describe, such as 1.22.4 or 1.22 (default: all installed, every platform)
    versions: Vec<String>,
    /// The document's format
    #[arg(long, value_enum, default_value = "spdx")]
    format: Format,
    /// Write the document to FILE (whole, atomically) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let store = &settings.store;
    let mut releases: Vec<(Platform, Installed)> = store
        .installed()?
        .into_iter()
        .map(|i| (Platform::host(), i))
        .collect();
    for (platform, list) in store.other_platforms()? {
        releases.extend(list.into_iter().map(|i| (platform.clone(), i)));
    }
    if !args.versions.is_empty() {
        let mut chosen = Vec::new();
        for text in &args.versions {
            let request = parse_request(text)?;
            let matching: Vec<&(Platform, Installed)> = match &request {
                Request::Latest => {
                    let versions: Vec<_> = releases.iter().map(|(_, i)| i.version).collect();
                    let newest = request.pick(&versions);
                    releases
                        .iter()
                        .filter(|(_, i)| Some(i.version) == newest)
                        .collect()
                }
                r => releases
                    .iter()
                    .filter(|(_, i)| r.matches(&i.version))
                    .collect(),
            };
            if matching.is_empty() {
                return Err(Error::failed(
                    format!("no installed release matches `{request}`"),
                    "run `gov list --all-platforms` to see what is installed".to_string(),
                ));
            }
            chosen.extend(matching.into_iter().cloned());
        }
        chosen.sort_by(|a, b| (b.1.version, a.0.to_string()).cmp(&(a.1.version, b.0.to_string())));
        chosen.dedup_by(|a, b| a.1.version == b.1.version && a.0 == b.0);
        releases = chosen;
    }
    let records: Vec<Record> = releases
        .iter()
        .map(|(platform, i)| store.record_of(platform, i))
        .collect();
    write(
        &sbom::toolchains(&records),
        args.format,
        args.output.as_ref(),
    )
}

/// Prints or writes the document.
pub fn write(bom: &Bom, format: Format, output: Option<&PathBuf>) -> Result<(), Error> {
    let created = rfc3339(SystemTime::now());
    let doc = match format {
        Format::Spdx => spdx::document(bom, &created),
        Format::Cyclonedx => cyclonedx::document(bom, &created),
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("JSON serializes");
    text.push('\n');
    match output {
        Some(path) => {
            fsx::write_atomic(path, text.as_bytes()).map_err(|e| fsx::with_path(e, path))?
        }
        None => print!("{text}"),
    }
    Ok(())
}
