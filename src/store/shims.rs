//! The shims in `GOV_HOME/bin`: a symlink to the gov binary per Go
//! program that an installed release has. They never lead through a path
//! another user could write: the system store, which every user (root
//! included) runs, keeps its own copy of gov in `libexec/gov`, and so does
//! a user's store when the gov that changes it runs from such a path
//! (`/tmp/gov`).

use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::{Store, StoreError};
use crate::fsx;
use crate::goroot::GoRoot;

/// The lock of `bin/`.
const SHIMS_KEY: &str = "shims";

/// The programs every toolchain has; their shims always exist.
pub const CORE_PROGRAMS: [&str; 2] = ["go", "gofmt"];
/// Every program a Go release ships in its `bin/` (`godoc` until Go 1.12).
/// Shims are made for these only: a linked root with `ls` in its `bin/`
/// never shadows the system's.
pub const GO_PROGRAMS: [&str; 3] = ["go", "gofmt", "godoc"];

impl Store {
    /// The store's own copy of gov, which its shims lead to when they must
    /// not lead to the running one.
    pub fn own_gov_binary(&self) -> PathBuf {
        self.home().join("libexec/gov")
    }

    /// Where the shims lead, for the gov binary `exe` that changes the
    /// store: `exe` itself when every step of its path is the user's or
    /// root's and writable by nobody else, none a sticky directory (a name
    /// in `/tmp` can be taken by anyone once it is gone); the store's own
    /// copy otherwise, and always for the system store.
    pub fn shim_target(&self, exe: &Path) -> PathBuf {
        let own = self.own_gov_binary();
        if self.is_shared() || exe == own {
            return own;
        }
        match fsx::trust_chain(exe, fsx::Sticky::Refused) {
            Ok(None) => exe.to_path_buf(),
            _ => own,
        }
    }

    /// [`Store::shim_target`], with the store's own copy made or brought up
    /// to date from `exe`, `0755`: a hard link to it when it is the user's
    /// own and `0755` (its name can be taken by others, the file cannot be
    /// changed by them), else a copy with its time; renamed into place.
    pub fn ensure_shim_target(&self, exe: &Path) -> Result<PathBuf, StoreError> {
        let target = self.shim_target(exe);
        if target == exe {
            return Ok(target);
        }
        let dir = target.parent().unwrap_or(self.home());
        fsx::create_own_dir(dir, 0o755)?;
        // Under the shims' lock: a copy a killed gov left half-made goes.
        remove_temps(dir)?;
        if same_gov(exe, &target) {
            return Ok(target);
        }
        let meta = fs_err::metadata(exe)?;
        let linkable = meta.uid() == fsx::my_uid() && meta.mode() & 0o7777 == 0o755;
        fsx::link_or_copy_atomic(exe, &target, linkable, 0o755)?;
        Ok(target)
    }

