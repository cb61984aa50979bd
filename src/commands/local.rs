//! `gov local [VERSION] [--unset]`: show or write `.go-version` here.

use std::io;

use crate::commands::parse_request;
use crate::error::Error;
use crate::fsx;
use crate::settings::Settings;
use crate::ui;
use crate::version_files::{self, FileKind};

#[derive(Debug, clap::Args)]
pub struct Args {
    version: Option<String>,
    /// Remove .go-version from the current directory
    #[arg(long, conflicts_with = "version")]
    unset: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let path = settings.ctx.cwd.join(FileKind::GoVersion.file_name());
    if args.unset {
        return match fs_err::remove_file(&path) {
            Ok(()) => {
                settings.say(format!("removed `{}`", path.display()));
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                settings.say(format!("no `{}` to remove", path.display()));
                Ok(())
            }
            Err(e) => Err(e.into()),
        };
    }
    let Some(value) = args.version.as_deref() else {
        let Some(text) = version_files::read(&path)? else {
            return Err(Error::failed(
                format!("no .go-version in `{}`", settings.ctx.cwd.display()),
                "run `gov local 1.22.4` to pin this directory, or `gov current` to see what is active".to_string(),
            ));
        };
        return match version_files::parse_go_version(&text) {
            Some((_, v)) => {
                println!("{}", ui::escape(v.strip_prefix("go").unwrap_or(v)));
                Ok(())
            }
            None => Err(version_files::VersionFileError::Empty { path }.into()),
        };
    };
    let request = parse_request(value)?;
    fsx::write_atomic(&path, format!("{request}\n").as_bytes())?;
    settings.say(format!("wrote {request} to `{}`", path.display()));
    if super::installed_match(&settings.store, &request).is_err() {
        ui::warn(&format!(
            "Go {request} is not installed; run `gov install {request}`"
        ));
    }
    Ok(())
}
