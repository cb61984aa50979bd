//! What gov knows of each release in a store, kept beside it as
//! `GOV_HOME/records/<platform>-<version>.json`: how it came (downloaded,
//! linked, imported), from where, its digest and size, when and by which
//! gov, and every file gov changed in it after the digest was checked (so
//! an integrity check knows which differences are gov's). A release with
//! no record (installed before records were kept) gets one that says what
//! is unknown — never an invented digest.
//!
//! A record is read as any file others may write: opened only when it is
//! a regular file (never a pipe or a device), bounded, and every field
//! checked. It is then trusted only when it is bound to the release it
//! sits beside ([`Standing`]). The archive's digest cannot be computed
//! again from an unpacked tree, so what is checked is what can be, cheaply:
//! the file belongs to the store's owner (or root); it names the release's
//! version and platform; it says how the release came the way the store
//! holds it (a download is a directory, a link is a link to the directory
//! it names); and the root's `VERSION` file says what the record says it
//! did. A record that fails is never taken as fact: an unreadable or
//! foreign one is ignored, a mismatched one is shown as claims only.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{Installed, Store, StoreError};
use crate::fsx;
use crate::goroot::{self, GoRoot};
use crate::platform::Platform;
use crate::timestamp::{is_rfc3339, rfc3339};
use crate::version::Version;

/// How a release came into the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `gov install`: downloaded and (unless `--skip-checksum`) verified.
    Download,
    /// `gov link`: a link to a Go root gov does not own.
    Link,
    /// `gov import`: another manager's Go root, linked or copied.
    Import,
    /// Installed before records were kept: nothing more is known.
    Unknown,
}

fn download() -> Origin {
    // Records from before `origin` was kept were all downloads.
    Origin::Download
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub version: String,
    /// `linux-amd64` style.
    pub platform: String,
    #[serde(default = "download")]
    pub origin: Origin,
    /// The archive's file name (downloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// Where the archive came from (downloads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The archive's sha256, as gov computed it while unpacking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Whether the digest matched a published one (`false` with
    /// `--skip-checksum`, and for anything not downloaded).
    #[serde(default)]
    pub verified: bool,
    /// The archive's size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The release index the download was chosen from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_url: Option<String>,
    /// The Go root linked to or copied from (link, import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_dir: Option<String>,
    /// The first line of that root's `VERSION` file, as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_file: Option<String>,
    /// Which tool installed it before gov (import: `goenv`, `gvm`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<String>,
    /// When (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The gov that did it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gov_version: Option<String>,
    /// Files gov changed in the release, relative to its root.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
    /// The toolchain module it came from (Go's module proxy, or Go's own
    /// module cache), and what proved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<Module>,
}

/// A `golang.org/toolchain` module and its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Module {
    /// `golang.org/toolchain`.
    pub path: String,
    /// `v0.0.1-go1.22.12.linux-amd64`.
    pub version: String,
    /// The dirhash of the module's zip, `h1:…`.
    pub h1: String,
    /// The checksum database tree that holds `h1` (none for a module Go
    /// downloaded and verified itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proved_by: Option<Tree>,
}

/// A signed tree of a checksum database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tree {
    /// The database's name (`sum.golang.org`).
    pub database: String,
    /// Its number of records.
    pub size: u64,
    /// Its root hash, base64.
    pub hash: String,
}

/// One line gov changed in a file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub path: String,
    /// The line as shipped, `None` when gov added it.
    pub was: Option<String>,
    pub now: String,
}

impl Record {
    /// A record with only what every release has; the rest unknown.
    pub fn new(origin: Origin, version: &Version, platform: &Platform) -> Record {
        Record {
            version: version.to_string(),
            platform: platform.to_string(),
            origin,
            archive: None,
            url: None,
            sha256: None,
            verified: false,
            size: None,
            index_url: None,
            source_dir: None,
            version_file: None,
            imported_from: None,
            time: None,
            gov_version: None,
            edits: Vec::new(),
            module: None,
        }
    }

    /// Stamped now, by this gov.
    pub fn now(mut self) -> Record {
        self.time = Some(rfc3339(SystemTime::now()));
        self.gov_version = Some(env!("CARGO_PKG_VERSION").to_string());
        self
    }

