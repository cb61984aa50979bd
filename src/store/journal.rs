//! The journal of `gov upgrade`: every file it may change, copied into
//! `GOV_HOME/journal/` before the first edit, so that what a killed gov
//! left changed is put back byte for byte — by `gov upgrade --recover`, or
//! by the next upgrade of the same project — and the locks an upgrade
//! holds on its project and on each file it changes, so that two upgrades
//! never change one at once.
//!
//! ```text
//! GOV_HOME/journal/PID-START/
//!   journal.json   who (pid, start time, boot), what project, which files
//!   0, 1, …        each kept file's bytes, as they were
//! ```
//!
//! A journal belongs to a live gov while a process with its pid and its
//! start time runs since the same boot (a reused pid has another start
//! time). Files are written and restored through links: a linked `go.mod`
//! stays a link, and its target is what is put back.

use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Lock, Store, StoreError};
use crate::fsx;

/// The largest file the journal keeps: beyond, gov will not change it.
pub const KEEP_LIMIT: u64 = 64 << 20;

const ENTRY: &str = "journal.json";

/// What a journal says: whose it is, and every file it kept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JournalEntry {
    pub pid: u32,
    /// The owner's start, in clock ticks after boot (`/proc/PID/stat`).
    pub started: u64,
    /// `/proc/sys/kernel/random/boot_id`: a journal of an earlier boot has
    /// no live owner.
    pub boot: String,
    /// The command that wrote it (`gov upgrade --go-mod`).
    pub command: String,
    /// The project it changes (the module's directory, or the current one).
    #[serde(with = "os_path")]
    pub project: PathBuf,
    pub files: Vec<Kept>,
}

/// One kept file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Kept {
    /// As the upgrade named it (perhaps a link).
    #[serde(with = "os_path")]
    pub path: PathBuf,
    /// What is written: the link's target, or `path` itself.
    #[serde(with = "os_path")]
    pub real: PathBuf,
    /// Its copy in the journal's directory; `None`: it did not exist.
    pub copy: Option<String>,
    /// Its permission bits.
    pub mode: Option<u32>,
}

/// A journal on disk.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    entry: JournalEntry,
}

impl Store {
    pub fn journal_dir(&self) -> PathBuf {
        self.home().join("journal")
    }

    /// The lock an upgrade holds on `path`, its project's directory or a
    /// file it changes (canonical, links followed); `None` while another
    /// gov holds it.
    pub fn try_lock_path(&self, path: &Path) -> Result<Option<Lock>, StoreError> {
        use sha2::{Digest, Sha256};
        let hash = format!("{:x}", Sha256::digest(path.as_os_str().as_encoded_bytes()));
        self.try_lock(&format!("upgrade-{}", &hash[..16]))
    }

    /// Starts this process's journal for `command` changing `project`.
    pub fn begin_journal(&self, command: &str, project: &Path) -> Result<Journal, StoreError> {
        let (pid, started) = me();
        let parent = self.journal_dir();
        fs_err::create_dir_all(self.home())?;
        if let Err(problem) = fsx::private_dir(&parent)? {
            return Err(StoreError::Untrusted {
                path: parent,
                problem,
            });
        }
        let dir = parent.join(format!("{pid}-{started}"));
        // A journal of an earlier run with this pid and start (another
        // boot) is no one's: replaced.
        if fs_err::symlink_metadata(&dir).is_ok() {
            fs_err::remove_dir_all(&dir)?;
        }
        fs_err::create_dir(&dir)?;
        let journal = Journal {
            dir,
            entry: JournalEntry {
                pid,
                started,
                boot: boot_id(),
                command: command.to_string(),
                project: project.to_path_buf(),
                files: Vec::new(),
            },
        };
        journal.write()?;
        Ok(journal)
    }

