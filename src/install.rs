//! Installing a release: lock it, stream the archive once through the
//! hasher into a scratch directory, check the digest, rename into place.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::download::{self, DownloadError, Fetcher};
use crate::index::Release;
use crate::store::{self, Installed, Store, StoreError};
use crate::ui;
use crate::unpack::{self, UnpackError};
use crate::version::Version;

/// How long to wait for another gov installing the same release.
const LOCK_TIMEOUT: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("no {os}-{arch} archive of Go {version} in the release index")]
    NoArchive {
        version: Version,
        os: String,
        arch: String,
    },
    #[error(
        "checksum mismatch for `{file}` from `{url}`: expected sha256 {expected}, got {actual}"
    )]
    Digest {
        file: String,
        url: String,
        expected: String,
        actual: String,
    },
    #[error("no sha256 for `{file}`: the index has none and `{url}.sha256` is missing")]
    NoDigest { file: String, url: String },
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error("cannot unpack `{file}`")]
    Unpack {
        file: String,
        #[source]
        source: UnpackError,
    },
    #[error("`{file}` is not a Go release: it has no `go/bin/go`")]
    NotAToolchain { file: String },
    #[error("`{file}` was installed as Go {version}, but its `go/VERSION` says {says}")]
    WrongVersion {
        file: String,
        version: Version,
        says: String,
    },
    #[error("the release index names the archive of Go {version} `{file}`, which is not a plain file name")]
    UnsafeFileName { version: Version, file: String },
    #[error("timed out waiting for another gov installing Go {version} (lock `{}`)", path.display())]
    LockTimeout { version: Version, path: PathBuf },
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl InstallError {
    pub fn hint(&self) -> Option<String> {
        match self {
            InstallError::NoArchive { .. } => {
                Some("run `gov list-remote --all` to see what the index has".into())
            }
            InstallError::Digest { .. } => Some(
                "nothing was installed; run the command again, and if it fails the same way the mirror serves a wrong file: check GOV_DOWNLOAD_URL".into(),
            ),
            InstallError::NoDigest { .. } => Some(
                "use a mirror that publishes checksums, or pass --skip-checksum if you trust this one (not recommended)".into(),
            ),
            InstallError::Download(e) => e.hint(),
            InstallError::Unpack { source, .. } if !source.is_read_error() => match source {
                UnpackError::Write { .. } => Some("free some disk space or check the permissions of GOV_HOME, then run the command again".into()),
                _ => Some("the archive is damaged or hostile; nothing was installed".into()),
            },
            InstallError::WrongVersion { .. } | InstallError::UnsafeFileName { .. } => Some(
                "nothing was installed; the mirror serves something else than go.dev: check GOV_INDEX_URL and GOV_DOWNLOAD_URL".into(),
            ),
            InstallError::LockTimeout { path, .. } => Some(format!(
                "if no gov is running, remove `{}` and run the command again",
                path.display()
            )),
            InstallError::Store(e) => e.hint(),
            _ => None,
        }
    }
}

/// Where and how to install.
pub struct Options<'a> {
    pub download_base: &'a str,
    pub os: &'a str,
    pub arch: &'a str,
    pub skip_checksum: bool,
    /// Where progress bars go: `None` off a terminal or with `--quiet`.
    pub progress: Option<&'a indicatif::MultiProgress>,
}

pub enum Outcome {
    Installed(Installed),
    AlreadyInstalled(Installed),
}

