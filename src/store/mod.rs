//! The store under `GOV_HOME`: it owns every path there, its locks and
//! its scratch directory, and every change to it goes through one
//! transaction ([`Store::change`]): lock, write into `tmp/`, rename, bring
//! the shims in line.
//!
//! ```text
//! GOV_HOME/
//!   versions/1.22.4/   a complete GOROOT (or a symlink to one, for `gov link`)
//!   bin/go, bin/gofmt  shims: symlinks to the gov binary
//!   current            symlink to versions/<global default>
//!   platforms/OS-ARCH/ releases for other platforms (`install --os --arch`)
//!   cache/             the release index, CI caches (`gov env --isolate`)
//!   records/           what gov knows of each release it installed
//!   locks/             one lock file per release being changed, the global
//!                      default (`global`) and the shims (`shims`)
//!   tmp/               scratch space on the same filesystem
//! ```

mod copy;
mod history;
mod journal;
mod lock;
mod prune;
mod record;
mod shims;

pub use copy::CopyError;
pub use history::Change as HistoryEntry;
pub use journal::{real_path, write_through, Journal, JournalEntry, Kept};
pub use lock::{Lock, LOCK_TIMEOUT};
pub use prune::{Pruned, MIRROR_LOCK};
pub use record::{Edit, Module, Origin, Record, Recorded, Standing, Tree};
pub use shims::{CORE_PROGRAMS, GO_PROGRAMS};

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::env_vars;
use crate::fsx;
use crate::goroot::{release_named_by, GoRoot, GoRootProblem};
use crate::platform::Platform;
use crate::request::Request;
use crate::version::Version;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot find a home for gov: neither GOV_HOME, XDG_DATA_HOME nor HOME is set")]
    NoHome,
    #[error("{var} must be an absolute path, not `{}`", path.display())]
    RelativeHome { var: &'static str, path: PathBuf },
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Copy(#[from] CopyError),
    #[error("release {version} is already installed at `{}`", path.display())]
    AlreadyInstalled { version: Version, path: PathBuf },
    #[error("`{}` is not a Go root: {reason}", dir.display())]
    NotAGoRoot {
        dir: PathBuf,
        reason: &'static str,
        /// `--force` links it anyway (it has `bin/go`, nothing else of Go).
        forcible: bool,
    },
    #[error("`{}` says it is {says}, not Go {version}", GoRoot::new(dir).version_file().display())]
    VersionMismatch {
        dir: PathBuf,
        says: String,
        version: Version,
    },
    #[error("`{}` is gov's own shim directory, not a Go root", dir.display())]
    LinkToShims { dir: PathBuf },
    #[error("cannot {doing}: it is not installed")]
    NotInstalled { doing: String, version: Version },
    #[error("timed out waiting for another gov {doing} (lock `{}`)", path.display())]
    LockTimeout { doing: String, path: PathBuf },
    #[error("the lock `{}` is held by process {pid} of {owner}, not by a gov of yours", path.display())]
    LockHeldByOther {
        path: PathBuf,
        pid: u32,
        owner: String,
    },
    #[error("refusing to write to `{}`: it belongs to {owner}, not to you", path.display())]
    NotOwner {
        path: PathBuf,
        owner: String,
        /// The system store (`--system`).
        shared: bool,
    },
    #[error("`{}` is in the system store, which belongs to {owner}", path.display())]
    NotYours { path: PathBuf, owner: String },
    #[error("refusing to run Go from `{}`: {problem}, so another user could choose what runs", path.display())]
    Untrusted {
        path: PathBuf,
        problem: fsx::Untrusted,
    },
}

impl StoreError {
    pub fn hint(&self) -> Option<String> {
        match self {
            StoreError::NoHome => Some("set GOV_HOME to the directory gov should use".into()),
            StoreError::RelativeHome { var, path } => Some(format!(
                "a shim runs from any directory: set {var}=\"$PWD/{}\" (or another absolute path)",
                path.display()
            )),
            StoreError::AlreadyInstalled { version, .. } => {
                Some(format!("run `gov uninstall {version}` first to replace it"))
            }
            StoreError::NotAGoRoot { forcible: true, .. } => {
                Some("pass a Go root, the directory that holds `bin/go` and Go's `VERSION`, `src/` or `pkg/tool/`, such as `/usr/lib/go-1.19`; or pass --force if it really is one".into())
            }
            StoreError::NotAGoRoot { .. } | StoreError::LinkToShims { .. } => {
                Some("pass a Go root, the directory that holds `bin/go` and Go's `VERSION`, `src/` or `pkg/tool/`, such as `/usr/lib/go-1.19`".into())
            }
            StoreError::VersionMismatch { dir, says, version } => {
                let named = release_named_by(says)
                    .map(|v| format!("`gov link {v} {}`", dir.display()))
                    .unwrap_or_else(|| "the release it is".into());
                Some(format!(
                    "link it as {named}, or pass --force if it really is Go {version}"
                ))
            }
            StoreError::NotInstalled { .. } => Some(
                "another gov removed it meanwhile: run `gov list` to see what is installed".into(),
            ),
            StoreError::NotYours { .. } => Some(
                "run it as the system store's owner, e.g. `sudo gov --system …`".into(),
            ),
            StoreError::Untrusted { path, problem } => Some(match problem {
                fsx::Untrusted::Writable(_) => format!("if it is yours, run `chmod go-w {}`", path.display()),
                _ => format!(
                    "if you trust it, run `sudo chown -R \"$USER\" {}`; otherwise remove it",
                    path.display()
                ),
            }),
            StoreError::LockHeldByOther { pid, .. } => Some(format!(
                "only the store's owner may take its locks: stop process {pid} (`sudo kill {pid}`), then run the command again"
            )),
            StoreError::NotOwner { path, shared: true, .. } => Some(format!(
                "a system store belongs to its administrator: if you trust what is in it, run `chown -R root: {}`; otherwise set GOV_SYSTEM_HOME to a store of root's",
                path.display()
            )),
            StoreError::NotOwner { .. } => Some(
                "set GOV_HOME to a directory of your own (or have its owner give it to you)".into(),
            ),
            StoreError::LockTimeout { path, .. } => Some(format!(
                "if no gov is running, remove `{}` and run the command again",
                path.display()
            )),
            StoreError::Io(e) => fsx::io_hint(e),
            StoreError::Copy(e) => e.hint(),
        }
    }
}

/// Where `gov import` found a Go root.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The tool that installed it (`goenv`, `gvm`, `go` for Go's module
    /// cache, …).
    pub by: &'static str,
    /// The toolchain module it is, when Go downloaded it.
    pub module: Option<Module>,
}

