//! Flags, environment and defaults turned into one value the commands take.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::GlobalArgs;
use crate::env_vars;
use crate::error::Error;
use crate::index::DEFAULT_INDEX_URL;
use crate::resolve::Context;
use crate::store::Store;

/// go.dev's archives, the default of `GOV_DOWNLOAD_URL`.
pub const DEFAULT_DOWNLOAD_URL: &str = "https://dl.google.com/go/";

pub struct Settings {
    pub store: Store,
    pub ctx: Context,
    pub quiet: bool,
    pub verbose: bool,
    pub network: Network,
}

/// Where releases come from.
pub struct Network {
    pub index_url: String,
    pub download_url: String,
    pub offline: bool,
}

impl Network {
    pub fn from_env() -> Network {
        let var = |name, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string())
        };
        Network {
            index_url: var(env_vars::GOV_INDEX_URL, DEFAULT_INDEX_URL),
            download_url: var(env_vars::GOV_DOWNLOAD_URL, DEFAULT_DOWNLOAD_URL),
            offline: is_set(env_vars::GOV_OFFLINE),
        }
    }
}

impl Network {
    /// Where the index comes from, cached in the store.
    pub fn index_source<'a>(&'a self, store: &Store, refresh: bool) -> crate::index::Source<'a> {
        crate::index::Source {
            url: &self.index_url,
            cache: store.home().join("cache/index.json"),
            offline: self.offline,
            refresh,
        }
    }
}

/// A boolean variable: set to anything but empty, `0`, `false` or `no`.
pub fn is_set(name: &str) -> bool {
    std::env::var(name)
        .is_ok_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "false" | "no"))
}

impl Settings {
    pub fn resolve(args: &GlobalArgs) -> Result<Settings, Error> {
        Ok(Settings {
            store: Store::from_process()?,
            ctx: Context::from_process()?,
            quiet: args.quiet,
            verbose: args.verbose,
            network: Network::from_env(),
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
