//! Getting releases into the store. [`ensure`] is the one entry for
//! "install it if missing" (a shim with `GOV_AUTO_INSTALL`), [`Installer`]
//! installs many at once (`gov install`); [`pipeline`] is one release from
//! go.dev/dl, [`unpack`] its archive; [`proxy`] is one from Go's module
//! proxy, [`unzip`] its zip.

pub mod import;
pub mod pipeline;
pub mod proxy;
pub mod unpack;
pub mod unzip;

use std::io;
use std::time::{Duration, Instant};

use crate::download::{DownloadError, Fetcher, Mismatch, VerifyError};
use crate::index::{self, EntryError, Index, IndexError, Release};
use crate::platform::Platform;
use crate::request::Request;
use crate::sources::{Channel, Sources};
use crate::store::{Installed, Store, StoreError};
use crate::ui;
use crate::version::Version;
use pipeline::Outcome;
use unpack::UnpackError;

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Entry(#[from] EntryError),
    #[error(
        "checksum mismatch for `{}` from `{}`: expected sha256 {}, got {}",
        .0.file, .0.url, .0.expected, .0.actual
    )]
    Digest(Mismatch),
    /// `url`: where the digest was looked for, `<archive>.sha256`.
    #[error("no sha256 for `{file}`: the index has none and `{url}` is missing")]
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
    #[error("no Go release matches `{wanted}` for {platform} in {place}")]
    NoMatch {
        wanted: String,
        platform: Platform,
        /// Where releases were looked for: "the index at `URL`".
        place: String,
        /// The releases whose names are closest to what was asked.
        nearest: Vec<Version>,
    },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Channel(Box<proxy::ChannelError>),
    #[error("cannot unpack `{file}`")]
    Unzip {
        file: String,
        #[source]
        source: unzip::UnzipError,
    },

    /// Boxed: it carries both sides of the disagreement.
    #[error(transparent)]
    Locked(Box<crate::lock::LockError>),

    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::lock::LockError> for InstallError {
    fn from(e: crate::lock::LockError) -> InstallError {
        InstallError::Locked(Box::new(e))
    }
}

impl From<proxy::ChannelError> for InstallError {
    fn from(e: proxy::ChannelError) -> InstallError {
        InstallError::Channel(Box::new(e))
    }
}

impl From<VerifyError> for InstallError {
    fn from(e: VerifyError) -> InstallError {
        match e {
            VerifyError::Download(e) => InstallError::Download(e),
            VerifyError::Mismatch(m) => InstallError::Digest(m),
        }
    }
}

impl InstallError {
    pub fn hint(&self) -> Option<String> {
        match self {
            InstallError::Entry(e) if e.is_forged() => {
                Some(format!("nothing was installed; {}", e.hint()?))
            }
            InstallError::Entry(e) => e.hint(),
            InstallError::Digest(_) => Some(
                "nothing was installed; run the command again, and if it fails the same way the mirror serves a wrong file: check GOV_DOWNLOAD_URL".into(),
            ),
            InstallError::NoDigest { .. } => Some(
                "use a mirror that publishes checksums, or pass --skip-checksum if you trust this one (not recommended)".into(),
            ),
            InstallError::Download(e) => e.hint(),
            InstallError::Unpack { source, .. } if !source.is_read_error() => match source {
                UnpackError::Write { source: e, .. } => Some(crate::fsx::io_hint(e).unwrap_or_else(|| "free some disk space or check the permissions of GOV_HOME, then run the command again".into())),
                _ => Some("the archive is damaged or hostile; nothing was installed".into()),
            },
            InstallError::WrongVersion { .. } => Some(
                "nothing was installed; the mirror serves something else than go.dev: check GOV_INDEX_URL and GOV_DOWNLOAD_URL".into(),
            ),
            InstallError::NoMatch { nearest, .. } => Some(match nearest.as_slice() {
                [] => "run `gov list-remote --all` to see what is available".into(),
                [first, ..] => format!(
                    "the nearest releases are {}: run `gov install {first}`, or `gov list-remote --all` to see them all",
                    nearest.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", ")
                ),
            }),
            InstallError::Index(e) => e.hint(),
            InstallError::Channel(e) => e.hint(),
            InstallError::Unzip { source, .. } => source.hint(),
            InstallError::Store(e) => e.hint(),
            InstallError::Locked(e) => e.hint(),
            InstallError::Io(e) => crate::fsx::io_hint(e),
            _ => None,
        }
    }
}

