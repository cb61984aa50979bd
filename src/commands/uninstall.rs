//! `gov uninstall VERSION...`.

use crate::error::Error;
use crate::settings::Settings;
use crate::version::Version;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(required = true)]
    versions: Vec<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let wanted = args
        .versions
        .iter()
        .map(|v| Version::parse(v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut found = Vec::new();
    for version in wanted {
        match settings.store.find(&version)? {
            Some(installed) => found.push(installed),
            None => {
                return Err(Error::failed(
                    format!("cannot uninstall Go {version}: it is not installed"),
                    "run `gov list` to see what is installed".to_string(),
                ))
            }
        }
    }
    for installed in found {
        let version = installed.version;
        let linked_to = installed.linked_to();
        let was_global = settings.store.remove(&installed)?;
        match &linked_to {
            Some(dir) => settings.say(format!("unlinked Go {version} (kept `{}`)", dir.display())),
            None => settings.say(format!("uninstalled Go {version}")),
        }
        if was_global {
            settings.say(format!(
                "Go {version} was the global default; none is set now (run `gov global VERSION`)"
            ));
        }
    }
    Ok(())
}