    /// Whether `bin/` is as [`Store::refresh_shims`] would make it for
    /// `exe` (the store's own copy holding `exe`'s bytes): a shim for each
    /// program and release, leading to gov, and none of gov's for anything
    /// else. A gov killed before it brought them in line left them behind.
    pub fn shims_up_to_date(&self, exe: &Path) -> bool {
        let target = self.shim_target(exe);
        let Ok(programs) = self.shim_programs() else {
            return false;
        };
        let stale = std::fs::read_dir(self.bin_dir())
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let name = e.file_name();
                !programs.contains(&name)
                    && !name.as_encoded_bytes().starts_with(b".")
                    && std::fs::read_link(e.path())
                        .is_ok_and(|t| t == target || is_shim_name(&name))
            });
        programs
            .iter()
            .all(|p| std::fs::read_link(self.bin_dir().join(p)).is_ok_and(|t| t == target))
            && !stale
            && (target == exe || same_gov(exe, &target))
    }

    /// The shims `bin/` holds: `go`, `gofmt` and each other program of
    /// [`GO_PROGRAMS`] an installed toolchain has, and a `go1.X.Y` for each
    /// release.
    fn shim_programs(&self) -> Result<Vec<OsString>, StoreError> {
        let installed = self.installed()?;
        let mut programs: Vec<OsString> = GO_PROGRAMS
            .iter()
            .filter(|p| {
                CORE_PROGRAMS.contains(p)
                    || installed
                        .iter()
                        .any(|i| fsx::is_executable(&GoRoot::new(&i.root).program(p)))
            })
            .map(OsString::from)
            .collect();
        // A `go1.X.Y` command per release (golang.org/dl's convention).
        programs.extend(
            installed
                .iter()
                .filter(|i| !i.version.is_language_version())
                .map(|i| OsString::from(i.version.go_name())),
        );
        Ok(programs)
    }

    /// Each shim in `bin/` whose way to gov another user could change, with
    /// the step at fault: every step to the program it leads to must be the
    /// user's or root's and writable by nobody else, and a program outside
    /// the store must not be reached through a sticky directory (`/tmp`).
    pub fn untrusted_shims(&self) -> Vec<(PathBuf, PathBuf, fsx::Untrusted)> {
        let mut found = Vec::new();
        if let Ok(Some((step, problem))) = fsx::trust_chain(&self.bin_dir(), fsx::Sticky::Allowed) {
            found.push((self.bin_dir(), step, problem));
            return found;
        }
        for entry in std::fs::read_dir(self.bin_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            let shim = entry.path();
            let Ok(target) = std::fs::read_link(&shim) else {
                continue;
            };
            let target = shim.parent().unwrap_or(Path::new("/")).join(target);
            let sticky = if target.starts_with(self.home()) {
                fsx::Sticky::Allowed
            } else {
                fsx::Sticky::Refused
            };
            if let Ok(Some((step, problem))) = fsx::trust_chain(&target, sticky) {
                found.push((shim, step, problem));
            }
        }
        found
    }

    /// Makes `bin/` hold a shim for `go`, `gofmt` and each other program of
    /// [`GO_PROGRAMS`] an installed toolchain has, and a `go1.X.Y` for each
    /// release, each a symlink to gov ([`Store::ensure_shim_target`] of
    /// `exe`); removes gov's shims of anything else.
    ///
    /// One refresh at a time, under the lock `shims` (taken last, after a
    /// change's own): each reads what is installed and makes `bin/` say so,
    /// and two at once could each undo what the other has just seen.
    pub fn refresh_shims(&self, exe: &Path) -> Result<(), StoreError> {
        self.check_owner()?;
        let _lock = self.lock(SHIMS_KEY, "updating the shims")?;
        let exe = &self.ensure_shim_target(exe)?;
        let programs = self.shim_programs()?;
        let bin = self.bin_dir();
        fsx::create_own_dir(&bin, 0o755)?;
        // Refreshes take turns (the lock above): a link a killed one left on
        // its way into place goes.
        remove_temps(&bin)?;
        for entry in fs_err::read_dir(&bin)? {
            let entry = entry?;
            let name = entry.file_name();
            let stale = !programs.contains(&name) && !name.as_encoded_bytes().starts_with(b".");
            // gov's: a link to this gov, or a link named as a shim (one to
            // another gov binary, from before).
            let ours =
                std::fs::read_link(entry.path()).is_ok_and(|t| t == *exe || is_shim_name(&name));
            if stale && ours {
                // Another gov refreshing at the same time may be first.
                match fs_err::remove_file(entry.path()) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
        }
        for program in programs {
            let shim = bin.join(&program);
            if std::fs::read_link(&shim).is_ok_and(|t| t == *exe) {
                continue;
            }
            fsx::replace_symlink(exe, &shim)?;
        }
        Ok(())
    }
}

/// Removes what killed writers left in `dir` ([`fsx::is_temp_name`]).
fn remove_temps(dir: &Path) -> Result<(), StoreError> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        if fsx::is_temp_name(&entry.file_name()) {
            match fs_err::remove_file(entry.path()) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
    }
    Ok(())
}

/// A name gov gives its shims: a Go program's, or `go1.X.Y`.
fn is_shim_name(name: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    GO_PROGRAMS.contains(&name)
        || name.strip_prefix("go").is_some_and(|v| {
            v.starts_with(|c: char| c.is_ascii_digit()) && crate::version::Version::parse(v).is_ok()
        })
}

/// Whether the store's copy `own` is the gov binary `exe`: the same file
/// (a hard link), or a copy of its size and time (only the store's owner
/// can change the copy).
fn same_gov(exe: &Path, own: &Path) -> bool {
    let (Ok(a), Ok(b)) = (std::fs::metadata(exe), std::fs::symlink_metadata(own)) else {
        return false;
    };
    b.is_file()
        && ((a.dev(), a.ino()) == (b.dev(), b.ino())
            || (a.len() == b.len() && a.modified().ok() == b.modified().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_refreshes_never_fail_each_other() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("gov"));
        let exe = tmp.path().join("gov-binary");
        std::fs::write(&exe, "").unwrap();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..200 {
                        // Re-pointing every shim makes each refresh write.
                        let _ = std::fs::remove_file(store.bin_dir().join("go"));
                        store.refresh_shims(&exe).unwrap();
                    }
                });
            }
        });
        assert!(store.bin_dir().join("gofmt").is_symlink());
    }
}