    /// Every journal in the store, oldest first; a directory whose
    /// journal cannot be read is left out.
    pub fn journals(&self) -> Vec<Journal> {
        let mut found: Vec<Journal> = std::fs::read_dir(self.journal_dir())
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let dir = e.path();
                let text = std::fs::read(dir.join(ENTRY)).ok()?;
                let entry = serde_json::from_slice(&text).ok()?;
                Some(Journal { dir, entry })
            })
            .collect();
        found.sort_by_key(|j| j.entry.started);
        found
    }

    /// Removes what a killed gov left of a journal before it was written
    /// whole (a directory without `journal.json` whose owner is gone).
    pub fn remove_partial_journals(&self) {
        for entry in std::fs::read_dir(self.journal_dir())
            .into_iter()
            .flatten()
            .flatten()
        {
            let dir = entry.path();
            if dir.join(ENTRY).exists() {
                continue;
            }
            let owner = entry.file_name().to_str().and_then(|n| {
                let (pid, started) = n.split_once('-')?;
                Some((pid.parse().ok()?, started.parse().ok()?))
            });
            if owner.is_none_or(|(pid, started)| !runs(pid, started)) {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }
}

impl Journal {
    pub fn entry(&self) -> &JournalEntry {
        &self.entry
    }

    /// Does the gov that wrote it still run?
    pub fn owner_alive(&self) -> bool {
        self.entry.boot == boot_id() && runs(self.entry.pid, self.entry.started)
    }

    /// Copies `path` (through a link, to what it points to) into the
    /// journal, or notes that it does not exist; on disk before it returns.
    pub fn keep(&mut self, path: &Path) -> io::Result<()> {
        let real = real_path(path)?;
        if self.entry.files.iter().any(|k| k.real == real) {
            return Ok(());
        }
        let (copy, mode) = match fsx::read_regular(&real, KEEP_LIMIT + 1)
            .map_err(|e| fsx::with_path(e, &real))?
        {
            fsx::Found::Missing if real.is_dir() => {
                return Err(invalid(&real, "it is a directory"));
            }
            fsx::Found::Missing => (None, None),
            fsx::Found::NotAFile(kind) => return Err(invalid(&real, kind)),
            fsx::Found::Bytes(bytes) if bytes.len() as u64 > KEEP_LIMIT => {
                return Err(invalid(&real, "it is larger than 64 MiB"));
            }
            fsx::Found::Bytes(bytes) => {
                let name = self.entry.files.len().to_string();
                let at = self.dir.join(&name);
                let mut file = fsx::create_new(&at, 0o600).map_err(|e| fsx::with_path(e, &at))?;
                file.write_all(&bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| fsx::with_path(e, &at))?;
                let mode = fs_err::metadata(&real)?.mode() & 0o7777;
                (Some(name), Some(mode))
            }
        };
        self.entry.files.push(Kept {
            path: path.to_path_buf(),
            real,
            copy,
            mode,
        });
        self.write()
    }

    /// Puts every kept file back as it was (one that did not exist is
    /// removed); returns those it changed. Running it again changes nothing.
    pub fn restore(&self) -> io::Result<Vec<PathBuf>> {
        let mut restored = Vec::new();
        for kept in &self.entry.files {
            let now = match fsx::read_regular(&kept.real, KEEP_LIMIT + 1)
                .map_err(|e| fsx::with_path(e, &kept.real))?
            {
                fsx::Found::Bytes(bytes) => Some(bytes),
                _ => None,
            };
            match &kept.copy {
                Some(name) => {
                    let bytes = fs_err::read(self.dir.join(name))?;
                    let mode_now = std::fs::metadata(&kept.real)
                        .ok()
                        .map(|m| m.mode() & 0o7777);
                    if now.as_ref() == Some(&bytes) && mode_now == kept.mode {
                        continue;
                    }
                    write_real(&kept.real, &bytes, kept.mode)?;
                }
                None => {
                    if now.is_none() {
                        continue;
                    }
                    fs_err::remove_file(&kept.real)?;
                }
            }
            restored.push(kept.path.clone());
        }
        Ok(restored)
    }

    /// Removes the journal: its entry first, so a kill half-way leaves no
    /// journal that says anything.
    pub fn end(self) -> io::Result<()> {
        fs_err::remove_file(self.dir.join(ENTRY))?;
        fs_err::remove_dir_all(&self.dir)
    }

    fn write(&self) -> io::Result<()> {
        let text = serde_json::to_vec_pretty(&self.entry).expect("a journal serializes");
        fsx::write_atomic(&self.dir.join(ENTRY), &text)?;
        // The rename itself on disk too.
        fs_err::File::open(&self.dir)?.sync_all()
    }
}

/// A path in JSON: a string, or its bytes where it is not UTF-8.
mod os_path {
    use std::ffi::OsString;
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    use std::path::{Path, PathBuf};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Bytes(Vec<u8>),
    }

    pub fn serialize<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
        match path.to_str() {
            Some(text) => Repr::Text(text.to_string()),
            None => Repr::Bytes(path.as_os_str().as_bytes().to_vec()),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Text(text) => PathBuf::from(text),
            Repr::Bytes(bytes) => PathBuf::from(OsString::from_vec(bytes)),
        })
    }
}

fn invalid(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("cannot keep a copy of `{}`: {why}", path.display()),
    )
}

