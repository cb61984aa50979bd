//! `gov install [REQUEST...]`: download, verify, unpack and register.

use std::time::Instant;

use serde::Serialize;

use crate::commands::parse_request;
use crate::env_vars;
use crate::error::{self, Error};
use crate::install::{adopt_first_default, Done, InstallError, Installer, Pinned};
use crate::lock::{self, LockError};
use crate::platform::Platform;
use crate::request::Request;
use crate::resolve;
use crate::settings::Settings;
use crate::sources::Channel;
use crate::store::StoreError;
use crate::ui;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov install 1.22              the newest 1.22.x
  gov install latest 1.21.13    several at once, in parallel
  gov install                   what this directory's go.mod or .go-version asks for
  gov install 1.22 --os darwin --arch arm64   for another machine
  gov install 1.22 --source proxy   Go's module proxy, proved by the checksum database
  gov install --locked          exactly the archive gov.lock locks, or an error (CI)")]
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
    /// Install exactly what gov.lock (beside the version file) locks, or
    /// fail: a different digest, a platform not locked, or a version file
    /// that asks for another release is an error [env: GOV_LOCKED=1]
    #[arg(long, conflicts_with = "skip_checksum")]
    locked: bool,
    /// Only say what would be installed: the index is read, nothing is
    /// downloaded or changed
    #[arg(long)]
    dry_run: bool,
    /// Print what became of each release as JSON (`changed` says whether
    /// anything did, or in a dry run would)
    #[arg(long)]
    json: bool,
}

/// `--json`: what became of each release.
#[derive(Serialize)]
struct Report {
    /// Whether anything was installed or the global default set (in a dry
    /// run: would be).
    changed: bool,
    dry_run: bool,
    releases: Vec<ReleaseReport>,
    /// The release that became the global default (the first installed
    /// into a store with none).
    global: Option<String>,
    /// The whole command's wall time.
    seconds: f64,
}

/// What became of one release.
#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
enum Action {
    Installed,
    AlreadyInstalled,
    /// A dry run: it would be downloaded and installed.
    WouldInstall,
}

#[derive(Serialize)]
struct ReleaseReport {
    version: String,
    platform: String,
    action: Action,
    root: Option<String>,
    /// How long its download, check and unpacking took.
    seconds: Option<f64>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let start = Instant::now();
    if !args.dry_run {
        settings.check_writable()?;
    }
    let platform = Platform::host_or(args.os.as_deref(), args.arch.as_deref());
    let strict = args.locked || settings.ctx.is_set(env_vars::GOV_LOCKED);
    let found = match strict || args.requests.is_empty() {
        true => lock::find(&settings.ctx)?,
        false => None,
    };
    if strict {
        if args.skip_checksum {
            return Err(Error::usage(
                "--skip-checksum cannot go with GOV_LOCKED=1: a locked install checks the locked sha256",
                "unset GOV_LOCKED, or drop --skip-checksum".to_string(),
            ));
        }
        let found = found.ok_or_else(|| LockError::NoVersionFile {
            cwd: settings.ctx.cwd.clone(),
        })?;
        let pinned = locked(args, settings, &found, &platform)?;
        let requests = vec![Request::Exact(pinned.lock.release)];
        return install(args, settings, platform, requests, Some(pinned), start);
    }
    let mut pinned = None;
    let requests = if args.requests.is_empty() {
        // What the current directory selects, unless it is here already.
        let selection = resolve::select(None, &settings.ctx, &settings.store)?;
        // A lock beside the version file that selects: its release, from
        // its digest, when it agrees; a warning when it does not.
        let requests = match found.as_ref().and_then(|f| {
            let lock = f.lock.as_ref()?;
            let here = selection.source == resolve::Source::File(f.version_file.path.clone());
            here.then_some((lock, f))
        }) {
            Some((lock, f)) => {
                let by = file_name(&f.version_file.path);
                match lock::check_fits(
                    lock,
                    &f.path,
                    &[(&selection.request, by.clone())],
                    &platform,
                ) {
                    Ok(()) => {
                        pinned = Some(Pinned {
                            lock,
                            path: &f.path,
                            strict: false,
                        });
                        vec![Request::Exact(lock.release)]
                    }
                    Err(e) => {
                        ui::warn(&format!(
                            "{e}; installing what {by} asks for, as without a lock (with --locked this is an error; `gov lock` updates the lock)"
                        ));
                        vec![unlocked(selection.request.clone())]
                    }
                }
            }
            None => vec![unlocked(selection.request.clone())],
        };
        let locked_release = pinned.map(|p| p.lock.release);
        if let Ok(resolved) = resolve::resolve_selection(selection, &settings.store) {
            if locked_release.is_none_or(|v| v == resolved.version) {
                settings.say(format!(
                    "Go {} is installed and runs here ({}); nothing to install",
                    resolved.version,
                    resolved.reason()
                ));
                if args.json {
                    super::print_json(&Report {
                        changed: false,
                        dry_run: args.dry_run,
                        releases: vec![ReleaseReport {
                            version: resolved.version.to_string(),
                            platform: platform.to_string(),
                            action: Action::AlreadyInstalled,
                            root: Some(resolved.root.display().to_string()),
                            seconds: None,
                        }],
                        global: None,
                        seconds: start.elapsed().as_secs_f64(),
                    });
                }
                return Ok(());
            }
        }
        requests
    } else {
        args.requests
            .iter()
            .map(|r| parse_request(r))
            .collect::<Result<Vec<_>, _>>()?
    };
    install(args, settings, platform, requests, pinned, start)
}