    /// A linked or imported root: where it is and what its VERSION said.
    pub fn from_dir(mut self, dir: &Path) -> Record {
        self.source_dir = Some(dir.display().to_string());
        self.version_file = GoRoot::new(dir).version_line();
        self
    }
}

/// A record larger than this is not one gov wrote (they are a few
/// hundred bytes).
const MAX_RECORD: u64 = 256 << 10;
/// A text field larger than this is not one gov wrote.
const MAX_FIELD: usize = 4096;
/// Nor a record with more edits than this.
const MAX_EDITS: usize = 64;

/// How far a release's record can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The store owner's, valid, and bound to the release beside it.
    Trusted,
    /// There is none: the release came before records were kept.
    Missing,
    /// It cannot be this store's record of the release: not a regular file,
    /// too large, someone else's, or not a valid record. Not used: what gov
    /// sees of the release stands instead.
    Ignored(String),
    /// A valid record whose claims do not match the release: shown, but
    /// as claims, never as fact.
    Unverified(String),
}

impl Standing {
    /// `trusted`, `missing`, `ignored` or `unverified`.
    pub fn name(&self) -> &'static str {
        match self {
            Standing::Trusted => "trusted",
            Standing::Missing => "missing",
            Standing::Ignored(_) => "ignored",
            Standing::Unverified(_) => "unverified",
        }
    }

    /// Why it is ignored or unverified.
    pub fn problem(&self) -> Option<&str> {
        match self {
            Standing::Ignored(why) | Standing::Unverified(why) => Some(why),
            Standing::Trusted | Standing::Missing => None,
        }
    }
}

/// An installed release with its record: what the store holds (version,
/// platform) is fact; the record is as trustworthy as its standing says.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub version: Version,
    pub platform: Platform,
    pub record: Record,
    pub standing: Standing,
}

