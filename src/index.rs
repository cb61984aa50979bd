//! The release index: go.dev's `?mode=json&include=all` document, fetched
//! from `GOV_INDEX_URL`, cached per URL in `GOV_HOME/cache/`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::download::{DownloadError, Fetcher};
use crate::fsx;
use crate::platform::Platform;
use crate::request::Request;
use crate::ui;
use crate::version::Version;

/// The most gov reads of an index: go.dev's whole history is a few MB.
pub const MAX_INDEX: u64 = 32 * 1024 * 1024;
/// How long a cached index is used without asking the server again.
pub const FRESH_FOR: Duration = Duration::from_secs(60 * 60);

#[derive(Debug, Clone, Deserialize)]
pub struct RawRelease {
    pub version: String,
    #[serde(default)]
    pub files: Vec<File>,
}

/// One downloadable file of a release.
#[derive(Debug, Clone, Deserialize)]
pub struct File {
    pub filename: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub arch: String,
    /// Hex digest; empty for the oldest releases (SHA-1 only).
    #[serde(default)]
    pub sha256: String,
    /// Bytes; `0` where the index does not know.
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub kind: String,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub version: Version,
    pub files: Vec<File>,
}

impl Release {
    /// The `.tar.gz` archive for a platform (`linux`, `amd64`), as listed.
    pub fn archive(&self, os: &str, arch: &str) -> Option<&File> {
        self.files.iter().find(|f| {
            f.kind == "archive" && f.os == os && f.arch == arch && f.filename.ends_with(".tar.gz")
        })
    }

    /// The archive for `platform` that gov may fetch: listed, and named
    /// by a plain file name ([`is_plain_file_name`]), since the name is
    /// joined to the download URL and to the mirror directory.
    pub fn archive_for(&self, platform: &Platform) -> Result<&File, EntryError> {
        let file =
            self.archive(&platform.os, &platform.arch)
                .ok_or_else(|| EntryError::NoArchive {
                    version: self.version,
                    platform: platform.clone(),
                })?;
        if !is_plain_file_name(&file.filename) {
            return Err(EntryError::UnsafeFileName {
                version: self.version,
                file: file.filename.clone(),
            });
        }
        Ok(file)
    }
}

impl File {
    /// The sha256 the index lists, in lowercase: `None` when it lists
    /// none (the oldest releases), an error when it is not 64 hex digits.
    pub fn digest(&self) -> Result<Option<String>, EntryError> {
        if self.sha256.is_empty() {
            return Ok(None);
        }
        match parse_sha256(&self.sha256) {
            Some(digest) => Ok(Some(digest)),
            None => Err(EntryError::BadDigest {
                file: self.filename.clone(),
                sha256: self.sha256.clone(),
            }),
        }
    }

    /// The sha256 the index must list for gov to keep the file without
    /// another source of truth (a mirror, a pin).
    pub fn required_digest(&self) -> Result<String, EntryError> {
        self.digest()?.ok_or_else(|| EntryError::NoDigest {
            file: self.filename.clone(),
        })
    }
}

/// An index entry gov will not use, and why.
#[derive(Debug, thiserror::Error)]
pub enum EntryError {
    #[error("no {platform} archive of Go {version} in the release index")]
    NoArchive {
        version: Version,
        platform: Platform,
    },
    #[error("the release index names the archive of Go {version} `{file}`, which is not a plain file name")]
    UnsafeFileName { version: Version, file: String },
    #[error("the release index lists no sha256 for `{file}`")]
    NoDigest { file: String },
    #[error("the release index lists sha256 `{sha256}` for `{file}`, which is not 64 hex digits")]
    BadDigest { file: String, sha256: String },
}

impl EntryError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            EntryError::NoArchive { .. } => {
                "run `gov list-remote --all` to see what the index has".into()
            }
            EntryError::UnsafeFileName { .. } | EntryError::BadDigest { .. } => {
                "the mirror serves something else than go.dev: check GOV_INDEX_URL and GOV_DOWNLOAD_URL".into()
            }
            EntryError::NoDigest { .. } => {
                "gov keeps only what it can verify: choose a newer release".into()
            }
        })
    }

    /// The index lists something go.dev never would: a forged or damaged
    /// index, not a release gov lacks.
    pub fn is_forged(&self) -> bool {
        matches!(
            self,
            EntryError::UnsafeFileName { .. } | EntryError::BadDigest { .. }
        )
    }
}

