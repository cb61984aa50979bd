//! The part of the OSV schema the Go vulnerability database uses
//! (go.dev/security/vuln/database), and what an entry says of a Go
//! release: [`Entry::affects`] follows golang.org/x/vuln's reading of
//! `SEMVER` ranges — events sorted by version (`introduced: "0"` first),
//! affected from an `introduced` up to the next `fixed`; an affected
//! package with no range affects every version.

use serde::{Deserialize, Serialize};

use super::semver::Semver;
use crate::version::Version;

/// The modules that are Go itself: its standard library and its commands.
pub const GO_MODULES: [&str; 2] = ["stdlib", "toolchain"];

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Entry {
    pub id: String,
    #[serde(default)]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<DatabaseSpecific>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Affected {
    pub package: Package,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<EcosystemSpecific>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Package {
    pub name: String,
    #[serde(default)]
    pub ecosystem: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Range {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EcosystemSpecific {
    #[serde(default)]
    pub imports: Vec<Import>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Import {
    pub path: String,
    #[serde(default)]
    pub symbols: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DatabaseSpecific {
    #[serde(default)]
    pub url: String,
}

/// What is wrong with an entry: gov refuses to guess what it means.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("`{0}` is not an ID of the Go vulnerability database (GO-YYYY-NNNN)")]
    BadId(String),
    #[error(
        "entry {id}: the {module} range has the version `{value}`, which is not a semantic version"
    )]
    BadVersion {
        id: String,
        module: String,
        value: String,
    },
    #[error("entry {id}: an event of the {module} range names neither `introduced` nor `fixed`, or both")]
    BadEvent { id: String, module: String },
}

/// An ID gov may use in a URL and a file name: `GO-` then digits and
/// dashes, as the database's all are.
pub fn is_plain_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("GO-") else {
        return false;
    };
    !rest.is_empty()
        && rest.len() <= 32
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && !rest.starts_with('-')
}

/// The affected release range of one `SEMVER` range, events parsed and
/// sorted.
#[derive(Debug, Clone)]
struct Parsed {
    events: Vec<(Kind, Option<Semver>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
}

impl Range {
    fn parse(&self, id: &str, module: &str) -> Result<Parsed, EntryError> {
        let mut events = Vec::with_capacity(self.events.len());
        for e in &self.events {
            let (kind, value) = match (&e.introduced, &e.fixed) {
                (Some(v), None) => (Kind::Introduced, v),
                (None, Some(v)) => (Kind::Fixed, v),
                _ => {
                    return Err(EntryError::BadEvent {
                        id: id.into(),
                        module: module.into(),
                    })
                }
            };
            let version = if kind == Kind::Introduced && value == "0" {
                None
            } else {
                Some(Semver::parse(value).ok_or_else(|| EntryError::BadVersion {
                    id: id.into(),
                    module: module.into(),
                    value: value.clone(),
                })?)
            };
            events.push((kind, version));
        }
        // The beginning of time first, then by version (a stable sort).
        events.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Parsed { events })
    }
}

impl Parsed {
    fn contains(&self, v: &Semver) -> bool {
        let mut affected = false;
        for (kind, at) in &self.events {
            match kind {
                Kind::Introduced if !affected => {
                    affected = at.as_ref().is_none_or(|at| v >= at);
                }
                Kind::Fixed if affected => {
                    affected = at.as_ref().is_some_and(|at| v < at);
                }
                _ => {}
            }
        }
        affected
    }
}

impl Entry {
    /// Checks what gov relies on: a plain ID, and ranges of Go's modules
    /// that parse. Other modules' ranges are not gov's to judge.
    pub fn validate(&self) -> Result<(), EntryError> {
        if !is_plain_id(&self.id) {
            return Err(EntryError::BadId(self.id.clone()));
        }
        for a in self.go_affected() {
            for r in a.ranges.iter().filter(|r| r.kind == "SEMVER") {
                r.parse(&self.id, &a.package.name)?;
            }
        }
        Ok(())
    }

    /// The affected packages of Go's own modules.
    fn go_affected(&self) -> impl Iterator<Item = &Affected> {
        self.affected
            .iter()
            .filter(|a| GO_MODULES.contains(&a.package.name.as_str()))
    }

    /// Is the Go release `v` affected? A withdrawn entry affects nothing;
    /// an entry that does not [`validate`](Entry::validate) is an error.
    pub fn affects(&self, v: &Version) -> Result<bool, EntryError> {
        if self.withdrawn.is_some() {
            return Ok(false);
        }
        let v = Semver::of_release(v);
        for a in self.go_affected() {
            let semver: Vec<&Range> = a.ranges.iter().filter(|r| r.kind == "SEMVER").collect();
            if semver.is_empty() {
                return Ok(true);
            }
            for r in semver {
                if r.parse(&self.id, &a.package.name)?.contains(&v) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Go's modules this entry names for `v` (`stdlib`, `toolchain`).
    pub fn modules(&self) -> Vec<String> {
        let mut names: Vec<String> = self.go_affected().map(|a| a.package.name.clone()).collect();
        names.dedup();
        names
    }

    /// The affected packages (import paths) of Go's modules.
    pub fn packages(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .go_affected()
            .filter_map(|a| a.ecosystem_specific.as_ref())
            .flat_map(|e| e.imports.iter().map(|i| i.path.clone()))
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// The CVE and GHSA names of this entry.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }

    /// Where people read about it: the database's page, else
    /// `https://pkg.go.dev/vuln/ID`.
    pub fn url(&self) -> String {
        match &self.database_specific {
            Some(d) if d.url.starts_with("https://") => d.url.clone(),
            _ => format!("https://pkg.go.dev/vuln/{}", self.id),
        }
    }

    /// The releases that fix it, oldest first: each `fixed` event of Go's
    /// modules that names a release, and that the entry no longer affects.
    pub fn fixed_releases(&self) -> Vec<Version> {
        let mut fixes: Vec<Version> = self
            .go_affected()
            .flat_map(|a| a.ranges.iter().filter(|r| r.kind == "SEMVER"))
            .flat_map(|r| r.events.iter().filter_map(|e| e.fixed.as_deref()))
            .filter_map(Semver::parse)
            .filter_map(|s| s.to_fixing_release())
            .filter(|v| self.affects(v) == Ok(false))
            .collect();
        fixes.sort();
        fixes.dedup();
        fixes
    }

    /// Where `v`, affected, gets the fix: the first fixing release of its
    /// own series, else (the series ended without it) the first later
    /// release that has it; `None` when no release fixes it yet.
    /// Pre-releases fix only pre-releases of their series.
    pub fn fix_for(&self, v: &Version) -> Option<Fix> {
        let fixes = self.fixed_releases();
        let later = |same_series: bool| {
            fixes
                .iter()
                .filter(|f| **f > *v && (f.series() == v.series()) == same_series)
                .find(|f| f.is_stable() || (!v.is_stable() && f.series() == v.series()))
                .copied()
        };
        if let Some(f) = later(true) {
            return Some(Fix::InSeries(f));
        }
        later(false).map(Fix::Later)
    }
}

/// The first release that fixes an entry for an affected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// A later patch of the same series.
    InSeries(Version),
    /// The series ended without the fix: the first later release with it.
    Later(Version),
}

impl Fix {
    pub fn version(self) -> Version {
        match self {
            Fix::InSeries(v) | Fix::Later(v) => v,
        }
    }
}
