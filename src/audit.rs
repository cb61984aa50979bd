//! `gov audit`: which Go releases are in use — installed, the global
//! default, and those the version files under some directories select —
//! and what the Go vulnerability database says of each.
//!
//! [`find_version_files`] walks the trees (bounded; no symlinks, no
//! `vendor/`, `testdata/` or hidden directories); [`releases_in_use`]
//! turns what they ask for into releases the way selection would (an
//! installed release, else the newest the cached release index has, else
//! unresolved); [`check`] matches releases against entries. All three
//! take their inputs as arguments.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::request::Request;
use crate::version::Version;
use crate::version_files::{self, FileKind, VersionFileError};
use crate::vulndb::{Entry, EntryError, Fix};

/// How far the walk goes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Directory entries read in all.
    pub entries: usize,
    /// Directories below a root.
    pub depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            entries: 1_000_000,
            depth: 64,
        }
    }
}

/// Directories the walk never enters: Go's own conventions (vendored
/// copies, test inputs), and hidden ones (`.git`).
pub fn skipped_dir(name: &OsStr) -> bool {
    name == "vendor" || name == "testdata" || name.as_encoded_bytes().starts_with(b".")
}

const NAMES: [FileKind; 4] = [
    FileKind::GoVersion,
    FileKind::ToolVersions,
    FileKind::GoWork,
    FileKind::GoMod,
];

