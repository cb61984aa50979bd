//! Locks in `GOV_HOME/locks/`: one file per thing being changed (a
//! release, the global default), held with `flock` until dropped, so a
//! killed gov never leaves one held. Only the store's owner takes them:
//! `locks/` is `0700` and each file `0600`, and a lock another account
//! holds anyway (opened before that was so) is reported at once, naming the
//! process. A waiter says whom it waits for and gives up after
//! [`LOCK_TIMEOUT`], naming the lock file.

use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Store, StoreError};
use crate::fsx;

/// How long a change waits for another gov before giving up.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
}

impl Store {
    /// The lock `key` if nobody holds it now; `None` when another gov of
    /// the user's does.
    pub fn try_lock(&self, key: &str) -> Result<Option<Lock>, StoreError> {
        let (file, path) = self.open_lock(key)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Lock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => {
                refuse_other_holder(&file, &path)?;
                Ok(None)
            }
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }

    fn open_lock(&self, key: &str) -> Result<(std::fs::File, PathBuf), StoreError> {
        self.check_owner()?;
        let dir = self.home().join("locks");
        fsx::create_own_dir(&dir, 0o700)?;
        // A store from before locks were private: made so now.
        let meta = fs_err::symlink_metadata(&dir)?;
        if meta.mode() & 0o077 != 0 {
            fs_err::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let path = dir.join(format!("{key}.lock"));
        // Never truncated, never through a link planted in its place.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .mode(0o600)
            .open(&path)
            .map_err(|e| fsx::with_path(e, &path))?;
        let meta = file.metadata().map_err(|e| fsx::with_path(e, &path))?;
        if meta.mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(|e| fsx::with_path(e, &path))?;
        }
        Ok((file, path))
    }

    /// Takes the lock `key`, waiting while another gov holds it; `doing`
    /// says what the holder does (`installing Go 1.22.4`). A lock held by
    /// a process of another account is an error at once.
    pub fn lock(&self, key: &str, doing: &str) -> Result<Lock, StoreError> {
        let (file, path) = self.open_lock(key)?;
        let start = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Lock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
            }
            refuse_other_holder(&file, &path)?;
            if !said {
                // One write: two govs waiting on one terminal never mix lines.
                let line = format!(
                    "waiting for another gov {doing} (lock `{}`)\n",
                    path.display()
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
                said = true;
            }
            if start.elapsed() > LOCK_TIMEOUT {
                return Err(StoreError::LockTimeout {
                    doing: doing.to_string(),
                    path,
                });
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// An error when the process holding `file`'s lock belongs to another
/// account: it is no gov of the user's, and waiting would only let it
/// stall the user's command.
fn refuse_other_holder(file: &std::fs::File, path: &Path) -> Result<(), StoreError> {
    let Ok(meta) = file.metadata() else {
        return Ok(());
    };
    for pid in lock_holders(meta.dev(), meta.ino()) {
        let Ok(proc) = std::fs::metadata(format!("/proc/{pid}")) else {
            continue;
        };
        if proc.uid() != fsx::my_uid() {
            return Err(StoreError::LockHeldByOther {
                path: path.to_path_buf(),
                pid,
                owner: super::owner_of(Path::new(&format!("/proc/{pid}"))),
            });
        }
    }
    Ok(())
}

/// The processes holding a lock on the file (`dev`, `ino`), from
/// `/proc/locks` (Linux; elsewhere none are known).
fn lock_holders(dev: u64, ino: u64) -> Vec<u32> {
    let Ok(Some(Ok((text, _)))) = fsx::read_regular_text(Path::new("/proc/locks"), 4 << 20) else {
        return Vec::new();
    };
    let (major, minor) = (libc::major(dev) as u64, libc::minor(dev) as u64);
    text.lines()
        .filter_map(|line| {
            // `1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF`; a waiter's
            // line starts `1: -> FLOCK …`.
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(1) == Some(&"->") {
                return None;
            }
            let pid: u32 = fields.get(4)?.parse().ok()?;
            let mut id = fields.get(5)?.split(':');
            let maj = u64::from_str_radix(id.next()?, 16).ok()?;
            let min = u64::from_str_radix(id.next()?, 16).ok()?;
            let inode: u64 = id.next()?.parse().ok()?;
            (maj == major && min == minor && inode == ino).then_some(pid)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_who_holds_a_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("gov"));
        let held = store.lock("global", "testing").unwrap();
        let file = std::fs::File::open(tmp.path().join("gov/locks/global.lock")).unwrap();
        let meta = file.metadata().unwrap();
        assert_eq!(
            lock_holders(meta.dev(), meta.ino()),
            vec![std::process::id()]
        );
        assert_eq!(
            meta.mode() & 0o777,
            0o600,
            "only the store's owner can open its locks"
        );
        drop(held);
        assert!(lock_holders(meta.dev(), meta.ino()).is_empty());
    }
}
