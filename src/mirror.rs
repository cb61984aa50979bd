//! `gov mirror DIR`: a directory any static web server (or a disk carried
//! to an air-gapped site) can serve as GOV_INDEX_URL and GOV_DOWNLOAD_URL —
//! archives, their `.sha256`, and an `index.json` in go.dev's schema listing
//! exactly what DIR holds. Every archive is checked against the upstream
//! digest before it is kept; a file appears only whole (written aside, then
//! renamed); a re-run fetches only what is missing or damaged.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::download::{self, DownloadError, Fetcher};
use crate::fsx;
use crate::index::{File, Index, MAX_INDEX};
use crate::install::pipeline::is_plain_file_name;
use crate::store::MIRROR_LOCK;
use crate::version::Version;

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("`{file}` from `{url}` has sha256 {actual}, but the index says {expected}: not kept")]
    Digest {
        file: String,
        url: String,
        expected: String,
        actual: String,
    },
    #[error("the index gives `{file}` no sha256: gov mirrors only what it can verify")]
    NoDigest { file: String },
    #[error("the release index names an archive `{file}`, which is not a plain file name")]
    UnsafeFileName { file: String },
    /// Someone else's pipe, device or socket in the mirror directory.
    #[error("`{}` is {kind}, not a file: gov mirror neither reads nor replaces it", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl MirrorError {
    pub fn hint(&self) -> Option<String> {
        match self {
            MirrorError::Digest { .. }
            | MirrorError::NoDigest { .. }
            | MirrorError::UnsafeFileName { .. } => Some(
                "check that GOV_INDEX_URL and GOV_DOWNLOAD_URL name the same trustworthy mirror"
                    .into(),
            ),
            MirrorError::NotAFile { path, .. } => Some(format!(
                "remove it (`rm {}`) and run `gov mirror` again",
                path.display()
            )),
            MirrorError::Download(e) => e.hint(),
            MirrorError::Io(e) => fsx::io_hint(e),
        }
    }
}

/// What became of one archive.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Mirrored {
    pub file: String,
    /// `downloaded`, `kept` (already there and whole) or `failed`.
    pub action: &'static str,
    pub error: Option<String>,
}

/// A mirror directory, locked while one `gov mirror` changes it.
pub struct Mirror {
    dir: PathBuf,
    _lock: std::fs::File,
}

