//! `gov link NAME DIR`: register an existing Go root.

use std::path::Path;

use crate::error::{self, Error};
use crate::settings::Settings;
use crate::version::Version;

pub fn run(settings: &Settings, name: &str, dir: &Path) -> Result<(), Error> {
    let version = Version::parse(name)?;
    if version.is_language_version() {
        return Err(Error::usage(
            format!("`{name}` is a language version, not a release"),
            format!(
                "name the release, such as `gov link {name}.0 {}`",
                dir.display()
            ),
        ));
    }
    if let Some(found) = read_version_file(dir) {
        if found != Some(version) {
            let said = found.map_or("something that is not a version".to_string(), |v| {
                v.to_string()
            });
            error::warn(&format!(
                "`{}` says it is Go {said}, but it is linked as {version}",
                dir.join("VERSION").display()
            ));
        }
    }
    let installed = settings.store.link(&version, dir)?;
    settings.refresh_shims()?;
    settings.say(format!(
        "linked Go {version} -> {}",
        installed.linked_to().as_deref().unwrap_or(dir).display()
    ));
    Ok(())
}

/// `DIR/VERSION`, line 1 (`go1.19.8`): `None` when the file is absent,
/// `Some(None)` when it does not hold a version.
fn read_version_file(dir: &Path) -> Option<Option<Version>> {
    let text = std::fs::read_to_string(dir.join("VERSION")).ok()?;
    let first = text.lines().next().unwrap_or("").trim();
    Some(Version::parse(first).ok())
}
