//! `gov link NAME DIR [--force]`: register an existing Go root.

use std::path::Path;

use crate::error::Error;
use crate::settings::Settings;
use crate::store;
use crate::ui;
use crate::version::Version;

pub fn run(settings: &Settings, name: &str, dir: &Path, force: bool) -> Result<(), Error> {
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
    let installed = settings.store.link(&version, dir, force)?;
    if let Some(says) = store::root_version(dir) {
        if Version::parse(&says).ok() != Some(version) {
            ui::warn(&format!(
                "`{}` says it is {says}, linked as Go {version} because of --force",
                dir.join("VERSION").display()
            ));
        }
    }
    settings.refresh_shims()?;
    settings.say(format!(
        "linked Go {version} -> {}",
        installed.linked_to().as_deref().unwrap_or(dir).display()
    ));
    Ok(())
}