/// `--locked`: the lock beside the version file, which must satisfy what
/// that file, `GOV_VERSION` and the command line ask for, and hold this
/// platform's archive.
fn locked<'a>(
    args: &Args,
    settings: &Settings,
    found: &'a lock::Found,
    platform: &Platform,
) -> Result<Pinned<'a>, Error> {
    let Some(lock) = &found.lock else {
        return Err(LockError::Missing {
            version_file: found.version_file.path.clone(),
        }
        .into());
    };
    let explicit = args
        .requests
        .iter()
        .map(|r| parse_request(r))
        .collect::<Result<Vec<_>, _>>()?;
    let selection = resolve::select(None, &settings.ctx, &settings.store)?;
    let mut asked = vec![(
        &found.version_file.request,
        file_name(&found.version_file.path),
    )];
    if selection.source != resolve::Source::File(found.version_file.path.clone()) {
        asked.push((&selection.request, selection.source.to_string()));
    }
    for r in &explicit {
        asked.push((r, lock::ASKED_ON_COMMAND_LINE.to_string()));
    }
    lock::check_fits(lock, &found.path, &asked, platform)?;
    Ok(Pinned {
        lock,
        path: &found.path,
        strict: true,
    })
}

/// What `gov install` fetches for a request selected here.
fn unlocked(request: Request) -> Request {
    match request {
        Request::Module(m) => m.install_request(),
        r => r,
    }
}

/// A version file's name, as messages show it.
fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn install(
    args: &Args,
    settings: &Settings,
    platform: Platform,
    requests: Vec<Request>,
    pinned: Option<Pinned>,
    start: Instant,
) -> Result<(), Error> {
    let sources = super::sources_with(settings, args.source);
    let installer = Installer {
        platform,
        skip_checksum: args.skip_checksum,
        refresh: args.refresh,
        progress: settings.progress(),
        verbose: settings.verbose,
        force: args.force,
        pinned,
        dry_run: args.dry_run,
        ..Installer::new(&settings.store, &sources)
    };
    let results = installer.install_all(&requests)?;
    let output = Reporting {
        platform: &installer.platform,
        json: args.json,
        dry_run: args.dry_run,
        start,
    };
    finish_with(settings, results, &output)
}

/// How `gov install` reports: for which platform, as JSON or not, and
/// since when.
struct Reporting<'a> {
    platform: &'a Platform,
    json: bool,
    dry_run: bool,
    start: Instant,
}

