//! `gov mirror DIR [--proxy] [REQUEST...] [--os OS --arch ARCH]...`: fill a
//! directory any static web server can serve as a Go release mirror — in
//! go.dev/dl's layout, or with `--proxy` as a `GOPROXY` with the checksum
//! database's proofs (both can share one directory).

use std::path::PathBuf;

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::error::Error;
use crate::index;
use crate::install::proxy;
use crate::mirror::{Mirror, MirrorError, Mirrored};
use crate::platform::Platform;
use crate::request::Request;
use crate::settings::Settings;
use crate::ui;
use crate::version::Version;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov mirror /srv/go 1.22 1.21                         this machine's platform
  gov mirror /srv/go latest --os linux --arch amd64 --os linux --arch arm64
  gov mirror /srv/go --proxy 1.22                       as a GOPROXY, with the database's proofs
  gov mirror /srv/go --vulndb                           the Go vulnerability database, in /srv/go/vulndb
Then, on every node:
  GOV_INDEX_URL=https://mirror.example/go/index.json GOV_DOWNLOAD_URL=https://mirror.example/go/ gov install 1.22
  GOPROXY=https://mirror.example/go GOV_SOURCE=proxy gov install 1.22   (and Go's own GOTOOLCHAIN switch)
  GOVULNDB=https://mirror.example/go/vulndb gov audit                   (and govulncheck)")]
pub struct Args {
    /// The mirror directory (made if missing)
    dir: PathBuf,
    /// Releases to mirror: `1.22.4`, `1.22`, `latest` (default: latest)
    requests: Vec<String>,
    /// A platform's OS, paired in order with --arch (default: this machine's)
    #[arg(long)]
    os: Vec<String>,
    /// A platform's architecture, paired in order with --os
    #[arg(long)]
    arch: Vec<String>,
    /// Print what became of each archive as JSON
    #[arg(long)]
    json: bool,
    /// Mirror Go's toolchain modules from GOPROXY, with what GOSUMDB proves
    /// of them, as a static GOPROXY
    #[arg(long)]
    proxy: bool,
    /// Copy the Go vulnerability database (GOVULNDB) into DIR/vulndb, for
    /// `GOVULNDB=<URL of DIR>/vulndb gov audit`; releases too only when
    /// REQUESTs are given
    #[arg(long)]
    vulndb: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if args.os.len() != args.arch.len() {
        return Err(Error::usage(
            format!(
                "{} --os but {} --arch: give them in pairs",
                args.os.len(),
                args.arch.len()
            ),
            "for example `--os linux --arch amd64 --os linux --arch arm64`".to_string(),
        ));
    }
    let platforms: Vec<Platform> = if args.os.is_empty() {
        vec![Platform::host()]
    } else {
        args.os
            .iter()
            .zip(&args.arch)
            .map(|(os, arch)| Platform {
                os: os.clone(),
                arch: arch.clone(),
            })
            .collect()
    };
    if args.vulndb {
        run_vulndb(args, settings)?;
        if args.requests.is_empty() {
            return Ok(());
        }
    }
    let requests = if args.requests.is_empty() {
        vec![Request::Latest]
    } else {
        args.requests
            .iter()
            .map(|r| parse_request(r))
            .collect::<Result<Vec<_>, _>>()?
    };
    if args.proxy {
        return run_proxy(args, settings, &platforms, &requests);
    }
    let fetcher = Fetcher::new(&settings.sources);
    let source = index::Source::of(&settings.sources, &settings.store, true);
    let upstream = index::load(&source, &fetcher)?;
    let mirror = open(args, settings)?;
    let progress = ui::Progress::new(settings.quiet);
    let mut results: Vec<Mirrored> = Vec::new();
    let mut added = Vec::new();
    let mut failures = Vec::new();
    for request in &requests {
        for platform in &platforms {
            let Some(release) = upstream.pick(request, &platform.os, &platform.arch) else {
                let what = format!("{request} for {platform}");
                let message = format!(
                    "no release matches `{request}` for {platform} in the index at `{}`",
                    settings.sources.index_url
                );
                report_failure(&what, std::slice::from_ref(&message), None);
                failures.push(what.clone());
                results.push(Mirrored {
                    file: what,
                    action: "failed",
                    error: Some(message),
                });
                continue;
            };
            let file = release
                .archive(&platform.os, &platform.arch)
                .expect("pick found an archive");
            let base = &settings.sources.download_url;
            match mirror.fetch(&fetcher, base, release, platform, &progress) {
                Ok(action) => {
                    added.push((release.version, file.clone()));
                    results.push(Mirrored {
                        file: file.filename.clone(),
                        action,
                        error: None,
                    });
                }
                Err(e) => {
                    let causes = causes(&e);
                    report_failure(&file.filename, &causes, e.hint());
                    failures.push(file.filename.clone());
                    results.push(Mirrored {
                        file: file.filename.clone(),
                        action: "failed",
                        error: Some(causes.join(": ")),
                    });
                }
            }
        }
    }
    mirror
        .write_index(&added)
        .map_err(|e| cannot("write the index of", args, &e))?;
    print_results(args, &results);
    if !failures.is_empty() {
        return Err(some_failed(
            "archive(s)",
            &failures,
            &results,
            args,
            "check the upstream mirror (GOV_INDEX_URL, GOV_DOWNLOAD_URL)",
        ));
    }
    settings.say(format!(
        "`{}` serves {} archive(s): point GOV_INDEX_URL at its index.json and GOV_DOWNLOAD_URL at it",
        args.dir.display(),
        results.len()
    ));
    Ok(())
}

