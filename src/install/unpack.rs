//! Unpacking a Go release archive (`.tar.gz`, everything under `go/`) into
//! a directory, refusing any entry that would land outside it.
//!
//! The archive is not trusted while it is unpacked: its digest is known
//! only once the stream is drained. So no entry is ever written through a
//! link: every directory on an entry's way is checked to be a real
//! directory below the root (`lstat`, never followed), files are created
//! with `O_EXCL | O_NOFOLLOW`, links only where nothing is yet, and
//! headers that the tar format lets grow without bound (long names, PAX
//! records) are capped.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{self, Read};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use crate::fsx;

/// The most one header record may hold: a GNU long name or link, or a PAX
/// record. Go's own archives need a few hundred bytes.
pub const MAX_METADATA: u64 = 64 * 1024;
/// The longest entry name or link target, in bytes and in components
/// (Linux's `PATH_MAX`; Go's deepest path has about a dozen).
pub const MAX_PATH_BYTES: usize = 4096;
pub const MAX_PATH_DEPTH: usize = 256;
/// The most all files of one archive may hold together: a Go release
/// unpacks to a few hundred MB; a gzip bomb would fill the disk before its
/// digest is known to be wrong.
pub const MAX_UNPACKED: u64 = 4 << 30;

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("the archive holds an entry outside `go/`: `{}`", path.display())]
    OutsideRoot { path: PathBuf },
    #[error("the archive holds a link that points outside the toolchain: `{}` -> `{}`", path.display(), target.display())]
    LinkEscapes { path: PathBuf, target: PathBuf },
    #[error("the archive writes `{}` through `{}`, a link it made itself", path.display(), link.display())]
    ThroughLink { path: PathBuf, link: PathBuf },
    #[error("the archive holds `{}` twice, or over something it made before", path.display())]
    Duplicate { path: PathBuf },
    #[error("the archive holds a hard link `{}` to `{}`, which is not a file it holds", path.display(), target.display())]
    HardLinkNotAFile { path: PathBuf, target: PathBuf },
    #[error("the archive holds a {kind} entry, which a Go release never has: `{}`", path.display())]
    SpecialFile { path: PathBuf, kind: &'static str },
    #[error("the archive holds a header record of {size} bytes (a long name or PAX record); gov reads at most {MAX_METADATA}")]
    MetadataTooLarge { size: u64 },
    #[error(
        "the archive holds a name or link of {length} bytes or {depth} levels: `{}…`",
        String::from_utf8_lossy(start)
    )]
    NameTooLong {
        length: usize,
        depth: usize,
        start: Vec<u8>,
    },
    #[error("the archive unpacks to more than {} GiB, far more than any Go release", MAX_UNPACKED >> 30)]
    TooLarge,
    #[error("cannot read the archive")]
    Read(#[source] io::Error),
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl UnpackError {
    /// A broken stream (network), as opposed to a hostile or bad archive.
    pub fn is_read_error(&self) -> bool {
        matches!(self, UnpackError::Read(_))
    }
}

/// Unpacks the gzipped tar stream `archive` into `dest` (which must exist),
/// dropping the leading `go/`.
pub fn unpack_tar_gz(archive: impl Read, dest: &Path) -> Result<(), UnpackError> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut tree = Tree {
        root: dest,
        dirs: HashSet::new(),
    };
    // Long names come in records before the entry they name; the tar crate
    // would read them whole, so they are read here, capped ("raw" entries).
    let mut long_name: Option<Vec<u8>> = None;
    let mut long_link: Option<Vec<u8>> = None;
    let mut unpacked = 0u64;
    for entry in tar.entries().map_err(UnpackError::Read)?.raw(true) {
        let mut entry = entry.map_err(UnpackError::Read)?;
        let kind = entry.header().entry_type();
        match kind {
            tar::EntryType::GNULongName => {
                long_name = Some(read_metadata(&mut entry)?);
                continue;
            }
            tar::EntryType::GNULongLink => {
                long_link = Some(read_metadata(&mut entry)?);
                continue;
            }
            tar::EntryType::XHeader => {
                let record = read_metadata(&mut entry)?;
                for ext in tar::PaxExtensions::new(&record) {
                    let ext = ext.map_err(UnpackError::Read)?;
                    match ext.key() {
                        Ok("path") => long_name = Some(ext.value_bytes().to_vec()),
                        Ok("linkpath") => long_link = Some(ext.value_bytes().to_vec()),
                        _ => {}
                    }
                }
                continue;
            }
            tar::EntryType::XGlobalHeader => continue,
            _ => {}
        }
        let name = long_name
            .take()
            .unwrap_or_else(|| entry.path_bytes().into_owned());
        let name = PathBuf::from(OsString::from_vec(name));
        let link = long_link
            .take()
            .or_else(|| entry.link_name_bytes().map(|l| l.into_owned()))
            .map(|l| PathBuf::from(OsString::from_vec(l)));
        check_length(&name)?;
        if let Some(link) = &link {
            check_length(link)?;
        }
        let Some(relative) = inside_go(&name)? else {
            continue;
        };
        let target = dest.join(&relative);
        let write = |source| UnpackError::Write {
            path: target.clone(),
            source,
        };
        let exists = |e: io::Error| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                UnpackError::Duplicate { path: name.clone() }
            } else {
                write(e)
            }
        };
        if kind.is_dir() {
            tree.dir(&relative, &name)?;
            continue;
        }
        if kind.is_file() || kind == tar::EntryType::Continuous {
            unpacked += entry.header().entry_size().map_err(UnpackError::Read)?;
            if unpacked > MAX_UNPACKED {
                return Err(UnpackError::TooLarge);
            }
            tree.parents(&relative, &name)?;
            // Never writable by others, never set-id, whatever it says.
            let mode = entry.header().mode().unwrap_or(0o644) & 0o755;
            let mut file = fsx::create_new(&target, 0o600).map_err(exists)?;
            copy(&mut entry, &mut file).map_err(|e| match e {
                Copy::Read(e) => UnpackError::Read(e),
                Copy::Write(e) => write(e),
            })?;
            file.set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(write)?;
        } else if kind.is_symlink() {
            let link = link.ok_or_else(no_link_target)?;
            if !symlink_stays_inside(&relative, &link) {
                return Err(UnpackError::LinkEscapes {
                    path: name,
                    target: link,
                });
            }
            tree.parents(&relative, &name)?;
            std::os::unix::fs::symlink(&link, &target).map_err(exists)?;
        } else if kind.is_hard_link() {
            let link = link.ok_or_else(no_link_target)?;
            let Some(source) = inside_go(&link)? else {
                return Err(UnpackError::LinkEscapes {
                    path: name,
                    target: link,
                });
            };
            if !tree.holds_file(&source) {
                return Err(UnpackError::HardLinkNotAFile {
                    path: name,
                    target: link,
                });
            }
            tree.parents(&relative, &name)?;
            std::fs::hard_link(dest.join(source), &target).map_err(exists)?;
        } else {
            let kind = match kind {
                tar::EntryType::Char => "character device",
                tar::EntryType::Block => "block device",
                tar::EntryType::Fifo => "named pipe",
                _ => "special",
            };
            return Err(UnpackError::SpecialFile { path: name, kind });
        }
    }
    Ok(())
}

