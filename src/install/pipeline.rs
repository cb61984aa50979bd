//! One release into the store, as one store change: lock → stream the
//! archive once through the hasher into scratch space → check the digest
//! and what was unpacked → rename into place → shims in line.

use std::io::{self, Read};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::unpack::{self, UnpackError};
use super::InstallError;
use crate::download::{self, DownloadError, Fetcher};
use crate::index::Release;
use crate::platform::Platform;
use crate::store::{self, Edit, Installed, Origin, Record, Store};
use crate::toolchain_env;
use crate::ui;
use crate::version::Version;

/// Where and how to install.
pub struct Options<'a> {
    pub download_base: &'a str,
    /// The index the release was chosen from, for its record.
    pub index_url: &'a str,
    pub platform: &'a Platform,
    pub skip_checksum: bool,
    /// Where progress bars go: `None` off a terminal or with `--quiet`.
    pub progress: Option<&'a indicatif::MultiProgress>,
}

pub enum Outcome {
    Installed(Installed),
    AlreadyInstalled(Installed),
}

/// Installs `release` into the store (`versions/`, or `platforms/OS-ARCH/`
/// for another platform). Safe to run concurrently: one process downloads,
/// the others wait and find it installed.
pub fn install(
    store: &Store,
    fetcher: &Fetcher,
    release: &Release,
    opts: &Options,
) -> Result<Outcome, InstallError> {
    let version = release.version;
    let platform = opts.platform;
    let file = release
        .archive(&platform.os, &platform.arch)
        .ok_or_else(|| InstallError::NoArchive {
            version,
            os: platform.os.clone(),
            arch: platform.arch.clone(),
        })?;
    if !is_plain_file_name(&file.filename) {
        return Err(InstallError::UnsafeFileName {
            version,
            file: file.filename.clone(),
        });
    }
    let name = version.to_string();
    let dest_dir = store.releases_dir(platform);
    let dest = dest_dir.join(&name);
    let change = store.change(
        &Store::release_key(platform, &version),
        &format!("installing Go {version}"),
    )?;
    if dest.exists() {
        return Ok(Outcome::AlreadyInstalled(installed(version, dest)));
    }
    let url = download::join(opts.download_base, &file.filename);
    let expected = expected_digest(fetcher, &file.sha256, &file.filename, &url, opts)?;

    // Scratch space on the same filesystem, named after the release so
    // that the next run clears what a killed one left.
    let staging = change.scratch(&dest_dir, &format!("{platform}-{name}"))?;
    let root = staging.path().join("go");
    // The archive may bring what the index declares, at most MAX_ARCHIVE:
    // a server that goes on after it is cut off, not read to the end.
    let limit = download::archive_limit(file.size);
    let actual = fetcher.retrying(|deadline| {
        if root.exists() {
            fs_err::remove_dir_all(&root).map_err(|e| write_error(&root, e))?;
        }
        fs_err::create_dir_all(&root).map_err(|e| write_error(&root, e))?;
        let download = fetcher.open(&url, limit, deadline)?;
        let length = download.length.or((file.size > 0).then_some(file.size));
        // The bar goes away with this attempt, however it ends: a finished
        // or failed download leaves no stale line in the terminal.
        let (reader, _bar) = progress_reader(download.reader, length, opts.progress, &name);
        let mut hashing = HashingReader {
            inner: reader,
            hasher: Sha256::new(),
            bytes: 0,
        };
        match unpack::unpack_tar_gz(&mut hashing, &root) {
            Ok(()) => {}
            Err(UnpackError::Read(e)) => return Err(download::read_failed(&url, limit, e)),
            Err(source) => {
                return Ok(Err(InstallError::Unpack {
                    file: file.filename.clone(),
                    source,
                }))
            }
        }
        // The digest covers every byte, also those after the tar's end.
        io::copy(&mut hashing, &mut io::sink())
            .map_err(|e| download::read_failed(&url, limit, e))?;
        Ok(Ok((
            format!("{:x}", hashing.hasher.finalize()),
            hashing.bytes,
        )))
    })??;
    let (actual, size) = actual;
    let verified = expected.is_some();
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
    if store::release_named_by(&says) != Some(version) {
        return Err(InstallError::WrongVersion {
            file: file.filename.clone(),
            version,
            says,
        });
    }
    crate::checkpoint::reached("install-verified");
    // Verified as shipped; now what gov changes, recorded.
    let mut edits = Vec::new();
    if let Some((was, now)) = toolchain_env::pin_local_toolchain(&root)? {
        edits.push(Edit {
            path: "go.env".into(),
            was,
            now,
        });
    }
    // The record first: a kill between the two leaves a record of
    // nothing installed (harmless), never a release without its record.
    let mut record = Record::new(Origin::Download, &version, platform).now();
    record.archive = Some(file.filename.clone());
    record.url = Some(url);
    record.sha256 = Some(actual);
    record.verified = verified;
    record.size = Some(size);
    record.index_url = Some(opts.index_url.to_string());
    record.edits = edits;
    store.write_record(platform, &record)?;
    crate::checkpoint::reached("install-recorded");
    fs_err::create_dir_all(&dest_dir)?;
    fs_err::rename(&root, &dest)?;
    crate::checkpoint::reached("install-renamed");
    drop(staging);
    change.commit()?;
    Ok(Outcome::Installed(installed(version, dest)))
}

fn installed(version: Version, root: PathBuf) -> Installed {
    Installed {
        version,
        root,
        is_link: false,
        system: false,
    }
}

/// Scratch space that cannot be made: a full disk is never retried.
fn write_error(path: &std::path::Path, source: io::Error) -> DownloadError {
    DownloadError::Write {
        path: path.to_path_buf(),
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

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn progress_reader(
    reader: Box<dyn Read + Send>,
    length: Option<u64>,
    bars: Option<&indicatif::MultiProgress>,
    name: &str,
) -> (Box<dyn Read + Send>, Option<ClearOnDrop>) {
    let Some(bars) = bars else {
        return (reader, None);
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
    (
        Box::new(bar.wrap_read(reader)),
        Some(ClearOnDrop(bar, bars.clone())),
    )
}

/// Clears a progress bar and takes it off the terminal when dropped.
struct ClearOnDrop(indicatif::ProgressBar, indicatif::MultiProgress);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
        self.1.remove(&self.0);
    }
}

/// A name the index may give an archive: one path component made of
/// letters, digits, `.`, `_`, `+` and `-`, not starting with a dot, as all
/// of go.dev's are. Anything else (`/`, `..`, `%2e%2e%2f`, `?`, control
/// characters) could name something else once joined to a URL.
pub(crate) fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn archive_names_from_the_index_are_plain() {
        assert!(super::is_plain_file_name("go1.22.4.linux-amd64.tar.gz"));
        assert!(super::is_plain_file_name("go1.23rc1.linux-armv6l.tar.gz"));
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
            assert!(!super::is_plain_file_name(bad), "{bad:?}");
        }
    }
}
