//! What a user asks for: `1.22.4`, `1.22`, `1`, `latest`, `1.23rc1`.
//!
//! For running, a partial request picks the newest *installed* match; for
//! installing, the newest *available* stable match. Both are
//! [`Request::pick`] over a different list.

use std::fmt;

use crate::version::{ParseVersionError, Version};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `latest`: the newest stable release.
    Latest,
    /// `1`: the newest stable `1.x`.
    Major(u64),
    /// `1.22`: the newest stable `1.22.x` (for old series, `1.20` itself
    /// counts as a member).
    Series(u64, u64),
    /// `1.22.4`, `1.23rc1`, `1.20`: exactly that release.
    Exact(Version),
    /// The newest release of `v`'s series not older than `v`: what
    /// `gov install` fetches for a `go 1.22.4` line.
    AtLeast(Version),
    /// What a go.mod or go.work asks for: see [`Module`]. Boxed: it holds
    /// two versions, and requests travel inside errors.
    Module(Box<Module>),
}

/// A go.mod's or go.work's `go` and `toolchain` lines, as Go reads them
/// (go.dev/doc/toolchain): the `go` line is a minimum; a `toolchain` line
/// (not `default`, not older than the `go` line) raises it and names the
/// preferred release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Module {
    pub go: Option<Version>,
    pub toolchain: Option<Version>,
}

/// Which of SPEC 2's rules chose a release for a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// a. the `toolchain` line's release, installed.
    Toolchain,
    /// b. the newest installed release of the preferred series.
    PreferredSeries,
    /// c. the global default, not older than the minimum.
    Global,
    /// d. the newest release of the oldest installed series that reaches
    /// the minimum.
    OldestSeries,
}

impl Module {
    /// A toolchain line older than the go line means nothing, as in Go.
    pub fn new(go: Option<Version>, toolchain: Option<Version>) -> Option<Module> {
        let toolchain = match (toolchain, go) {
            (Some(t), Some(g)) if t < g => None,
            (t, _) => t,
        };
        (go.is_some() || toolchain.is_some()).then_some(Module { go, toolchain })
    }

    /// MIN: the higher of the two lines.
    pub fn min(&self) -> Version {
        match (self.go, self.toolchain) {
            (Some(g), Some(t)) => g.max(t),
            (Some(v), None) | (None, Some(v)) => v,
            (None, None) => unreachable!("a module names a version"),
        }
    }

    /// The series of the `toolchain` line, else of the `go` line.
    pub fn preferred_series(&self) -> (u64, u64) {
        self.toolchain
            .or(self.go)
            .map(|v| v.series())
            .unwrap_or((1, 0))
    }

    /// What `gov install` fetches so that selection succeeds: the
    /// `toolchain` line's release, else the newest of the `go` line's
    /// series.
    pub fn install_request(&self) -> Request {
        match self.toolchain {
            Some(t) => Request::Exact(t),
            None => Request::AtLeast(self.min()),
        }
    }

    /// SPEC 2's rules a–d over the installed releases and the global
    /// default; never a release older than [`Module::min`].
    pub fn choose(
        &self,
        installed: &[Version],
        global: Option<Version>,
    ) -> Option<(Version, Rule)> {
        let min = self.min();
        let releases: Vec<Version> = installed
            .iter()
            .copied()
            .filter(|v| !v.is_language_version())
            .collect();
        if let Some(t) = self
            .toolchain
            .and_then(|t| releases.iter().copied().find(|v| *v == t))
        {
            return Some((t, Rule::Toolchain));
        }
        let series = self.preferred_series();
        let newest_of = |series: (u64, u64)| {
            releases
                .iter()
                .copied()
                .filter(|v| v.series() == series && *v >= min)
                .max()
        };
        if let Some(v) = newest_of(series) {
            return Some((v, Rule::PreferredSeries));
        }
        if let Some(g) = global.filter(|g| *g >= min && !g.is_language_version()) {
            return Some((g, Rule::Global));
        }
        let oldest = releases
            .iter()
            .filter(|v| **v >= min)
            .map(|v| v.series())
            .min()?;
        newest_of(oldest).map(|v| (v, Rule::OldestSeries))
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} or newer", self.min())
    }
}

