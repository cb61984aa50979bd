//! `gov mirror DIR`: a directory any static web server (or a disk carried
//! to an air-gapped site) can serve as GOV_INDEX_URL and GOV_DOWNLOAD_URL —
//! archives, their `.sha256`, and an `index.json` in go.dev's schema listing
//! exactly what DIR holds. Every archive is checked against the upstream
//! digest before it is kept; a file appears only whole (written aside, then
//! renamed); a re-run fetches only what is missing or damaged.

use std::collections::BTreeMap;
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::download::{self, DownloadError, Expected, Fetcher, Mismatch, Stop, VerifyError};
use crate::fsx;
use crate::index::{self, EntryError, File, Index, Release, MAX_INDEX};
use crate::install::proxy::ChannelError;
use crate::platform::Platform;
use crate::store::MIRROR_LOCK;
use crate::ui;
use crate::version::Version;

mod proxy;
mod vulndb;

pub use vulndb::Copied;

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error(
        "`{}` from `{}` has sha256 {}, but the index says {}: not kept",
        .0.file, .0.url, .0.actual, .0.expected
    )]
    Digest(Mismatch),
    #[error(transparent)]
    Entry(#[from] EntryError),
    /// Someone else's pipe, device or socket in the mirror directory.
    #[error("`{}` is {kind}, not a file: gov mirror neither reads nor replaces it", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Channel(Box<ChannelError>),
    /// `GOSUMDB=off` with a `file://` GOPROXY: a mirror keeps only what a
    /// database proved.
    #[error("`{module}` cannot be mirrored without a checksum database to prove it (GOSUMDB=off)")]
    Unproved { module: String },
    #[error("cannot read the module zip `{file}`")]
    Zip {
        file: String,
        #[source]
        source: crate::install::unzip::UnzipError,
    },
}

impl From<ChannelError> for MirrorError {
    fn from(e: ChannelError) -> MirrorError {
        MirrorError::Channel(Box::new(e))
    }
}

impl From<VerifyError> for MirrorError {
    fn from(e: VerifyError) -> MirrorError {
        match e {
            VerifyError::Download(e) => MirrorError::Download(e),
            VerifyError::Mismatch(m) => MirrorError::Digest(m),
        }
    }
}

impl MirrorError {
    pub fn hint(&self) -> Option<String> {
        match self {
            MirrorError::Digest(_) => Some(
                "check that GOV_INDEX_URL and GOV_DOWNLOAD_URL name the same trustworthy mirror"
                    .into(),
            ),
            MirrorError::Entry(e) => e.hint(),
            MirrorError::NotAFile { path, .. } => Some(format!(
                "remove it (`rm {}`) and run `gov mirror` again",
                path.display()
            )),
            MirrorError::Download(e) => e.hint(),
            MirrorError::Io(e) => fsx::io_hint(e),
            MirrorError::Channel(e) => e.hint(),
            MirrorError::Unproved { .. } => {
                Some("unset GOSUMDB, or name the database that proves the toolchains".into())
            }
            MirrorError::Zip { source, .. } => source.hint(),
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

    /// Makes the archive of `release` for `platform` (from `base`)
    /// present and verified.
    pub fn fetch(
        &self,
        fetcher: &Fetcher,
        base: &str,
        release: &Release,
        platform: &Platform,
        progress: &ui::Progress,
    ) -> Result<&'static str, MirrorError> {
        let file = release.archive_for(platform)?;
        // gov mirrors only what it can verify.
        let expected = file.required_digest()?;
        let dest = self.dir.join(&file.filename);
        let limit = download::archive_limit(file.size);
        if self.digest_of(&dest, limit)?.is_some_and(|d| d == expected) {
            self.write_sha256(&file.filename, &expected)?;
            return Ok("kept");
        }
        let url = download::join(base, &file.filename);
        let wanted = Expected {
            file: &file.filename,
            url: &url,
            sha256: Some(&expected),
            size: file.size,
        };
        let fetched =
            fetcher.fetch_verified(&wanted, &progress.task(&file.filename), |archive| {
                // Written aside, renamed when whole and verified; a killed
                // run's is removed by the next run or by `gov prune`.
                let mut part = tempfile::Builder::new()
                    .prefix(&format!(".{}.", file.filename))
                    .suffix(".part")
                    .tempfile_in(&self.dir)
                    .map_err(|e| Stop::write(&self.dir, e))?;
                let path = part.path().to_path_buf();
                download::write_all::<MirrorError>(archive, part.as_file_mut(), &path)?;
                Ok(part)
            })?;
        let part = fetched.value;
        part.as_file().sync_all()?;
        std::fs::set_permissions(
            part.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )?;
        part.persist(&dest)
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
                if index::is_plain_file_name(&file.filename) {
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
