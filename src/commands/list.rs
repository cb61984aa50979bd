//! `gov list [--json]`: installed releases, newest first, the active one marked.

use serde::Serialize;

use crate::error::Error;
use crate::platform::Platform;
use crate::resolve;
use crate::settings::Settings;
use crate::store::{Record, Recorded, Standing};
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
    /// How it came and from where: the install record, or what gov sees
    /// when it has none it can use.
    record: Record,
    /// `trusted`, `missing`, `ignored` (unreadable, someone else's, not a
    /// record: `record` is what gov sees) or `unverified` (its claims do
    /// not match the release).
    record_status: &'static str,
    /// Why it is ignored or unverified.
    record_problem: Option<String>,
    /// The IDs of the known vulnerabilities that affect it, from the
    /// cached Go vulnerability database (`gov audit` fills it); `null`
    /// when none is cached.
    vulnerabilities: Option<Vec<String>>,
}

impl Row {
    fn new(
        i: &crate::store::Installed,
        recorded: Recorded,
        linked_to: Option<String>,
        store: &'static str,
    ) -> Row {
        Row {
            version: i.version.to_string(),
            path: i.root.display().to_string(),
            linked_to,
            active: false,
            global: false,
            store,
            platform: recorded.platform.to_string(),
            record_status: recorded.standing.name(),
            record_problem: recorded.standing.problem().map(str::to_string),
            record: recorded.record,
            vulnerabilities: None,
        }
    }
}

/// Says on stderr that a release's record is ignored or unverified, and
/// how to record the release again.
pub fn warn_untrusted(recorded: &Recorded) {
    let what = match &recorded.standing {
        Standing::Ignored(why) => format!("is ignored: {why}"),
        Standing::Unverified(why) => format!("is unverified: {why}"),
        Standing::Trusted | Standing::Missing => return,
    };
    let (version, platform) = (recorded.version, &recorded.platform);
    let of = if platform.is_host() {
        format!("Go {version}")
    } else {
        format!("Go {version} for {platform}")
    };
    ui::warn(&format!("the install record of {of} {what}"));
    let again = if recorded.record.origin == crate::store::Origin::Link {
        format!("`gov link {version} DIR`")
    } else if platform.is_host() {
        format!("`gov install {version}`")
    } else {
        format!(
            "`gov install {version} --os {} --arch {}`",
            platform.os, platform.arch
        )
    };
    let uninstall = if platform.is_host() {
        format!("`gov uninstall {version}`")
    } else {
        format!(
            "`gov uninstall {version} --os {} --arch {}`",
            platform.os, platform.arch
        )
    };
    ui::line(
        ui::HINT,
        "hint:",
        &format!("to record it again, run {uninstall}, then {again}"),
    );
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  gov list --json | jq -r '.[] | select(.active) | .version'")]
pub struct Args {
    /// Print JSON: version, path, linked_to, active, global, store, platform, record, record_status, record_problem, vulnerabilities
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
    let mut records = Vec::new();
    let mut rows: Vec<Row> = installed
        .iter()
        .map(|i| {
            let recorded = settings.store.record_of(&Platform::host(), i);
            records.push(recorded.clone());
            let store = if i.system { "system" } else { "user" };
            let linked_to = i.linked_to().map(|p| p.display().to_string());
            Row {
                active: active.as_ref().is_some_and(|a| a.version == i.version),
                global: global == Some(i.version),
                ..Row::new(i, recorded, linked_to, store)
            }
        })
        .collect();
    if args.all_platforms {
        for (platform, releases) in settings.store.other_platforms()? {
            for i in releases {
                let recorded = settings.store.record_of(&platform, &i);
                records.push(recorded.clone());
                rows.push(Row::new(&i, recorded, None, "user"));
            }
        }
    }
    // From the cache only: no network, and nothing read without one.
    let cache = settings
        .store
        .vulndb_cache(&super::audit::database_url(settings));
    if let Some(db) = crate::vulndb::cached(&cache) {
        for row in &mut rows {
            if let Ok(v) = crate::version::Version::parse(&row.version) {
                row.vulnerabilities = crate::audit::check(&v, &db.entries)
                    .ok()
                    .map(|found| found.into_iter().map(|f| f.id).collect());
            }
        }
    }
    if args.json {
        super::print_json(&rows);
        return Ok(());
    }
    records.iter().for_each(warn_untrusted);
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
        match row.vulnerabilities.as_deref() {
            Some([]) | None => {}
            Some(ids) => notes.push(format!(
                "affected by {} known {} (`gov audit`)",
                ids.len(),
                if ids.len() == 1 {
                    "vulnerability"
                } else {
                    "vulnerabilities"
                }
            )),
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
