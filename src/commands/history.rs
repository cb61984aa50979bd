//! `gov history [--json]` and `gov rollback`: the changes of the global
//! default, newest first, and the way back from the latest.

use crate::error::Error;
use crate::settings::Settings;
use crate::ui;
use crate::version::Version;

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  gov history     2026-12-01T15:20:07Z  1.21.13 -> 1.22.12  gov upgrade 1.22")]
pub struct Args {
    /// Print JSON: time, before, after, command
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let history = settings.store.history()?;
    if args.json {
        super::print_json(&history);
        return Ok(());
    }
    if history.is_empty() {
        settings.say("the global default has not changed yet");
    }
    let mut out = String::new();
    for change in &history {
        let line = format!(
            "{}  {} -> {}  {}",
            change.time,
            change.before.as_deref().unwrap_or("(none)"),
            change.after.as_deref().unwrap_or("(none)"),
            change.command
        );
        out.push_str(&ui::escape(&line));
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  gov rollback    the global default goes back to what it was before the last change;
                  twice, and it is where it started")]
pub struct RollbackArgs {
    /// Only say what the default would go back to
    #[arg(long)]
    dry_run: bool,
    /// Print the change as JSON: before, after, the change undone
    #[arg(long)]
    json: bool,
}

/// `gov rollback --json`.
#[derive(serde::Serialize)]
struct Rollback<'a> {
    /// The default changed (in a dry run: would).
    changed: bool,
    dry_run: bool,
    /// The default before the rollback, and after it.
    before: Option<&'a str>,
    after: String,
    /// The change undone: its time and command.
    undone: &'a crate::store::HistoryEntry,
}

pub fn rollback(args: &RollbackArgs, settings: &Settings) -> Result<(), Error> {
    if !args.dry_run {
        settings.check_writable()?;
    }
    let store = &settings.store;
    // Another release than the one set now: choosing that records nothing.
    let now = store.own_global();
    let choose = match store.installed()?.iter().find(|i| Some(i.version) != now) {
        Some(i) => format!("run `gov global {}` to choose one", i.version),
        None => "run `gov install latest`".to_string(),
    };
    let Some(last) = store.history()?.into_iter().next() else {
        return Err(Error::failed(
            "nothing to roll back to: the global default has never changed",
            choose,
        ));
    };
    let Some(before) = last.before.as_deref() else {
        return Err(Error::failed(
            format!(
                "nothing to roll back to: before `{}` there was no global default",
                last.command
            ),
            choose,
        ));
    };
    // A record gov did not write (edited, damaged): say where it is.
    let version = Version::parse(before).map_err(|e| {
        Error::failed(
            format!(
                "cannot roll back: line {} of `{}` is damaged: {e}",
                last.line,
                store.history_path().display()
            ),
            choose.clone(),
        )
    })?;
    let Some(installed) = store.find(&version)? else {
        return Err(Error::failed(
            format!("cannot roll back to Go {version}: it is not installed any more"),
            format!("run `gov install {version}`, then `gov rollback` again"),
        ));
    };
    if !args.dry_run {
        store.set_global(&installed, "gov rollback")?;
    }
    if args.json {
        super::print_json(&Rollback {
            changed: now != Some(version),
            dry_run: args.dry_run,
            before: last.after.as_deref(),
            after: version.to_string(),
            undone: &last,
        });
        return Ok(());
    }
    settings.say(format!(
        "{} Go {version} again (it was {} after `{}`)",
        match args.dry_run {
            true => "would make the global default",
            false => "global default is",
        },
        last.after.as_deref().unwrap_or("none"),
        last.command
    ));
    Ok(())
}
