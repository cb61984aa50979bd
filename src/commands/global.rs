//! `gov global [VERSION]`: show or set the global default.

use crate::commands::{installed_match, parse_request};
use crate::error::Error;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov global            print it
  gov global 1.22       the newest installed 1.22.x, for every directory that asks for nothing else")]
pub struct Args {
    /// An installed release or a request such as 1.22 (none: print it)
    version: Option<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let Some(value) = args.version.as_deref() else {
        return match settings.store.global() {
            Some(v) => {
                println!("{v}");
                Ok(())
            }
            None => Err(Error::failed(
                "no global default is set",
                "run `gov global 1.22.4` (see `gov list` for what is installed)".to_string(),
            )),
        };
    };
    let request = parse_request(value)?;
    let installed = installed_match(settings, &request)?;
    settings
        .store
        .set_global(&installed, &format!("gov global {value}"))?;
    settings.say(format!("global default is now Go {}", installed.version));
    Ok(())
}
