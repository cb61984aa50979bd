//! Locks in `GOV_HOME/locks/`: one file per thing being changed (a
//! release, the global default), held with `flock` until dropped, so a
//! killed gov never leaves one held. A waiter says whom it waits for and
//! gives up after [`LOCK_TIMEOUT`], naming the lock file.

use std::os::unix::fs::OpenOptionsExt;
use std::time::{Duration, Instant};

use super::{Store, StoreError};

/// How long a change waits for another gov before giving up.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// A held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    _file: std::fs::File,
}

impl Store {
    /// The lock `key` if nobody holds it now; `None` when someone does.
    pub fn try_lock(&self, key: &str) -> Result<Option<Lock>, StoreError> {
        let file = self.open_lock(key)?.0;
        match file.try_lock() {
            Ok(()) => Ok(Some(Lock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }

    fn open_lock(&self, key: &str) -> Result<(std::fs::File, std::path::PathBuf), StoreError> {
        let dir = self.home().join("locks");
        fs_err::create_dir_all(&dir)?;
        let path = dir.join(format!("{key}.lock"));
        // Never truncated, never through a link planted in its place.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .mode(0o644)
            .open(&path)
            .map_err(|e| crate::fsx::with_path(e, &path))?;
        Ok((file, path))
    }

    /// Takes the lock `key`, waiting while another gov holds it; `doing`
    /// says what the holder does (`installing Go 1.22.4`).
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
            if !said {
                eprintln!(
                    "waiting for another gov {doing} (lock `{}`)",
                    path.display()
                );
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
