//! Everything gov reads from the process: the current directory and the
//! variables of [`env_vars::READ`], read once. Resolution, the child
//! environment, downloads and doctor take a `Context`, so they are pure
//! functions of it and tests build one by hand.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::env_vars;

#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The current directory; empty when it no longer exists.
    pub cwd: PathBuf,
    /// The current directory was removed (`cwd` is empty): no version
    /// file applies, and commands that need it say so.
    cwd_gone: bool,
    /// The declared variables that are set; a few, so a list.
    vars: Vec<(&'static str, OsString)>,
}

impl Context {
    /// The context of this process.
    pub fn from_process() -> std::io::Result<Context> {
        // One pass over the environment (this runs on every `go` call).
        let vars = std::env::vars_os()
            .filter_map(|(name, value)| {
                let name = env_vars::READ.iter().find(|n| name == **n)?;
                Some((*name, value))
            })
            .collect();
        let (cwd, cwd_gone) = match std::env::current_dir() {
            Ok(cwd) => (cwd, false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (PathBuf::new(), true),
            Err(e) => return Err(e),
        };
        Ok(Context {
            cwd,
            cwd_gone,
            vars,
        })
    }

    /// A context with only these variables set (for tests).
    pub fn with_vars(cwd: PathBuf, vars: &[(&'static str, &str)]) -> Context {
        Context {
            cwd,
            cwd_gone: false,
            vars: vars.iter().map(|(k, v)| (*k, OsString::from(v))).collect(),
        }
    }

    /// Whether the current directory was removed.
    pub fn cwd_gone(&self) -> bool {
        self.cwd_gone
    }

    /// The current directory, for what cannot work without one: an error
    /// that says so when it was removed.
    pub fn require_cwd(&self) -> std::io::Result<&std::path::Path> {
        if self.cwd_gone {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the current directory no longer exists (it was removed); `cd` to one that does",
            ));
        }
        Ok(&self.cwd)
    }

    /// Looks at `dir` (relative to the current directory) instead, as
    /// `go -C DIR` does.
    pub fn change_dir(&mut self, dir: &std::path::Path) {
        if self.cwd_gone && dir.is_relative() {
            return;
        }
        // Real, so that walking up from it goes where Go goes.
        let dir = self.cwd.join(dir);
        self.cwd = std::fs::canonicalize(&dir).unwrap_or(dir);
        self.cwd_gone = false;
    }

    /// Sets `name` (for tests and for a context derived from another).
    pub fn set(&mut self, name: &'static str, value: impl Into<OsString>) {
        self.vars.retain(|(k, _)| *k != name);
        self.vars.push((name, value.into()));
    }

    /// The value of `name`, unless unset or empty: for gov an empty
    /// variable is an unset one.
    pub fn var(&self, name: &str) -> Option<&OsStr> {
        debug_assert!(env_vars::READ.contains(&name), "{name} is not declared");
        self.vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_os_str())
            .filter(|v| !v.is_empty())
    }

    /// [`Context::var`] as UTF-8 text; a value that is not is unset.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.var(name).and_then(OsStr::to_str)
    }

    /// A boolean variable: set to anything but empty, `0`, `false` or `no`.
    pub fn is_set(&self, name: &str) -> bool {
        self.text(name)
            .is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no"))
    }

    /// `PATH`, empty when unset.
    pub fn path(&self) -> &OsStr {
        self.var(env_vars::PATH).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_unset() {
        let ctx = Context::with_vars(
            PathBuf::from("/"),
            &[(env_vars::GOV_VERSION, ""), (env_vars::GOV_OFFLINE, "no")],
        );
        assert_eq!(ctx.var(env_vars::GOV_VERSION), None);
        assert!(!ctx.is_set(env_vars::GOV_OFFLINE));
        assert!(!ctx.is_set(env_vars::GOV_AUTO_INSTALL));
    }
}