/// The releases a channel has for one platform, and where they were
/// looked for (for messages).
pub struct Listed {
    pub versions: Vec<Version>,
    /// "the index at `URL`", "the toolchain modules of GOPROXY `…`".
    pub place: String,
}

impl Listed {
    /// What `sources` offer for `platform`: the index's releases with an
    /// archive for it, or the toolchain modules the proxies list.
    pub fn of(
        sources: &Sources,
        store: &Store,
        platform: &Platform,
    ) -> Result<Listed, InstallError> {
        match sources.channel.clone().map_err(DownloadError::Setting)? {
            Channel::Dl => {
                let source = index::Source::of(sources, store, false);
                let index = index::load(&source, &Fetcher::new(sources))?;
                Ok(Listed {
                    versions: index
                        .releases
                        .iter()
                        .filter(|r| r.archive(&platform.os, &platform.arch).is_some())
                        .map(|r| r.version)
                        .collect(),
                    place: format!("the index at `{}`", sources.index_url),
                })
            }
            Channel::Proxy => {
                let channel = proxy::Channel::new(&sources.go, store)?;
                Ok(Listed {
                    versions: channel.versions(&proxy::fetcher(sources)?, platform)?,
                    place: format!(
                        "the toolchain modules of GOPROXY `{}`",
                        channel.proxies.value()
                    ),
                })
            }
        }
    }

    /// The newest release `request` names (a stable one, unless it names a
    /// pre-release exactly).
    pub fn pick(&self, request: &Request) -> Option<Version> {
        let candidates: Vec<Version> = self
            .versions
            .iter()
            .copied()
            .filter(|v| v.is_stable() || matches!(request, Request::Exact(_)))
            .collect();
        request.pick(&candidates)
    }

    /// That nothing matches `request`, with the nearest names.
    pub fn no_match(&self, request: &Request, platform: &Platform) -> InstallError {
        InstallError::NoMatch {
            wanted: match request {
                Request::AtLeast(v) => format!("{v} or newer"),
                r => r.to_string(),
            },
            platform: platform.clone(),
            place: self.place.clone(),
            nearest: index::nearest(&self.versions, &request.to_string(), 3),
        }
    }
}

/// A release to install, and where from.
enum Pick {
    Dl(Release),
    Module(Version),
}

impl Pick {
    fn version(&self) -> Version {
        match self {
            Pick::Dl(release) => release.version,
            Pick::Module(version) => *version,
        }
    }
}

/// What became of one release.
pub enum Done {
    Installed(Installed, Duration),
    AlreadyInstalled(Installed),
    /// A dry run: this release would be downloaded and installed.
    WouldInstall(Version),
}

/// Installs releases for one platform from one set of sources.
pub struct Installer<'a> {
    pub store: &'a Store,
    pub sources: &'a Sources,
    pub platform: Platform,
    /// Install even without a published digest (`--skip-checksum`).
    pub skip_checksum: bool,
    /// Fetch the index even when the cached copy is fresh.
    pub refresh: bool,
    /// Progress bars on stderr; [`ui::Progress`] shows them on a terminal
    /// only.
    pub progress: bool,
    /// Say where the index came from (`--verbose`).
    pub verbose: bool,
    /// Install even a release the system store has.
    pub force: bool,
    /// A lock (`gov.lock`) whose release is installed from its archive's
    /// digest, not the index's.
    pub pinned: Option<Pinned<'a>>,
    /// Only say what would be installed (`--dry-run`): the index is read,
    /// nothing is downloaded or changed.
    pub dry_run: bool,
}

/// A lock an install follows.
#[derive(Clone, Copy)]
pub struct Pinned<'a> {
    pub lock: &'a crate::lock::Lock,
    pub path: &'a std::path::Path,
    /// `--locked`: every disagreement is an error; else a warning, and
    /// the install goes on as without the lock.
    pub strict: bool,
}

impl<'a> Pinned<'a> {
    /// The locked archive when `version` for `platform` is what the lock
    /// pins.
    fn archive(self, version: &Version, platform: &Platform) -> Option<&'a crate::lock::Archive> {
        (self.lock.release == *version)
            .then(|| self.lock.archive(platform))
            .flatten()
    }

    /// An error under `--locked`; a warning (and `Ok`) otherwise.
    fn disagree(&self, e: crate::lock::LockError) -> Result<(), InstallError> {
        if self.strict {
            return Err(e.into());
        }
        ui::warn(&format!(
            "{e}; installing as without a lock (with --locked this is an error; `gov lock` updates the lock)"
        ));
        Ok(())
    }
}

