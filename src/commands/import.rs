//! `gov import [--dry-run] [--copy] [DIR...]`: register the Go toolchains
//! goenv, gvm, g, golang.org/dl, asdf, mise and the system installed.

use std::path::PathBuf;

use crate::error::Error;
use crate::install::import;
use crate::settings::Settings;
use crate::ui;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov import --dry-run         what it finds and would do
  gov import                   link each (nothing is copied or executed)
  gov import --copy ~/old-go   copy into gov's store instead")]
pub struct Args {
    /// More Go roots, or directories of them, to look at
    dirs: Vec<PathBuf>,
    /// Copy each into the store instead of linking it
    #[arg(long)]
    copy: bool,
    /// Only say what it finds and would do
    #[arg(long)]
    dry_run: bool,
    /// Print JSON: root, by, version, action, reason
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    if !args.dry_run {
        settings.check_writable()?;
    }
    let found = import::find_roots(&settings.ctx, &args.dirs);
    let mut outcomes = Vec::new();
    let mut failed = Vec::new();
    for f in &found {
        // One root that fails is that root's outcome; the others go on, and
        // the command fails at the end.
        outcomes.push(
            import::import(&settings.store, f, args.copy, args.dry_run).unwrap_or_else(|e| {
                let e = Error::from(e);
                failed.push((f.root.clone(), e.to_string(), e.hint()));
                import::Outcome {
                    root: f.root.clone(),
                    by: f.by,
                    version: None,
                    action: "failed",
                    reason: Some(e.to_string()),
                }
            }),
        );
    }
    if !args.dry_run
        && outcomes
            .iter()
            .any(|o| o.action == "linked" || o.action == "copied")
    {
        settings.refresh_shims()?;
    }
    let result = match failed.as_slice() {
        [] => Ok(()),
        [(root, message, hint)] => Err(Error::failed(
            format!("cannot import `{}`: {message}", root.display()),
            hint.clone(),
        )),
        _ => Err(Error::failed(
            format!(
                "cannot import {} toolchains: {}",
                failed.len(),
                failed
                    .iter()
                    .map(|(root, message, _)| format!("`{}`: {message}", root.display()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            failed.iter().find_map(|(_, _, hint)| hint.clone()),
        )),
    };
    if args.json {
        super::print_json(&outcomes);
        return result;
    }
    for o in &outcomes {
        let what = match (&o.version, &o.reason) {
            (Some(v), None) => format!("{} Go {v}", o.action),
            // Said on stderr, with its fix.
            (_, Some(_)) if o.action == "failed" => continue,
            (_, Some(reason)) => format!("skipped: {reason}"),
            (None, None) => o.action.to_string(),
        };
        println!(
            "{}",
            ui::escape(&format!("{what}  `{}` ({})", o.root.display(), o.by))
        );
    }
    if outcomes.is_empty() {
        settings.say("found no Go toolchain of goenv, gvm, g, golang.org/dl, asdf or mise, nor in /usr/local/go or /usr/lib/go-*");
    }
    result
}