/// The directories below the root that are known to be real ones.
struct Tree<'a> {
    root: &'a Path,
    dirs: HashSet<PathBuf>,
}

impl Tree<'_> {
    /// Every directory on the way to `relative` (not itself) is a real
    /// directory below the root, made if missing. `name` is the entry's.
    fn parents(&mut self, relative: &Path, name: &Path) -> Result<(), UnpackError> {
        match relative.parent() {
            Some(parent) => self.dir(parent, name),
            None => Ok(()),
        }
    }

    /// `relative` and every directory above it are real directories below
    /// the root, made where missing; a link on the way is refused. Walked
    /// from the root down, one component at a time.
    fn dir(&mut self, relative: &Path, name: &Path) -> Result<(), UnpackError> {
        let mut at = PathBuf::new();
        for part in relative.components() {
            at.push(part);
            if self.dirs.contains(&at) {
                continue;
            }
            let path = self.root.join(&at);
            let write = |source| UnpackError::Write {
                path: path.clone(),
                source,
            };
            match std::fs::symlink_metadata(&path) {
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(UnpackError::ThroughLink {
                        path: name.to_path_buf(),
                        link: Path::new("go").join(&at),
                    })
                }
                Ok(_) => {
                    return Err(UnpackError::Duplicate {
                        path: name.to_path_buf(),
                    })
                }
                // `mkdir` never follows a link: a dangling one there fails it.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    std::fs::create_dir(&path).map_err(write)?
                }
                Err(e) => return Err(write(e)),
            }
            self.dirs.insert(at.clone());
        }
        Ok(())
    }

    /// `relative` is a regular file reached through real directories only.
    fn holds_file(&self, relative: &Path) -> bool {
        let parent_is_real = relative
            .parent()
            .is_none_or(|p| p.as_os_str().is_empty() || self.dirs.contains(p));
        parent_is_real
            && std::fs::symlink_metadata(self.root.join(relative)).is_ok_and(|m| m.is_file())
    }
}

