//! `gov prune`: what gov leaves behind over time — CI job caches, caches
//! of releases no longer installed, other mirrors' indexes, scratch space
//! of killed runs. Never an installed release, never something in use: a
//! directory touched within the age limit counts as in use, as does the
//! current job's, the current index and any scratch space whose lock is
//! held.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Store, StoreError};
use crate::platform::Platform;
use crate::version::Version;

/// Something `gov prune` removes (or would).
#[derive(Debug, Clone)]
pub struct Pruned {
    pub path: PathBuf,
    pub bytes: u64,
    pub what: &'static str,
}

impl Store {
    /// Removes (unless `dry_run`) what has not been used for `older_than`;
    /// `index_url` and `job` are the ones in use now.
    pub fn prune(
        &self,
        older_than: Duration,
        index_url: &str,
        job: Option<&str>,
        dry_run: bool,
    ) -> Result<Vec<Pruned>, StoreError> {
        let cutoff = SystemTime::now()
            .checked_sub(older_than)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let old = |path: &Path| newest_mtime(path, 3).is_some_and(|t| t < cutoff);
        let mut found = Vec::new();

        for entry in read_dir(&self.job_cache_dir()) {
            let name = entry.file_name();
            if Some(name.to_string_lossy().as_ref()) != job && old(&entry.path()) {
                found.push((entry.path(), "a CI job's caches"));
            }
        }
        let installed: Vec<Version> = self.installed()?.iter().map(|i| i.version).collect();
        for entry in read_dir(&self.go_cache_dir()) {
            let name = entry.file_name();
            let in_store =
                Version::parse(&name.to_string_lossy()).is_ok_and(|v| installed.contains(&v));
            if !in_store && old(&entry.path()) {
                found.push((entry.path(), "caches of a release no longer installed"));
            }
        }
        let current_index = self.index_cache(index_url);
        for entry in read_dir(&self.home().join("cache")) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_index =
                name == "index.json" || (name.starts_with("index-") && name.ends_with(".json"));
            if is_index && entry.path() != current_index && old(&entry.path()) {
                found.push((entry.path(), "another mirror's release index"));
            }
        }
        // Scratch space is in use exactly while its release's lock is held.
        let mut locks = Vec::new();
        for entry in read_dir(&self.scratch_dir()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            // uninstall-V and copy-V are changes of release V, under its lock.
            let of_release = name
                .strip_prefix("uninstall-")
                .or_else(|| name.strip_prefix("copy-"))
                .and_then(|v| Version::parse(v).ok());
            let key = match of_release {
                Some(v) => Store::release_key(&Platform::host(), &v),
                None => name.clone(),
            };
            if let Some(lock) = self.try_lock(&key)? {
                locks.push(lock);
                found.push((entry.path(), "what an interrupted install left"));
            }
        }

        let mut pruned = Vec::new();
        for (path, what) in found {
            let bytes = size_of(&path);
            if !dry_run {
                let removed = if path.is_dir() {
                    fs_err::remove_dir_all(&path)
                } else {
                    fs_err::remove_file(&path)
                };
                removed?;
            }
            pruned.push(Pruned { path, bytes, what });
        }
        drop(locks);
        Ok(pruned)
    }
}

fn read_dir(dir: &Path) -> Vec<std::fs::DirEntry> {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().collect())
        .unwrap_or_default()
}

/// The newest modification time of `path` and what lies below it, down to
/// `depth` levels (Go's caches touch their fan-out directories).
fn newest_mtime(path: &Path, depth: u32) -> Option<SystemTime> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let mut newest = meta.modified().ok()?;
    if meta.is_dir() && depth > 0 {
        for entry in read_dir(path) {
            if let Some(t) = newest_mtime(&entry.path(), depth - 1) {
                newest = newest.max(t);
            }
        }
    }
    Some(newest)
}

/// Bytes below `path`, links not followed.
fn size_of(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_dir() {
        read_dir(path).iter().map(|e| size_of(&e.path())).sum()
    } else {
        meta.len()
    }
}
