//! `gov current [--json]`: the active release and what selected it.

use serde::Serialize;

use crate::error::Error;
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
}

#[derive(Debug, clap::Args)]
pub struct Args {
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
        };
        super::print_json(&current);
    } else {
        let line = format!("{} (set by {})", resolved.version, resolved.source);
        println!("{}", ui::escape(&line));
    }
    Ok(())
}
