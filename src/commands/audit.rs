//! `gov audit [--json] [PATH...]`: the Go releases in use — installed,
//! the global default, and those selected by the version files under each
//! PATH — checked against the Go vulnerability database. Exit 3 when one
//! is affected (as govulncheck), 0 when none is, 1 when the audit failed.

use std::path::PathBuf;
use std::time::SystemTime;

use serde::Serialize;

use crate::audit::{self, By, Finding, Known, Limits, Unresolved, Use};
use crate::download::Fetcher;
use crate::env_vars;
use crate::error::Error;
use crate::platform;
use crate::settings::Settings;
use crate::version::Version;
use crate::vulndb::{self, Freshness, VulnDb};

/// The exit code when a release in use is affected (govulncheck's).
pub const AFFECTED: u8 = 3;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 no release in use is affected, 3 one is, 1 the audit failed.

Examples:
  gov audit                       releases installed, the global default, and what ./... selects
  gov audit ~/src --json | jq -r '.releases[] | select(.affected) | .version'
  GOVULNDB=https://mirror.example/vulndb gov audit   a copy made by `gov mirror DIR --vulndb`"
)]
pub struct Args {
    /// Directories whose version files (.go-version, .tool-versions, go.work, go.mod) to audit; default `.`
    paths: Vec<PathBuf>,
    /// Print the report as JSON (database, releases with their uses and entries, unresolved, walk)
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Report<'a> {
    database: Database<'a>,
    releases: Vec<ReleaseReport>,
    /// Version files whose request names no release gov could find.
    unresolved: &'a [Unresolved],
    walk: Walk<'a>,
    /// How many releases in use are affected.
    affected: usize,
}

#[derive(Serialize)]
struct Database<'a> {
    url: &'a str,
    modified: &'a str,
    /// When the server last confirmed the copy used (RFC 3339).
    checked: &'a str,
    /// `fetched`, `unchanged`, `offline` or `stale` (the server could not
    /// be reached: the cached copy).
    source: &'static str,
    age_seconds: Option<u64>,
    entries: usize,
}

#[derive(Serialize)]
struct Walk<'a> {
    paths: Vec<String>,
    directories: usize,
    version_files: usize,
    truncated: Option<&'a str>,
}

#[derive(Serialize)]
struct ReleaseReport {
    version: String,
    uses: Vec<Use>,
    affected: bool,
    vulnerabilities: Vec<Finding>,
    /// The newest stable release of the series, when the cached release
    /// index has one newer than this.
    newest_patch: Option<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let roots = if args.paths.is_empty() {
        vec![settings.ctx.require_cwd()?.to_path_buf()]
    } else {
        args.paths
            .iter()
            .map(|p| settings.ctx.cwd.join(p))
            .collect()
    };
    let found = audit::find_version_files(
        &roots,
        settings.ctx.var(env_vars::GOWORK),
        Limits::default(),
    )?;
    let installed: Vec<Version> = settings
        .store
        .installed()?
        .iter()
        .map(|i| i.version)
        .collect();
    let index = super::cached_index(settings);
    let (os, arch) = platform::host();
    let index_versions: Option<Vec<Version>> = index.as_ref().map(|i| {
        i.releases
            .iter()
            .filter(|r| r.archive(os, arch).is_some())
            .map(|r| r.version)
            .collect()
    });
    let in_use = audit::releases_in_use(
        &Known {
            installed: &installed,
            global: settings.store.global(),
            index: index_versions.as_deref(),
        },
        &found.files,
    );
    if in_use.releases.is_empty() && in_use.unresolved.is_empty() {
        // Nothing to check: no database needed, no network.
        settings
            .say("No Go release is in use: none is installed, and no version file selects one.");
        if args.json {
            super::print_json(&serde_json::json!({
                "database": null, "releases": [], "unresolved": [], "affected": 0,
                "walk": {"paths": roots, "directories": found.directories, "version_files": 0, "truncated": found.truncated},
            }));
        }
        return Ok(());
    }
    let db = load(settings)?;
    let mut releases = Vec::new();
    for (std::cmp::Reverse(v), uses) in &in_use.releases {
        let vulnerabilities =
            audit::check(v, &db.entries).map_err(|source| vulndb::VulnDbError::Entry {
                url: db.url.clone(),
                source,
            })?;
        releases.push(ReleaseReport {
            version: v.to_string(),
            uses: uses.clone(),
            affected: !vulnerabilities.is_empty(),
            vulnerabilities,
            newest_patch: index_versions
                .as_deref()
                .and_then(|all| audit::newest_patch(v, all))
                .map(|p| p.to_string()),
        });
    }
    let affected = releases.iter().filter(|r| r.affected).count();
    let in_use_count = releases.len();
    let now = SystemTime::now();
    if args.json {
        super::print_json(&Report {
            database: Database {
                url: &db.url,
                modified: &db.modified,
                checked: &db.checked,
                source: match db.freshness {
                    Freshness::Fetched => "fetched",
                    Freshness::Unchanged => "unchanged",
                    Freshness::Offline => "offline",
                    Freshness::Stale(_) => "stale",
                    Freshness::Cached => "cached",
                },
                age_seconds: db.age(now).map(|a| a.as_secs()),
                entries: db.entries.len(),
            },
            releases,
            unresolved: &in_use.unresolved,
            walk: Walk {
                paths: roots.iter().map(|r| r.display().to_string()).collect(),
                directories: found.directories,
                version_files: found.files.len(),
                truncated: found.truncated.as_deref(),
            },
            affected,
        });
    } else {
        settings.say(format!("Checked against {}.", db.describe(now)));
        print_text(&releases, &in_use.unresolved, settings);
    }
    if let Some(why) = &found.truncated {
        crate::ui::warn(&format!("the walk was cut short: {why}"));
    }
    if !in_use.unresolved.is_empty() && !args.json {
        crate::ui::warn(&format!(
            "{} version file(s) select a release gov cannot name: not checked",
            in_use.unresolved.len()
        ));
    }
    if affected > 0 {
        return Err(Error::Findings {
            message: format!(
                "{affected} of {} Go release(s) in use {} affected by known vulnerabilities",
                in_use_count,
                if affected == 1 { "is" } else { "are" }
            ),
            code: AFFECTED,
        });
    }
    Ok(())
}