impl<'a> Installer<'a> {
    /// For this machine, with the defaults.
    pub fn new(store: &'a Store, sources: &'a Sources) -> Installer<'a> {
        Installer {
            store,
            sources,
            platform: Platform::host(),
            skip_checksum: false,
            refresh: false,
            progress: false,
            verbose: false,
            force: false,
            pinned: None,
            dry_run: false,
        }
    }

    /// An installed release checked against the lock: its record must
    /// show the locked archive (or module hash).
    fn check_installed(&self, installed: &Installed) -> Result<(), InstallError> {
        let Some(pinned) = &self.pinned else {
            return Ok(());
        };
        let Some(archive) = pinned.archive(&installed.version, &self.platform) else {
            return Ok(());
        };
        let recorded = self.store.record_of(&self.platform, installed);
        let record =
            (recorded.standing == crate::store::Standing::Trusted).then_some(&recorded.record);
        match crate::lock::check_record(archive, record) {
            Ok(()) => Ok(()),
            Err(why) => pinned.disagree(crate::lock::LockError::InstalledOther {
                path: pinned.path.to_path_buf(),
                release: installed.version.to_string(),
                why,
            }),
        }
    }

    /// The release as the lock pins it: the locked digest (and size)
    /// replace the index's, once they are seen to agree.
    fn apply_pin(&self, release: &mut Release) -> Result<bool, InstallError> {
        let Some(pinned) = &self.pinned else {
            return Ok(false);
        };
        if pinned.lock.release != release.version {
            return Ok(false);
        }
        let Some(locked) = pinned.lock.archive(&self.platform) else {
            pinned.disagree(crate::lock::LockError::NoPlatform {
                path: pinned.path.to_path_buf(),
                release: release.version.to_string(),
                platform: self.platform.clone(),
                locked: pinned.lock.platform_list(),
            })?;
            return Ok(false);
        };
        let (os, arch) = (self.platform.os.clone(), self.platform.arch.clone());
        let Some(file) = release.files.iter_mut().find(|f| {
            f.kind == "archive" && f.os == os && f.arch == arch && f.filename.ends_with(".tar.gz")
        }) else {
            return Ok(false);
        };
        let listed = file.digest()?;
        let differs =
            file.filename != locked.file || listed.as_ref().is_some_and(|d| *d != locked.sha256);
        if differs {
            pinned.disagree(crate::lock::LockError::IndexDigest {
                path: pinned.path.to_path_buf(),
                file: file.filename.clone(),
                locked: locked.sha256.clone(),
                listed: match listed {
                    Some(d) if file.filename == locked.file => d,
                    Some(d) => format!("{d} for `{}`", file.filename),
                    None => format!("no digest for `{}`", file.filename),
                },
                place: format!("the release index at `{}`", self.sources.index_url),
            })?;
            return Ok(false);
        }
        file.sha256 = locked.sha256.clone();
        if let Some(size) = locked.size {
            file.size = size;
        }
        Ok(true)
    }

    /// Installs what each request names, in parallel; an exact release
    /// already here needs no index (and no network). The index failing
    /// fails the whole; otherwise each release succeeds or fails alone.
    pub fn install_all(
        &self,
        requests: &[Request],
    ) -> Result<Vec<Result<Done, InstallError>>, InstallError> {
        let mut done = Vec::new();
        let mut pending = Vec::new();
        for request in requests {
            let here = match request {
                Request::Exact(v) if self.platform.is_host() => {
                    self.store.find(v)?.filter(|i| !(i.system && self.force))
                }
                _ => None,
            };
            match here {
                Some(i) => done.push(self.check_installed(&i).map(|()| Done::AlreadyInstalled(i))),
                None => pending.push(request.clone()),
            }
        }
        if pending.is_empty() {
            return Ok(done);
        }
        let channel = self
            .sources
            .channel
            .clone()
            .map_err(DownloadError::Setting)?;
        let (fetcher, proxy) = match channel {
            Channel::Dl => (Fetcher::new(self.sources), None),
            Channel::Proxy => (
                proxy::fetcher(self.sources)?,
                Some(proxy::Channel::new(&self.sources.go, self.store)?),
            ),
        };
        let mut picked: Vec<Pick> = match &proxy {
            None => self
                .pick(&pending, &fetcher)?
                .into_iter()
                .map(Pick::Dl)
                .collect(),
            Some(proxy) => self
                .pick_module(&pending, proxy, &fetcher)?
                .into_iter()
                .map(Pick::Module)
                .collect(),
        };
        // What the system store has is not downloaded again, unless forced.
        if self.platform.is_host() && !self.force {
            let mut fetch = Vec::new();
            for pick in picked {
                match self.store.find(&pick.version())? {
                    Some(i) if i.system => {
                        done.push(self.check_installed(&i).map(|()| Done::AlreadyInstalled(i)))
                    }
                    _ => fetch.push(pick),
                }
            }
            picked = fetch;
        }
        if self.dry_run {
            // As the pipeline decides: a release whose root is there is
            // installed already.
            for pick in &picked {
                let version = pick.version();
                let root = self
                    .store
                    .releases_dir(&self.platform)
                    .join(version.to_string());
                done.push(match root.exists() {
                    true => self
                        .check_installed(&pipeline::installed(version, root.clone()))
                        .map(|()| Done::AlreadyInstalled(pipeline::installed(version, root))),
                    false => Ok(Done::WouldInstall(version)),
                });
            }
            return Ok(done);
        }
        let progress = ui::Progress::new(!self.progress);
        let options = pipeline::Options {
            download_base: &self.sources.download_url,
            index_url: &self.sources.index_url,
            platform: &self.platform,
            skip_checksum: self.skip_checksum,
            progress: &progress,
        };
        let locked = |version: &Version| {
            let pinned = self.pinned?;
            Some((pinned.archive(version, &self.platform)?, pinned.path))
        };
        let install = |pick: &Pick| match (pick, &proxy) {
            (Pick::Dl(release), _) => {
                let done = pipeline::install(self.store, &fetcher, release, &options);
                match (done, locked(&release.version)) {
                    // Verified against the lock's digest: say so.
                    (Err(InstallError::Digest(m)), Some((archive, path)))
                        if m.expected == archive.sha256 =>
                    {
                        Err(crate::lock::LockError::DownloadDigest {
                            path: path.to_path_buf(),
                            file: m.file,
                            url: m.url,
                            locked: m.expected,
                            actual: m.actual,
                        }
                        .into())
                    }
                    (done, _) => done,
                }
            }
            (Pick::Module(version), Some(channel)) => {
                // Under --locked only: the module's hash is the lock's.
                let strict = self.pinned.filter(|p| p.strict);
                let locked_h1 = match (strict.and_then(|_| locked(version)), strict) {
                    (Some((archive, path)), _) => match &archive.h1 {
                        Some(h1) => Some((h1.as_str(), path)),
                        None => {
                            return Err(crate::lock::LockError::NoModuleHash {
                                path: path.to_path_buf(),
                                platform: self.platform.clone(),
                            }
                            .into())
                        }
                    },
                    (None, Some(pinned)) if pinned.lock.release == *version => {
                        return Err(crate::lock::LockError::NoPlatform {
                            path: pinned.path.to_path_buf(),
                            release: version.to_string(),
                            platform: self.platform.clone(),
                            locked: pinned.lock.platform_list(),
                        }
                        .into())
                    }
                    _ => None,
                };
                let module_options = proxy::Options {
                    platform: &self.platform,
                    progress: &progress,
                    locked_h1,
                };
                proxy::install(self.store, &fetcher, channel, *version, &module_options)
            }
            (Pick::Module(_), None) => unreachable!("modules are picked from a proxy"),
        };
        std::thread::scope(|scope| {
            let handles: Vec<_> = picked
                .iter()
                .map(|pick| {
                    let install = &install;
                    scope.spawn(move || {
                        let start = Instant::now();
                        install(pick).map(|outcome| match outcome {
                            Outcome::Installed(i) => Done::Installed(i, start.elapsed()),
                            Outcome::AlreadyInstalled(i) => Done::AlreadyInstalled(i),
                        })
                    })
                })
                .collect();
            for handle in handles {
                done.push(handle.join().expect("an install thread panicked"));
            }
        });
        Ok(done)
    }

    /// The release each request names, from the toolchain modules the
    /// proxies list.
    fn pick_module(
        &self,
        requests: &[Request],
        channel: &proxy::Channel,
        fetcher: &Fetcher,
    ) -> Result<Vec<Version>, InstallError> {
        let listed = Listed {
            versions: channel.versions(fetcher, &self.platform)?,
            place: format!(
                "the toolchain modules of GOPROXY `{}`",
                channel.proxies.value()
            ),
        };
        let mut picked = Vec::new();
        for request in requests {
            let version = listed
                .pick(request)
                .ok_or_else(|| listed.no_match(request, &self.platform))?;
            if !picked.contains(&version) {
                picked.push(version);
            }
        }
        Ok(picked)
    }

    /// The release each request names, from the index. A request the
    /// cached index cannot answer asks the server again, once.
    fn pick(&self, requests: &[Request], fetcher: &Fetcher) -> Result<Vec<Release>, InstallError> {
        let load = |refresh| {
            let source = index::Source::of(self.sources, self.store, refresh);
            let index = index::load(&source, fetcher)?;
            if self.verbose {
                eprintln!(
                    "gov: release index from {}",
                    crate::ui::escape(&index.origin)
                );
            }
            Ok::<_, IndexError>(index)
        };
        let (os, arch) = (&self.platform.os, &self.platform.arch);
        let mut index: Index = load(self.refresh)?;
        let mut refreshed = self.refresh || self.sources.offline;
        let mut releases = Vec::new();
        for request in requests {
            let mut found = index.pick(request, os, arch).cloned();
            if found.is_none() && !refreshed {
                index = load(true)?;
                refreshed = true;
                found = index.pick(request, os, arch).cloned();
            }
            let mut release = found.ok_or_else(|| InstallError::NoMatch {
                wanted: match request {
                    Request::AtLeast(v) => format!("{v} or newer"),
                    r => r.to_string(),
                },
                platform: self.platform.clone(),
                place: format!("the index at `{}`", self.sources.index_url),
                nearest: index.nearest(&request.to_string(), 3),
            })?;
            self.apply_pin(&mut release)?;
            if !releases
                .iter()
                .any(|r: &Release| r.version == release.version)
            {
                releases.push(release);
            }
        }
        Ok(releases)
    }
}

