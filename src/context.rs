//! Everything gov reads from the process: the current directory and the
//! variables of [`env_vars::READ`], read once. Resolution, the child
//! environment, downloads and doctor take a `Context`, so they are pure
//! functions of it and tests build one by hand.

use std::ffi::{OsStr, OsString};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

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
    pub fn require_cwd(&self) -> Result<&std::path::Path, CwdGone> {
        if self.cwd_gone {
            return Err(CwdGone);
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

    /// A duration given in `unit`s (`30`, `0.5`): `default` when unset,
    /// else a plain decimal number within `range`, or an error naming the
    /// variable and what it takes. Never a panic, never a silent default.
    pub fn duration(
        &self,
        name: &'static str,
        unit: Unit,
        range: RangeInclusive<f64>,
        default: Duration,
    ) -> Result<Duration, BadValue> {
        let Some(value) = self.var(name) else {
            return Ok(default);
        };
        value
            .to_str()
            .and_then(|text| parse_duration(text, unit, &range))
            .ok_or_else(|| BadValue {
                name,
                value: value.to_string_lossy().into_owned(),
                accepts: format!(
                    "a number of {} from {} to {}",
                    unit.name(),
                    range.start(),
                    range.end()
                ),
            })
    }

    /// `PATH`, empty when unset.
    pub fn path(&self) -> &OsStr {
        self.var(env_vars::PATH).unwrap_or_default()
    }
}

/// The current directory was removed, and a command needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the current directory no longer exists: it was removed")]
pub struct CwdGone;

impl CwdGone {
    pub fn hint(&self) -> String {
        "`cd` to a directory that exists, then run the command again".into()
    }
}

/// A variable whose value gov cannot take: its name, its value and what
/// it takes instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} is `{value}`, but it takes {accepts}")]
pub struct BadValue {
    pub name: &'static str,
    pub value: String,
    pub accepts: String,
}

/// The unit a duration variable is given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Milliseconds,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Milliseconds => "milliseconds",
        }
    }

    fn in_seconds(self) -> f64 {
        match self {
            Unit::Seconds => 1.0,
            Unit::Milliseconds => 0.001,
        }
    }
}

/// `text` as a duration of `unit`s: digits with at most one `.`, within
/// `range` (surrounding blanks ignored); `None` for anything else, signs,
/// exponents, `inf` and `nan` included.
pub fn parse_duration(text: &str, unit: Unit, range: &RangeInclusive<f64>) -> Option<Duration> {
    let text = text.trim();
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let dots = text.bytes().filter(|b| *b == b'.').count();
    if digits == 0 || dots > 1 || digits + dots != text.len() {
        return None;
    }
    let number: f64 = text.parse().ok()?;
    if !range.contains(&number) {
        return None;
    }
    Duration::try_from_secs_f64(number * unit.in_seconds()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn durations_in_range_or_a_clear_error() {
        let range = 0.1..=86_400.0;
        let secs = |t| parse_duration(t, Unit::Seconds, &range);
        assert_eq!(secs("30"), Some(Duration::from_secs(30)));
        assert_eq!(secs(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(secs("86400"), Some(Duration::from_secs(86_400)));
        for bad in [
            "",
            ".",
            "0",
            "0.01",
            "86401",
            "-1",
            "+1",
            "1e3",
            "inf",
            "NaN",
            "1.2.3",
            "1 2",
            "99999999999999999999999999999",
        ] {
            assert_eq!(secs(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_duration("1500", Unit::Milliseconds, &(0.0..=600_000.0)),
            Some(Duration::from_millis(1500))
        );
        let ctx = Context::with_vars(PathBuf::from("/"), &[(env_vars::GOV_HTTP_TIMEOUT, "1e400")]);
        let err = ctx
            .duration(
                env_vars::GOV_HTTP_TIMEOUT,
                Unit::Seconds,
                range,
                Duration::ZERO,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "GOV_HTTP_TIMEOUT is `1e400`, but it takes a number of seconds from 0.1 to 86400"
        );
    }

    proptest! {
        #[test]
        fn prop_any_text_is_a_duration_in_range_or_none(text in "\\PC{0,24}|[0-9.]{1,30}") {
            for (unit, range) in [
                (Unit::Seconds, 0.1..=86_400.0),
                (Unit::Milliseconds, 0.0..=600_000.0),
            ] {
                if let Some(d) = parse_duration(&text, unit, &range) {
                    let (low, high) = (range.start() * unit.in_seconds(), range.end() * unit.in_seconds());
                    prop_assert!(d.as_secs_f64() >= low * 0.999_999 && d.as_secs_f64() <= high * 1.000_001, "{text:?} gave {d:?}");
                }
            }
        }

        #[test]
        fn prop_any_variable_value_parses_or_names_itself(text in "\\PC{1,24}|[0-9.]{1,30}") {
            let ctx = Context::with_vars(PathBuf::from("/"), &[(env_vars::GOV_RETRY_DELAY_MS, &text)]);
            match ctx.duration(env_vars::GOV_RETRY_DELAY_MS, Unit::Milliseconds, 0.0..=600_000.0, Duration::ZERO) {
                Ok(d) => prop_assert!(d <= Duration::from_secs(600)),
                Err(e) => {
                    prop_assert_eq!(e.name, env_vars::GOV_RETRY_DELAY_MS);
                    prop_assert!(e.to_string().contains("from 0 to 600000"));
                }
            }
        }
    }

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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Every variable gov reads, set to anything at all: each value is
        /// used, or refused with an error that names it; never a panic.
        #[test]
        fn prop_any_environment_is_read_or_refused_without_panic(
            values in proptest::collection::vec(
                proptest::option::of(proptest::prop_oneof![
                    "\\PC{0,40}",
                    "[0-9.e+-]{0,24}",
                    "(/|[a-z]+://)[\\PC&&[^\\x00]]{0,30}",
                    proptest::strategy::Just("18446744073709551616".to_string()),
                ]),
                env_vars::READ.len(),
            )
        ) {
            let tmp = tempfile::tempdir().unwrap();
            let mut ctx = Context::with_vars(tmp.path().to_path_buf(), &[]);
            for (name, value) in env_vars::READ.iter().zip(&values) {
                if let Some(value) = value {
                    ctx.set(name, value.as_str());
                }
            }
            let _ = ctx.is_set(env_vars::GOV_OFFLINE);
            let _ = crate::sources::Patience::from_context(&ctx);
            let _ = crate::sources::Sources::from_context(&ctx);
            let _ = crate::store::Store::system_home(&ctx);
            if let Some(key) = crate::toolchain_env::job_key(&ctx) {
                proptest::prop_assert!(key.len() <= 96, "{key}");
                proptest::prop_assert!(!key.contains('/') && key != "." && key != "..");
            }
            // With a store of its own, selection and the child environment.
            ctx.set(env_vars::GOV_HOME, tmp.path().join("gov").into_os_string());
            ctx.set(env_vars::GOV_SYSTEM_HOME, tmp.path().join("system").into_os_string());
            let Ok(store) = crate::store::Store::from_context(&ctx) else {
                return Ok(());
            };
            let _ = crate::resolve::resolve(None, &ctx, &store);
            let _ = crate::toolchain_env::ToolchainEnv::new(&tmp.path().join("go"), &ctx);
        }
    }
}
