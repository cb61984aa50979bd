//! `gov list [--json]`: installed releases, newest first, the active one marked.

use serde::Serialize;

use crate::error::Error;
use crate::platform::Platform;
use crate::resolve;
use crate::settings::Settings;
use crate::store::Record;
use crate::ui;

#[derive(Serialize)]
struct Row {
    version: String,
    path: String,
    linked_to: Option<String>,
    active: bool,
    global: bool,
    /// `user`, or `system` for the shared store's.
    store: &'static str,
    /// `linux-amd64` style: this machine's, or another's (never run here).
    platform: String,
    /// How it came and from where: the install record.
    record: Record,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  gov list --json | jq -r '.[] | select(.active) | .version'")]
pub struct Args {
    /// Print JSON: version, path, linked_to, active, global, store, platform, record
    #[arg(long)]
    json: bool,
    /// Only the versions, one a line (for completion scripts)
    #[arg(long, hide = true, conflicts_with = "json")]
    bare: bool,
    /// Also releases installed for other platforms (`gov install --os --arch`)
    #[arg(long)]
    all_platforms: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let installed = settings.store.installed()?;
    if args.bare {
        for i in &installed {
            println!("{}", i.version);
        }
        return Ok(());
    }
    let active = resolve::resolve(None, &settings.ctx, &settings.store).ok();
    let global = settings.store.global();
    let mut rows: Vec<Row> = installed
        .iter()
        .map(|i| Row {
            version: i.version.to_string(),
            path: i.root.display().to_string(),
            linked_to: i.linked_to().map(|p| p.display().to_string()),
            active: active.as_ref().is_some_and(|a| a.version == i.version),
            global: global == Some(i.version),
            store: if i.system { "system" } else { "user" },
            platform: Platform::host().to_string(),
            record: settings.store.record_of(&Platform::host(), i),
        })
        .collect();
    if args.all_platforms {
        for (platform, releases) in settings.store.other_platforms()? {
            for i in releases {
                rows.push(Row {
                    version: i.version.to_string(),
                    path: i.root.display().to_string(),
                    linked_to: None,
                    active: false,
                    global: false,
                    store: "user",
                    platform: platform.to_string(),
                    record: settings.store.record_of(&platform, &i),
                });
            }
        }
    }
    if args.json {
        super::print_json(&rows);
        return Ok(());
    }
    if rows.is_empty() {
        settings
            .say("no Go releases installed (run `gov install latest` or `gov link VERSION DIR`)");
        return Ok(());
    }
    for row in rows {
        let mark = if row.active { "*" } else { " " };
        let mut notes = Vec::new();
        if row.active {
            if let Some(a) = &active {
                notes.push(format!("set by {}", a.source));
            }
        } else if row.global {
            notes.push("global".to_string());
        }
        if let Some(dir) = &row.linked_to {
            notes.push(format!("linked to {dir}"));
        }
        if row.store == "system" {
            notes.push("system".to_string());
        }
        if row.platform != crate::platform::Platform::host().to_string() {
            notes.push(format!("{}, for another machine", row.platform));
        }
        if notes.is_empty() {
            println!("{mark} {}", row.version);
        } else {
            let notes = ui::escape(&notes.join(", ")).into_owned();
            println!("{mark} {:<10} ({notes})", row.version);
        }
    }
    Ok(())
}
