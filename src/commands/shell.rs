//! `gov shell [VERSION] [--unset]`: prints the code that sets or unsets
//! `GOV_VERSION` in the current shell; the `gov` shell function that
//! `gov init` defines evaluates it.

use std::io::IsTerminal;
use std::path::Path;

use crate::cli::ShellKind;
use crate::commands::{installed_match, parse_request};
use crate::env_vars;
use crate::error::Error;
use crate::settings::Settings;

pub fn run(
    settings: &Settings,
    version: Option<&str>,
    unset: bool,
    shell: Option<ShellKind>,
) -> Result<(), Error> {
    let shell = shell.unwrap_or_else(detect);
    let var = env_vars::GOV_VERSION;
    let code = match (version, unset) {
        (_, true) => match shell {
            ShellKind::Fish => format!("set -e {var}"),
            _ => format!("unset {var}"),
        },
        (Some(value), false) => {
            let request = parse_request(value)?;
            installed_match(&settings.store, &request)?;
            match shell {
                ShellKind::Fish => format!("set -gx {var} {request}"),
                _ => format!("export {var}={request}"),
            }
        }
        (None, false) => {
            return match settings.ctx.gov_version.as_ref().filter(|v| !v.is_empty()) {
                Some(v) => {
                    println!("{}", v.to_string_lossy());
                    Ok(())
                }
                None => Err(Error::failed(
                    format!("{var} is not set in this shell"),
                    "run `gov shell 1.22.4` to choose a release for this shell".to_string(),
                )),
            };
        }
    };
    println!("{code}");
    if std::io::stdout().is_terminal() {
        settings.say(format!(
            "this is shell code: run `eval \"$(gov shell {})\"`, or set up `gov init` so `gov shell` applies it",
            version.unwrap_or("--unset")
        ));
    }
    Ok(())
}

fn detect() -> ShellKind {
    let shell = std::env::var_os(env_vars::SHELL).unwrap_or_default();
    match Path::new(&shell).file_name().and_then(|n| n.to_str()) {
        Some("fish") => ShellKind::Fish,
        Some("zsh") => ShellKind::Zsh,
        Some("bash") => ShellKind::Bash,
        _ => ShellKind::Sh,
    }
}
