//! The shims in `GOV_HOME/bin`: a symlink to the gov binary per Go
//! program that an installed release has.

use std::ffi::OsString;
use std::path::Path;

use super::{Store, StoreError};
use crate::fsx;

/// The programs every toolchain has; their shims always exist.
pub const CORE_PROGRAMS: [&str; 2] = ["go", "gofmt"];
/// Every program a Go release ships in its `bin/` (`godoc` until Go 1.12).
/// Shims are made for these only: a linked root with `ls` in its `bin/`
/// never shadows the system's.
pub const GO_PROGRAMS: [&str; 3] = ["go", "gofmt", "godoc"];

impl Store {
    /// Makes `bin/` hold a shim for `go`, `gofmt` and each other program of
    /// [`GO_PROGRAMS`] an installed toolchain has, and a `go1.X.Y` for each
    /// release, each a symlink to `exe`; removes gov's shims of anything
    /// else.
    pub fn refresh_shims(&self, exe: &Path) -> Result<(), StoreError> {
        let installed = self.installed()?;
        let mut programs: Vec<OsString> = GO_PROGRAMS
            .iter()
            .filter(|p| {
                CORE_PROGRAMS.contains(p)
                    || installed
                        .iter()
                        .any(|i| fsx::is_executable(&i.root.join("bin").join(p)))
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
        let bin = self.bin_dir();
        fs_err::create_dir_all(&bin)?;
        for entry in fs_err::read_dir(&bin)? {
            let entry = entry?;
            let name = entry.file_name();
            // A dot-file is another refresh's link on its way into place.
            let stale = !programs.contains(&name) && !name.as_encoded_bytes().starts_with(b".");
            if stale && std::fs::read_link(entry.path()).is_ok_and(|t| t == exe) {
                // Another gov refreshing at the same time may be first.
                match fs_err::remove_file(entry.path()) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                    _ => {}
                }
            }
        }
        for program in programs {
            let shim = bin.join(&program);
            if std::fs::read_link(&shim).is_ok_and(|t| t == exe) {
                continue;
            }
            fsx::replace_symlink(exe, &shim)?;
        }
        Ok(())
    }
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
