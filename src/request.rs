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
    /// A `go 1.22.4` line of go.mod or go.work: the newest release of that
    /// series not older than the line.
    AtLeast(Version),
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
        }
    }

    /// The newest candidate that satisfies the request. Partial requests
    /// prefer stable releases and fall back to pre-releases only when no
    /// stable one matches; language versions (`1.22`) never match.
    pub fn pick<'a, I>(&self, candidates: I) -> Option<Version>
    where
        I: IntoIterator<Item = &'a Version>,
    {
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
}