impl Request {
    pub fn parse(input: &str) -> Result<Request, ParseVersionError> {
        if input == "latest" {
            return Ok(Request::Latest);
        }
        let v = Version::parse(input)?;
        Ok(match (v.minor, v.patch, v.pre) {
            (None, _, _) => Request::Major(v.major),
            (Some(minor), None, None) => Request::Series(v.major, minor),
            _ => Request::Exact(v),
        })
    }

    /// Does `v` satisfy this request, ignoring which match is newest?
    pub fn matches(&self, v: &Version) -> bool {
        match self {
            Request::Latest => true,
            Request::Major(major) => v.major == *major,
            Request::Series(major, minor) => v.series() == (*major, *minor),
            Request::Exact(want) => want == v,
            Request::AtLeast(min) => v.series() == min.series() && v >= min,
            Request::Module(m) => *v >= m.min(),
        }
    }

    /// The newest candidate that satisfies the request. Partial requests
    /// prefer stable releases and fall back to pre-releases only when no
    /// stable one matches; language versions (`1.22`) never match.
    pub fn pick<'a, I>(&self, candidates: I) -> Option<Version>
    where
        I: IntoIterator<Item = &'a Version>,
    {
        if let Request::Module(m) = self {
            let all: Vec<Version> = candidates.into_iter().copied().collect();
            return m.choose(&all, None).map(|(v, _)| v);
        }
        let mut best_stable: Option<Version> = None;
        let mut best_pre: Option<Version> = None;
        for v in candidates {
            if v.is_language_version() || !self.matches(v) {
                continue;
            }
            let slot = if v.is_stable() {
                &mut best_stable
            } else {
                &mut best_pre
            };
            if slot.is_none_or(|b| *v > b) {
                *slot = Some(*v);
            }
        }
        if *self == Request::Latest {
            best_stable
        } else {
            best_stable.or(best_pre)
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::Latest => f.write_str("latest"),
            Request::Major(major) => write!(f, "{major}"),
            Request::Series(major, minor) => write!(f, "{major}.{minor}"),
            Request::Exact(v) => write!(f, "{v}"),
            Request::AtLeast(v) => {
                let (major, minor) = v.series();
                write!(f, "{v} or a newer {major}.{minor} release")
            }
            Request::Module(m) => write!(f, "{m}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(list: &[&str]) -> Vec<Version> {
        list.iter().map(|s| Version::parse(s).unwrap()).collect()
    }

    fn pick(req: &str, list: &[&str]) -> Option<String> {
        Request::parse(req)
            .unwrap()
            .pick(&versions(list))
            .map(|v| v.to_string())
    }

    #[test]
    fn parses_each_kind() {
        assert_eq!(Request::parse("latest").unwrap(), Request::Latest);
        assert_eq!(Request::parse("1").unwrap(), Request::Major(1));
        assert_eq!(Request::parse("go1.22").unwrap(), Request::Series(1, 22));
        assert!(matches!(
            Request::parse("1.23rc1").unwrap(),
            Request::Exact(_)
        ));
        assert!(Request::parse("newest").is_err());
    }

    #[test]
    fn picks_the_newest_match() {
        let have = [
            "1.19.8", "1.20", "1.20.3", "1.21.5", "1.22.0", "1.22.4", "1.23rc1",
        ];
        assert_eq!(pick("1.22", &have).as_deref(), Some("1.22.4"));
        assert_eq!(pick("1.20", &have).as_deref(), Some("1.20.3"));
        assert_eq!(pick("1.20.0", &have).as_deref(), Some("1.20"));
        assert_eq!(pick("1", &have).as_deref(), Some("1.22.4"));
        assert_eq!(pick("latest", &have).as_deref(), Some("1.22.4"));
        assert_eq!(pick("1.23rc1", &have).as_deref(), Some("1.23rc1"));
        assert_eq!(pick("1.23", &have).as_deref(), Some("1.23rc1"));
        assert_eq!(pick("1.24", &have), None);
        assert_eq!(pick("1.22.5", &have), None);
    }

    #[test]
    fn at_least_stays_in_its_series() {
        let have = versions(&["1.21.9", "1.22.1", "1.22.4", "1.23.0"]);
        let at_least = |s: &str| Request::AtLeast(Version::parse(s).unwrap()).pick(&have);
        assert_eq!(at_least("1.22").unwrap().to_string(), "1.22.4");
        assert_eq!(at_least("1.22.2").unwrap().to_string(), "1.22.4");
        assert_eq!(at_least("1.22.5"), None);
        assert_eq!(at_least("1.20"), None);
    }

    /// SPEC 2, rule 3: (go line, toolchain line, installed, global) →
    /// the release chosen and the rule that chose it.
    #[test]
    fn module_selection_table() {
        type Case = (
            Option<&'static str>,
            Option<&'static str>,
            &'static [&'static str],
            Option<&'static str>,
            Option<(&'static str, Rule)>,
        );
        use Rule::*;
        let cases: &[Case] = &[
            // Nothing installed; only older releases.
            (Some("1.21"), None, &[], None, None),
            (
                Some("1.21"),
                None,
                &["1.19.8", "1.20.14"],
                Some("1.20.14"),
                None,
            ),
            // The go line's series, newest not older than it.
            (
                Some("1.21"),
                None,
                &["1.21.0", "1.21.5", "1.22.12"],
                None,
                Some(("1.21.5", PreferredSeries)),
            ),
            (
                Some("1.21.3"),
                None,
                &["1.21.0", "1.22.12"],
                None,
                Some(("1.22.12", OldestSeries)),
            ),
            // Only newer series: the global default when it reaches MIN…
            (
                Some("1.16"),
                None,
                &["1.19.8", "1.21.5", "1.22.12"],
                Some("1.22.12"),
                Some(("1.22.12", Global)),
            ),
            (
                Some("1.16"),
                None,
                &["1.19.8", "1.21.5", "1.22.12"],
                Some("1.21.5"),
                Some(("1.21.5", Global)),
            ),
            // …else the newest of the oldest series that does.
            (
                Some("1.16"),
                None,
                &["1.19.2", "1.19.8", "1.21.5", "1.22.12"],
                None,
                Some(("1.19.8", OldestSeries)),
            ),
            (
                Some("1.20"),
                None,
                &["1.19.8", "1.21.5", "1.22.12"],
                Some("1.19.8"),
                Some(("1.21.5", OldestSeries)),
            ),
            // The global default at MIN counts; below it does not.
            (
                Some("1.22.12"),
                None,
                &["1.21.5", "1.22.12", "1.23.4"],
                Some("1.22.12"),
                Some(("1.22.12", PreferredSeries)),
            ),
            (
                Some("1.23.1"),
                None,
                &["1.22.12", "1.24.0", "1.25.1"],
                Some("1.25.1"),
                Some(("1.25.1", Global)),
            ),
            (
                Some("1.23.1"),
                None,
                &["1.22.12", "1.24.0", "1.25.1"],
                Some("1.22.12"),
                Some(("1.24.0", OldestSeries)),
            ),
            // A toolchain line: its release when installed…
            (
                Some("1.21"),
                Some("1.22.5"),
                &["1.22.5", "1.22.12"],
                None,
                Some(("1.22.5", Toolchain)),
            ),
            // …else its series, not older than it…
            (
                Some("1.21"),
                Some("1.22.5"),
                &["1.21.5", "1.22.12"],
                None,
                Some(("1.22.12", PreferredSeries)),
            ),
            (
                Some("1.21"),
                Some("1.22.5"),
                &["1.21.5", "1.22.3"],
                None,
                None,
            ),
            (
                Some("1.21"),
                Some("1.22.5"),
                &["1.21.5", "1.23.0"],
                Some("1.21.5"),
                Some(("1.23.0", OldestSeries)),
            ),
            // …and none when older than the go line.
            (
                Some("1.22.3"),
                Some("1.22.1"),
                &["1.22.1", "1.22.4"],
                None,
                Some(("1.22.4", PreferredSeries)),
            ),
            (
                None,
                Some("1.22.5"),
                &["1.22.5"],
                None,
                Some(("1.22.5", Toolchain)),
            ),
            // Pre-releases: `go 1.21` is reached by 1.21rc2, `go 1.21.0` is not.
            (
                Some("1.21"),
                None,
                &["1.21rc2"],
                None,
                Some(("1.21rc2", PreferredSeries)),
            ),
            (
                Some("1.21.0"),
                None,
                &["1.21rc2", "1.22.0"],
                None,
                Some(("1.22.0", OldestSeries)),
            ),
            (
                Some("1.23rc1"),
                None,
                &["1.22.12", "1.23rc2"],
                None,
                Some(("1.23rc2", PreferredSeries)),
            ),
            // Old series: `go 1.20` is the release 1.20.
            (
                Some("1.20"),
                None,
                &["1.20"],
                None,
                Some(("1.20", PreferredSeries)),
            ),
            (
                Some("1.20.0"),
                None,
                &["1.20", "1.20.3"],
                None,
                Some(("1.20.3", PreferredSeries)),
            ),
            // A language version installed by name never counts as a release.
            (Some("1.21"), None, &["1.21"], None, None),
        ];
        let v = |s: &str| Version::parse(s).unwrap();
        for (go, toolchain, installed, global, want) in cases {
            let module = Module::new(go.map(v), toolchain.map(v)).unwrap();
            let installed: Vec<Version> = installed.iter().map(|s| v(s)).collect();
            let got = module.choose(&installed, global.map(v));
            let want = want.map(|(s, rule)| (v(s), rule));
            assert_eq!(
                got, want,
                "go {go:?} toolchain {toolchain:?} installed {installed:?} global {global:?}"
            );
        }
    }

    #[test]
    fn what_gov_install_fetches_for_a_module() {
        let v = |s: &str| Version::parse(s).unwrap();
        let m = |go: &str, t: Option<&str>| Module::new(Some(v(go)), t.map(v)).unwrap();
        assert_eq!(
            m("1.21", Some("1.22.5")).install_request(),
            Request::Exact(v("1.22.5"))
        );
        assert_eq!(
            m("1.21.3", None).install_request(),
            Request::AtLeast(v("1.21.3"))
        );
        assert_eq!(
            m("1.22.3", Some("1.22.1")).install_request(),
            Request::AtLeast(v("1.22.3"))
        );
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn arb_version() -> impl Strategy<Value = Version> {
            (
                1..2u64,
                14..26u64,
                proptest::option::of(0..15u64),
                proptest::option::of(1..3u64),
            )
                .prop_map(|(a, b, c, rc)| {
                    let text = match (c, rc) {
                        (Some(c), _) => format!("{a}.{b}.{c}"),
                        (None, Some(rc)) => format!("{a}.{b}rc{rc}"),
                        (None, None) => format!("{a}.{b}"),
                    };
                    Version::parse(&text).unwrap()
                })
        }

        proptest! {
            /// SPEC 2 rule 3: never a release older than the minimum, never
            /// one that is not there, and a toolchain line's release when
            /// it is installed.
            #[test]
            fn prop_module_choice_reaches_the_minimum(
                go in proptest::option::of(arb_version()),
                toolchain in proptest::option::of(arb_version()),
                installed in proptest::collection::vec(arb_version(), 0..8),
                global in proptest::option::of(arb_version()),
            ) {
                let Some(module) = Module::new(go, toolchain) else {
                    return Ok(());
                };
                match module.choose(&installed, global) {
                    Some((v, rule)) => {
                        prop_assert!(v >= module.min());
                        prop_assert!(!v.is_language_version());
                        prop_assert!(installed.contains(&v) || (rule == Rule::Global && Some(v) == global));
                        // (A language version, `toolchain go1.22`, is never a release.)
                        if let Some(t) = module
                            .toolchain
                            .filter(|t| installed.contains(t) && !t.is_language_version())
                        {
                            prop_assert_eq!((v, rule), (t, Rule::Toolchain));
                        }
                    }
                    None => prop_assert!(installed
                        .iter()
                        .chain(global.iter())
                        .all(|v| *v < module.min() || v.is_language_version())),
                }
            }

            #[test]
            fn prop_requests_never_panic(text in "\\PC{0,16}") {
                if let Ok(request) = Request::parse(&text) {
                    let _ = request.to_string();
                }
            }
        }
    }
}
