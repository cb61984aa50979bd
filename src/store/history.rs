//! The history of the global default, `GOV_HOME/history.jsonl`: one JSON
//! line per change, appended under the global lock with a single write, so
//! concurrent changes never tear or lose a record. A line that does not
//! parse (a crash mid-write, garbage) is skipped, never fatal, and the next
//! record starts on a line of its own after it. Only `gov history` and
//! `gov rollback` read it; the shims never do.
//!
//! `current` is swapped first, then the change appended (a history that
//! cannot be written undoes the swap). A gov killed between the two leaves
//! `current` naming another release than the last record: the history
//! reads that change as an unrecorded one, and the next change of the
//! default writes it down before its own.

use std::io::Write;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::PathBuf;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{Store, StoreError};
use crate::timestamp::rfc3339;
use crate::version::Version;

/// The command of a change of `current` the history lacks: a gov killed
/// between the swap and its record, or a link changed by hand (or by a gov
/// older than the history).
const UNRECORDED: &str = "(unrecorded: `current` changed with no record of it)";

/// One change of the global default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// UTC, RFC 3339: `2026-12-01T15:20:07Z`.
    pub time: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The command that made it: `gov global 1.22.4`, `gov rollback`.
    pub command: String,
    /// Where it was read: its line in `history.jsonl`, from 1 (0 for a
    /// record not read from the file).
    #[serde(skip)]
    pub line: usize,
}

impl Store {
    pub fn history_path(&self) -> PathBuf {
        self.home().join("history.jsonl")
    }

    /// Opens the history for one append (called under the global lock,
    /// before the change it records, so that a history that cannot be
    /// written stops the change).
    pub(super) fn open_history(&self) -> Result<std::fs::File, StoreError> {
        let path = self.history_path();
        std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .mode(0o644)
            .open(&path)
            .map_err(|e| crate::fsx::with_path(e, &path).into())
    }

    /// Appends a record to `file`, in one write: appends never interleave.
    /// After a torn last line (a crash mid-write) the record starts with a
    /// newline of its own, so that it is not glued to the torn one and lost.
    pub(super) fn append_change(
        &self,
        file: &mut std::fs::File,
        before: Option<Version>,
        after: Option<Version>,
        command: &str,
    ) -> Result<(), StoreError> {
        let change = Change {
            time: rfc3339(SystemTime::now()),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
            command: command.to_string(),
            line: 0,
        };
        let with_path = |e| crate::fsx::with_path(e, &self.history_path());
        let mut line = Vec::new();
        if ends_unfinished(file).map_err(with_path)? {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, &change).map_err(std::io::Error::other)?;
        line.push(b'\n');
        file.write_all(&line).map_err(|e| with_path(e).into())
    }

    /// Writes down the change a killed gov made but did not record (see
    /// [`Store::history`]), if any; under the global lock, before a change
    /// of the default.
    pub(super) fn record_unrecorded(&self) -> Result<(), StoreError> {
        let Some(change) = self.history()?.into_iter().next().filter(|c| c.line == 0) else {
            return Ok(());
        };
        let parse = |v: &Option<String>| v.as_deref().and_then(|v| Version::parse(v).ok());
        let mut file = self.open_history()?;
        self.append_change(
            &mut file,
            parse(&change.before),
            parse(&change.after),
            UNRECORDED,
        )
    }

    /// The change of the default that `current` shows and the history
    /// lacks: `current` names another release than the newest record's
    /// `after` (a gov was killed between the two). A damaged record says
    /// nothing.
    fn unrecorded(&self, newest: Option<&Change>) -> Option<Change> {
        let now = self.own_global();
        let recorded = match newest.and_then(|c| c.after.as_deref()) {
            Some(after) => Some(Version::parse(after).ok()?),
            None => None,
        };
        if recorded == now {
            return None;
        }
        // The swap's own time, when there is a link to tell it.
        let time = std::fs::symlink_metadata(self.current_link())
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        Some(Change {
            time: rfc3339(time),
            before: newest.and_then(|c| c.after.clone()),
            after: now.map(|v| v.to_string()),
            command: UNRECORDED.to_string(),
            line: 0,
        })
    }

    /// A change of the default as a gov makes it: `current` swapped, then
    /// the change recorded.
    #[cfg(test)]
    fn record_change(
        &self,
        before: Option<Version>,
        after: Option<Version>,
        command: &str,
    ) -> Result<(), StoreError> {
        match after {
            Some(v) => crate::fsx::replace_symlink(
                &std::path::Path::new("versions").join(v.to_string()),
                &self.current_link(),
            )?,
            None => {
                let _ = std::fs::remove_file(self.current_link());
            }
        }
        let mut file = self.open_history()?;
        self.append_change(&mut file, before, after, command)
    }

    /// Every record, newest first; unreadable lines are skipped. A change
    /// of `current` that a killed gov did not record comes first (its
    /// `line` is 0).
    pub fn history(&self) -> Result<Vec<Change>, StoreError> {
        let text = match std::fs::read(self.history_path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(crate::fsx::with_path(e, &self.history_path()).into()),
        };
        let mut changes: Vec<Change> = text
            .split(|b| *b == b'\n')
            .zip(1..)
            .filter_map(|(line, number)| {
                let change: Change = serde_json::from_slice(line).ok()?;
                Some(Change {
                    line: number,
                    ..change
                })
            })
            .collect();
        changes.reverse();
        if let Some(change) = self.unrecorded(changes.first()) {
            changes.insert(0, change);
        }
        Ok(changes)
    }
}

/// Does `file` end in the middle of a line?
fn ends_unfinished(file: &std::fs::File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    file.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] != b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_change_a_killed_gov_did_not_record_is_read_then_written_down() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let v = |s| Some(Version::parse(s).unwrap());
        store
            .record_change(None, v("1.21.5"), "gov global 1.21.5")
            .unwrap();
        assert_eq!(store.history().unwrap().len(), 1);
        // Killed between the swap and its record.
        crate::fsx::replace_symlink(Path::new("versions/1.22.4"), &store.current_link()).unwrap();
        let history = store.history().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].before.as_deref(), Some("1.21.5"));
        assert_eq!(history[0].after.as_deref(), Some("1.22.4"));
        assert_eq!(
            (history[0].line, history[0].command.as_str()),
            (0, UNRECORDED)
        );

        store.record_unrecorded().unwrap();
        let history = store.history().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].line, 2, "written down");
        assert_eq!(history[0].after.as_deref(), Some("1.22.4"));
        store.record_unrecorded().unwrap();
        assert_eq!(store.history().unwrap().len(), 2, "once");

        // A removed default, too.
        std::fs::remove_file(store.current_link()).unwrap();
        let history = store.history().unwrap();
        assert_eq!(history[0].before.as_deref(), Some("1.22.4"));
        assert_eq!(history[0].after, None);
    }

    #[test]
    fn torn_and_garbage_lines_are_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let v = |s| Some(Version::parse(s).unwrap());
        store
            .record_change(None, v("1.21.5"), "gov global 1.21.5")
            .unwrap();
        std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(store.history_path())
            .unwrap()
            .write_all(b"garbage\n{\"time\": \"2026")
            .unwrap();
        let history = store.history().unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].after.as_deref(), Some("1.21.5"));
        assert_eq!(history[0].line, 1);

        // The next record is whole, on a line of its own.
        store
            .record_change(v("1.21.5"), v("1.22.4"), "gov global 1.22.4")
            .unwrap();
        let history = store.history().unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].after.as_deref(), Some("1.22.4"));
        assert_eq!(history[0].line, 4);
        let text = std::fs::read_to_string(store.history_path()).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
    }
}