/// `--vulndb`: the Go vulnerability database, into `DIR/vulndb`.
fn run_vulndb(args: &Args, settings: &Settings) -> Result<(), Error> {
    let url = super::audit::database_url(settings);
    let mirror = open(args, settings)?;
    let copied = mirror.copy_vulndb(&Fetcher::new(&settings.sources), &url)?;
    if args.json {
        super::print_json(&copied);
    } else {
        println!(
            "{}",
            ui::escape(&format!(
                "copied the Go vulnerability database `{url}` (modified {}): {} entries, {} fetched now, in `{}`",
                copied.modified,
                copied.entries,
                copied.fetched,
                copied.dir.display()
            ))
        );
    }
    settings.say(format!(
        "serve `{}` with any web server and set GOVULNDB to its URL",
        copied.dir.display()
    ));
    Ok(())
}

/// `--proxy`: the toolchain modules `requests` name for each platform,
/// from the proxies of GOPROXY, proved by GOSUMDB.
fn run_proxy(
    args: &Args,
    settings: &Settings,
    platforms: &[Platform],
    requests: &[Request],
) -> Result<(), Error> {
    let fetcher = &proxy::fetcher(&settings.sources).map_err(crate::install::InstallError::from)?;
    let channel = proxy::Channel::new(&settings.sources.go, &settings.store)
        .map_err(crate::install::InstallError::from)?;
    let mirror = open(args, settings)?;
    let progress = ui::Progress::new(settings.quiet);
    let mut results: Vec<Mirrored> = Vec::new();
    let mut failures = Vec::new();
    for platform in platforms {
        let listed = channel
            .versions(fetcher, platform)
            .map_err(crate::install::InstallError::from)?;
        for request in requests {
            let stable: Vec<Version> = listed
                .iter()
                .copied()
                .filter(|v| v.is_stable() || matches!(request, Request::Exact(_)))
                .collect();
            let what = format!("Go {request} for {platform}");
            let outcome = match request.pick(&stable) {
                None => Err((
                    vec![format!(
                        "no toolchain module matches `{request}` for {platform} at GOPROXY `{}`",
                        settings.sources.go.goproxy()
                    )],
                    None,
                )),
                Some(version) => mirror
                    .fetch_module(fetcher, &channel, &version, platform, &progress)
                    .map(|action| (action, format!("{version} for {platform}")))
                    .map_err(|e| (causes(&e), e.hint())),
            };
            match outcome {
                Ok((action, file)) => results.push(Mirrored {
                    file,
                    action,
                    error: None,
                }),
                Err((causes, hint)) => {
                    report_failure(&what, &causes, hint);
                    failures.push(what.clone());
                    results.push(Mirrored {
                        file: what,
                        action: "failed",
                        error: Some(causes.join(": ")),
                    });
                }
            }
        }
    }
    mirror
        .write_module_list()
        .map_err(|e| cannot("write the module list of", args, &e))?;
    // Go proves every record in the newest tree it has seen: the mirror
    // serves the proofs in its newest one, whatever order nodes ask in.
    mirror.prove_in_newest(fetcher, &channel).map_err(|e| {
        cannot(
            "prove in the database's newest tree the modules of",
            args,
            &e,
        )
    })?;
    print_results(args, &results);
    if !failures.is_empty() {
        return Err(some_failed(
            "toolchain module(s)",
            &failures,
            &results,
            args,
            "check GOPROXY and GOSUMDB",
        ));
    }
    settings.say(format!(
        "`{}` serves {} toolchain module(s): point GOPROXY at it (GOV_SOURCE=proxy for gov; Go's GOTOOLCHAIN switch reads it too)",
        args.dir.display(),
        results.len()
    ));
    Ok(())
}

