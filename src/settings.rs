//! Flags, environment and defaults turned into one value the commands
//! take: the process [`Context`] (the one reader of the environment), the
//! store, where releases come from, and how much to say.

use std::path::PathBuf;

use crate::context::Context;
use crate::error::Error;
use crate::sources::Sources;
use crate::store::Store;

pub struct Settings {
    /// The user's store (seeing the system's), or with `--system` the
    /// system store itself.
    pub store: Store,
    pub system: bool,
    pub ctx: Context,
    pub sources: Sources,
    pub quiet: bool,
    pub verbose: bool,
}

impl Settings {
    /// With `system`, commands act on the system store, and everything
    /// they create is `0755`/`0644` whatever the umask, as a store every
    /// user reads must be.
    pub fn resolve(quiet: bool, verbose: bool, system: bool) -> Result<Settings, Error> {
        let ctx = Context::from_process()?;
        if ctx.cwd_gone() {
            crate::ui::warn("the current directory no longer exists: no version file applies here");
        }
        let store = if system {
            // SAFETY: umask(2) cannot fail.
            unsafe { libc::umask(0o022) };
            Store::system_from_context(&ctx)?
        } else {
            Store::from_context(&ctx)?
        };
        let store = store.with_shim_target(std::env::current_exe()?);
        Ok(Settings {
            store,
            system,
            sources: Sources::from_context(&ctx),
            ctx,
            quiet,
            verbose,
        })
    }

    /// Progress bars, unless `--quiet` ([`crate::ui::Progress`] shows them
    /// on a terminal only).
    pub fn progress(&self) -> bool {
        !self.quiet
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

    /// Before a command writes to the store: one the user cannot write to is
    /// refused up front, naming it, its owner and the fix.
    pub fn check_writable(&self) -> Result<(), Error> {
        let home = self.store.home();
        let probe = home.ancestors().find(|p| p.exists()).unwrap_or(home);
        let Ok(path) = std::ffi::CString::new(probe.as_os_str().as_encoded_bytes()) else {
            return Ok(());
        };
        // SAFETY: access(2) on a NUL-terminated path.
        if unsafe { libc::access(path.as_ptr(), libc::W_OK) } == 0 {
            // Root can write anywhere, but never to another account's store.
            self.store.check_owner()?;
            return Ok(());
        }
        // Only a store that belongs to someone else is refused here; any
        // other failure (a read-only file system) is the write's to report.
        if std::io::Error::last_os_error().raw_os_error() != Some(libc::EACCES) {
            return Ok(());
        }
        let owner = crate::store::owner_of(probe);
        if !self.system {
            return Err(Error::failed(
                format!(
                    "cannot write to your store `{}`: it belongs to {owner}",
                    probe.display()
                ),
                "set GOV_HOME to a directory of your own (or have its owner give it to you)"
                    .to_string(),
            ));
        }
        // The command as given, quoted for a shell, under sudo; sudo drops
        // most variables, so a system store elsewhere is named explicitly.
        let sh = crate::shell::Shell::Sh;
        let args = sh.command_line(std::env::args_os().skip(1));
        let home = match self.ctx.var(crate::env_vars::GOV_SYSTEM_HOME) {
            Some(h) => format!("GOV_SYSTEM_HOME={} ", sh.word(&h.to_string_lossy())),
            None => String::new(),
        };
        Err(Error::failed(
            format!(
                "cannot write to the system store `{}`: it belongs to {owner}",
                probe.display()
            ),
            format!("run it as the store's owner: `sudo {home}gov {}`", args),
        ))
    }

    /// Brings the shims in line with the store.
    pub fn refresh_shims(&self) -> Result<(), Error> {
        self.store.refresh_shims(&self.exe()?)?;
        Ok(())
    }
}
