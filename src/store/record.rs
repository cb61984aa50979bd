//! What gov knows of each release in a store, kept beside it as
//! `GOV_HOME/records/<platform>-<version>.json`: how it came (downloaded,
//! linked, imported), from where, its digest and size, when and by which
//! gov, and every file gov changed in it after the digest was checked (so
//! an integrity check knows which differences are gov's). A release with
//! no record (installed before records were kept) gets one that says what
//! is unknown — never an invented digest.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::history::rfc3339;
use super::{Installed, Store, StoreError};
use crate::fsx;
use crate::platform::Platform;
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
        self.version_file = super::root_version(dir);
        self
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
        fs_err::create_dir_all(path.parent().expect("records have a directory"))?;
        let json = serde_json::to_vec_pretty(record).map_err(std::io::Error::other)?;
        fsx::write_atomic(&path, &json)?;
        Ok(())
    }

    /// The record of a release; `None` when there is none or it cannot be
    /// read.
    pub fn record(&self, platform: &Platform, version: &Version) -> Option<Record> {
        let bytes = std::fs::read(self.record_path(platform, version)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The record of an installed release, from the store that holds it;
    /// one that says what is unknown when there is none.
    pub fn record_of(&self, platform: &Platform, installed: &Installed) -> Record {
        let store = match (&self.system, installed.system) {
            (Some(system), true) => system,
            _ => self,
        };
        store
            .record(platform, &installed.version)
            .unwrap_or_else(|| {
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
            })
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
    }
}