/// A release in the store.
#[derive(Debug, Clone)]
pub struct Installed {
    pub version: Version,
    /// `versions/<version>` (the GOROOT gov hands to Go).
    pub root: PathBuf,
    /// Registered with `gov link`: `root` is a symlink to its directory.
    pub is_link: bool,
    /// In the system store (`GOV_SYSTEM_HOME`), not the user's.
    pub system: bool,
}

impl Installed {
    /// For `gov link`: the directory the entry points to. Read on demand,
    /// so that listing the store (on every shim call) reads no links.
    pub fn linked_to(&self) -> Option<PathBuf> {
        self.is_link
            .then(|| std::fs::read_link(&self.root).ok())
            .flatten()
    }
}

/// Scratch space beside releases on another file system than `tmp/`.
pub const BESIDE_SCRATCH: &str = ".gov-tmp";

/// The lock of the `current` link.
const GLOBAL_KEY: &str = "global";

#[derive(Debug, Clone)]
pub struct Store {
    home: PathBuf,
    /// The system store whose releases this one's user also sees, after
    /// their own (`GOV_SYSTEM_HOME`, when it exists).
    system: Option<Box<Store>>,
    /// The gov binary the shims link to; without it a change leaves the
    /// shims as they are.
    shim_target: Option<PathBuf>,
    /// The system store (`GOV_SYSTEM_HOME`), which every user runs from.
    shared: bool,
}

