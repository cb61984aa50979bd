//! `gov link NAME DIR [--force]`: register an existing Go root.

use std::path::PathBuf;

use crate::error::Error;
use crate::goroot::{self, GoRoot};
use crate::settings::Settings;
use crate::ui;
use crate::version::Version;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov link 1.19.8 /usr/lib/go-1.19     Debian's golang-1.19-go
  gov link 1.23.0 ~/src/go --force     a Go built from source, without VERSION")]
pub struct Args {
    /// The release it is, such as 1.19.8
    name: String,
    /// The directory that holds bin/go
    dir: PathBuf,
    /// Link it even though its VERSION names another release, or it has
    /// nothing but bin/go
    #[arg(long)]
    force: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    settings.check_writable()?;
    let (name, dir, force) = (args.name.as_str(), args.dir.as_path(), args.force);
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
    let installed = settings.store.link(&version, dir, force, None)?;
    if let Some(says) = GoRoot::new(dir).version_line() {
        match goroot::release_named_by(&says) {
            Some(v) if v == version => {}
            Some(_) => ui::warn(&format!(
                "`{}` says it is {says}, linked as Go {version} because of --force",
                GoRoot::new(dir).version_file().display()
            )),
            None => ui::warn(&format!(
                "`{}` says `{says}`, which names no release; linked as Go {version}",
                GoRoot::new(dir).version_file().display()
            )),
        }
    }
    settings.say(format!(
        "linked Go {version} -> {}",
        installed.linked_to().as_deref().unwrap_or(dir).display()
    ));
    Ok(())
}