/// Installs `release` into `dest_dir/<version>` (normally the store's
/// `versions/`). Safe to run concurrently: one process downloads, the
/// others wait and find it installed.
pub fn install(
    store: &Store,
    fetcher: &Fetcher,
    release: &Release,
    dest_dir: &Path,
    opts: &Options,
) -> Result<Outcome, InstallError> {
    let version = release.version;
    let file = release
        .archive(opts.os, opts.arch)
        .ok_or_else(|| InstallError::NoArchive {
            version,
            os: opts.os.into(),
            arch: opts.arch.into(),
        })?;
    if !is_plain_file_name(&file.filename) {
        return Err(InstallError::UnsafeFileName {
            version,
            file: file.filename.clone(),
        });
    }
    let name = version.to_string();
    let dest = dest_dir.join(&name);
    let _lock = lock(store, &lock_key(opts.os, opts.arch, &version), version)?;
    if dest.exists() {
        return Ok(Outcome::AlreadyInstalled(installed(version, dest)));
    }
    let url = download::join(opts.download_base, &file.filename);
    let expected = expected_digest(fetcher, &file.sha256, &file.filename, &url, opts)?;

    // Scratch space on the same filesystem; whatever a killed run left
    // here is ours to clear, since we hold the lock.
    let staging = store
        .home()
        .join("tmp")
        .join(format!("{}-{}-{name}", opts.os, opts.arch));
    let _cleanup = RemoveOnDrop(staging.clone());
    let root = staging.join("go");
    let actual = fetcher.retrying(|| {
        if staging.exists() {
            fs_err::remove_dir_all(&staging).map_err(|e| read_error(&url, e))?;
        }
        fs_err::create_dir_all(&root).map_err(|e| read_error(&url, e))?;
        let download = fetcher.open(&url)?;
        let length = download.length.or((file.size > 0).then_some(file.size));
        let reader = progress_reader(download.reader, length, opts.progress, &name);
        let mut hashing = HashingReader {
            inner: reader,
            hasher: Sha256::new(),
        };
        match unpack::unpack_tar_gz(&mut hashing, &root) {
            Ok(()) => {}
            Err(UnpackError::Read(e)) => return Err(read_error(&url, e)),
            Err(source) => {
                return Ok(Err(InstallError::Unpack {
                    file: file.filename.clone(),
                    source,
                }))
            }
        }
        // The digest covers every byte, also those after the tar's end.
        io::copy(&mut hashing, &mut io::sink()).map_err(|e| read_error(&url, e))?;
        Ok(Ok(format!("{:x}", hashing.hasher.finalize())))
    })??;
    if let Some(expected) = expected {
        if !actual.eq_ignore_ascii_case(&expected) {
            return Err(InstallError::Digest {
                file: file.filename.clone(),
                url,
                expected,
                actual,
            });
        }
    }
    if !root.join("bin/go").is_file() {
        return Err(InstallError::NotAToolchain {
            file: file.filename.clone(),
        });
    }
    // A mirror can serve a true digest of the wrong release.
    let says = store::root_version(&root).unwrap_or_else(|| "nothing (it is missing)".into());
    if Version::parse(&says).ok() != Some(version) {
        return Err(InstallError::WrongVersion {
            file: file.filename.clone(),
            version,
            says,
        });
    }
    fs_err::create_dir_all(dest_dir)?;
    fs_err::rename(&root, &dest)?;
    Ok(Outcome::Installed(installed(version, dest)))
}

fn installed(version: Version, root: PathBuf) -> Installed {
    Installed {
        version,
        root,
        is_link: false,
    }
}

fn read_error(url: &str, source: io::Error) -> DownloadError {
    DownloadError::Read {
        url: url.into(),
        source,
    }
}

/// The index's digest, else `<url>.sha256`, else none with `--skip-checksum`.
fn expected_digest(
    fetcher: &Fetcher,
    from_index: &str,
    file: &str,
    url: &str,
    opts: &Options,
) -> Result<Option<String>, InstallError> {
    if !from_index.is_empty() {
        return Ok(Some(from_index.to_ascii_lowercase()));
    }
    match fetcher.get(&format!("{url}.sha256"), 4096) {
        Ok(body) => {
            let text = String::from_utf8_lossy(&body);
            let digest = text.split_whitespace().next().unwrap_or("");
            if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(Some(digest.to_ascii_lowercase()));
            }
        }
        Err(e) if !e.is_not_found() => return Err(e.into()),
        Err(_) => {}
    }
    if opts.skip_checksum {
        ui::warn(&format!(
            "installing `{file}` WITHOUT checking its sha256 (--skip-checksum)"
        ));
        return Ok(None);
    }
    Err(InstallError::NoDigest {
        file: file.into(),
        url: url.into(),
    })
}

/// The lock key of a release for a platform.
pub fn lock_key(os: &str, arch: &str, version: &Version) -> String {
    format!("{os}-{arch}-{version}")
}

/// An exclusive lock per release in `GOV_HOME/locks/`, held until dropped.
pub fn lock(store: &Store, key: &str, version: Version) -> Result<std::fs::File, InstallError> {
    let dir = store.home().join("locks");
    fs_err::create_dir_all(&dir)?;
    let path = dir.join(format!("{key}.lock"));
    let file = fs_err::File::create(&path)?.into_parts().0;
    let start = Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        if !said {
            eprintln!(
                "waiting for another gov installing Go {version} (lock `{}`)",
                path.display()
            );
            said = true;
        }
        if start.elapsed() > LOCK_TIMEOUT {
            return Err(InstallError::LockTimeout { version, path });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn progress_reader(
    reader: Box<dyn Read + Send>,
    length: Option<u64>,
    bars: Option<&indicatif::MultiProgress>,
    name: &str,
) -> Box<dyn Read + Send> {
    let Some(bars) = bars else {
        return reader;
    };
    let bar = match length {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar.set_message(format!("Go {name}"));
    let bar = bars.add(bar);
    Box::new(bar.wrap_read(reader))
}

/// A name the index may give an archive: one path component, no `..`.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

#[cfg(test)]
mod tests {
    #[test]
    fn archive_names_from_the_index_are_plain() {
        assert!(super::is_plain_file_name("go1.22.4.linux-amd64.tar.gz"));
        for bad in [
            "../x.tar.gz",
            "a/b",
            "/etc/passwd",
            "..",
            "",
            "x\\y",
            "a\0b",
        ] {
            assert!(!super::is_plain_file_name(bad), "{bad:?}");
        }
    }
}