impl Record {
    /// Every field in the range gov writes: a version, a platform, hex
    /// digests, RFC 3339 times, short texts without control characters.
    fn check_fields(&self) -> Result<(), String> {
        Version::parse(&self.version)
            .map_err(|_| format!("its `version` is not a Go version: `{}`", self.version))?;
        let name = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !self
            .platform
            .split_once('-')
            .is_some_and(|(os, arch)| name(os) && name(arch))
        {
            return Err(format!(
                "its `platform` is not OS-ARCH: `{}`",
                self.platform
            ));
        }
        if let Some(sha256) = &self.sha256 {
            if sha256.len() != 64
                || !sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(format!(
                    "its `sha256` is not 64 hexadecimal digits: `{sha256}`"
                ));
            }
        }
        if let Some(time) = &self.time {
            if !is_rfc3339(time) {
                return Err(format!("its `time` is not an RFC 3339 UTC time: `{time}`"));
            }
        }
        if self.edits.len() > MAX_EDITS {
            return Err(format!("it lists more than {MAX_EDITS} edits"));
        }
        let texts = [
            ("archive", &self.archive),
            ("url", &self.url),
            ("index_url", &self.index_url),
            ("source_dir", &self.source_dir),
            ("version_file", &self.version_file),
            ("imported_from", &self.imported_from),
            ("gov_version", &self.gov_version),
        ];
        let module = self.module.iter().flat_map(|m| {
            [
                ("module.path", Some(&m.path)),
                ("module.version", Some(&m.version)),
                ("module.h1", Some(&m.h1)),
                (
                    "module.proved_by.database",
                    m.proved_by.as_ref().map(|t| &t.database),
                ),
                (
                    "module.proved_by.hash",
                    m.proved_by.as_ref().map(|t| &t.hash),
                ),
            ]
        });
        let edits = self.edits.iter().flat_map(|e| {
            [
                ("edits.path", Some(&e.path)),
                ("edits.was", e.was.as_ref()),
                ("edits.now", Some(&e.now)),
            ]
        });
        let all = texts.iter().map(|(f, t)| (*f, t.as_ref()));
        for (field, text) in all.chain(edits).chain(module) {
            let Some(text) = text else { continue };
            if text.len() > MAX_FIELD || text.chars().any(char::is_control) {
                return Err(format!(
                    "its `{field}` is longer than {MAX_FIELD} bytes or holds control characters"
                ));
            }
        }
        Ok(())
    }

    /// Whether what the record claims is what the store holds as
    /// `version` for `platform` at `installed`; why not.
    fn check_claims(&self, platform: &Platform, installed: &Installed) -> Result<(), String> {
        let version = installed.version;
        if Version::parse(&self.version).ok() != Some(version) {
            return Err(format!(
                "it describes Go {}, not Go {version}",
                self.version
            ));
        }
        if self.platform != platform.to_string() {
            return Err(format!(
                "it describes Go {version} for {}, not for {platform}",
                self.platform
            ));
        }
        let says = GoRoot::new(&installed.root).version_line();
        let says_text = || {
            says.as_deref().map_or("no VERSION file".to_string(), |s| {
                format!("a VERSION file that says `{s}`")
            })
        };
        if self.origin == Origin::Download {
            if installed.is_link {
                return Err(format!(
                    "it says Go {version} was downloaded, but the store holds a link"
                ));
            }
            if says.as_deref().and_then(goroot::release_named_by) != Some(version) {
                return Err(format!(
                    "it says Go {version} was downloaded, but the release has {}",
                    says_text()
                ));
            }
            if self.verified && self.sha256.is_none() {
                return Err("it says a digest was verified, but holds none".into());
            }
            return Ok(());
        }
        // Only a download has a digest.
        if self.sha256.is_some() || self.verified {
            return Err(format!(
                "it holds a digest, but says Go {version} was not downloaded"
            ));
        }
        match self.origin {
            Origin::Link if !installed.is_link => {
                return Err(format!(
                    "it says Go {version} is a link, but the store holds a directory"
                ));
            }
            Origin::Link | Origin::Import if installed.is_link => {
                let target = installed.linked_to().map(|t| t.display().to_string());
                if self.source_dir != target {
                    return Err(format!(
                        "it says Go {version} links to `{}`, but the store's link leads to `{}`",
                        self.source_dir.as_deref().unwrap_or("nothing"),
                        target.as_deref().unwrap_or("nothing")
                    ));
                }
            }
            _ => {}
        }
        if matches!(self.origin, Origin::Link | Origin::Import) && self.version_file != says {
            return Err(format!(
                "it says the root's VERSION file said `{}`, but the release has {}",
                self.version_file.as_deref().unwrap_or("nothing"),
                says_text()
            ));
        }
        Ok(())
    }
}

impl Store {
    pub fn record_path(&self, platform: &Platform, version: &Version) -> PathBuf {
        self.home()
            .join("records")
            .join(format!("{}.json", Store::release_key(platform, version)))
    }

    pub fn write_record(&self, platform: &Platform, record: &Record) -> Result<(), StoreError> {
        let version = Version::parse(&record.version).map_err(std::io::Error::other)?;
        let path = self.record_path(platform, &version);
        // `records/` is gov's own: never written through a link.
        fsx::create_own_dir(path.parent().expect("records have a directory"), 0o755)?;
        let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
        fsx::write_atomic(&path, &json)?;
        Ok(())
    }

