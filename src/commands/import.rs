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
    for f in &found {
        // One root that fails is that root's outcome; the others go on.
        outcomes.push(
            import::import(&settings.store, f, args.copy, args.dry_run).unwrap_or_else(|e| {
                import::Outcome {
                    root: f.root.clone(),
                    by: f.by,
                    version: None,
                    action: "skipped",
                    reason: Some(format!("{e}")),
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
    if args.json {
        super::print_json(&outcomes);
        return Ok(());
    }
    for o in &outcomes {
        let what = match (&o.version, &o.reason) {
            (Some(v), None) => format!("{} Go {v}", o.action),
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
    Ok(())
}
