//! Go's releases as the vulnerability database writes them: semantic
//! versions without the `v` (`1.21.0`, `1.21.0-rc.2`, `1.21.0-0`), ordered
//! as semver orders them (golang.org/x/mod/semver). A Go release maps to one
//! as govulncheck maps it: `go1.21rc2` is `1.21.0-rc.2`, `go1.20` is
//! `1.20.0`, `go1.9.2rc2` is `1.9.2-rc.2`. The database's `1.21.0-0` is
//! the lowest version of the 1.21 series, below every pre-release of it.

use std::cmp::Ordering;
use std::fmt;

use crate::version::{Pre, Stage, Version};

/// One dot-separated pre-release identifier: numbers sort before words.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ident {
    Number(u64),
    Word(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semver {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pre: Vec<Ident>,
}

impl Semver {
    /// `1.21.0`, `v1.21.0`, `1.21.0-rc.2`, `1.21.0-0`; build metadata
    /// (`+x`) is ignored, as semver says. `None` for anything else
    /// (`1.21`, `1.21rc2`, leading zeros, empty identifiers).
    pub fn parse(text: &str) -> Option<Semver> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text.split_once('+').map_or(text, |(v, _)| v);
        let (core, pre) = match text.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (text, None),
        };
        let mut numbers = core.split('.').map(number);
        let (Some(Some(major)), Some(Some(minor)), Some(Some(patch)), None) = (
            numbers.next(),
            numbers.next(),
            numbers.next(),
            numbers.next(),
        ) else {
            return None;
        };
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => pre
                .split('.')
                .map(|id| {
                    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        None
                    } else if id.bytes().all(|b| b.is_ascii_digit()) {
                        number(id).map(Ident::Number)
                    } else {
                        Some(Ident::Word(id.to_string()))
                    }
                })
                .collect::<Option<Vec<_>>>()?,
        };
        Some(Semver {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// A Go release as the database writes it (`1.21rc2` → `1.21.0-rc.2`).
    /// A language version (`1.22`) is the lowest of its series, `1.22.0-0`.
    pub fn of_release(v: &Version) -> Semver {
        let mut pre = match v.pre {
            Some(p) => vec![
                Ident::Word(
                    match p.stage {
                        Stage::Alpha => "alpha",
                        Stage::Beta => "beta",
                        Stage::Rc => "rc",
                    }
                    .into(),
                ),
                Ident::Number(p.number),
            ],
            None => Vec::new(),
        };
        if v.is_language_version() {
            pre = vec![Ident::Number(0)];
        }
        Semver {
            major: v.major,
            minor: v.minor.unwrap_or(0),
            patch: v.patch.unwrap_or(0),
            pre,
        }
    }

    /// The Go release this names (`1.21.0-rc.2` → `1.21rc2`, `1.20.0` →
    /// `1.20`, as Go named its releases before 1.21); `None` for what is
    /// no release (`1.21.0-0`, `1.21.0-pre`).
    pub fn to_release(&self) -> Option<Version> {
        let pre = match self.pre.as_slice() {
            [] => None,
            [Ident::Word(stage), Ident::Number(number)] => Some(Pre {
                stage: match stage.as_str() {
                    "alpha" => Stage::Alpha,
                    "beta" => Stage::Beta,
                    "rc" => Stage::Rc,
                    _ => return None,
                },
                number: *number,
            }),
            _ => return None,
        };
        // Pre-releases of a series' first release have no patch
        // (`go1.21rc2`), nor, before 1.21, had that release (`go1.20`).
        let no_patch = self.patch == 0
            && self.minor > 0
            && (pre.is_some() || (self.major == 1 && self.minor < 21));
        Some(Version {
            major: self.major,
            minor: Some(self.minor),
            patch: (!no_patch).then_some(self.patch),
            pre,
        })
    }

    /// The release a `fixed` bound stands for: [`Semver::to_release`], and
    /// for the lowest version of a series (`1.21.0-0`, "fixed from the
    /// start of 1.21") the series' first release.
    pub fn to_fixing_release(&self) -> Option<Version> {
        if self.pre == [Ident::Number(0)] {
            return Semver {
                pre: Vec::new(),
                ..self.clone()
            }
            .to_release();
        }
        self.to_release()
    }

    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }
}

fn number(text: &str) -> Option<u64> {
    let ok = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    ok.then(|| text.parse().ok()).flatten()
}

impl Ord for Semver {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                // Identifier by identifier; more of them wins a tie.
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Semver {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Semver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (i, id) in self.pre.iter().enumerate() {
            f.write_str(if i == 0 { "-" } else { "." })?;
            match id {
                Ident::Number(n) => write!(f, "{n}")?,
                Ident::Word(w) => f.write_str(w)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Semver {
        Semver::parse(text).unwrap_or_else(|| panic!("{text}"))
    }

    fn go(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn maps_go_releases_as_govulncheck_does() {
        for (release, semver) in [
            ("1.21.0", "1.21.0"),
            ("1.21rc2", "1.21.0-rc.2"),
            ("1.20", "1.20.0"),
            ("1.20rc1", "1.20.0-rc.1"),
            ("1.20beta1", "1.20.0-beta.1"),
            ("1.9.2rc2", "1.9.2-rc.2"),
            ("1.22.12", "1.22.12"),
            ("1", "1.0.0"),
            ("1.22", "1.22.0-0"),
        ] {
            assert_eq!(Semver::of_release(&go(release)).to_string(), semver);
        }
        for (semver, release) in [
            ("1.21.0", Some("1.21.0")),
            ("1.21.0-rc.4", Some("1.21rc4")),
            ("1.20.0", Some("1.20")),
            ("1.20.0-rc.1", Some("1.20rc1")),
            ("1.19.8", Some("1.19.8")),
            ("1.21.0-0", None),
            ("1.21.0-pre.1", None),
        ] {
            let got = s(semver).to_release().map(|v| v.to_string());
            assert_eq!(got.as_deref(), release, "{semver}");
        }
    }

    #[test]
    fn orders_as_semver() {
        let ordered = [
            "1.20.0",
            "1.21.0-0",
            "1.21.0-beta.1",
            "1.21.0-rc.1",
            "1.21.0-rc.2",
            "1.21.0-rc.10",
            "1.21.0",
            "1.21.1",
            "1.21.10",
            "1.22.0-0",
            "1.22.0",
        ];
        for pair in ordered.windows(2) {
            assert!(s(pair[0]) < s(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(s("v1.21.0"), s("1.21.0+meta"));
    }

    #[test]
    fn refuses_what_is_not_semver() {
        for bad in [
            "",
            "1.21",
            "1.21rc2",
            "1.21.0-",
            "1.21.0-rc..1",
            "01.2.3",
            "1.2.3.4",
            "1.2.x",
            "go1.2.3",
            "1.2.3-rc/1",
        ] {
            assert_eq!(Semver::parse(bad), None, "{bad:?}");
        }
    }
}