/// The mirror directory, locked, with what a killed run left cleared.
fn open(args: &Args, settings: &Settings) -> Result<Mirror, Error> {
    let mirror = Mirror::open(&args.dir)?;
    for path in settings.store.clear_mirror_leftovers(mirror.dir())? {
        settings.say(format!(
            "removed `{}`, left by an interrupted run",
            path.display()
        ));
    }
    // For `gov prune`, should this run be killed too; knowing it is a
    // convenience, so failing to write it down fails nothing.
    let dir = std::fs::canonicalize(mirror.dir()).unwrap_or_else(|_| args.dir.clone());
    if let Err(e) = settings.store.remember_mirror(&dir) {
        settings.explain(format!(
            "cannot note `{}` for `gov prune`: {e}",
            dir.display()
        ));
    }
    Ok(mirror)
}

/// What the mirror holds, on stdout (failures went to stderr).
fn print_results(args: &Args, results: &[Mirrored]) {
    if args.json {
        super::print_json(&results);
    } else {
        for r in results.iter().filter(|r| r.error.is_none()) {
            println!("{}", ui::escape(&format!("{} {}", r.action, r.file)));
        }
    }
}

/// That the mirror directory could not be finished: `doing` it, why.
fn cannot(doing: &str, args: &Args, e: &MirrorError) -> Error {
    Error::failed(
        format!(
            "cannot {doing} `{}`: {}",
            args.dir.display(),
            causes(e).join(": ")
        ),
        e.hint(),
    )
}

/// That some of `what` failed (each was reported on stderr): how many,
/// which, and where the rest are.
fn some_failed(
    what: &str,
    failures: &[String],
    results: &[Mirrored],
    args: &Args,
    check: &str,
) -> Error {
    let names: Vec<String> = failures.iter().map(|f| format!("`{f}`")).collect();
    Error::failed(
        format!(
            "{} of {} {what} could not be mirrored: {}; the rest are in `{}`",
            failures.len(),
            results.len(),
            names.join(", "),
            args.dir.display()
        ),
        format!("{check} and run the command again: it fetches only what is missing"),
    )
}

/// The message of `e` and of each of its causes.
fn causes(e: &MirrorError) -> Vec<String> {
    let mut out = vec![e.to_string()];
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push(c.to_string());
        cause = c.source();
    }
    out
}

/// One archive that could not be mirrored, on stderr as gov reports an
/// error: what, its causes, the fix.
fn report_failure(what: &str, causes: &[String], hint: Option<String>) {
    ui::line(ui::ERROR, "error:", &format!("cannot mirror `{what}`"));
    for cause in causes {
        eprintln!("  caused by: {}", ui::escape(cause));
    }
    if let Some(hint) = hint {
        ui::line(ui::HINT, "hint:", &hint);
    }
}
