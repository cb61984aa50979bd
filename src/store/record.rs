//! What gov knows of a release it installed, kept beside the store as
//! `GOV_HOME/records/<platform>-<version>.json`: where it came from, its
//! digest, and every file gov changed in it after the digest was checked
//! (so that an integrity check knows which differences are gov's).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::fsx;
use crate::platform::Platform;
use crate::version::Version;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub version: String,
    pub platform: String,
    pub archive: String,
    pub url: String,
    /// The archive's sha256, as gov computed it while unpacking.
    pub sha256: String,
    /// Whether it matched a published digest (`false` only with
    /// `--skip-checksum`).
    pub verified: bool,
    /// Files gov changed in the release, relative to its root.
    #[serde(default)]
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

    /// The record of a release gov installed; `None` for a linked one, one
    /// installed before records were kept, or an unreadable record.
    pub fn record(&self, platform: &Platform, version: &Version) -> Option<Record> {
        let bytes = std::fs::read(self.record_path(platform, version)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn remove_record(&self, platform: &Platform, version: &Version) -> Result<(), StoreError> {
        match fs_err::remove_file(self.record_path(platform, version)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }
}
