//! `gov current [--json]`: the active release and what selected it.

use serde::Serialize;

use crate::error::Error;
use crate::request::Rule;
use crate::resolve::{self, Source};
use crate::settings::Settings;
use crate::ui;

#[derive(Serialize)]
struct Current {
    version: String,
    root: String,
    /// `plus`, `variable`, `file` or `global`.
    source: &'static str,
    /// The version file, when a file selected it.
    file: Option<String>,
    /// For a go.mod or go.work: its minimum and which rule of SPEC 2 chose
    /// (`toolchain`, `preferred-series`, `global`, `oldest-series`).
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule: Option<&'static str>,
    /// Why, in words.
    reason: String,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Example:
  gov current           1.22.12 (set by /src/app/go.mod, which needs 1.22.0 or newer: ...)")]
pub struct Args {
    /// Print JSON: version, root, source, file, minimum, rule, reason
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let resolved = resolve::resolve(None, &settings.ctx, &settings.store)?;
    if args.json {
        let (source, file) = match &resolved.source {
            Source::Plus => ("plus", None),
            Source::Variable => ("variable", None),
            Source::File(p) => ("file", Some(p.display().to_string())),
            Source::Global => ("global", None),
        };
        let current = Current {
            version: resolved.version.to_string(),
            root: resolved.root.display().to_string(),
            source,
            file,
            minimum: resolved.module.map(|(m, _)| m.min().to_string()),
            rule: resolved.module.map(|(_, rule)| match rule {
                Rule::Toolchain => "toolchain",
                Rule::PreferredSeries => "preferred-series",
                Rule::Global => "global",
                Rule::OldestSeries => "oldest-series",
            }),
            reason: resolved.reason(),
        };
        super::print_json(&current);
    } else {
        let line = format!("{} ({})", resolved.version, resolved.reason());
        println!("{}", ui::escape(&line));
    }
    Ok(())
}