/// Into a store with no global default, the first release installed
/// becomes it (as rustup does with the first toolchain): the newest of
/// `done` for this machine. Returns it, to say so.
pub fn adopt_first_default(
    store: &Store,
    done: &[Result<Done, InstallError>],
) -> Result<Option<Installed>, InstallError> {
    if store.global().is_some() {
        return Ok(None);
    }
    let newest = done
        .iter()
        .filter_map(|d| match d {
            // Also one a killed install left without its default.
            Ok(Done::Installed(i, _) | Done::AlreadyInstalled(i))
                if i.root.parent() == Some(store.versions_dir().as_path()) =>
            {
                Some(i)
            }
            _ => None,
        })
        .max_by_key(|i| i.version);
    match newest {
        Some(i) => {
            store.set_global(
                i,
                &format!("gov install (the first release, {})", i.version),
            )?;
            Ok(Some(i.clone()))
        }
        None => Ok(None),
    }
}

/// The installed release `request` names, installing the newest match
/// for this machine first when none is: what a shim does with
/// `GOV_AUTO_INSTALL`. `say` hears what was done.
pub fn ensure(
    store: &Store,
    sources: &Sources,
    request: &Request,
    progress: bool,
    say: &dyn Fn(&str),
) -> Result<Installed, InstallError> {
    if let Some(installed) = store.pick(request)? {
        return Ok(installed);
    }
    let installer = Installer {
        progress,
        ..Installer::new(store, sources)
    };
    let mut results = installer.install_all(std::slice::from_ref(request))?;
    if let Some(i) = adopt_first_default(store, &results)? {
        say(&format!(
            "Go {} is the global default now (the first release installed)",
            i.version
        ));
    }
    match results.pop().expect("one request, one result")? {
        Done::Installed(i, took) => {
            say(&format!(
                "installed Go {} in {:.1}s",
                i.version,
                took.as_secs_f64()
            ));
            Ok(i)
        }
        Done::AlreadyInstalled(i) => Ok(i),
        Done::WouldInstall(_) => unreachable!("this installer is no dry run"),
    }
}