/// The file a write to `path` changes: links followed to the end (the
/// last one may point to nothing yet), in a canonical directory.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        let dir = match at.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                at = dir.join(fs_err::read_link(&at)?);
            }
            Ok(_) => return Ok(at),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = at
                    .file_name()
                    .ok_or_else(|| invalid(path, "it names no file"))?;
                return Ok(fs_err::canonicalize(&dir)?.join(name));
            }
            Err(e) => return Err(fsx::with_path(e, &at)),
        }
    }
    Err(fsx::with_path(
        io::Error::from_raw_os_error(libc::ELOOP),
        path,
    ))
}

/// Replaces `path`'s contents with `bytes` through any link, keeping its
/// permission bits (new: `0666` less the umask).
pub fn write_through(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let real = real_path(path)?;
    let mode = std::fs::metadata(&real).ok().map(|m| m.mode() & 0o7777);
    write_real(&real, bytes, mode)
}

/// Writes `real` (no link) atomically; where its directory cannot be
/// written, in place, as Go itself writes go.mod.
fn write_real(real: &Path, bytes: &[u8], mode: Option<u32>) -> io::Result<()> {
    match fsx::write_atomic(real, bytes) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied && real.is_file() => {
            use std::os::unix::fs::OpenOptionsExt;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(real)
                .map_err(|e| fsx::with_path(e, real))?;
            file.write_all(bytes)
                .and_then(|()| file.sync_all())
                .map_err(|e| fsx::with_path(e, real))?;
        }
        Err(e) => return Err(e),
    }
    if let Some(mode) = mode {
        fs_err::set_permissions(real, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// This process: its pid and start time.
fn me() -> (u32, u64) {
    let pid = std::process::id();
    (pid, start_time(pid).unwrap_or(0))
}

/// Does the process `pid`, started at `started`, still run (a zombie does
/// not)? Without `/proc` (start 0), whether any process has that pid.
fn runs(pid: u32, started: u64) -> bool {
    match start_time(pid) {
        Some(t) => started == 0 || t == started,
        None if started == 0 => {
            // SAFETY: kill(2) with signal 0 only checks that pid exists.
            unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
        }
        None => false,
    }
}

/// The start time of a running (not zombie) process, field 22 of
/// `/proc/PID/stat`.
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name, which may hold spaces and parentheses.
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs_and_a_reused_pid_is_not_it() {
        let (pid, started) = me();
        assert!(started > 0);
        assert!(runs(pid, started));
        assert!(!runs(pid, started + 1));
        assert!(!runs(u32::MAX / 2, started));
    }

    #[test]
    fn a_journal_restores_through_links_byte_for_byte_and_again() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let store = Store::new(root.join("home"));
        std::fs::create_dir_all(root.join("p/shared")).unwrap();
        let target = root.join("p/shared/go.mod");
        std::fs::write(&target, b"module m\r\n\xff go 1.21\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = root.join("p/go.mod");
        std::os::unix::fs::symlink("shared/go.mod", &link).unwrap();
        let sum = root.join("p/go.sum");

        let mut journal = store.begin_journal("gov upgrade", &root.join("p")).unwrap();
        journal.keep(&link).unwrap();
        journal.keep(&sum).unwrap();
        journal.keep(&target).unwrap();
        assert_eq!(journal.entry().files.len(), 2, "one copy per real file");

        write_through(&link, b"module m\ngo 1.22\n").unwrap();
        std::fs::write(&sum, "new\n").unwrap();
        // As a later gov finds it.
        let found = store.journals();
        assert_eq!(found.len(), 1);
        assert!(found[0].owner_alive());
        assert_eq!(found[0].restore().unwrap(), [link.clone(), sum.clone()]);
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"module m\r\n\xff go 1.21\n"
        );
        assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o777, 0o640);
        assert!(!sum.exists());
        assert!(found[0].restore().unwrap().is_empty());
        journal.end().unwrap();
        assert!(store.journals().is_empty());

        // A path that is no UTF-8 is journaled too.
        use std::os::unix::ffi::OsStrExt;
        let odd = root.join(std::ffi::OsStr::from_bytes(b"p/\xffgo.mod"));
        let mut journal = store.begin_journal("gov upgrade", &root.join("p")).unwrap();
        journal.keep(&odd).unwrap();
        std::fs::write(&odd, "new").unwrap();
        assert_eq!(
            store.journals()[0].restore().unwrap(),
            std::slice::from_ref(&odd)
        );
        assert!(!odd.exists());
        journal.end().unwrap();

        let fifo = root.join("p/fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo(3) with a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let mut journal = store.begin_journal("gov upgrade", &root.join("p")).unwrap();
        assert!(journal.keep(&fifo).is_err(), "a pipe is never read");
        journal.end().unwrap();
    }
}
