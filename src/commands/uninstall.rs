//! `gov uninstall VERSION...`.

use serde::Serialize;

use crate::commands::parse_request;
use crate::error::Error;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov uninstall 1.21.13        one release
  gov uninstall 1.21           the one installed 1.21.x (refused if several are)")]
pub struct Args {
    /// Releases, or requests that each match one installed release
    #[arg(required = true)]
    versions: Vec<String>,
    /// Another platform's releases (as installed with `gov install --os`)
    #[arg(long, requires = "arch")]
    os: Option<String>,
    #[arg(long, requires = "os")]
    arch: Option<String>,
    /// A release that is not installed is no error (for scripts and
    /// configuration tools that say what must be absent)
    #[arg(long)]
    missing_ok: bool,
    /// Only say what would be removed
    #[arg(long)]
    dry_run: bool,
    /// Print what was removed as JSON (`changed` says whether anything was)
    #[arg(long)]
    json: bool,
}

/// `--json`: what was removed.
#[derive(Serialize)]
struct Report {
    /// Something was removed (in a dry run: would be).
    changed: bool,
    dry_run: bool,
    removed: Vec<Removed>,
    /// A removed release was the global default: none is set now.
    global_unset: bool,
}

#[derive(Serialize)]
struct Removed {
    version: String,
    platform: String,
    /// A linked release: the directory it linked to, which stays.
    linked_to: Option<String>,
}

/// That `request` is not installed: an error, or (`--missing-ok`) a line.
fn missing(args: &Args, settings: &Settings, what: String, hint: &str) -> Result<(), Error> {
    if args.missing_ok {
        settings.say(format!("Go {what} is not installed; nothing to remove"));
        return Ok(());
    }
    Err(Error::failed(
        format!("cannot uninstall Go {what}: it is not installed"),
        hint.to_string(),
    ))
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if !args.dry_run {
        settings.check_writable()?;
    }
    let mut report = Report {
        changed: false,
        dry_run: args.dry_run,
        removed: vec![],
        global_unset: false,
    };
    if let (Some(os), Some(arch)) = (&args.os, &args.arch) {
        let platform = crate::platform::Platform {
            os: os.clone(),
            arch: arch.clone(),
        };
        if !platform.is_host() {
            for v in &args.versions {
                let version = crate::version::Version::parse(v.trim())?;
                let there = match args.dry_run {
                    true => std::fs::symlink_metadata(
                        settings
                            .store
                            .releases_dir(&platform)
                            .join(version.to_string()),
                    )
                    .is_ok(),
                    false => settings.store.remove_for_platform(&platform, &version)?,
                };
                if !there {
                    missing(
                        args,
                        settings,
                        format!("{version} for {platform}"),
                        "run `gov list --all-platforms` to see what is",
                    )?;
                    continue;
                }
                settings.say(match args.dry_run {
                    true => format!("would uninstall Go {version} for {platform}"),
                    false => format!("uninstalled Go {version} for {platform}"),
                });
                report.removed.push(Removed {
                    version: version.to_string(),
                    platform: platform.to_string(),
                    linked_to: None,
                });
            }
            return finish(args, report);
        }
    }
    let wanted = args
        .versions
        .iter()
        .map(|v| parse_request(v))
        .collect::<Result<Vec<_>, _>>()?;
    // Every request must name exactly one installed release before any
    // is removed.
    let installed = settings.store.installed()?;
    let mut found = Vec::new();
    for request in wanted {
        let matches: Vec<_> = installed
            .iter()
            .filter(|i| request.matches(&i.version) && !i.version.is_language_version())
            .collect();
        match matches.as_slice() {
            [one] => found.push((*one).clone()),
            [] => missing(
                args,
                settings,
                request.to_string(),
                "run `gov list` to see what is installed",
            )?,
            several => {
                let names: Vec<String> = several.iter().map(|i| i.version.to_string()).collect();
                return Err(Error::failed(
                    format!(
                        "`{request}` matches several installed releases: {}",
                        names.join(", ")
                    ),
                    format!(
                        "name the ones to remove, such as `gov uninstall {}`",
                        names[0]
                    ),
                ));
            }
        }
    }
    let host = crate::platform::Platform::host().to_string();
    for installed in found {
        let version = installed.version;
        let linked_to = installed.linked_to();
        report.removed.push(Removed {
            version: version.to_string(),
            platform: host.clone(),
            linked_to: linked_to.as_ref().map(|d| d.display().to_string()),
        });
        if args.dry_run {
            settings.say(format!("would uninstall Go {version}"));
            report.global_unset |= settings.store.own_global() == Some(version);
            continue;
        }
        let was_global = settings.store.remove(&installed)?;
        match &linked_to {
            Some(dir) => settings.say(format!("unlinked Go {version} (kept `{}`)", dir.display())),
            None => settings.say(format!("uninstalled Go {version}")),
        }
        if was_global {
            report.global_unset = true;
            settings.say(format!(
                "Go {version} was the global default; none is set now (run `gov global VERSION`)"
            ));
        }
    }
    finish(args, report)
}

/// `changed`: something was removed (in a dry run: would be).
fn finish(args: &Args, mut report: Report) -> Result<(), Error> {
    report.changed = !report.removed.is_empty();
    if args.json {
        super::print_json(&report);
    }
    Ok(())
}
