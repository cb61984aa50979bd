//! `gov which [PROGRAM]`: the full path of a program of the active release.

use crate::error::Error;
use crate::goroot::GoRoot;
use crate::resolve;
use crate::settings::Settings;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov which             the active release's go
  gov which gofmt")]
pub struct Args {
    /// The program in the release's bin/
    #[arg(default_value = "go")]
    program: String,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    let program = args.program.as_str();
    let resolved = resolve::resolve(None, &settings.ctx, &settings.store)?;
    let path = GoRoot::new(&resolved.root).program(program);
    if !path.exists() {
        return Err(Error::failed(
            format!(
                "Go {} has no program `{program}`: `{}` does not exist",
                resolved.version,
                path.display()
            ),
            format!(
                "run `ls {}` to see its programs",
                resolved.root.join("bin").display()
            ),
        ));
    }
    println!("{}", crate::ui::escape(&path.display().to_string()));
    Ok(())
}