/// The body of a long-name or PAX record, at most [`MAX_METADATA`] bytes;
/// GNU long names end in NULs, which are dropped.
fn read_metadata<R: Read>(entry: &mut tar::Entry<R>) -> Result<Vec<u8>, UnpackError> {
    let size = entry.header().entry_size().map_err(UnpackError::Read)?;
    if size > MAX_METADATA {
        return Err(UnpackError::MetadataTooLarge { size });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    entry
        .take(MAX_METADATA)
        .read_to_end(&mut bytes)
        .map_err(UnpackError::Read)?;
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    Ok(bytes)
}

fn no_link_target() -> UnpackError {
    UnpackError::Read(io::Error::other("a link entry without a target"))
}

enum Copy {
    Read(io::Error),
    Write(io::Error),
}

/// `io::copy` that tells a failed read (the stream) from a failed write (the disk).
fn copy(from: &mut impl Read, to: &mut impl io::Write) -> Result<(), Copy> {
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Copy::Read(e)),
        };
        to.write_all(&buf[..n]).map_err(Copy::Write)?;
    }
}

/// The path below `go/`; `None` for `go/` itself; an error for anything
/// absolute, with `..`, or not under `go/`.
fn inside_go(name: &Path) -> Result<Option<PathBuf>, UnpackError> {
    let outside = || UnpackError::OutsideRoot {
        path: name.to_path_buf(),
    };
    let mut parts = name.components().filter(|c| *c != Component::CurDir);
    if parts.next() != Some(Component::Normal("go".as_ref())) {
        return Err(outside());
    }
    let mut relative = PathBuf::new();
    for part in parts {
        match part {
            Component::Normal(p) => relative.push(p),
            _ => return Err(outside()),
        }
    }
    Ok((!relative.as_os_str().is_empty()).then_some(relative))
}

