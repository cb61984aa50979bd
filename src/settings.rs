//! Flags, environment and defaults turned into one value the commands take.

use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::error::Error;
use crate::resolve::Context;
use crate::store::Store;

pub struct Settings {
    pub store: Store,
    pub ctx: Context,
    pub quiet: bool,
    pub verbose: bool,
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings, Error> {
        Ok(Settings {
            store: Store::from_process()?,
            ctx: Context::from_process()?,
            quiet: args.quiet,
            verbose: args.verbose,
        })
    }

    /// A status line for people, on stderr; `--quiet` drops it.
    pub fn say(&self, message: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", message.as_ref());
        }
    }

    /// The gov binary, which shims link to.
    pub fn exe(&self) -> Result<PathBuf, Error> {
        Ok(std::env::current_exe()?)
    }

    /// Brings the shims in line with the store after a change.
    pub fn refresh_shims(&self) -> Result<(), Error> {
        self.store.refresh_shims(&self.exe()?)?;
        Ok(())
    }
}