impl Store {
    pub fn new(home: PathBuf) -> Store {
        Store {
            home,
            system: None,
            shim_target: None,
            shared: false,
        }
    }

    /// The system store at `home`, shared by every user.
    pub fn shared(home: PathBuf) -> Store {
        Store {
            shared: true,
            ..Store::new(home)
        }
    }

    /// Whether this is the system store.
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// `GOV_HOME`, else `$XDG_DATA_HOME/gov`, else `~/.local/share/gov`.
    pub fn from_context(ctx: &Context) -> Result<Store, StoreError> {
        let absolute = |var: &'static str, path: PathBuf| {
            if path.is_absolute() {
                Ok(path)
            } else {
                Err(StoreError::RelativeHome { var, path })
            }
        };
        let user = if let Some(home) = ctx.var(env_vars::GOV_HOME) {
            absolute(env_vars::GOV_HOME, home.into())?
        } else if let Some(data) = ctx.var(env_vars::XDG_DATA_HOME) {
            absolute(env_vars::XDG_DATA_HOME, data.into())?.join("gov")
        } else {
            let home = ctx.var(env_vars::HOME).ok_or(StoreError::NoHome)?;
            absolute(env_vars::HOME, home.into())?.join(".local/share/gov")
        };
        let mut store = Store::new(user);
        // The system store, when there is one, is seen after the user's.
        let system = Store::system_home(ctx)?;
        if system != store.home && system.is_dir() {
            store.system = Some(Box::new(Store::shared(system)));
        }
        Ok(store)
    }

    /// `GOV_SYSTEM_HOME`, by default `/opt/gov`.
    pub fn system_home(ctx: &Context) -> Result<PathBuf, StoreError> {
        match ctx.var(env_vars::GOV_SYSTEM_HOME) {
            Some(home) if Path::new(home).is_absolute() => Ok(home.into()),
            Some(home) => Err(StoreError::RelativeHome {
                var: env_vars::GOV_SYSTEM_HOME,
                path: home.into(),
            }),
            None => Ok(PathBuf::from("/opt/gov")),
        }
    }

    /// The system store itself, for `gov --system …`.
    pub fn system_from_context(ctx: &Context) -> Result<Store, StoreError> {
        Ok(Store::shared(Store::system_home(ctx)?))
    }

    /// The system store this one sees, if any.
    pub fn system(&self) -> Option<&Store> {
        self.system.as_deref()
    }

    /// Changes bring the shims in line, as links to `exe`.
    pub fn with_shim_target(mut self, exe: PathBuf) -> Store {
        self.shim_target = Some(exe);
        self
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn versions_dir(&self) -> PathBuf {
        self.home.join("versions")
    }

    /// Where releases for `platform` go: `versions/` for this machine,
    /// `platforms/OS-ARCH/` for another.
    pub fn releases_dir(&self, platform: &Platform) -> PathBuf {
        if platform.is_host() {
            self.versions_dir()
        } else {
            self.home.join("platforms").join(platform.to_string())
        }
    }

    pub fn bin_dir(&self) -> PathBuf {
        self.home.join("bin")
    }

    pub fn current_link(&self) -> PathBuf {
        self.home.join("current")
    }

    /// The cached release index from `url`: one file per URL, so that
    /// switching `GOV_INDEX_URL` never serves another mirror's index.
    pub fn index_cache(&self, url: &str) -> PathBuf {
        use sha2::{Digest, Sha256};
        let key = format!("{:x}", Sha256::digest(url.as_bytes()));
        self.home
            .join("cache")
            .join(format!("index-{}.json", &key[..16]))
    }

    /// The cached Go vulnerability database from `url` (its entries for
    /// Go itself), one file per URL as [`Store::index_cache`].
    pub fn vulndb_cache(&self, url: &str) -> PathBuf {
        use sha2::{Digest, Sha256};
        let key = format!("{:x}", Sha256::digest(url.as_bytes()));
        self.home
            .join("cache")
            .join(format!("vulndb-{}.json", &key[..16]))
    }

    /// Per-release caches for `gov env --isolate version`.
    pub fn go_cache_dir(&self) -> PathBuf {
        self.home.join("cache/go")
    }

    /// Per-job caches for `gov env --isolate job`.
    pub fn job_cache_dir(&self) -> PathBuf {
        self.home.join("cache/jobs")
    }

    /// Scratch space on the store's filesystem, so that a rename commits.
    pub fn scratch_dir(&self) -> PathBuf {
        self.home.join("tmp")
    }

    /// Every scratch directory: `tmp/`, and those beside releases on
    /// another file system (`versions/.gov-tmp`, `platforms/*/.gov-tmp`).
    pub fn scratch_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.scratch_dir(), self.versions_dir().join(BESIDE_SCRATCH)];
        for entry in std::fs::read_dir(self.home.join("platforms"))
            .into_iter()
            .flatten()
            .flatten()
        {
            dirs.push(entry.path().join(BESIDE_SCRATCH));
        }
        dirs.retain(|d| d.is_dir());
        dirs
    }

    /// ssh's StrictModes, all the way down, for what a shim or `gov exec`
    /// is about to run: every step of the path to the release's `bin/` and
    /// `program` — from `/`, through GOV_HOME, `versions/`, the release's
    /// root and every link on the way (a linked root's directory too) — is
    /// owned by the user or root and writable by nobody else (a sticky
    /// directory such as `/tmp` only on the way: what the user or root has
    /// in it, nobody else can replace).
    pub fn check_trusted(&self, root: &Path, program: Option<&Path>) -> Result<(), StoreError> {
        let bin = root.join("bin");
        let end = program.unwrap_or(&bin);
        match fsx::trust_chain(end, fsx::Sticky::Allowed)? {
            None => Ok(()),
            Some((path, problem)) => Err(StoreError::Untrusted { path, problem }),
        }
    }

    /// Before any write: the store, when it exists, is the user's own. Root
    /// writes to a store of another account neither through `--system` nor
    /// through GOV_HOME: its owner could have planted links there.
    pub fn check_owner(&self) -> Result<(), StoreError> {
        match std::fs::metadata(&self.home) {
            Ok(meta) if meta.uid() != fsx::my_uid() => Err(StoreError::NotOwner {
                path: self.home.clone(),
                owner: owner_of(&self.home),
                shared: self.shared,
            }),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(with_path(e, &self.home).into()),
        }
    }

    /// The lock key of a release for a platform.
    pub fn release_key(platform: &Platform, version: &Version) -> String {
        format!("{platform}-{version}")
    }

    /// Begins a change: holds the lock `key` until it is committed or
    /// dropped. Every write to the store is one.
    pub fn change(&self, key: &str, doing: &str) -> Result<Change<'_>, StoreError> {
        Ok(Change {
            store: self,
            _lock: self.lock(key, doing)?,
        })
    }

    /// Every release in `versions/`, newest first. Entries whose names are
    /// not versions (scratch directories) are skipped.
    pub fn installed(&self) -> Result<Vec<Installed>, StoreError> {
        let mut found = self.own_installed()?;
        if let Some(system) = &self.system {
            for mut i in system.own_installed()? {
                if !found.iter().any(|mine| mine.version == i.version) {
                    i.system = true;
                    found.push(i);
                }
            }
            found.sort_by_key(|i| std::cmp::Reverse(i.version));
        }
        Ok(found)
    }

    /// Only this store's releases, not the system's.
    pub fn own_installed(&self) -> Result<Vec<Installed>, StoreError> {
        let mut found = Vec::new();
        let entries = match std::fs::read_dir(self.versions_dir()) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(with_path(e, &self.versions_dir()).into()),
        };
        for entry in entries {
            let entry = entry.map_err(|e| with_path(e, &self.versions_dir()))?;
            let name = entry.file_name();
            let Some(version) = name.to_str().and_then(|n| Version::parse(n).ok()) else {
                continue;
            };
            found.push(Installed {
                version,
                root: entry.path(),
                is_link: entry.file_type().is_ok_and(|t| t.is_symlink()),
                system: false,
            });
        }
        found.sort_by_key(|i| std::cmp::Reverse(i.version));
        Ok(found)
    }

    /// The newest installed release `request` names.
    pub fn pick(&self, request: &Request) -> Result<Option<Installed>, StoreError> {
        if let Request::Exact(v) = request {
            return self.find(v);
        }
        let installed = self.installed()?;
        let versions: Vec<Version> = installed.iter().map(|i| i.version).collect();
        Ok(request
            .pick(&versions)
            .and_then(|v| installed.into_iter().find(|i| i.version == v)))
    }

    /// The installed entry equal to `version` (`1.20.0` finds `1.20`).
    pub fn find(&self, version: &Version) -> Result<Option<Installed>, StoreError> {
        // The entry named as the version is written: one `lstat`, no
        // listing (the shim's usual case).
        let root = self.versions_dir().join(version.to_string());
        if let Ok(meta) = std::fs::symlink_metadata(&root) {
            if meta.is_dir() || meta.file_type().is_symlink() {
                return Ok(Some(Installed {
                    version: *version,
                    root,
                    is_link: meta.file_type().is_symlink(),
                    system: false,
                }));
            }
        }
        if let Some(found) = self
            .own_installed()?
            .into_iter()
            .find(|i| i.version == *version)
        {
            return Ok(Some(found));
        }
        match &self.system {
            Some(system) => Ok(system.find(version)?.map(|mut i| {
                i.system = true;
                i
            })),
            None => Ok(None),
        }
    }

    /// The global default, read from the `current` link.
    /// The user's own, else the system's.
    pub fn global(&self) -> Option<Version> {
        self.own_global()
            .or_else(|| self.system.as_ref().and_then(|s| s.own_global()))
    }

    /// This store's own global default, not the system's.
    pub fn own_global(&self) -> Option<Version> {
        let target = std::fs::read_link(self.current_link()).ok()?;
        Version::parse(target.file_name()?.to_str()?).ok()
    }

    /// Points `current` at `installed`, atomically: a reader sees the old
    /// target or the new one, never nothing.
    /// Recorded in the history as made by `command`.
    ///
    /// Under the release's lock, then the default's (the order of every
    /// change that takes both, as [`Store::remove`] does): the release is
    /// looked for again there, so that `current` never names one an
    /// uninstall removed since the caller found it.
    pub fn set_global(&self, installed: &Installed, command: &str) -> Result<(), StoreError> {
        self.set_global_linking(installed, command, None)
    }

    /// [`Store::set_global`], and `fixed` (`gov --system global --link
    /// PATH`) pointed at the release first, under the same locks: it never
    /// names a release an uninstall removed meanwhile.
    pub fn set_global_linking(
        &self,
        installed: &Installed,
        command: &str,
        fixed: Option<&Path>,
    ) -> Result<(), StoreError> {
        let version = installed.version;
        let _release = if installed.system {
            None
        } else {
            Some(self.lock(
                &Store::entry_key(installed),
                &format!("changing Go {version}"),
            )?)
        };
        if std::fs::symlink_metadata(&installed.root).is_err() {
            return Err(StoreError::NotInstalled {
                doing: format!("make Go {version} the global default"),
                version,
            });
        }
        let change = self.change(GLOBAL_KEY, "switching the global default")?;
        // The fixed path first: if it cannot be set, the default is unchanged.
        if let Some(fixed) = fixed {
            fsx::replace_symlink(&installed.root, fixed)?;
        }
        self.record_unrecorded()?;
        let before = self.own_global();
        if before == Some(installed.version) {
            return change.commit();
        }
        let mut history = self.open_history()?;
        let previous = std::fs::read_link(self.current_link()).ok();
        // The user's own `current` may name a release only the system has
        // (by its full path); the store's own ones relatively.
        let target = if installed.system {
            installed.root.clone()
        } else {
            let name = installed
                .root
                .file_name()
                .expect("an installed root has a name");
            Path::new("versions").join(name)
        };
        fsx::replace_symlink(&target, &self.current_link())?;
        crate::checkpoint::reached("global-linked");
        if let Err(e) = self.append_change(&mut history, before, Some(installed.version), command) {
            // Not recorded, so not done: the old default comes back.
            let _ = match &previous {
                Some(old) => fsx::replace_symlink(old, &self.current_link()),
                None => std::fs::remove_file(self.current_link()),
            };
            return Err(e);
        }
        crate::checkpoint::reached("global-recorded");
        change.commit()
    }

    /// Removes the global default if it is `version` (looked at under the
    /// default's lock: another gov may have switched it since), recorded as
    /// made by `command`. Returns whether it was.
    fn clear_global_if(&self, version: Version, command: &str) -> Result<bool, StoreError> {
        let change = self.change(GLOBAL_KEY, "switching the global default")?;
        self.record_unrecorded()?;
        let before = self.own_global();
        if before != Some(version) {
            return Ok(false);
        }
        let mut history = self.open_history()?;
        match fs_err::remove_file(self.current_link()) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        crate::checkpoint::reached("global-linked");
        self.append_change(&mut history, before, None, command)?;
        crate::checkpoint::reached("global-recorded");
        change.commit()?;
        Ok(true)
    }

    /// Registers an existing GOROOT under `version`. The toolchain is never
    /// executed: it must look like a Go root ([`GoRoot::check`]), and its
    /// `VERSION`, when it has one, must name `version` unless `force`.
    /// `imported` says where `gov import` found it.
    pub fn link(
        &self,
        version: &Version,
        dir: &Path,
        force: bool,
        imported: Option<&Imported>,
    ) -> Result<Installed, StoreError> {
        let dir = fs_err::canonicalize(dir)?;
        let change = self.change(
            &Store::release_key(&Platform::host(), version),
            &format!("changing Go {version}"),
        )?;
        let bin_dir = self.bin_dir();
        if let Ok(shims) = bin_dir.canonicalize() {
            if dir.join("bin") == shims {
                return Err(StoreError::LinkToShims { dir });
            }
        }
        match GoRoot::new(&dir).check() {
            Ok(()) => {}
            Err(GoRootProblem::NoGoRootFiles) if force => {}
            Err(problem) => {
                return Err(StoreError::NotAGoRoot {
                    dir,
                    reason: problem.reason(),
                    forcible: problem == GoRootProblem::NoGoRootFiles,
                })
            }
        }
        if let Some(existing) = self.find(version)? {
            return Err(StoreError::AlreadyInstalled {
                version: *version,
                path: existing.linked_to().unwrap_or(existing.root),
            });
        }
        if let Some(says) = GoRoot::new(&dir).version_line() {
            // A VERSION that names no release (`devel go1.23-…`) is no
            // disagreement; `gov link` warns about it.
            let disagrees = release_named_by(&says).is_some_and(|v| v != *version);
            if disagrees && !force {
                return Err(StoreError::VersionMismatch {
                    dir,
                    says,
                    version: *version,
                });
            }
        }
        fs_err::create_dir_all(self.versions_dir())?;
        let root = self.versions_dir().join(version.to_string());
        let origin = if imported.is_some() {
            Origin::Import
        } else {
            Origin::Link
        };
        let mut record = Record::new(origin, version, &Platform::host())
            .from_dir(&dir)
            .now();
        if let Some(imported) = imported {
            record.imported_from = Some(imported.by.to_string());
            record.module = imported.module.clone();
        }
        self.write_record(&Platform::host(), &record)?;
        fs_err::os::unix::fs::symlink(&dir, &root)?;
        change.commit()?;
        Ok(Installed {
            version: *version,
            root,
            is_link: true,
            system: false,
        })
    }

    /// Copies the Go root `dir`, found by `gov import` where `imported`
    /// says, into the store as `version`: into scratch space first, renamed
    /// into place whole (links kept as links).
    pub fn copy_in(
        &self,
        version: &Version,
        dir: &Path,
        imported: &Imported,
    ) -> Result<Installed, StoreError> {
        let change = self.change(
            &Store::release_key(&Platform::host(), version),
            &format!("changing Go {version}"),
        )?;
        let root = self.versions_dir().join(version.to_string());
        if fs_err::symlink_metadata(&root).is_ok() {
            return Err(StoreError::AlreadyInstalled {
                version: *version,
                path: root,
            });
        }
        let scratch = change.scratch(&self.versions_dir(), &format!("copy-{version}"))?;
        let copy = scratch.path().join("go");
        copy::copy_root(dir, &copy, self.shared)?;
        fs_err::create_dir_all(self.versions_dir())?;
        let mut record = Record::new(Origin::Import, version, &Platform::host())
            .from_dir(dir)
            .now();
        record.imported_from = Some(imported.by.to_string());
        record.module = imported.module.clone();
        self.write_record(&Platform::host(), &record)?;
        if let Err(e) = fs_err::rename(&copy, &root) {
            let _ = self.remove_record(&Platform::host(), version);
            return Err(e.into());
        }
        drop(scratch);
        change.commit()?;
        Ok(Installed {
            version: *version,
            root,
            is_link: false,
            system: false,
        })
    }

    /// The platforms other than this machine's with releases in the store
    /// (`gov install --os --arch`), each with its releases, newest first.
    pub fn other_platforms(&self) -> Result<Vec<(Platform, Vec<Installed>)>, StoreError> {
        let mut found = Vec::new();
        let dir = self.home.join("platforms");
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((os, arch)) = name.split_once('-') else {
                continue;
            };
            let platform = Platform {
                os: os.into(),
                arch: arch.into(),
            };
            let mut releases: Vec<Installed> = std::fs::read_dir(entry.path())
                .into_iter()
                .flatten()
                .flatten()
                .filter_map(|e| {
                    let version = Version::parse(e.file_name().to_str()?).ok()?;
                    Some(Installed {
                        version,
                        root: e.path(),
                        is_link: false,
                        system: false,
                    })
                })
                .collect();
            releases.sort_by_key(|i| std::cmp::Reverse(i.version));
            if !releases.is_empty() {
                found.push((platform, releases));
            }
        }
        found.sort_by_key(|(platform, _)| platform.to_string());
        Ok(found)
    }

    /// Removes another platform's release, whole, under its lock.
    pub fn remove_for_platform(
        &self,
        platform: &Platform,
        version: &Version,
    ) -> Result<bool, StoreError> {
        let change = self.change(
            &Store::release_key(platform, version),
            &format!("changing Go {version} for {platform}"),
        )?;
        let root = self.releases_dir(platform).join(version.to_string());
        if fs_err::symlink_metadata(&root).is_err() {
            return Ok(false);
        }
        let trash = change.scratch(
            &self.releases_dir(platform),
            &format!("uninstall-{platform}-{version}"),
        )?;
        fs_err::rename(&root, trash.path().join("go"))?;
        drop(trash);
        self.remove_record(platform, version)?;
        change.commit()?;
        Ok(true)
    }

    /// Removes an installed release: the link for a linked one (never the
    /// directory it points to), the whole tree otherwise. Clears `current`
    /// when it pointed there.
    ///
    /// `installed` is looked at again under the lock: another gov may have
    /// removed it (or replaced it) since it was listed.
    pub fn remove(&self, installed: &Installed) -> Result<bool, StoreError> {
        if installed.system {
            return Err(StoreError::NotYours {
                path: installed.root.clone(),
                owner: owner_of(&installed.root),
            });
        }
        let version = Store::entry_version(installed);
        let change = self.change(
            &Store::entry_key(installed),
            &format!("changing Go {version}"),
        )?;
        let is_link = match std::fs::symlink_metadata(&installed.root) {
            Ok(meta) => meta.file_type().is_symlink(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::NotInstalled {
                    doing: format!("uninstall Go {version}"),
                    version,
                })
            }
            Err(e) => return Err(with_path(e, &installed.root).into()),
        };
        if is_link {
            fs_err::remove_file(&installed.root)?;
        } else {
            // Moved aside first, so the release disappears at once, whole;
            // the scratch directory goes when `trash` drops.
            let trash = change.scratch(&self.versions_dir(), &format!("uninstall-{version}"))?;
            fs_err::rename(&installed.root, trash.path().join("go"))?;
        }
        self.remove_record(&Platform::host(), &version)?;
        let was_global = self.clear_global_if(version, &format!("gov uninstall {version}"))?;
        change.commit()?;
        Ok(was_global)
    }

    /// The release `versions/NAME` holds, by its name (`1.20`, which
    /// `gov global 1.20.0` also finds).
    fn entry_version(installed: &Installed) -> Version {
        installed
            .root
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| Version::parse(n).ok())
            .unwrap_or(installed.version)
    }

    /// The lock of an installed release: by the name of its entry, as the
    /// change that made it took it.
    fn entry_key(installed: &Installed) -> String {
        Store::release_key(&Platform::host(), &Store::entry_version(installed))
    }
}

