//! `gov lock [--os OS --arch ARCH]...`: write `gov.lock` beside the
//! version file that selects the release here: the exact release, and per
//! platform (this machine's, those asked for, those already locked) the
//! archive's name, size and sha256, the module `h1:` when an install
//! recorded it, and where it came from.

use serde::Serialize;

use crate::commands::print_json;
use crate::download::{self, Fetcher};
use crate::error::Error;
use crate::export::pin;
use crate::index::{self, Index, Release};
use crate::lock::{self, Archive, Lock, LockError};
use crate::platform::Platform;
use crate::resolve::{self, Source};
use crate::settings::Settings;
use crate::ui;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov lock                                   this machine's archive of the release that runs here
  gov lock --os linux --arch arm64           and linux/arm64's too
  gov install --locked                       what CI runs: exactly the locked bytes, or an error
The release is the one `gov current` names here; it must be selected by a
version file (.go-version, .tool-versions, go.mod, go.work), beside which
gov.lock is written. Platforms already in the lock stay in it; delete
gov.lock to start afresh. Running it again with nothing changed leaves the
file untouched.")]
pub struct Args {
    /// A platform's OS, paired in order with --arch (this machine's is always locked)
    #[arg(long, value_name = "OS")]
    os: Vec<String>,
    /// A platform's architecture, paired in order with --os
    #[arg(long, value_name = "ARCH")]
    arch: Vec<String>,
    /// Fetch the release index even if the cached copy is fresh
    #[arg(long)]
    refresh: bool,
    /// Print what was locked as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Locked<'a> {
    path: String,
    release: String,
    requested: &'a str,
    selected_by: &'a str,
    platforms: Vec<String>,
    /// `false`: the file held these bytes already and was left alone.
    written: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if args.os.len() != args.arch.len() {
        return Err(Error::usage(
            format!(
                "{} --os but {} --arch: give them in pairs",
                args.os.len(),
                args.arch.len()
            ),
            "for example `--os linux --arch arm64 --os darwin --arch arm64`".to_string(),
        ));
    }
    let (ctx, store, sources) = (&settings.ctx, &settings.store, &settings.sources);
    let selection = resolve::select(None, ctx, store)?;
    let Source::File(version_file) = &selection.source else {
        return Err(LockError::NotAFileSelection {
            by: selection.source.to_string(),
        }
        .into());
    };
    let path = lock::beside(version_file);
    let previous = match lock::read(&path) {
        Ok(previous) => previous,
        Err(e) => {
            ui::warn(&format!("{e}; writing it afresh"));
            None
        }
    };
    let resolved = resolve::resolve_selection(selection.clone(), store);
    let wanted = pin::Wanted::of(&selection, resolved)?;
    let index = index::load(
        &index::Source::of(sources, store, args.refresh),
        &Fetcher::new(sources),
    )?;
    let mut platforms = vec![Platform::host()];
    let asked = args.os.iter().zip(&args.arch).map(|(os, arch)| Platform {
        os: os.clone(),
        arch: arch.clone(),
    });
    let kept = previous.iter().flat_map(|l| l.platforms());
    for platform in asked.chain(kept) {
        if !platforms.contains(&platform) {
            platforms.push(platform);
        }
    }
    let host = Platform::host();
    let release = index
        .pick(&wanted.request, &host.os, &host.arch)
        .ok_or_else(|| {
            Error::failed(
                format!(
                    "the release index at `{}` has no Go {} for {host}",
                    sources.index_url, wanted.request
                ),
                "run `gov lock --refresh`, or check GOV_INDEX_URL".to_string(),
            )
        })?
        .clone();
    let fetcher = Fetcher::new(sources);
    let mut archives = Vec::new();
    for platform in &platforms {
        archives.push(archive(settings, &fetcher, &index, &release, platform)?);
    }
    let lock = Lock {
        release: release.version,
        requested: selection.request.to_string(),
        selected_by: version_file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| version_file.display().to_string()),
        archives,
    };
    let written = lock::write(&path, &lock).map_err(|e| {
        Error::failed(
            format!("cannot write `{}`: {e}", path.display()),
            crate::fsx::io_hint(&e),
        )
    })?;
    let shown: Vec<String> = lock.platforms().iter().map(|p| p.to_string()).collect();
    if args.json {
        print_json(&Locked {
            path: path.display().to_string(),
            release: lock.release.to_string(),
            requested: &lock.requested,
            selected_by: &lock.selected_by,
            platforms: shown,
            written,
        });
    } else if written {
        settings.say(format!(
            "locked Go {} for {} in `{}` ({} asks for {})",
            lock.release,
            shown.join(", "),
            path.display(),
            lock.selected_by,
            lock.requested
        ));
    } else {
        settings.say(format!(
            "`{}` is up to date: Go {} for {}",
            path.display(),
            lock.release,
            shown.join(", ")
        ));
    }
    Ok(())
}

/// The locked archive of `release` for `platform`: as the index lists it,
/// its digest from the index, else from the install record of that very
/// archive, else from the `.sha256` the mirror publishes beside it.
fn archive(
    settings: &Settings,
    fetcher: &Fetcher,
    index: &Index,
    release: &Release,
    platform: &Platform,
) -> Result<Archive, Error> {
    let sources = &settings.sources;
    let file = index
        .find(&release.version)
        .unwrap_or(release)
        .archive_for(platform)
        .map_err(crate::install::InstallError::from)?;
    let expected = index::archive_name(&release.version, platform);
    if file.filename != expected {
        return Err(Error::failed(
            format!(
                "the release index at `{}` names the {platform} archive of Go {} `{}`, not `{expected}`",
                sources.index_url,
                release.version,
                ui::escape(&file.filename)
            ),
            "the mirror serves something else than go.dev: check GOV_INDEX_URL".to_string(),
        ));
    }
    let record = settings
        .store
        .record(platform, &release.version)
        .ok()
        .flatten();
    let recorded = record
        .as_ref()
        .filter(|r| r.verified && r.archive.as_deref() == Some(expected.as_str()));
    let sha256 = match file.digest().map_err(crate::install::InstallError::from)? {
        Some(digest) => digest,
        None => match recorded.and_then(|r| r.sha256.clone()) {
            Some(digest) => digest,
            None => published_digest(fetcher, &sources.download_url, &expected)?,
        },
    };
    let size = match file.size {
        0 => recorded
            .filter(|r| r.sha256.as_deref() == Some(sha256.as_str()))
            .and_then(|r| r.size),
        n => Some(n),
    };
    let h1 = record
        .as_ref()
        .and_then(|r| r.module.as_ref())
        .map(|m| m.h1.clone());
    Ok(Archive {
        platform: platform.clone(),
        file: expected,
        size,
        sha256,
        h1,
        source: sources.download_url.clone(),
    })
}

/// The digest in `<base>/<file>.sha256`.
fn published_digest(fetcher: &Fetcher, base: &str, file: &str) -> Result<String, Error> {
    let url = download::join(base, &format!("{file}.sha256"));
    let body = fetcher.get(&url, 4096)?;
    let text = String::from_utf8_lossy(&body);
    index::parse_sha256(text.split_whitespace().next().unwrap_or("")).ok_or_else(|| {
        Error::failed(
            format!("no sha256 for `{file}`: the index lists none and `{url}` holds none"),
            "gov locks only what it can verify: use a mirror that publishes checksums".to_string(),
        )
    })
}
