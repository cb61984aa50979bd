//! `gov mirror DIR [REQUEST...] [--os OS --arch ARCH]...`: fill a
//! directory any static web server can serve as a Go release mirror.

use std::path::PathBuf;

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::error::Error;
use crate::index;
use crate::mirror::{Mirror, MirrorError, Mirrored};
use crate::platform::Platform;
use crate::request::Request;
use crate::settings::Settings;
use crate::ui;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov mirror /srv/go 1.22 1.21                         this machine's platform
  gov mirror /srv/go latest --os linux --arch amd64 --os linux --arch arm64
Then, on every node:
  GOV_INDEX_URL=https://mirror.example/go/index.json GOV_DOWNLOAD_URL=https://mirror.example/go/ gov install 1.22")]
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
    let requests = if args.requests.is_empty() {
        vec![Request::Latest]
    } else {
        args.requests
            .iter()
            .map(|r| parse_request(r))
            .collect::<Result<Vec<_>, _>>()?
    };
    let fetcher = Fetcher::new(&settings.sources);
    let source = index::Source::of(&settings.sources, &settings.store, true);
    let upstream = index::load(&source, &fetcher)?;
    let mirror = Mirror::open(&args.dir)?;
    // Held by this run alone now: what a killed one left goes.
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
    mirror.write_index(&added).map_err(|e| {
        let hint = e.hint();
        Error::failed(
            format!(
                "cannot write the index of `{}`: {}",
                args.dir.display(),
                causes(&e).join(": ")
            ),
            hint,
        )
    })?;
    if args.json {
        super::print_json(&results);
    } else {
        // stdout lists what the mirror holds; failures went to stderr.
        for r in results.iter().filter(|r| r.error.is_none()) {
            println!("{}", ui::escape(&format!("{} {}", r.action, r.file)));
        }
    }
    if !failures.is_empty() {
        let names: Vec<String> = failures.iter().map(|f| format!("`{f}`")).collect();
        return Err(Error::failed(
            format!(
                "{} of {} archive(s) could not be mirrored: {}; the rest are in `{}`",
                failures.len(),
                results.len(),
                names.join(", "),
                args.dir.display()
            ),
            "check the upstream mirror (GOV_INDEX_URL, GOV_DOWNLOAD_URL) and run the command again: it fetches only what is missing".to_string(),
        ));
    }
    settings.say(format!(
        "`{}` serves {} archive(s): point GOV_INDEX_URL at its index.json and GOV_DOWNLOAD_URL at it",
        args.dir.display(),
        results.len()
    ));
    Ok(())
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
