//! `gov uninstall VERSION...`.

use crate::commands::parse_request;
use crate::error::Error;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov uninstall 1.21.13        one release
  gov uninstall 1.21           the one installed 1.21.x (refused if several are)")]
pub struct Args {
    /// Releases, or requests that each match one installed release
    #[arg(required = true)]
    versions: Vec<String>,
    /// Another platform's releases (as installed with `gov install --os`)
    #[arg(long, requires = "arch")]
    os: Option<String>,
    #[arg(long, requires = "os")]
    arch: Option<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    settings.check_writable()?;
    if let (Some(os), Some(arch)) = (&args.os, &args.arch) {
        let platform = crate::platform::Platform {
            os: os.clone(),
            arch: arch.clone(),
        };
        if !platform.is_host() {
            for v in &args.versions {
                let version = crate::version::Version::parse(v.trim())?;
                if !settings.store.remove_for_platform(&platform, &version)? {
                    return Err(Error::failed(
                        format!(
                            "cannot uninstall Go {version} for {platform}: it is not installed"
                        ),
                        "run `gov list --all-platforms` to see what is".to_string(),
                    ));
                }
                settings.say(format!("uninstalled Go {version} for {platform}"));
            }
            return Ok(());
        }
    }
    let wanted = args
        .versions
        .iter()
        .map(|v| parse_request(v))
        .collect::<Result<Vec<_>, _>>()?;
    // Every request must name exactly one installed release before any
    // is removed.
    let installed = settings.store.installed()?;
    let mut found = Vec::new();
    for request in wanted {
        let matches: Vec<_> = installed
            .iter()
            .filter(|i| request.matches(&i.version) && !i.version.is_language_version())
            .collect();
        match matches.as_slice() {
            [one] => found.push((*one).clone()),
            [] => {
                return Err(Error::failed(
                    format!("cannot uninstall Go {request}: it is not installed"),
                    "run `gov list` to see what is installed".to_string(),
                ))
            }
            several => {
                let names: Vec<String> = several.iter().map(|i| i.version.to_string()).collect();
                return Err(Error::failed(
                    format!(
                        "`{request}` matches several installed releases: {}",
                        names.join(", ")
                    ),
                    format!(
                        "name the ones to remove, such as `gov uninstall {}`",
                        names[0]
                    ),
                ));
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
