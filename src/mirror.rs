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

use crate::download::{DownloadError, Fetcher};
use crate::fsx;
use crate::index::{File, Index};
use crate::install::pipeline::is_plain_file_name;
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
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Io(#[from] io::Error),
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
        let path = dir.join(".gov-mirror.lock");
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| fsx::with_path(e, &path))?;
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
        if fsx::sha256_of(&dest).is_ok_and(|d| d == expected) {
            self.write_sha256(&file.filename, &expected)?;
            return Ok("kept");
        }
        let url = crate::download::join(base, &file.filename);
        let (tmp, actual) = fetcher.retrying(|| {
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".{}.", file.filename))
                .suffix(".part")
                .tempfile_in(&self.dir)
                .map_err(|e| DownloadError::Read {
                    url: url.clone(),
                    source: e,
                })?;
            let download = fetcher.open(&url)?;
            let mut reader = download.reader;
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader
                    .read(&mut buf)
                    .map_err(|source| DownloadError::Read {
                        url: url.clone(),
                        source,
                    })?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                tmp.write_all(&buf[..n])
                    .map_err(|source| DownloadError::Read {
                        url: url.clone(),
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
        self.write_sha256(&file.filename, &expected)?;
        Ok("downloaded")
    }

    fn write_sha256(&self, filename: &str, digest: &str) -> io::Result<()> {
        let path = self.dir.join(format!("{filename}.sha256"));
        let line = format!("{digest}  {filename}\n");
        if std::fs::read_to_string(&path).is_ok_and(|t| t == line) {
            return Ok(());
        }
        fsx::write_atomic(&path, line.as_bytes())
    }

    /// Rewrites `index.json` to list exactly the archives DIR holds: those
    /// of the old index still there, and `added` (version, file).
    pub fn write_index(&self, added: &[(Version, File)]) -> io::Result<()> {
        let path = self.dir.join("index.json");
        let mut by_version: BTreeMap<Version, Vec<File>> = BTreeMap::new();
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok(old) = Index::parse(&bytes, "mirror") {
                for release in old.releases {
                    for file in release.files {
                        by_version.entry(release.version).or_default().push(file);
                    }
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
    }
}