/// Says what became of each release (the first in a store with no global
/// default becomes it); each failure is reported, the last one decides
/// the exit.
pub fn finish(settings: &Settings, results: Vec<Result<Done, InstallError>>) -> Result<(), Error> {
    let host = Platform::host();
    let output = Reporting {
        platform: &host,
        json: false,
        dry_run: false,
        start: Instant::now(),
    };
    finish_with(settings, results, &output)
}

/// [`finish`] for `output`'s platform (another platform's releases say
/// where they went), with `--json`'s report on stdout.
fn finish_with(
    settings: &Settings,
    results: Vec<Result<Done, InstallError>>,
    output: &Reporting,
) -> Result<(), Error> {
    let elsewhere = !output.platform.is_host();
    let dry_run = output.dry_run;
    let first_default = match dry_run {
        true => would_adopt(settings, &results, elsewhere),
        false => match adopt_first_default(&settings.store, &results) {
            // Another gov uninstalled it since: there is nothing to adopt.
            Err(InstallError::Store(StoreError::NotInstalled { .. })) => None,
            adopted => adopted?.map(|i| i.version),
        },
    };
    let mut failure = None;
    let mut releases = Vec::new();
    let platform = output.platform.to_string();
    for result in results {
        let (version, action, root, took) = match result {
            Ok(Done::Installed(i, took)) => {
                settings.say(format!(
                    "installed Go {} in {:.1}s{}",
                    i.version,
                    took.as_secs_f64(),
                    if elsewhere {
                        format!(" at `{}`", i.root.display())
                    } else {
                        String::new()
                    }
                ));
                (i.version, Action::Installed, Some(i.root), Some(took))
            }
            Ok(Done::AlreadyInstalled(i)) => {
                settings.say(format!("Go {} is already installed", i.version));
                (i.version, Action::AlreadyInstalled, Some(i.root), None)
            }
            Ok(Done::WouldInstall(version)) => {
                settings.say(format!("would install Go {version} (--dry-run)"));
                (version, Action::WouldInstall, None, None)
            }
            Err(e) => {
                if let Some(previous) = failure.replace(Error::from(e)) {
                    error::report(&previous);
                }
                continue;
            }
        };
        releases.push(ReleaseReport {
            version: version.to_string(),
            platform: platform.clone(),
            action,
            root: root.map(|r| r.display().to_string()),
            seconds: took.map(|t| t.as_secs_f64()),
        });
    }
    match first_default {
        Some(v) if dry_run => settings.say(format!(
            "would make Go {v} the global default (the first release installed)"
        )),
        Some(v) => settings.say(format!(
            "Go {v} is the global default now (the first release installed; change it with `gov global VERSION`)"
        )),
        None => {}
    }
    if output.json {
        let done = if dry_run {
            Action::WouldInstall
        } else {
            Action::Installed
        };
        super::print_json(&Report {
            changed: first_default.is_some() || releases.iter().any(|r| r.action == done),
            dry_run,
            releases,
            global: first_default.map(|v| v.to_string()),
            seconds: output.start.elapsed().as_secs_f64(),
        });
    }
    failure.map_or(Ok(()), Err)
}

/// In a dry run, the release [`adopt_first_default`] would make the
/// default: in a store with none, the newest of this machine's releases
/// the install would leave in it.
fn would_adopt(
    settings: &Settings,
    results: &[Result<Done, InstallError>],
    elsewhere: bool,
) -> Option<crate::version::Version> {
    if elsewhere || settings.store.global().is_some() {
        return None;
    }
    let versions = settings.store.versions_dir();
    results
        .iter()
        .filter_map(|r| match r {
            Ok(Done::WouldInstall(v)) => Some(*v),
            Ok(Done::AlreadyInstalled(i)) if i.root.parent() == Some(versions.as_path()) => {
                Some(i.version)
            }
            _ => None,
        })
        .max()
}