/// What the walk found.
#[derive(Debug, Default)]
pub struct Found {
    /// Each version file in force somewhere under the roots, once, with
    /// what it asks for; in the order found.
    pub files: Vec<version_files::VersionFile>,
    pub directories: usize,
    /// Why the walk stopped early, when it did.
    pub truncated: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot audit `{}`: it is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error(transparent)]
    VersionFile(#[from] VersionFileError),
    #[error(transparent)]
    Entry(#[from] EntryError),
}

impl AuditError {
    pub fn hint(&self) -> Option<String> {
        match self {
            AuditError::NotADirectory { .. } => {
                Some("give `gov audit` directories, such as `.` or a checkout".into())
            }
            AuditError::VersionFile(e) => e.hint(),
            AuditError::Entry(_) => {
                Some("check that GOVULNDB names a copy of the Go vulnerability database".into())
            }
        }
    }
}

/// The version files in force in every directory under `roots` that holds
/// one (a `go.mod` under a `go.work` gives the `go.work`, as selection
/// does). Symlinks are neither followed nor read.
pub fn find_version_files(
    roots: &[PathBuf],
    gowork: Option<&OsStr>,
    limits: Limits,
) -> Result<Found, AuditError> {
    let mut found = Found::default();
    let mut seen = HashSet::new();
    let mut read = 0usize;
    for root in roots {
        if !root.is_dir() {
            return Err(AuditError::NotADirectory { path: root.clone() });
        }
        let mut stack = vec![(root.clone(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            found.directories += 1;
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut has_file = false;
            let mut subdirs = Vec::new();
            for entry in entries.flatten() {
                read += 1;
                if read > limits.entries {
                    found.truncated = Some(format!(
                        "stopped after {} directory entries; audit smaller trees to see the rest",
                        limits.entries
                    ));
                    return Ok(found);
                }
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let name = entry.file_name();
                if kind.is_dir() {
                    if !skipped_dir(&name) {
                        subdirs.push(entry.path());
                    }
                } else if kind.is_file() && NAMES.iter().any(|k| name == k.file_name()) {
                    has_file = true;
                }
            }
            if has_file {
                if let Some(file) = version_files::find(&dir, gowork)? {
                    if seen.insert(file.path.clone()) {
                        found.files.push(file);
                    }
                }
            }
            if depth >= limits.depth {
                if !subdirs.is_empty() && found.truncated.is_none() {
                    found.truncated = Some(format!(
                        "not looking deeper than {} directories below `{}` (at `{}`)",
                        limits.depth,
                        root.display(),
                        dir.display()
                    ));
                }
                continue;
            }
            subdirs.sort();
            stack.extend(subdirs.into_iter().rev().map(|d| (d, depth + 1)));
        }
    }
    Ok(found)
}

/// Why a release is in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Use {
    /// Installed for this machine's platform.
    Installed,
    /// The global default.
    Global,
    /// A version file selects it: the installed release it would run
    /// (`by: "installed"`), or, none being installed, the newest release
    /// the cached release index has for it (`by: "index"`).
    File {
        path: PathBuf,
        request: String,
        by: By,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    Installed,
    Index,
}

/// A version file whose request gov could not turn into a release.
#[derive(Debug, Clone, Serialize)]
pub struct Unresolved {
    pub path: PathBuf,
    pub request: String,
    pub reason: String,
}

/// The releases in use, newest first, each with why; and the requests
/// that name none.
#[derive(Debug, Default)]
pub struct InUse {
    pub releases: BTreeMap<std::cmp::Reverse<Version>, Vec<Use>>,
    pub unresolved: Vec<Unresolved>,
}

/// The store and the index, as [`releases_in_use`] sees them.
pub struct Known<'a> {
    /// Installed releases for this machine's platform.
    pub installed: &'a [Version],
    pub global: Option<Version>,
    /// The cached release index's releases for this platform, when cached.
    pub index: Option<&'a [Version]>,
}

/// What each release is in use for. A request resolves as selection
/// would run it: a module's by SPEC 2's rules a–d, others to the newest
/// installed match; when nothing installed matches, to the release
/// `gov install` would fetch (the newest the cached index has), else it
/// is unresolved.
pub fn releases_in_use(known: &Known, files: &[version_files::VersionFile]) -> InUse {
    let mut in_use = InUse::default();
    let mut add = |v: Version, u: Use| {
        in_use
            .releases
            .entry(std::cmp::Reverse(v))
            .or_default()
            .push(u);
    };
    for v in known.installed {
        add(*v, Use::Installed);
    }
    if let Some(g) = known.global {
        add(g, Use::Global);
    }
    for file in files {
        let (installed, install_request) = match &file.request {
            Request::Module(m) => (
                m.choose(known.installed, known.global).map(|(v, _)| v),
                m.install_request(),
            ),
            r => (r.pick(known.installed), r.clone()),
        };
        let use_of = |by| Use::File {
            path: file.path.clone(),
            request: file.request.to_string(),
            by,
        };
        if let Some(v) = installed {
            add(v, use_of(By::Installed));
            continue;
        }
        let from_index = known.index.and_then(|all| {
            let candidates: Vec<Version> = all
                .iter()
                .copied()
                .filter(|v| v.is_stable() || matches!(install_request, Request::Exact(_)))
                .collect();
            install_request.pick(&candidates)
        });
        match from_index {
            Some(v) => add(v, use_of(By::Index)),
            None => in_use.unresolved.push(Unresolved {
                path: file.path.clone(),
                request: file.request.to_string(),
                reason: match known.index {
                    Some(_) => "no installed release matches, nor any in the cached release index".into(),
                    None => "no installed release matches, and no release index is cached (run `gov list-remote` once)".into(),
                },
            }),
        }
    }
    in_use
}

/// One entry that affects a release.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// `stdlib`, `toolchain`.
    pub modules: Vec<String>,
    pub packages: Vec<String>,
    /// The first release that fixes it for this one, when any does.
    pub fixed: Option<Fixed>,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fixed {
    pub version: String,
    /// `true`: a later patch of the same series; `false`: the series
    /// ended without the fix, and this is the first later release with it.
    pub in_series: bool,
}

/// The entries that affect `v`, by ID.
pub fn check(v: &Version, entries: &[Entry]) -> Result<Vec<Finding>, EntryError> {
    let mut found = Vec::new();
    for e in entries {
        if !e.affects(v)? {
            continue;
        }
        found.push(Finding {
            id: e.id.clone(),
            aliases: e.aliases().to_vec(),
            summary: e.summary.clone(),
            modules: e.modules(),
            packages: e.packages(),
            fixed: e.fix_for(v).map(|f| Fixed {
                version: f.version().to_string(),
                in_series: matches!(f, Fix::InSeries(_)),
            }),
            url: e.url(),
        });
    }
    found.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(found)
}

/// The newest stable release of `v`'s series among `releases`, when it is
/// newer than `v`.
pub fn newest_patch(v: &Version, releases: &[Version]) -> Option<Version> {
    releases
        .iter()
        .filter(|r| r.is_stable() && r.series() == v.series() && !r.is_language_version())
        .max()
        .filter(|r| *r > v)
        .copied()
}

/// The IDs that affect `v` but not `to`: what moving from one to the
/// other fixes.
pub fn fixed_by(from: &Version, to: &Version, entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.affects(from) == Ok(true) && e.affects(to) == Ok(false))
        .map(|e| e.id.clone())
        .collect()
}

/// Is `path` one of the version file names?
pub fn is_version_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| NAMES.iter().any(|k| n == k.file_name()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Module;
    use crate::version_files::VersionFile;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn file(path: &str, request: Request) -> VersionFile {
        VersionFile {
            path: PathBuf::from(path),
            kind: FileKind::GoVersion,
            request,
        }
    }

    #[test]
    fn requests_resolve_as_selection_would_else_by_the_index() {
        let installed = [v("1.22.12"), v("1.21.13")];
        let index = [
            v("1.23.8"),
            v("1.23rc1"),
            v("1.22.12"),
            v("1.22.11"),
            v("1.19.8"),
        ];
        let module = |go: &str, toolchain: Option<&str>| {
            Request::Module(Box::new(
                Module::new(Some(v(go)), toolchain.map(v)).unwrap(),
            ))
        };
        // (request, with the index cached, expected release and how)
        type Row = (Request, bool, Option<(&'static str, By)>);
        let rows: Vec<Row> = vec![
            (
                Request::parse("1.22").unwrap(),
                true,
                Some(("1.22.12", By::Installed)),
            ),
            (
                Request::parse("1.21.13").unwrap(),
                false,
                Some(("1.21.13", By::Installed)),
            ),
            (
                Request::parse("1.23").unwrap(),
                true,
                Some(("1.23.8", By::Index)),
            ),
            (Request::parse("1.23").unwrap(), false, None),
            (
                Request::parse("1.23rc1").unwrap(),
                true,
                Some(("1.23rc1", By::Index)),
            ),
            (
                Request::parse("1.19.8").unwrap(),
                true,
                Some(("1.19.8", By::Index)),
            ),
            (Request::parse("1.31.0").unwrap(), true, None),
            // go 1.21: the newest installed 1.21.x (rule b).
            (
                module("1.21", None),
                false,
                Some(("1.21.13", By::Installed)),
            ),
            // go 1.22.0, toolchain go1.22.11 (not installed): 1.22.12 (b).
            (
                module("1.22.0", Some("1.22.11")),
                true,
                Some(("1.22.12", By::Installed)),
            ),
            // go 1.23.0: none installed; `gov install` would fetch 1.23.8.
            (module("1.23.0", None), true, Some(("1.23.8", By::Index))),
            (module("1.23.0", None), false, None),
        ];
        for (request, cached, expected) in rows {
            let known = Known {
                installed: &installed,
                global: None,
                index: cached.then_some(&index[..]),
            };
            let files = [file("/p/.go-version", request.clone())];
            let in_use = releases_in_use(&known, &files);
            let got = in_use
                .releases
                .iter()
                .find_map(|(std::cmp::Reverse(v), uses)| {
                    uses.iter().find_map(|u| match u {
                        Use::File { by, .. } => Some((v.to_string(), *by)),
                        _ => None,
                    })
                });
            let expected = expected.map(|(v, by)| (v.to_string(), by));
            assert_eq!(got, expected, "{request} (index cached: {cached})");
            assert_eq!(
                in_use.unresolved.len(),
                usize::from(got.is_none()),
                "{request}"
            );
        }
    }

    #[test]
    fn installed_and_global_are_in_use_once_each() {
        let installed = [v("1.22.12"), v("1.21.13")];
        let known = Known {
            installed: &installed,
            global: Some(v("1.22.12")),
            index: None,
        };
        let in_use = releases_in_use(&known, &[]);
        let listed: Vec<(String, Vec<Use>)> = in_use
            .releases
            .into_iter()
            .map(|(std::cmp::Reverse(v), u)| (v.to_string(), u))
            .collect();
        assert_eq!(
            listed,
            [
                ("1.22.12".to_string(), vec![Use::Installed, Use::Global]),
                ("1.21.13".to_string(), vec![Use::Installed]),
            ]
        );
    }

    #[test]
    fn newest_patch_of_the_series() {
        let index = [
            v("1.23.8"),
            v("1.22.12"),
            v("1.22.11"),
            v("1.22rc1"),
            v("1.21.13"),
        ];
        for (release, expected) in [
            ("1.22.11", Some("1.22.12")),
            ("1.22.12", None),
            ("1.22.0", Some("1.22.12")),
            ("1.20.1", None),
            ("1.23rc1", Some("1.23.8")),
        ] {
            assert_eq!(
                newest_patch(&v(release), &index)
                    .map(|p| p.to_string())
                    .as_deref(),
                expected,
                "{release}"
            );
        }
    }

    #[test]
    fn skipped_directories() {
        for (name, skipped) in [
            ("vendor", true),
            ("testdata", true),
            (".git", true),
            (".hidden", true),
            ("src", false),
            ("vendors", false),
            ("internal", false),
        ] {
            assert_eq!(skipped_dir(OsStr::new(name)), skipped, "{name}");
        }
    }
}