/// A relative symlink at `at` (relative to the root) whose target, read
/// lexically from its directory, never climbs above the root, and climbs
/// only first (`../../x`, never `a/../..`): a name in the target may be
/// another link of the archive's, and climbing out of that one would be
/// climbing from wherever it points. So each link resolves inside the
/// root if the links it passes through do.
fn symlink_stays_inside(at: &Path, target: &Path) -> bool {
    let mut depth = at.components().count() as i64 - 1;
    let mut descended = false;
    for part in target.components() {
        match part {
            Component::Normal(_) => {
                depth += 1;
                descended = true;
            }
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 || descended {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Names and link targets are at most [`MAX_PATH_BYTES`] long and
/// [`MAX_PATH_DEPTH`] deep.
fn check_length(path: &Path) -> Result<(), UnpackError> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let depth = path.components().count();
    if bytes.len() > MAX_PATH_BYTES || depth > MAX_PATH_DEPTH {
        return Err(UnpackError::NameTooLong {
            length: bytes.len(),
            depth,
            start: bytes[..bytes.len().min(60)].to_vec(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        assert_eq!(
            inside_go(Path::new("go/bin/go")).unwrap(),
            Some("bin/go".into())
        );
        assert_eq!(inside_go(Path::new("./go/")).unwrap(), None);
        for bad in ["/go/bin", "go/../x", "other/x", "go/bin/../../x", ".."] {
            assert!(inside_go(Path::new(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn symlink_targets() {
        assert!(symlink_stays_inside(
            Path::new("bin/go"),
            Path::new("../pkg/tool/go")
        ));
        assert!(symlink_stays_inside(
            Path::new("a/b/c"),
            Path::new("../../x")
        ));
        assert!(!symlink_stays_inside(
            Path::new("a/b/c"),
            Path::new("../../../x")
        ));
        assert!(!symlink_stays_inside(
            Path::new("bin/go"),
            Path::new("/usr/bin/go")
        ));
        assert!(!symlink_stays_inside(Path::new("x"), Path::new("../x")));
        // Climbing after a name climbs from wherever that name leads.
        assert!(!symlink_stays_inside(Path::new("c"), Path::new("a/b/..")));
        assert!(!symlink_stays_inside(
            Path::new("a/b/c"),
            Path::new("../x/..")
        ));
        assert!(symlink_stays_inside(
            Path::new("a/b/c"),
            Path::new("./../x/./y")
        ));
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        /// Path-like text from the parts that make archive names hostile.
        fn arb_path() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just("go"),
                    Just("a"),
                    Just("b"),
                    Just(".."),
                    Just("."),
                    Just(""),
                    Just("/")
                ],
                0..6,
            )
            .prop_map(|parts| parts.join("/"))
        }

        #[derive(Debug, Clone)]
        enum Kind {
            File,
            Dir,
            Symlink,
            HardLink,
        }

        fn arb_entry() -> impl Strategy<Value = (Kind, String, String)> {
            (
                prop_oneof![
                    Just(Kind::File),
                    Just(Kind::Dir),
                    Just(Kind::Symlink),
                    Just(Kind::HardLink)
                ],
                arb_path(),
                arb_path(),
            )
        }

        /// A gzipped tar of `entries`, names written as they are.
        fn tar_gz(entries: &[(Kind, String, String)]) -> Vec<u8> {
            let mut tar = Vec::new();
            for (kind, name, link) in entries {
                let mut header = tar::Header::new_gnu();
                let old = header.as_old_mut();
                let n = name.len().min(99);
                old.name[..n].copy_from_slice(&name.as_bytes()[..n]);
                let l = link.len().min(99);
                old.linkname[..l].copy_from_slice(&link.as_bytes()[..l]);
                header.set_entry_type(match kind {
                    Kind::File => tar::EntryType::Regular,
                    Kind::Dir => tar::EntryType::Directory,
                    Kind::Symlink => tar::EntryType::Symlink,
                    Kind::HardLink => tar::EntryType::Link,
                });
                let body: &[u8] = if matches!(kind, Kind::File) {
                    b"PLANTED"
                } else {
                    b""
                };
                header.set_size(body.len() as u64);
                header.set_mode(0o644);
                header.set_cksum();
                tar.extend_from_slice(header.as_bytes());
                tar.extend_from_slice(body);
                tar.resize(tar.len().next_multiple_of(512), 0);
            }
            tar.resize(tar.len() + 1024, 0);
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, &tar).unwrap();
            gz.finish().unwrap()
        }

        /// Every path below `dir`, links not followed.
        fn walk(dir: &Path) -> Vec<PathBuf> {
            let mut found = Vec::new();
            let mut todo = vec![dir.to_path_buf()];
            while let Some(d) = todo.pop() {
                for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                    if e.file_type().is_ok_and(|t| t.is_dir()) {
                        todo.push(e.path());
                    }
                    found.push(e.path());
                }
            }
            found
        }

        proptest! {
            #[test]
            fn prop_names_inside_go_stay_inside(name in arb_path()) {
                if let Ok(Some(relative)) = inside_go(Path::new(&name)) {
                    prop_assert!(relative.components().all(|c| matches!(c, Component::Normal(_))));
                }
            }

            #[test]
            fn prop_links_that_pass_stay_inside(at in arb_path(), target in arb_path()) {
                if let Ok(Some(relative)) = inside_go(Path::new(&at)) {
                    if symlink_stays_inside(&relative, Path::new(&target)) {
                        // Resolved by text from the link's directory: never above.
                        let mut depth = relative.components().count() as i64 - 1;
                        for c in Path::new(&target).components() {
                            match c {
                                Component::Normal(_) => depth += 1,
                                Component::ParentDir => depth -= 1,
                                _ => {}
                            }
                            prop_assert!(depth >= 0);
                        }
                    }
                }
            }

            /// The property the whole module exists for: whatever an archive
            /// holds, nothing is written outside the destination.
            #[test]
            fn prop_no_archive_writes_outside(entries in proptest::collection::vec(arb_entry(), 1..8)) {
                let tmp = tempfile::tempdir().unwrap();
                let dest = tmp.path().join("dest");
                std::fs::create_dir(&dest).unwrap();
                let _ = unpack_tar_gz(&tar_gz(&entries)[..], &dest);
                let outside: Vec<_> = std::fs::read_dir(tmp.path())
                    .unwrap()
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| *p != dest)
                    .collect();
                prop_assert!(outside.is_empty(), "{:?} wrote {:?}", entries, outside);
                // No link below dest leads out of it.
                for path in walk(&dest) {
                    if let Ok(target) = std::fs::canonicalize(&path) {
                        prop_assert!(target.starts_with(dest.canonicalize().unwrap()), "{:?}: {:?} -> {:?}", entries, path, target);
                    }
                }
            }
        }
    }
}
