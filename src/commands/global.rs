//! `gov global [VERSION]`: show or set the global default.

use serde::Serialize;

use crate::commands::{installed_match, parse_request};
use crate::error::Error;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov global            print it
  gov global 1.22       the newest installed 1.22.x, for every directory that asks for nothing else")]
pub struct Args {
    /// An installed release or a request such as 1.22 (none: print it)
    version: Option<String>,
    /// Also keep PATH (such as /usr/local/go) a link to its Go root, swapped
    /// atomically, for tools that expect Go at a fixed path
    #[arg(long, value_name = "PATH", requires = "version")]
    link: Option<std::path::PathBuf>,
    /// Only say what would change
    #[arg(long, requires = "version")]
    dry_run: bool,
    /// Print the default (and, when setting it, what it was and whether it
    /// changed) as JSON
    #[arg(long)]
    json: bool,
}

/// `--json` when setting the default.
#[derive(Serialize)]
struct Report {
    /// Whether the default (or the fixed path's link) changed (in a dry
    /// run: would).
    changed: bool,
    dry_run: bool,
    before: Option<String>,
    after: String,
    /// `--link PATH`, and the Go root it pointed at before.
    link: Option<String>,
    link_before: Option<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let Some(value) = args.version.as_deref() else {
        return match settings.store.global() {
            Some(v) if args.json => {
                super::print_json(&serde_json::json!({ "global": v.to_string() }));
                Ok(())
            }
            None if args.json => {
                super::print_json(&serde_json::json!({ "global": null }));
                Ok(())
            }
            Some(v) => {
                println!("{v}");
                Ok(())
            }
            None => Err(Error::failed(
                "no global default is set",
                "run `gov global 1.22.4` (see `gov list` for what is installed)".to_string(),
            )),
        };
    };
    if !args.dry_run {
        settings.check_writable()?;
    }
    let request = parse_request(value)?;
    let installed = installed_match(settings, &request)?;
    // A fixed path is only ever a link gov made: checked before anything changes.
    if let Some(path) = &args.link {
        check_fixed_link(path, &settings.store)?;
    }
    let before = settings.store.own_global();
    let link_before = args
        .link
        .as_ref()
        .and_then(|path| std::fs::read_link(path).ok());
    let report = Report {
        changed: before != Some(installed.version)
            || (args.link.is_some() && link_before.as_deref() != Some(installed.root.as_path())),
        dry_run: args.dry_run,
        before: before.map(|v| v.to_string()),
        after: installed.version.to_string(),
        link: args.link.as_ref().map(|p| p.display().to_string()),
        link_before: link_before.map(|p| p.display().to_string()),
    };
    if args.dry_run {
        let text = match report.changed {
            true => format!(
                "would make Go {} the global default (now {})",
                installed.version,
                report.before.as_deref().unwrap_or("none")
            ),
            false => format!("Go {} is the global default already", installed.version),
        };
        return finish(args, settings, &report, text);
    }
    settings.store.set_global_linking(
        &installed,
        &format!("gov global {value}"),
        args.link.as_deref(),
    )?;
    if let Some(path) = &args.link {
        settings.say(format!(
            "`{}` -> `{}`",
            path.display(),
            installed.root.display()
        ));
    }
    let text = format!("global default is now Go {}", installed.version);
    finish(args, settings, &report, text)
}

fn finish(args: &Args, settings: &Settings, report: &Report, text: String) -> Result<(), Error> {
    match args.json {
        true => super::print_json(report),
        false => settings.say(text),
    }
    Ok(())
}

/// `path` may be replaced when it is missing or a link into the store.
fn check_fixed_link(path: &std::path::Path, store: &crate::store::Store) -> Result<(), Error> {
    let what = match std::fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::read_link(path) {
            Ok(target)
                if target.starts_with(store.versions_dir())
                    || store
                        .system()
                        .is_some_and(|s| target.starts_with(s.versions_dir())) =>
            {
                return Ok(())
            }
            Ok(target) => format!("a link to `{}`, which gov did not make", target.display()),
            Err(e) => e.to_string(),
        },
        Ok(meta) if meta.is_dir() => "a directory".to_string(),
        Ok(_) => "a file".to_string(),
    };
    Err(Error::failed(
        format!("refusing to replace `{}`: it is {what}", path.display()),
        format!(
            "move it away first (for example `mv {p} {p}.old`), then run the command again",
            p = path.display()
        ),
    ))
}