    /// The record of a release as this store keeps it: `Ok(None)` when
    /// there is none, `Err` with the reason when what is there cannot be
    /// this store's record (see [`Standing::Ignored`]).
    pub fn record(&self, platform: &Platform, version: &Version) -> Result<Option<Record>, String> {
        let path = self.record_path(platform, version);
        let shown = path.display();
        // Never opened unless it is a regular file.
        let file = match fsx::open_regular(&path) {
            Ok(Ok(file)) => file,
            Ok(Err(fsx::Found::NotAFile(kind))) => return Err(format!("`{shown}` is {kind}")),
            Ok(Err(_)) => return Ok(None),
            Err(e) => return Err(format!("cannot read `{shown}`: {e}")),
        };
        let meta = file
            .metadata()
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        // Whoever owns the store writes its records (root may too).
        let owner = std::fs::metadata(&self.home).map_or_else(|_| fsx::my_uid(), |m| m.uid());
        if meta.uid() != owner && meta.uid() != 0 {
            return Err(format!(
                "`{shown}` belongs to uid {}, not to the store's owner (uid {owner})",
                meta.uid()
            ));
        }
        let mut bytes = Vec::new();
        file.take(MAX_RECORD + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        if bytes.len() as u64 > MAX_RECORD {
            return Err(format!(
                "`{shown}` is larger than {} KiB: no record is",
                MAX_RECORD >> 10
            ));
        }
        let record: Record = serde_json::from_slice(&bytes)
            .map_err(|e| format!("`{shown}` is not a valid record: {e}"))?;
        record
            .check_fields()
            .map_err(|why| format!("`{shown}` is not a valid record: {why}"))?;
        Ok(Some(record))
    }

    /// The record of an installed release, from the store that holds it,
    /// with its standing. Without a usable one, a record of what gov sees
    /// (a link and where it leads, or that the origin is unknown).
    pub fn record_of(&self, platform: &Platform, installed: &Installed) -> Recorded {
        let store = match (&self.system, installed.system) {
            (Some(system), true) => system,
            _ => self,
        };
        let seen = || {
            let origin = if installed.is_link {
                Origin::Link
            } else {
                Origin::Unknown
            };
            let mut record = Record::new(origin, &installed.version, platform);
            if let Some(dir) = installed.linked_to() {
                record = record.from_dir(&dir);
            }
            record
        };
        let (record, standing) = match store.record(platform, &installed.version) {
            Ok(Some(record)) => {
                let standing = match record.check_claims(platform, installed) {
                    Ok(()) => Standing::Trusted,
                    Err(why) => Standing::Unverified(why),
                };
                (record, standing)
            }
            Ok(None) => (seen(), Standing::Missing),
            Err(why) => (seen(), Standing::Ignored(why)),
        };
        Recorded {
            version: installed.version,
            platform: platform.clone(),
            record,
            standing,
        }
    }

    pub fn remove_record(&self, platform: &Platform, version: &Version) -> Result<(), StoreError> {
        match fs_err::remove_file(self.record_path(platform, version)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_from_before_origins_reads_as_a_download() {
        let old = r#"{"version":"1.22.4","platform":"linux-amd64","archive":"go1.22.4.linux-amd64.tar.gz",
            "url":"https://dl.google.com/go/go1.22.4.linux-amd64.tar.gz","sha256":"ab","verified":true,"edits":[]}"#;
        let record: Record = serde_json::from_str(old).unwrap();
        assert_eq!(record.origin, Origin::Download);
        assert_eq!(record.sha256.as_deref(), Some("ab"));
        assert_eq!(record.size, None);
        assert_eq!(record.time, None);
        // Its fields are in range: it is used.
        assert_eq!(
            record.check_fields(),
            Err("its `sha256` is not 64 hexadecimal digits: `ab`".into())
        );
    }

    fn download() -> Record {
        let mut r = Record::new(
            Origin::Download,
            &Version::parse("1.22.4").unwrap(),
            &Platform::host(),
        )
        .now();
        r.sha256 = Some("0".repeat(64));
        r.verified = true;
        r
    }

    #[test]
    fn every_field_is_checked_for_its_range() {
        assert_eq!(download().check_fields(), Ok(()));
        type Spoil = fn(&mut Record);
        let bad: [(Spoil, &str); 7] = [
            (|r| r.version = "1.22.4; rm".into(), "`version`"),
            (|r| r.platform = "linux".into(), "`platform`"),
            (|r| r.sha256 = Some("A".repeat(64)), "`sha256`"),
            (|r| r.time = Some("2024-06-01 12:00:00".into()), "`time`"),
            (|r| r.url = Some("https://x/\u{1b}[2J".into()), "`url`"),
            (|r| r.archive = Some("a".repeat(5000)), "`archive`"),
            (
                |r| {
                    r.edits = vec![
                        Edit {
                            path: "go.env".into(),
                            was: None,
                            now: "x".into()
                        };
                        65
                    ]
                },
                "edits",
            ),
        ];
        for (spoil, field) in bad {
            let mut r = download();
            spoil(&mut r);
            let why = r.check_fields().unwrap_err();
            assert!(why.contains(field), "{field}: {why}");
        }
        assert!(is_rfc3339("2024-06-01T12:00:00Z"));
        assert!(!is_rfc3339("2024-06-01T12:00:00+02:00"));
    }

    #[test]
    fn claims_are_checked_against_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("1.22.4");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("VERSION"), "go1.22.4\ntime x\n").unwrap();
        let installed = Installed {
            version: Version::parse("1.22.4").unwrap(),
            root: root.clone(),
            is_link: false,
            system: false,
        };
        let host = Platform::host();
        assert_eq!(download().check_claims(&host, &installed), Ok(()));
        let other = Platform {
            os: "plan9".into(),
            arch: "386".into(),
        };
        let why = download().check_claims(&other, &installed).unwrap_err();
        assert!(why.contains("not for plan9-386"), "{why}");
        let mut older = download();
        older.version = "1.21.5".into();
        let why = older.check_claims(&host, &installed).unwrap_err();
        assert_eq!(why, "it describes Go 1.21.5, not Go 1.22.4");
        let mut link = download();
        link.origin = Origin::Link;
        let why = link.check_claims(&host, &installed).unwrap_err();
        assert!(why.contains("holds a digest"), "{why}");
        std::fs::write(root.join("VERSION"), "go1.22.5\n").unwrap();
        let why = download().check_claims(&host, &installed).unwrap_err();
        assert!(why.contains("says `go1.22.5`"), "{why}");
        // A link: to where the record says, with the VERSION it read.
        let linked = dir.path().join("linked");
        std::os::unix::fs::symlink(&root, &linked).unwrap();
        let installed = Installed {
            root: linked,
            is_link: true,
            ..installed
        };
        let record = Record::new(Origin::Link, &installed.version, &host).from_dir(&root);
        assert_eq!(record.check_claims(&host, &installed), Ok(()));
        let why = download().check_claims(&host, &installed).unwrap_err();
        assert!(why.contains("holds a link"), "{why}");
        let mut elsewhere = record.clone();
        elsewhere.source_dir = Some("/elsewhere".into());
        let why = elsewhere.check_claims(&host, &installed).unwrap_err();
        assert!(why.contains("links to `/elsewhere`"), "{why}");
        std::fs::write(root.join("VERSION"), "go1.22.4\n").unwrap();
        let why = record.check_claims(&host, &installed).unwrap_err();
        assert!(why.contains("said `go1.22.5`"), "{why}");
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn prop_any_record_file_is_trusted_only_when_bound(
                raw in proptest::collection::vec(any::<u8>(), 0..300),
                as_json in any::<bool>(),
                origin in 0..4usize,
                version in "1\\.2[0-3]\\.[0-9]|.{0,12}",
                platform in "linux-amd64|[a-z0-9-]{0,12}|.{0,8}",
                sha256 in proptest::option::of("[0-9a-f]{64}|.{0,70}"),
                time in proptest::option::of("2024-06-01T12:00:00Z|.{0,24}"),
                verified in any::<bool>(),
            ) {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::new(dir.path().join("home"));
                let root = dir.path().join("home/versions/1.22.4");
                std::fs::create_dir_all(&root).unwrap();
                std::fs::write(root.join("VERSION"), "go1.22.4\n").unwrap();
                let installed = Installed {
                    version: Version::parse("1.22.4").unwrap(),
                    root,
                    is_link: false,
                    system: false,
                };
                let host = Platform::host();
                let bytes = if as_json {
                    let origin = ["download", "link", "import", "unknown"][origin];
                    serde_json::to_vec(&serde_json::json!({
                        "version": version, "platform": platform, "origin": origin,
                        "sha256": sha256, "time": time, "verified": verified,
                    }))
                    .unwrap()
                } else {
                    raw
                };
                let path = store.record_path(&host, &installed.version);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &bytes).unwrap();
                let recorded = store.record_of(&host, &installed);
                prop_assert_eq!(recorded.version, installed.version);
                if recorded.standing == Standing::Trusted {
                    prop_assert_eq!(recorded.record.check_fields(), Ok(()));
                    prop_assert_eq!(Version::parse(&recorded.record.version).ok(), Some(installed.version));
                    prop_assert_eq!(&recorded.record.platform, &host.to_string());
                }
            }
        }
    }
}