/// The database, from the cache or the server, as `GOVULNDB` names it.
pub fn load(settings: &Settings) -> Result<VulnDb, Error> {
    let url = database_url(settings);
    let source = vulndb::Source {
        cache: settings.store.vulndb_cache(&url),
        url,
        offline: settings.sources.offline,
    };
    let db = vulndb::load(&source, &Fetcher::new(&settings.sources), SystemTime::now())?;
    if let Freshness::Stale(why) = &db.freshness {
        crate::ui::warn(&format!(
            "cannot refresh the Go vulnerability database from `{}` ({why}); using the copy cached at `{}`",
            db.url,
            source.cache.display()
        ));
    }
    Ok(db)
}

/// `GOVULNDB`, else go.dev's.
pub fn database_url(settings: &Settings) -> String {
    settings
        .ctx
        .text(env_vars::GOVULNDB)
        .filter(|u| !u.is_empty())
        .unwrap_or(vulndb::DEFAULT_URL)
        .trim_end_matches('/')
        .to_string()
}

/// Up to this many version files are named per release, for people.
const FILES_SHOWN: usize = 5;

fn print_text(releases: &[ReleaseReport], unresolved: &[Unresolved], settings: &Settings) {
    let mut out: Vec<String> = Vec::new();
    if releases.is_empty() {
        out.push(
            "No Go release is in use: none is installed, and no version file selects one.".into(),
        );
    }
    for (i, r) in releases.iter().enumerate() {
        if i > 0 {
            out.push(String::new());
        }
        let verdict = if r.affected {
            let n = r.vulnerabilities.len();
            format!(
                "affected by {n} known {}",
                if n == 1 {
                    "vulnerability"
                } else {
                    "vulnerabilities"
                }
            )
        } else {
            "not affected".into()
        };
        out.push(format!("Go {}: {verdict}", r.version));
        out.push(format!("  in use: {}", uses_text(&r.uses, settings)));
        for f in &r.vulnerabilities {
            let aliases = if f.aliases.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.aliases.join(", "))
            };
            out.push(format!("  {}{aliases}: {}", f.id, f.summary));
            if !f.packages.is_empty() {
                out.push(format!("    packages: {}", f.packages.join(", ")));
            }
            if f.modules.iter().any(|m| m == "toolchain") {
                out.push("    in the toolchain (the go command, compiler or linker)".into());
            }
            let fixed = match &f.fixed {
                Some(fix) if fix.in_series => format!("fixed in {}", fix.version),
                Some(fix) => format!(
                    "fixed in {} (Go {}.x ended without the fix)",
                    fix.version,
                    series(&r.version)
                ),
                None => "no release fixes it yet".into(),
            };
            out.push(format!("    {fixed}; {}", f.url));
        }
        if let Some(p) = &r.newest_patch {
            out.push(format!("  newest {}.x: {p}", series(&r.version)));
        }
    }
    for u in unresolved {
        out.push(format!(
            "Not checked: `{}` asks for Go {}: {}",
            u.path.display(),
            u.request,
            u.reason
        ));
    }
    // Each line escaped: summaries and paths come from servers and trees.
    for line in out {
        println!("{}", crate::ui::escape(&line));
    }
}

fn series(version: &str) -> String {
    Version::parse(version)
        .map(|v| {
            let (major, minor) = v.series();
            format!("{major}.{minor}")
        })
        .unwrap_or_else(|_| version.to_string())
}

fn uses_text(uses: &[Use], settings: &Settings) -> String {
    let mut parts = Vec::new();
    let mut files = 0;
    for u in uses {
        match u {
            Use::Installed => parts.push("installed".to_string()),
            Use::Global => parts.push("the global default".to_string()),
            Use::File { path, request, by } => {
                files += 1;
                if files > FILES_SHOWN {
                    continue;
                }
                let path = path
                    .strip_prefix(&settings.ctx.cwd)
                    .unwrap_or(path)
                    .display()
                    .to_string();
                parts.push(match by {
                    By::Installed => format!("{path} ({request})"),
                    By::Index => format!(
                        "{path} ({request}; not installed: the release `gov install` would fetch)"
                    ),
                });
            }
        }
    }
    if files > FILES_SHOWN {
        parts.push(format!(
            "and {} more version files (`--json` lists them)",
            files - FILES_SHOWN
        ));
    }
    parts.join(", ")
}
