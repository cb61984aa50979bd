//! `gov sbom [VERSION...] [--format spdx|cyclonedx] [--output FILE]`: an
//! SBOM of the installed toolchains, from their install records;
//! `gov sbom --binary FILE...`: one of Go programs, from the build
//! information Go embeds in them.

use std::path::PathBuf;
use std::time::SystemTime;

use crate::commands::parse_request;
use crate::error::Error;
use crate::fsx;
use crate::platform::Platform;
use crate::request::Request;
use crate::sbom::buildinfo::{self, BuildInfoError};
use crate::sbom::{self, cyclonedx, spdx, Bom};
use crate::settings::Settings;
use crate::store::{Installed, Recorded};
use crate::timestamp::rfc3339;
use crate::ui;

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
  gov sbom 1.22 --format cyclonedx --output go.cdx.json
  gov sbom --binary ./bin/server ./bin/worker      what built these programs, from the files")]
pub struct Args {
    /// Releases to describe, such as 1.22.4 or 1.22 (default: all installed, every platform)
    versions: Vec<String>,
    /// The document's format
    #[arg(long, value_enum, default_value = "spdx")]
    format: Format,
    /// Write the document to FILE (whole, atomically) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Describe these Go programs instead: their Go release, modules and build settings
    #[arg(long, num_args = 1.., value_name = "FILE", conflicts_with = "versions")]
    binary: Vec<PathBuf>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if !args.binary.is_empty() {
        return binaries(args);
    }
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
    if releases.is_empty() {
        return Err(Error::failed(
            "no Go release is installed: there is nothing to describe",
            "install one with `gov install latest`, or describe programs with `gov sbom --binary FILE`"
                .to_string(),
        ));
    }
    let records: Vec<Recorded> = releases
        .iter()
        .map(|(platform, i)| store.record_of(platform, i))
        .collect();
    records.iter().for_each(super::list::warn_untrusted);
    let mut bom = sbom::toolchains(&records);
    // Known vulnerabilities when the database is cached (`gov audit`):
    // never a download just for the document.
    let cache = store.vulndb_cache(&super::audit::database_url(settings));
    if let Some(db) = crate::vulndb::cached(&cache) {
        sbom::add_vulnerabilities(&mut bom, &db.entries);
    }
    write(&bom, args.format, args.output.as_ref())
}

/// The programs' SBOM. A file that cannot be read is reported and left
/// out; the others are still described, and the exit code is 1.
fn binaries(args: &Args) -> Result<(), Error> {
    let mut read = Vec::new();
    let mut failed = 0;
    for path in &args.binary {
        let name = path.display().to_string();
        let result = buildinfo::read_and_digest(path).and_then(|(info, sha256)| {
            if info.main.is_none() && !sbom::is_go_command(&info) {
                // Go records no modules in GOPATH mode.
                return Err(BuildInfoError::NoModuleInfo {
                    go_version: info.go_version,
                });
            }
            Ok((info, sha256))
        });
        match result {
            Ok((info, sha256)) => read.push((name, sha256, info)),
            Err(e) => {
                failed += 1;
                let message = match &e {
                    BuildInfoError::Io { source, .. } => {
                        format!("cannot read `{name}`: {source}")
                    }
                    // These name the file themselves.
                    BuildInfoError::NotAFile { .. } | BuildInfoError::TooLarge { .. } => {
                        e.to_string()
                    }
                    e => format!("`{name}`: {e}"),
                };
                ui::line(ui::ERROR, "error:", &message);
                if let Some(hint) = e.hint() {
                    ui::line(ui::HINT, "hint:", &hint);
                }
            }
        }
    }
    if !read.is_empty() {
        let programs: Vec<sbom::Program> = read
            .iter()
            .map(|(file, sha256, info)| sbom::Program {
                file,
                sha256: sha256.clone(),
                info,
            })
            .collect();
        write(
            &sbom::programs(&programs),
            args.format,
            args.output.as_ref(),
        )?;
    }
    if failed > 0 {
        return Err(Error::failed(
            format!(
                "{failed} of {} files could not be described",
                args.binary.len()
            ),
            Some(if read.is_empty() {
                "each file's error above says why and what to do".to_string()
            } else {
                "each file's error above says why; the SBOM describes the others".to_string()
            }),
        ));
    }
    Ok(())
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
