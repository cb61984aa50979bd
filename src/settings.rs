//! Flags, environment and defaults turned into one value the commands
//! take: the process [`Context`] (the one reader of the environment), the
//! store, where releases come from, and how much to say.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::context::Context;
use crate::error::Error;
use crate::sources::Sources;
use crate::store::Store;

pub struct Settings {
    pub store: Store,
    pub ctx: Context,
    pub sources: Sources,
    pub quiet: bool,
    pub verbose: bool,
}

impl Settings {
    pub fn resolve(quiet: bool, verbose: bool) -> Result<Settings, Error> {
        let ctx = Context::from_process()?;
        let store = Store::from_context(&ctx)?.with_shim_target(std::env::current_exe()?);
        Ok(Settings {
            store,
            sources: Sources::from_context(&ctx),
            ctx,
            quiet,
            verbose,
        })
    }

    /// Progress bars: on a terminal only, never with `--quiet`.
    pub fn progress(&self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// A status line for people, on stderr; `--quiet` drops it.
    pub fn say(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", crate::ui::escape(message.as_ref()));
        }
    }

    /// With `--verbose`: what gov decided, as a `gov:` line on stderr.
    pub fn explain(&self, message: impl AsRef<str>) {
        if self.verbose {
            eprintln!("gov: {}", crate::ui::escape(message.as_ref()));
        }
    }

    /// The gov binary, which shims link to.
    pub fn exe(&self) -> Result<PathBuf, Error> {
        Ok(std::env::current_exe()?)
    }

    /// Brings the shims in line with the store.
    pub fn refresh_shims(&self) -> Result<(), Error> {
        self.store.refresh_shims(&self.exe()?)?;
        Ok(())
    }
}
