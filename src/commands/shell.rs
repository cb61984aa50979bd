//! `gov shell [VERSION] [--unset]`: prints the code that sets or unsets
//! `GOV_VERSION` in the current shell; the `gov` shell function that
//! `gov init` defines evaluates it.

use std::io::IsTerminal;

use crate::commands::{installed_match, parse_request, shells};
use crate::env_vars;
use crate::error::Error;
use crate::settings::Settings;
use crate::shell::Shell;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples (after `eval \"$(gov init bash)\"`):
  gov shell 1.21        this shell runs 1.21.x, whatever the directory says
  gov shell --unset     back to the directory's choice")]
pub struct Args {
    /// An installed release or request (none: print GOV_VERSION)
    version: Option<String>,
    /// Unset GOV_VERSION
    #[arg(long, conflicts_with = "version")]
    unset: bool,
    /// The shell to print code for (default: from $SHELL)
    #[arg(long, value_parser = shells(&["bash", "zsh", "fish", "sh"]))]
    shell: Option<Shell>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let shell = args
        .shell
        .unwrap_or_else(|| Shell::detect(settings.ctx.var(env_vars::SHELL)));
    let var = env_vars::GOV_VERSION;
    let code = match (args.version.as_deref(), args.unset) {
        (_, true) => shell.unset(var),
        (Some(value), false) => {
            let request = parse_request(value)?;
            installed_match(settings, &request)?;
            // A request prints as a plain word: digits, dots, letters.
            shell.set_word(var, &request.to_string())
        }
        (None, false) => {
            return match settings.ctx.var(var) {
                Some(v) => {
                    println!("{}", crate::ui::escape(&v.to_string_lossy()));
                    Ok(())
                }
                None => Err(Error::failed(
                    format!("{var} is not set in this shell"),
                    "run `gov shell 1.22.4` to choose a release for this shell".to_string(),
                )),
            };
        }
    };
    print!("{code}");
    if std::io::stdout().is_terminal() {
        settings.say(format!(
            "this is shell code: run `eval \"$(gov shell {})\"`, or set up `gov init` so `gov shell` applies it",
            args.version.as_deref().unwrap_or("--unset")
        ));
    }
    Ok(())
}
