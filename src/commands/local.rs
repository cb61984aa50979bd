//! `gov local [VERSION] [--unset]`: show or write `.go-version` here.

use std::io;

use crate::commands::parse_request;
use crate::error::{self, Error};
use crate::settings::Settings;
use crate::version_files::{self, FileKind};

pub fn run(settings: &Settings, version: Option<&str>, unset: bool) -> Result<(), Error> {
    let path = settings.ctx.cwd.join(FileKind::GoVersion.file_name());
    if unset {
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
    let Some(value) = version else {
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::failed(
                    format!("no .go-version in `{}`", settings.ctx.cwd.display()),
                    "run `gov local 1.22.4` to pin this directory, or `gov current` to see what is active".to_string(),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        return match version_files::parse_go_version(&text) {
            Some((_, v)) => {
                println!("{}", v.strip_prefix("go").unwrap_or(v));
                Ok(())
            }
            None => Err(version_files::VersionFileError::Empty { path }.into()),
        };
    };
    let request = parse_request(value)?;
    write_atomically(&path, &format!("{request}\n"))?;
    settings.say(format!("wrote {request} to `{}`", path.display()));
    if super::installed_match(&settings.store, &request).is_err() {
        error::warn(&format!(
            "Go {request} is not installed; run `gov install {request}`"
        ));
    }
    Ok(())
}

/// Writes a file through a temporary sibling and a rename.
pub fn write_atomically(path: &std::path::Path, text: &str) -> io::Result<()> {
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    fs_err::write(&tmp, text)?;
    fs_err::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
