//! `gov uninstall VERSION...`.

use crate::error::Error;
use crate::settings::Settings;
use crate::version::Version;

pub fn run(settings: &Settings, versions: &[String]) -> Result<(), Error> {
    let wanted = versions
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
    let (os, arch) = crate::index::host_platform();
    for installed in found {
        let version = installed.version;
        // Not while another gov installs the same release.
        let _lock = crate::install::lock(
            &settings.store,
            &crate::install::lock_key(os, arch, &version),
            version,
        )?;
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
    settings.refresh_shims()
}
