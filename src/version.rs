//! Go releases and their order.
//!
//! The order is Go's own (`src/internal/gover`), extended to the patch
//! pre-releases the old release index holds (`1.9.2rc2`):
//!
//! * `1.9 < 1.10`: numbers compare as numbers;
//! * `1.20beta1 < 1.20rc1 < 1.20 == 1.20.0 < 1.20.1`: before Go 1.21 a
//!   missing patch means `.0`;
//! * `1.21 < 1.21rc1 < 1.21.0`: from 1.21 on, bare `1.N` is a *language
//!   version* that sorts before every release of the series;
//! * `1.9.2rc2 < 1.9.2`: a patch pre-release sorts before its release.
//!
//! A [`Version`] keeps the spelling it was parsed from (`1.20` stays `1.20`,
//! `1.20.0` stays `1.20.0`) while comparing them as equal.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A pre-release stage. The declaration order is the sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Alpha,
    Beta,
    Rc,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Alpha => "alpha",
            Stage::Beta => "beta",
            Stage::Rc => "rc",
        }
    }
}

/// A pre-release marker such as `rc1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pre {
    pub stage: Stage,
    pub number: u64,
}

/// A Go version: a release (`1.22.4`, `1.20`, `1.23rc1`) or a language
/// version (`1.22`).
#[derive(Debug, Clone, Copy)]
pub struct Version {
    pub major: u64,
    /// `None` only for `1` (Go 1.0), which Go reads as `1.0.0`.
    pub minor: Option<u64>,
    /// The patch as written: `None` for `1.20`, `1.21` or `1.23rc1`.
    pub patch: Option<u64>,
    pub pre: Option<Pre>,
}

/// Why a string is not a Go version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Go version `{value}`: {reason}")]
pub struct ParseVersionError {
    pub value: String,
    pub reason: &'static str,
}

impl Version {
    /// Parses `1.22.4`, `go1.22.4`, `1.21`, `1.23rc1`, `1.9.2rc2` or `1`.
    pub fn parse(input: &str) -> Result<Version, ParseVersionError> {
        let fail = |reason| ParseVersionError {
            value: input.to_string(),
            reason,
        };
        let s = input.strip_prefix("go").unwrap_or(input);
        if s.is_empty() {
            return Err(fail("empty version"));
        }
        let (major, rest) = take_number(s).ok_or_else(|| fail("expected a number"))?;
        if rest.is_empty() {
            return Ok(Version {
                major,
                minor: None,
                patch: None,
                pre: None,
            });
        }
        let rest = rest
            .strip_prefix('.')
            .ok_or_else(|| fail("expected `.` after the major version"))?;
        let (minor, rest) =
            take_number(rest).ok_or_else(|| fail("expected a minor version number"))?;
        let (patch, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let (p, r) = take_number(r).ok_or_else(|| fail("expected a patch number"))?;
                (Some(p), r)
            }
            None => (None, rest),
        };
        let pre =
            if rest.is_empty() {
                None
            } else {
                Some(parse_pre(rest).ok_or_else(|| {
                    fail("expected a pre-release such as `rc1`, `beta2` or `alpha1`")
                })?)
            };
        Ok(Version {
            major,
            minor: Some(minor),
            patch,
            pre,
        })
    }

    /// A stable release: no beta, rc or alpha in the name.
    pub fn is_stable(&self) -> bool {
        self.pre.is_none()
    }

    /// `1.22` from Go 1.21 on: a language version, not a release.
    pub fn is_language_version(&self) -> bool {
        self.patch.is_none() && self.pre.is_none() && self.minor.is_some_and(|m| m >= 21)
    }

    /// The `major.minor` series this version belongs to (`1.22` for `1.22.4`).
    pub fn series(&self) -> (u64, u64) {
        (self.major, self.minor.unwrap_or(0))
    }

    /// The spelling Go uses in file names and `go version`: `go1.22.4`.
    pub fn go_name(&self) -> String {
        format!("go{self}")
    }

    /// The patch slot in Go's order: `None` sorts before every number.
    fn patch_key(&self) -> Option<u64> {
        match (self.minor, self.patch, self.pre) {
            (_, Some(p), _) => Some(p),
            (None, None, _) => Some(0),
            // Before 1.21 a missing patch is `.0`, except on a pre-release
            // of the series (`1.20rc1`), which comes before `1.20`.
            (Some(m), None, None) if m < 21 => Some(0),
            _ => None,
        }
    }
}

fn take_number(s: &str) -> Option<(u64, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    if end == 0 || (end > 1 && s.starts_with('0')) {
        return None;
    }
    let n = s[..end].parse().ok()?;
    Some((n, &s[end..]))
}

