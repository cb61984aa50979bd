//! `gov prune`: what gov leaves behind over time — CI job caches, caches
//! of releases no longer installed, other mirrors' indexes, scratch space
//! of killed runs, and the files killed `gov mirror` runs left in the
//! mirror directories gov remembers. Never an installed release, never
//! something in use: a directory touched within the age limit counts as in
//! use, as does the current job's, the current index, any scratch space
//! whose lock is held and a mirror directory a `gov mirror` holds.

use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::{Store, StoreError};
use crate::platform::Platform;
use crate::version::Version;

/// The lock a `gov mirror` holds on its directory while it changes it.
pub const MIRROR_LOCK: &str = ".gov-mirror.lock";

/// The most of the list of mirror directories gov reads.
const MAX_MIRRORS_LIST: u64 = 256 * 1024;

/// A file `gov mirror` writes aside and renames into place when whole
/// (`.go1.22.4.linux-amd64.tar.gz.XXXXXX.part`, `.index.json.XXXXXX.tmp`):
/// left in the directory only by a killed run.
fn is_mirror_leftover(name: &str) -> bool {
    (name.starts_with(".go") || name.starts_with(".index.json."))
        && (name.ends_with(".part") || name.ends_with(".tmp"))
}

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
        let scratch: Vec<_> = self
            .scratch_dirs()
            .iter()
            .flat_map(|d| read_dir(d))
            .collect();
        for entry in scratch {
            let name = entry.file_name().to_string_lossy().into_owned();
            // uninstall-V and copy-V are changes of release V, and
            // uninstall-OS-ARCH-V of another platform's, under its lock.
            let key = match name
                .strip_prefix("uninstall-")
                .or_else(|| name.strip_prefix("copy-"))
            {
                Some(rest) => match Version::parse(rest) {
                    Ok(v) => Store::release_key(&Platform::host(), &v),
                    Err(_) => rest.to_string(),
                },
                None => name.clone(),
            };
            if let Some(lock) = self.try_lock(&key)? {
                // Looked at again under the lock: the change that held it
                // may have ended, its scratch gone with it, since the listing.
                if std::fs::symlink_metadata(entry.path()).is_err() {
                    continue;
                }
                locks.push(lock);
                found.push((entry.path(), "what an interrupted install left"));
            }
        }

        // A mirror directory is in use exactly while a `gov mirror` holds
        // its lock; what a killed run left there is never of use.
        let mut mirror_locks = Vec::new();
        for dir in self.mirrors() {
            let Some(lock) = try_lock_mirror(&dir) else {
                continue;
            };
            mirror_locks.push(lock);
            for path in mirror_leftovers(&dir) {
                found.push((path, "what an interrupted `gov mirror` left"));
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
        drop(mirror_locks);
        Ok(pruned)
    }
}

impl Store {
    /// `GOV_HOME/mirrors`: the directories `gov mirror` filled, one a line.
    fn mirrors_list(&self) -> PathBuf {
        self.home().join("mirrors")
    }

    /// The mirror directories gov remembers.
    pub fn mirrors(&self) -> Vec<PathBuf> {
        match crate::fsx::read_regular_text(&self.mirrors_list(), MAX_MIRRORS_LIST) {
            Ok(Some(Ok((text, _)))) => text
                .lines()
                .filter(|l| l.starts_with('/'))
                .map(PathBuf::from)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Remembers `dir` (absolute) as a mirror directory, so that `gov prune`
    /// clears what a killed `gov mirror` leaves there. One appended line,
    /// written at once: concurrent runs do not lose each other's.
    pub fn remember_mirror(&self, dir: &Path) -> io::Result<()> {
        if self.mirrors().iter().any(|d| d == dir) {
            return Ok(());
        }
        let Some(line) = dir
            .to_str()
            .filter(|d| d.starts_with('/') && !d.contains('\n'))
        else {
            return Ok(());
        };
        fs_err::create_dir_all(self.home())?;
        let path = self.mirrors_list();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| crate::fsx::with_path(e, &path))?;
        file.write_all(format!("{line}\n").as_bytes())
            .map_err(|e| crate::fsx::with_path(e, &path))
    }

    /// Removes what killed `gov mirror` runs left in `dir`, the caller
    /// holding its lock.
    pub fn clear_mirror_leftovers(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let found = mirror_leftovers(dir);
        for path in &found {
            fs_err::remove_file(path)?;
        }
        Ok(found)
    }
}

/// The lock of the mirror directory `dir` if no `gov mirror` holds it (a
/// directory without one has none running either); `None` when one does
/// or when it is not a plain file.
fn try_lock_mirror(dir: &Path) -> Option<Option<std::fs::File>> {
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(dir.join(MIRROR_LOCK))
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some(None),
        Err(_) => return None,
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return None;
    }
    file.try_lock().ok().map(|()| Some(file))
}

/// The files of `dir` a killed `gov mirror` left; links are listed, not
/// followed (removing one removes the link).
fn mirror_leftovers(dir: &Path) -> Vec<PathBuf> {
    // Archives at the top, toolchain module zips (`--proxy`) below.
    let modules = dir.join("golang.org/toolchain/@v");
    [read_dir(dir), read_dir(&modules)]
        .into_iter()
        .flatten()
        .filter(|e| is_mirror_leftover(&e.file_name().to_string_lossy()))
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .map(|e| e.path())
        .collect()
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