/// One change to the store, under its lock: write into [`Change::scratch`],
/// rename into place, then [`Change::commit`] brings the shims in line.
pub struct Change<'a> {
    store: &'a Store,
    _lock: Lock,
}

impl Change<'_> {
    /// Scratch space `NAME` for what will be renamed into (or out of)
    /// `dest_dir`: `tmp/NAME` when `tmp/` is on `dest_dir`'s file system,
    /// else `dest_dir/.gov-tmp/NAME` (a `versions/` linked to another
    /// disk), so that the rename commits. Emptied of whatever a killed run
    /// left (we hold the lock) and removed again when the guard drops.
    pub fn scratch(&self, dest_dir: &Path, name: &str) -> Result<Scratch, StoreError> {
        let tmp = self.store.scratch_dir();
        fsx::create_own_dir(&tmp, 0o755)?;
        fs_err::create_dir_all(dest_dir)?;
        let base = if fs_err::metadata(&tmp)?.dev() == fs_err::metadata(dest_dir)?.dev() {
            tmp
        } else {
            let beside = dest_dir.join(BESIDE_SCRATCH);
            fsx::create_own_dir(&beside, 0o755)?;
            beside
        };
        let path = base.join(name);
        match fs_err::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() => fs_err::remove_dir_all(&path)?,
            Ok(_) => fs_err::remove_file(&path)?,
            Err(_) => {}
        }
        fs_err::create_dir(&path)?;
        Ok(Scratch(path))
    }

    /// Ends the change: the shims follow what the store now holds.
    pub fn commit(self) -> Result<(), StoreError> {
        if let Some(exe) = &self.store.shim_target {
            self.store.refresh_shims(exe)?;
        }
        Ok(())
    }
}

/// A scratch directory, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Who owns `path`, by name where the system knows it.
pub fn owner_of(path: &Path) -> String {
    let Ok(meta) = std::fs::metadata(path) else {
        return "someone else".into();
    };
    let uid = meta.uid();
    let name = std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                let id: u32 = f.nth(1)?.parse().ok()?;
                (id == uid).then(|| name.to_string())
            })
        });
    match name {
        Some(name) => format!("{name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

fn with_path(e: io::Error, path: &Path) -> io::Error {
    fsx::with_path(e, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_defaults() {
        let home = |pairs: &[(&'static str, &str)]| {
            Store::from_context(&Context::with_vars(PathBuf::from("/"), pairs))
                .map(|s| s.home().to_path_buf())
        };
        assert_eq!(
            home(&[("GOV_HOME", "/g"), ("HOME", "/h")]).unwrap(),
            Path::new("/g")
        );
        assert_eq!(
            home(&[("XDG_DATA_HOME", "/x"), ("HOME", "/h")]).unwrap(),
            Path::new("/x/gov")
        );
        assert_eq!(
            home(&[("GOV_HOME", ""), ("HOME", "/h")]).unwrap(),
            Path::new("/h/.local/share/gov")
        );
        assert!(home(&[]).is_err());
    }
}