/// A name the index may give an archive: one path component made of
/// letters, digits, `.`, `_`, `+` and `-`, not starting with a dot, as all
/// of go.dev's are. Anything else (`/`, `..`, `%2e%2e%2f`, `?`, control
/// characters) could name something else once joined to a URL.
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
}

/// The name go.dev gives the archive of `version` for `platform`
/// (`go1.22.4.linux-amd64.tar.gz`): what a pin accepts, and nothing else.
pub fn archive_name(version: &Version, platform: &Platform) -> String {
    format!("go{version}.{}-{}.tar.gz", platform.os, platform.arch)
}

/// `text` as a sha256 digest: 64 hex digits, in lowercase.
pub fn parse_sha256(text: &str) -> Option<String> {
    (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| text.to_ascii_lowercase())
}

/// Releases newest first; entries whose version is not a Go release
/// (`"go1"` bootstrap tarballs parse; garbage is skipped) are dropped.
#[derive(Debug, Clone)]
pub struct Index {
    pub releases: Vec<Release>,
    /// Where [`load`] found it, for `--verbose`.
    pub origin: String,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the release index from `{url}` is not valid JSON in go.dev's schema")]
    Parse {
        url: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot fetch the release index")]
    Fetch(#[source] DownloadError),
    #[error("no release index is cached and GOV_OFFLINE is set")]
    OfflineNoCache,
    #[error("cannot write the index cache `{}`", path.display())]
    Cache {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl IndexError {
    pub fn hint(&self) -> Option<String> {
        match self {
            IndexError::Parse { .. } => Some(
                "check GOV_INDEX_URL: it must serve the JSON of https://go.dev/dl/?mode=json&include=all".into(),
            ),
            IndexError::Fetch(e) => e.hint(),
            IndexError::OfflineNoCache => {
                Some("unset GOV_OFFLINE once to fetch the index, or use `gov link VERSION DIR`".into())
            }
            IndexError::Cache { .. } => Some("check that GOV_HOME is writable".into()),
        }
    }
}

impl Index {
    pub fn parse(bytes: &[u8], url: &str) -> Result<Index, IndexError> {
        let raw: Vec<RawRelease> =
            serde_json::from_slice(bytes).map_err(|source| IndexError::Parse {
                url: url.to_string(),
                source,
            })?;
        let mut releases: Vec<Release> = raw
            .into_iter()
            .filter_map(|r| {
                Some(Release {
                    version: Version::parse(&r.version).ok()?,
                    files: r.files,
                })
            })
            .collect();
        releases.sort_by_key(|r| std::cmp::Reverse(r.version));
        releases.dedup_by(|a, b| a.version == b.version);
        Ok(Index {
            releases,
            origin: url.to_string(),
        })
    }

    pub fn find(&self, version: &Version) -> Option<&Release> {
        self.releases.iter().find(|r| r.version == *version)
    }

    /// The newest release the request names that has an archive for the
    /// platform (stable ones only, unless the request names a pre-release).
    /// Up to `n` stable releases whose names are closest to `wanted` (a
    /// typo such as `1.222`), newest first among equals: for "did you
    /// mean".
    pub fn nearest(&self, wanted: &str, n: usize) -> Vec<Version> {
        let versions: Vec<Version> = self.releases.iter().map(|r| r.version).collect();
        nearest(&versions, wanted, n)
    }

    pub fn pick(&self, request: &Request, os: &str, arch: &str) -> Option<&Release> {
        let versions: Vec<Version> = self
            .releases
            .iter()
            .filter(|r| r.archive(os, arch).is_some())
            .map(|r| r.version)
            .filter(|v| v.is_stable() || matches!(request, Request::Exact(_)))
            .collect();
        let picked = request.pick(&versions)?;
        self.find(&picked)
    }
}

/// Up to `n` stable releases of `versions` whose names are closest to
/// `wanted` (a typo such as `1.222`), newest first among equals: for "did
/// you mean".
pub fn nearest(versions: &[Version], wanted: &str, n: usize) -> Vec<Version> {
    let wanted = wanted.trim_start_matches("go");
    let mut scored: Vec<(usize, Version)> = versions
        .iter()
        .filter(|v| v.is_stable())
        .map(|v| (edit_distance(wanted, &v.to_string()), *v))
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    scored.into_iter().take(n).map(|(_, v)| v).collect()
}

/// How to get the index.
pub struct Source<'a> {
    pub url: &'a str,
    pub cache: PathBuf,
    pub offline: bool,
    /// Ignore the freshness window.
    pub refresh: bool,
}

impl<'a> Source<'a> {
    /// The index `sources` name, cached in `store` under its URL.
    pub fn of(
        sources: &'a crate::sources::Sources,
        store: &crate::store::Store,
        refresh: bool,
    ) -> Source<'a> {
        Source {
            url: &sources.index_url,
            cache: store.index_cache(&sources.index_url),
            offline: sources.offline,
            refresh,
        }
    }
}

/// The index: the cache while it is fresh, else the server; a stale cache
/// serves, with a warning, when the server cannot be reached.
pub fn load(source: &Source, fetcher: &Fetcher) -> Result<Index, IndexError> {
    let cached = std::fs::read(&source.cache).ok();
    let from_cache = |mut index: Index, how: &str| {
        index.origin = format!(
            "the {how} copy of `{}` cached at `{}`",
            source.url,
            source.cache.display()
        );
        index
    };
    if source.offline {
        let bytes = cached.ok_or(IndexError::OfflineNoCache)?;
        return Ok(from_cache(Index::parse(&bytes, source.url)?, "offline"));
    }
    if let Some(bytes) = &cached {
        if !source.refresh && is_fresh(&source.cache) {
            if let Ok(index) = Index::parse(bytes, source.url) {
                return Ok(from_cache(index, "fresh"));
            }
        }
    }
    match fetcher.get(source.url, MAX_INDEX) {
        Ok(bytes) => {
            let mut index = Index::parse(&bytes, source.url)?;
            // The cache only saves time: failing to write it fails nothing.
            index.origin = match write_cache(&source.cache, &bytes) {
                Ok(()) => format!(
                    "`{}`, now cached at `{}`",
                    source.url,
                    source.cache.display()
                ),
                Err(e) => {
                    let cause = std::error::Error::source(&e)
                        .map_or_else(String::new, |s| format!(" ({s})"));
                    ui::warn(&format!("{e}{cause}; going on without it"));
                    format!("`{}`", source.url)
                }
            };
            Ok(index)
        }
        Err(e) => match cached.and_then(|b| Index::parse(&b, source.url).ok()) {
            Some(index) => {
                let index = from_cache(index, "stale");
                ui::warn(&format!(
                    "cannot refresh the release index from `{}` ({e}); using the copy cached at `{}`",
                    source.url,
                    source.cache.display()
                ));
                Ok(index)
            }
            None => Err(IndexError::Fetch(e)),
        },
    }
}

fn is_fresh(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < FRESH_FOR)
}

fn write_cache(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    let fail = |source| IndexError::Cache {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().expect("the cache file has a directory");
    fs_err::create_dir_all(dir).map_err(fail)?;
    fsx::write_atomic(path, bytes).map_err(fail)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_2020() -> Index {
        Index::parse(
            include_bytes!("../tests/data/go-dl-index-2020.json"),
            "test",
        )
        .unwrap()
    }

    #[test]
    fn parses_every_quirk_of_the_2020_index() {
        let index = index_2020();
        assert_eq!(index.releases.len(), 91);
        assert_eq!(index.releases[0].version.to_string(), "1.14rc1");
        let go1 = index.find(&Version::parse("1").unwrap()).unwrap();
        assert!(go1.files.iter().any(|f| f.arch == "bootstrap"));
        let old = index.find(&Version::parse("1.2.2").unwrap()).unwrap();
        assert!(old.files.iter().all(|f| f.sha256.is_empty()));
    }

    #[test]
    fn picks_archives_for_a_platform() {
        let index = index_2020();
        let pick = |req: &str, os, arch| {
            index
                .pick(&Request::parse(req).unwrap(), os, arch)
                .map(|r| {
                    (
                        r.version.to_string(),
                        r.archive(os, arch).unwrap().filename.clone(),
                    )
                })
        };
        assert_eq!(
            pick("latest", "linux", "amd64").unwrap(),
            ("1.13.7".into(), "go1.13.7.linux-amd64.tar.gz".into())
        );
        assert_eq!(pick("1.12", "linux", "arm64").unwrap().0, "1.12.16");
        assert_eq!(
            pick("1.14rc1", "darwin", "amd64").unwrap().1,
            "go1.14rc1.darwin-amd64.tar.gz"
        );
        assert_eq!(pick("1.14", "linux", "amd64"), None, "only a pre-release");
        assert_eq!(pick("1.8", "linux", "armv6l").unwrap().0, "1.8.7");
        assert_eq!(pick("1.13.7", "plan9", "amd64"), None);
    }

    #[test]
    fn nearest_releases_to_a_typo() {
        let index = index_2020();
        let names = |wanted| -> Vec<String> {
            index
                .nearest(wanted, 3)
                .iter()
                .map(|v| v.to_string())
                .collect()
        };
        assert_eq!(names("1.133"), ["1.13.3", "1.13", "1.13.7"]);
        assert_eq!(names("go1.13.77"), ["1.13.7", "1.13.6", "1.13.5"]);
    }

    #[test]
    fn archive_names_from_the_index_are_plain() {
        assert!(is_plain_file_name("go1.22.4.linux-amd64.tar.gz"));
        assert!(is_plain_file_name("go1.23rc1.linux-armv6l.tar.gz"));
        for bad in [
            "%2e%2e%2fsecret.tar.gz",
            "x.tar.gz?y",
            "x.tar.gz#y",
            ".hidden.tar.gz",
            "x\ny",
            "../x.tar.gz",
            "a/b",
            "/etc/passwd",
            "..",
            "",
            "x\\y",
            "a\0b",
        ] {
            assert!(!is_plain_file_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn entry_rules() {
        let platform = |os: &str, arch: &str| Platform {
            os: os.into(),
            arch: arch.into(),
        };
        let index = index_2020();
        let v1_13_7 = index.find(&Version::parse("1.13.7").unwrap()).unwrap();
        let file = v1_13_7.archive_for(&platform("linux", "amd64")).unwrap();
        assert_eq!(file.filename, "go1.13.7.linux-amd64.tar.gz");
        assert_eq!(file.required_digest().unwrap().len(), 64);
        assert_eq!(
            archive_name(&v1_13_7.version, &platform("linux", "amd64")),
            file.filename
        );
        let err = v1_13_7
            .archive_for(&platform("plan9", "amd64"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no plan9-amd64 archive of Go 1.13.7 in the release index"
        );
        // Old releases list no sha256: fine to read, not to keep unverified.
        let old = index.find(&Version::parse("1.2.2").unwrap()).unwrap();
        let file = old.archive_for(&platform("linux", "amd64")).unwrap();
        assert_eq!(file.digest().unwrap(), None);
        assert!(matches!(
            file.required_digest(),
            Err(EntryError::NoDigest { .. })
        ));

        let forged = |filename: &str, sha256: &str| Release {
            version: Version::parse("1.22.4").unwrap(),
            files: vec![File {
                filename: filename.into(),
                os: "linux".into(),
                arch: "amd64".into(),
                sha256: sha256.into(),
                size: 0,
                kind: "archive".into(),
            }],
        };
        let here = platform("linux", "amd64");
        let err = forged("../x.tar.gz", "").archive_for(&here).unwrap_err();
        assert!(err.is_forged(), "{err}");
        let release = forged("go1.22.4.linux-amd64.tar.gz", &"AB".repeat(32));
        let file = release.archive_for(&here).unwrap();
        assert_eq!(file.digest().unwrap(), Some("ab".repeat(32)));
        for bad in [
            "ab",
            &"ab".repeat(33),
            &format!("{} x", "0".repeat(64)),
            &"g".repeat(64),
        ] {
            let release = forged("go1.22.4.linux-amd64.tar.gz", bad);
            let err = release.archive_for(&here).unwrap().digest().unwrap_err();
            assert!(err.is_forged(), "{bad:?}");
        }
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Index::parse(b"<html>", "u").is_err());
        assert!(Index::parse(b"{}", "u").is_err());
        let index = Index::parse(br#"[{"version":"weird"},{"version":"go1.22.4"}]"#, "u").unwrap();
        assert_eq!(index.releases.len(), 1);
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn prop_any_bytes_parse_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
                let _ = Index::parse(&bytes, "prop");
            }

            #[test]
            fn prop_any_release_list_parses(versions in proptest::collection::vec("go1\\.[0-9]{1,2}(\\.[0-9]{1,2}|rc[1-3])?|[a-z0-9.]{0,8}", 0..12)) {
                let list: Vec<serde_json::Value> = versions
                    .iter()
                    .map(|v| serde_json::json!({"version": v, "stable": true, "files": []}))
                    .collect();
                let index = Index::parse(&serde_json::to_vec(&list).unwrap(), "prop").unwrap();
                // Newest first, whatever the order given.
                prop_assert!(index.releases.windows(2).all(|w| w[0].version >= w[1].version));
                let _ = index.nearest("1.22", 3);
            }
        }
    }
}