fn parse_pre(s: &str) -> Option<Pre> {
    let (stage, rest) = [Stage::Alpha, Stage::Beta, Stage::Rc]
        .into_iter()
        .find_map(|st| s.strip_prefix(st.as_str()).map(|r| (st, r)))?;
    let (number, rest) = take_number(rest)?;
    rest.is_empty().then_some(Pre { stage, number })
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_numbers = (self.major, self.minor.unwrap_or(0), self.patch_key()).cmp(&(
            other.major,
            other.minor.unwrap_or(0),
            other.patch_key(),
        ));
        by_numbers.then_with(|| match (self.pre, other.pre) {
            (None, None) => Ordering::Equal,
            (Some(a), Some(b)) => a.cmp(&b),
            // With a patch (`1.9.2rc2`) the pre-release comes first; without
            // one (`1.21` against `1.21rc1`) the language version does.
            (Some(_), None) if self.patch.is_some() => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) if other.patch.is_some() => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Version {}

impl fmt::Display for Version {
    /// `1.22.4`, without the `go` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.major)?;
        if let Some(minor) = self.minor {
            write!(f, ".{minor}")?;
        }
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        if let Some(pre) = self.pre {
            write!(f, "{}{}", pre.stage.as_str(), pre.number)?;
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = ParseVersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn go_order_from_the_spec() {
        let chain = [
            "1",
            "1.0.1",
            "1.2.2",
            "1.9beta1",
            "1.9rc2",
            "1.9",
            "1.9.1",
            "1.9.2rc2",
            "1.9.2",
            "1.10",
            "1.20beta1",
            "1.20rc1",
            "1.20",
            "1.20.1",
            "1.21",
            "1.21rc1",
            "1.21.0",
            "1.21.1",
            "1.22",
            "1.22rc1",
            "1.22.0",
            "1.22.4",
            "2",
        ];
        for w in chain.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.20"), v("1.20.0"));
        assert_eq!(v("1"), v("1.0.0"));
        assert_eq!(v("go1.22.4"), v("1.22.4"));
        assert_ne!(v("1.21"), v("1.21.0"));
    }

    #[test]
    fn keeps_its_spelling() {
        for s in [
            "1", "1.20", "1.20.0", "1.21", "1.23rc1", "1.9.2rc2", "1.22.10",
        ] {
            assert_eq!(v(s).to_string(), s);
        }
        assert_eq!(v("go1.22.4").to_string(), "1.22.4");
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "go",
            "1.",
            ".1",
            "1..2",
            "1.22.",
            "1.22.4.1",
            "v1.22",
            "1.22rc",
            "1.22RC1",
            "1.22-rc1",
            "1.22.4 ",
            " 1.22",
            "1.022",
            "01.22",
            "1.22gamma1",
            "1.2x",
            "latest",
            "1.22.4-custom",
            "99999999999999999999999",
        ] {
            assert!(Version::parse(s).is_err(), "{s:?} should be rejected");
        }
        let err = Version::parse("1.x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid Go version `1.x`: expected a minor version number"
        );
    }

    #[test]
    fn the_2020_index_sorts_as_go_sorts_it() {
        let index: serde_json::Value =
            serde_json::from_str(include_str!("../tests/data/go-dl-index-2020.json")).unwrap();
        let mut versions: Vec<Version> = index
            .as_array()
            .unwrap()
            .iter()
            .map(|r| v(r["version"].as_str().unwrap()))
            .collect();
        versions.sort_by(|a, b| b.cmp(a));
        let sorted: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
        let expected: Vec<&str> = include_str!("../tests/data/go-dl-index-2020.order")
            .lines()
            .collect();
        assert_eq!(sorted, expected);
    }

    fn arb_version() -> impl Strategy<Value = Version> {
        let pre = prop_oneof![
            Just(None),
            (0..3u8, 1..5u64).prop_map(|(s, number)| Some(Pre {
                stage: [Stage::Alpha, Stage::Beta, Stage::Rc][s as usize],
                number,
            })),
        ];
        (
            1..3u64,
            proptest::option::of(0..30u64),
            proptest::option::of(0..12u64),
            pre,
        )
            .prop_map(|(major, minor, patch, pre)| match minor {
                None => Version {
                    major,
                    minor: None,
                    patch: None,
                    pre: None,
                },
                Some(m) => Version {
                    major,
                    minor: Some(m),
                    patch,
                    pre,
                },
            })
    }

    proptest! {
        #[test]
        fn prop_print_then_parse_is_identity(x in arb_version()) {
            let text = x.to_string();
            let back = Version::parse(&text).unwrap();
            prop_assert_eq!(back.to_string(), text.clone());
            prop_assert_eq!(back, x);
            prop_assert_eq!(Version::parse(&format!("go{text}")).unwrap(), x);
        }

        #[test]
        fn prop_order_is_total(a in arb_version(), b in arb_version(), c in arb_version()) {
            prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
            prop_assert_eq!(a == b, a.cmp(&b) == Ordering::Equal);
            if a <= b && b <= c {
                prop_assert!(a <= c, "{} <= {} <= {} but not {} <= {}", a, b, c, a, c);
            }
        }

        #[test]
        fn prop_arbitrary_text_never_panics(s in "\\PC{0,12}") {
            let _ = Version::parse(&s);
        }
    }

    #[test]
    fn language_versions() {
        assert!(v("1.22").is_language_version());
        assert!(!v("1.20").is_language_version());
        assert!(!v("1.22.0").is_language_version());
        assert!(!v("1.22rc1").is_language_version());
    }
}
