//! One release into the store, as one store change: lock → stream the
//! archive once through the hasher into scratch space → check the digest
//! and what was unpacked → rename into place → shims in line.

use std::path::{Path, PathBuf};

use super::unpack::{self, UnpackError};
use super::InstallError;
use crate::download::{self, Expected, Fetcher, Stop};
use crate::goroot::{self, GoRoot};
use crate::index::{self, Release};
use crate::platform::Platform;
use crate::store::{Edit, Installed, Origin, Record, Store};
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
    /// Where each download's bar goes.
    pub progress: &'a ui::Progress,
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
    let file = release.archive_for(platform)?;
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
    let expected = expected_digest(fetcher, file, opts)?;

    // Scratch space on the same filesystem, named after the release so
    // that the next run clears what a killed one left.
    let staging = change.scratch(&dest_dir, &format!("{platform}-{name}"))?;
    let root = staging.path().join("go");
    let wanted = Expected {
        file: &file.filename,
        url: &url,
        sha256: expected.as_deref(),
        size: file.size,
    };
    let fetched = fetcher.fetch_verified(
        &wanted,
        &opts.progress.task(format!("Go {name}")),
        |archive| {
            if root.exists() {
                fs_err::remove_dir_all(&root).map_err(|e| Stop::write(&root, e))?;
            }
            fs_err::create_dir_all(&root).map_err(|e| Stop::write(&root, e))?;
            match unpack::unpack_tar_gz(archive, &root) {
                Ok(()) => Ok(()),
                Err(UnpackError::Read(e)) => Err(Stop::Read(e)),
                Err(source) => Err(Stop::Refused(InstallError::Unpack {
                    file: file.filename.clone(),
                    source,
                })),
            }
        },
    )?;
    let mut record = Record::new(Origin::Download, &version, platform).now();
    record.archive = Some(file.filename.clone());
    record.url = Some(url);
    record.sha256 = Some(fetched.sha256);
    record.verified = expected.is_some();
    record.size = Some(fetched.size);
    record.index_url = Some(opts.index_url.to_string());
    let unpacked = Unpacked {
        version,
        platform,
        root: &root,
        from: &file.filename,
        dest: &dest,
    };
    let installed = unpacked.commit(store, record)?;
    drop(staging);
    change.commit()?;
    Ok(Outcome::Installed(installed))
}

/// A release unpacked into scratch space, not yet in the store.
pub struct Unpacked<'a> {
    pub version: Version,
    pub platform: &'a Platform,
    /// The Go root in scratch space.
    pub root: &'a Path,
    /// The archive (or module) it came from, for messages.
    pub from: &'a str,
    /// Where it goes in the store.
    pub dest: &'a Path,
}

impl Unpacked<'_> {
    /// Checks that the Go root is the release it should be, pins it to
    /// itself (`GOTOOLCHAIN=local` in `go.env`), writes its record and
    /// renames it into place: the last steps of every install, under the
    /// caller's store change.
    pub fn commit(&self, store: &Store, mut record: Record) -> Result<Installed, InstallError> {
        let version = self.version;
        let go_root = GoRoot::new(self.root);
        if !go_root.go().is_file() {
            return Err(InstallError::NotAToolchain {
                file: self.from.to_string(),
            });
        }
        // A mirror can serve a true digest of the wrong release.
        let says = go_root
            .version_line()
            .unwrap_or_else(|| "nothing (it is missing)".into());
        if goroot::release_named_by(&says) != Some(version) {
            return Err(InstallError::WrongVersion {
                file: self.from.to_string(),
                version,
                says,
            });
        }
        crate::checkpoint::reached("install-verified");
        // Verified as shipped; now what gov changes, recorded.
        if let Some((was, now)) = toolchain_env::pin_local_toolchain(self.root)? {
            record.edits.push(Edit {
                path: "go.env".into(),
                was,
                now,
            });
        }
        // The record first: a kill between the two leaves a record of
        // nothing installed (harmless), never a release without its record.
        store.write_record(self.platform, &record)?;
        crate::checkpoint::reached("install-recorded");
        if let Some(dir) = self.dest.parent() {
            fs_err::create_dir_all(dir)?;
        }
        fs_err::rename(self.root, self.dest)?;
        crate::checkpoint::reached("install-renamed");
        Ok(installed(version, self.dest.to_path_buf()))
    }
}

pub(super) fn installed(version: Version, root: PathBuf) -> Installed {
    Installed {
        version,
        root,
        is_link: false,
        system: false,
    }
}

/// The index's digest, else the one `<url>.sha256` publishes, else none
/// with `--skip-checksum`.
fn expected_digest(
    fetcher: &Fetcher,
    file: &index::File,
    opts: &Options,
) -> Result<Option<String>, InstallError> {
    if let Some(digest) = file.digest()? {
        return Ok(Some(digest));
    }
    let url = download::join(opts.download_base, &format!("{}.sha256", file.filename));
    match fetcher.get(&url, 4096) {
        Ok(body) => {
            let text = String::from_utf8_lossy(&body);
            let published = text.split_whitespace().next().unwrap_or("");
            if let Some(digest) = index::parse_sha256(published) {
                return Ok(Some(digest));
            }
        }
        Err(e) if !e.is_not_found() => return Err(e.into()),
        Err(_) => {}
    }
    if opts.skip_checksum {
        ui::warn(&format!(
            "installing `{}` WITHOUT checking its sha256 (--skip-checksum)",
            file.filename
        ));
        return Ok(None);
    }
    Err(InstallError::NoDigest {
        file: file.filename.clone(),
        url,
    })
}