impl Mirror {
    pub fn open(dir: &Path) -> io::Result<Mirror> {
        fs_err::create_dir_all(dir)?;
        let path = dir.join(MIRROR_LOCK);
        // Never through a link, never waiting on a pipe planted there.
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| fsx::with_path(e, &path))?;
        if !lock.metadata()?.is_file() {
            return Err(fsx::with_path(
                io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
                &path,
            ));
        }
        lock.lock().map_err(|e| fsx::with_path(e, &path))?;
        Ok(Mirror {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// Makes `file` (from `base`) present and verified.
    pub fn fetch(
        &self,
        fetcher: &Fetcher,
        base: &str,
        file: &File,
    ) -> Result<&'static str, MirrorError> {
        if !is_plain_file_name(&file.filename) {
            return Err(MirrorError::UnsafeFileName {
                file: file.filename.clone(),
            });
        }
        if file.sha256.is_empty() {
            return Err(MirrorError::NoDigest {
                file: file.filename.clone(),
            });
        }
        let dest = self.dir.join(&file.filename);
        let expected = file.sha256.to_ascii_lowercase();
        // The archive may bring what the index declares, at most
        // MAX_ARCHIVE: a server that goes on is cut off there.
        let limit = download::archive_limit(file.size);
        if self.digest_of(&dest, limit)?.is_some_and(|d| d == expected) {
            self.write_sha256(&file.filename, &expected)?;
            return Ok("kept");
        }
        let url = crate::download::join(base, &file.filename);
        let (tmp, actual) = fetcher.retrying(|deadline| {
            // Written aside, renamed when whole; a killed run's is removed
            // by the next run or by `gov prune`.
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".{}.", file.filename))
                .suffix(".part")
                .tempfile_in(&self.dir)
                .map_err(|source| DownloadError::Write {
                    path: self.dir.clone(),
                    source,
                })?;
            let mut reader = fetcher.open(&url, limit, deadline)?.reader;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader
                    .read(&mut buf)
                    .map_err(|e| download::read_failed(&url, limit, e))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                // A full disk is no reason to try again.
                tmp.write_all(&buf[..n])
                    .map_err(|source| DownloadError::Write {
                        path: tmp.path().to_path_buf(),
                        source,
                    })?;
            }
            Ok((tmp, format!("{:x}", hasher.finalize())))
        })?;
        if actual != expected {
            return Err(MirrorError::Digest {
                file: file.filename.clone(),
                url,
                expected,
                actual,
            });
        }
        tmp.as_file().sync_all()?;
        std::fs::set_permissions(
            tmp.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )?;
        tmp.persist(&dest)
            .map_err(|e| fsx::with_path(e.error, &dest))?;
        crate::checkpoint::reached("mirror-archive");
        self.write_sha256(&file.filename, &expected)?;
        crate::checkpoint::reached("mirror-sha256");
        Ok("downloaded")
    }

    /// The sha256 of the archive at `dest` if a regular file of at most
    /// `limit` bytes is there; a pipe or a device is refused, never opened.
    fn digest_of(&self, dest: &Path, limit: u64) -> Result<Option<String>, MirrorError> {
        let mut file = match fsx::open_regular(dest).map_err(|e| fsx::with_path(e, dest))? {
            Ok(file) => file,
            Err(fsx::Found::NotAFile(kind)) => return Err(not_a_file(dest, kind)),
            Err(_) => return Ok(None),
        };
        if file.metadata()?.len() > limit {
            return Ok(None);
        }
        let mut hasher = Sha256::new();
        io::copy(&mut file, &mut hasher).map_err(|e| fsx::with_path(e, dest))?;
        Ok(Some(format!("{:x}", hasher.finalize())))
    }

    fn write_sha256(&self, filename: &str, digest: &str) -> Result<(), MirrorError> {
        let path = self.dir.join(format!("{filename}.sha256"));
        let line = format!("{digest}  {filename}\n");
        match fsx::read_regular(&path, 4096).map_err(|e| fsx::with_path(e, &path))? {
            fsx::Found::Bytes(bytes) if bytes == line.as_bytes() => return Ok(()),
            fsx::Found::NotAFile(kind) => return Err(not_a_file(&path, kind)),
            _ => {}
        }
        Ok(fsx::write_atomic(&path, line.as_bytes())?)
    }

    /// Rewrites `index.json` to list exactly the archives DIR holds: those
    /// of the old index still there, and `added` (version, file).
    pub fn write_index(&self, added: &[(Version, File)]) -> Result<(), MirrorError> {
        let path = self.dir.join("index.json");
        let mut by_version: BTreeMap<Version, Vec<File>> = BTreeMap::new();
        let old = match fsx::read_regular(&path, MAX_INDEX).map_err(|e| fsx::with_path(e, &path))? {
            fsx::Found::Bytes(bytes) => Index::parse(&bytes, "mirror").ok(),
            fsx::Found::NotAFile(kind) => return Err(not_a_file(&path, kind)),
            fsx::Found::Missing => None,
        };
        for release in old.into_iter().flat_map(|old| old.releases) {
            // Only names gov itself would write: the old index is a file
            // of the shared directory, as open to others as the archives.
            for file in release.files {
                if is_plain_file_name(&file.filename) {
                    by_version.entry(release.version).or_default().push(file);
                }
            }
        }
        for (version, file) in added {
            let files = by_version.entry(*version).or_default();
            files.retain(|f| f.filename != file.filename);
            files.push(file.clone());
        }
        let mut list = Vec::new();
        for (version, mut files) in by_version.into_iter().rev() {
            files.retain(|f| self.dir.join(&f.filename).is_file());
            if files.is_empty() {
                continue;
            }
            files.sort_by(|a, b| a.filename.cmp(&b.filename));
            list.push(serde_json::json!({
                "version": version.go_name(),
                "stable": version.is_stable(),
                "files": files.iter().map(|f| serde_json::json!({
                    "filename": f.filename,
                    "os": f.os,
                    "arch": f.arch,
                    "version": version.go_name(),
                    "sha256": f.sha256,
                    "size": f.size,
                    "kind": f.kind,
                })).collect::<Vec<_>>(),
            }));
        }
        let json = serde_json::to_vec_pretty(&list).map_err(io::Error::other)?;
        fsx::write_atomic(&path, &json)?;
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .map_err(|e| fsx::with_path(e, &path))?;
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn not_a_file(path: &Path, kind: &'static str) -> MirrorError {
    MirrorError::NotAFile {
        path: path.to_path_buf(),
        kind,
    }
}
