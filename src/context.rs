//! Everything gov reads from the process: the current directory and the
//! variables of [`env_vars::READ`], read once. Resolution, the child
//! environment, downloads and doctor take a `Context`, so they are pure
//! functions of it and tests build one by hand.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use crate::env_vars;

#[derive(Debug, Clone, Default)]
pub struct Context {
    pub cwd: PathBuf,
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
        Ok(Context {
            cwd: std::env::current_dir()?,
            vars,
        })
    }

    /// A context with only these variables set (for tests).
    pub fn with_vars(cwd: PathBuf, vars: &[(&'static str, &str)]) -> Context {
        Context {
            cwd,
            vars: vars.iter().map(|(k, v)| (*k, OsString::from(v))).collect(),
        }
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
