//! `gov init SHELL`: the lines to evaluate in a shell's start-up file.

use std::path::Path;

use crate::commands::shells;
use crate::env_vars;
use crate::error::Error;
use crate::settings::Settings;
use crate::shell::{self, Shell};

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  echo 'eval \"$(gov init bash)\"' >> ~/.bashrc
  echo 'gov init fish | source' >> ~/.config/fish/config.fish
  eval \"$(gov init zsh --no-shims)\"    no shim: PATH follows the directory")]
pub struct Args {
    /// The shell whose start-up file evaluates the output
    #[arg(value_parser = shells(&["bash", "zsh", "fish"]))]
    shell: Shell,
    /// No shims: a per-shell directory on PATH, repointed on `cd`
    #[arg(long)]
    no_shims: bool,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    settings.refresh_shims()?;
    let runtime = settings.ctx.var(env_vars::XDG_RUNTIME_DIR).map(Path::new);
    let base = if args.no_shims {
        let base = shell::prepare_link_base(runtime)?;
        shell::clean_dead_shells(&base);
        base
    } else {
        shell::link_base(runtime, crate::fsx::my_uid())
    };
    print!(
        "{}",
        shell::init_script(
            args.shell,
            &settings.exe()?,
            &settings.store,
            !args.no_shims,
            &base
        )
    );
    Ok(())
}
