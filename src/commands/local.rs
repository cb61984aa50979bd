//! `gov local [VERSION] [--unset]`: show or write `.go-version` here.

use std::io;

use crate::commands::parse_request;
use crate::download::Fetcher;
use crate::error::Error;
use crate::fsx;
use crate::index;
use crate::platform;
use crate::settings::Settings;
use crate::ui;
use crate::version_files::{self, FileKind};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov local 1.22.12     pin this directory (and those below) to a release
  gov local 1.22        the newest installed 1.22.x, whichever that is
  gov local --unset     remove the pin")]
pub struct Args {
    /// A release or request to write (none: print what .go-version says)
    version: Option<String>,
    /// Remove .go-version from the current directory
    #[arg(long, conflicts_with = "version")]
    unset: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let path = settings
        .ctx
        .require_cwd()?
        .join(FileKind::GoVersion.file_name());
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
    let installed = settings.store.pick(&request)?.is_some();
    if !installed {
        // A release that exists nowhere is refused; when the index cannot
        // be had (offline), gov says so and writes it anyway.
        let (os, arch) = platform::host();
        let index = match super::cached_index(settings) {
            Some(index) => Ok(index),
            None => index::load(
                &index::Source::of(&settings.sources, &settings.store, false),
                &Fetcher::new(&settings.sources),
            ),
        };
        match index {
            Ok(index) if index.pick(&request, os, arch).is_none() => {
                let nearest = super::nearest_names(&index, &request);
                return Err(Error::failed(
                    format!(
                        "no Go release is called {request}: not writing it to `{}`",
                        path.display()
                    ),
                    format!(
                        "the nearest releases are {}: run `gov local {}`",
                        nearest.join(", "),
                        nearest.first().map_or("1.22.4", String::as_str)
                    ),
                ));
            }
            Ok(_) => {}
            Err(e) => ui::warn(&format!(
                "cannot check that Go {request} exists ({e}); writing it anyway"
            )),
        }
    }
    fsx::write_atomic(&path, format!("{request}\n").as_bytes())?;
    settings.say(format!("wrote {request} to `{}`", path.display()));
    if !installed {
        ui::warn(&format!(
            "Go {request} is not installed; run `gov install {request}`"
        ));
    }
    Ok(())
}
