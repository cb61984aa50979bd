//! A Go root copied into the store (`gov import --copy`), when the root
//! may belong to someone else and gov may run as root:
//!
//! - nothing is read through a link: a link is copied as a link (one that
//!   leaves the root as a link to the same place, absolute), and every
//!   directory and file is opened without following one, from the
//!   directory already opened (on Linux), so nothing can be swapped in
//!   between;
//! - a link that leads to a directory holding it (a cycle) is refused, and
//!   so are named pipes, devices and sockets, trees deeper than
//!   [`MAX_DEPTH`] and copies larger than [`MAX_BYTES`];
//! - into the system store, which every user reads, only what every user
//!   can already read is copied (the copy is `0755`/`0644` whatever the
//!   umask); into a user's own store the modes are kept (less group and
//!   world write).
//!
//! Any failure leaves the destination to the caller's scratch directory,
//! which it removes.

use std::fs::File;
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use crate::fsx;

/// The most a copy may write, as an install may unpack.
pub const MAX_BYTES: u64 = 4 << 30;
/// The deepest directory a copy walks into.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("`{}` leads to `{}`, a directory that holds it: a link cycle", link.display(), target.display())]
    Cycle { link: PathBuf, target: PathBuf },
    #[error("`{}` is not readable by every user (mode {mode:o}), but its copy in the system store would be", path.display())]
    NotShared { path: PathBuf, mode: u32 },
    #[error("`{}` is {kind}, which a Go root never holds", path.display())]
    Special { path: PathBuf, kind: &'static str },
    #[error("`{}` is more than {MAX_DEPTH} directories deep", path.display())]
    TooDeep { path: PathBuf },
    #[error("`{}` holds more than {} GiB", root.display(), MAX_BYTES >> 30)]
    TooLarge { root: PathBuf },
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl CopyError {
    pub fn hint(&self) -> Option<String> {
        match self {
            CopyError::Cycle { .. } => Some(
                "remove the link from the toolchain, or register it where it is with `gov link VERSION DIR`".into(),
            ),
            CopyError::NotShared { .. } => Some(
                "if every user may read it, make it so (`chmod -R a+rX DIR`) and import again; or import it into your own store, without --system".into(),
            ),
            CopyError::Special { .. } | CopyError::TooDeep { .. } | CopyError::TooLarge { .. } => {
                Some("this is no Go release as go.dev ships them: install the release with `gov install VERSION` instead".into())
            }
            CopyError::Io(e) => fsx::io_hint(e),
        }
    }
}

/// Copies the Go root `from` to `to`, which must not exist; `shared`: into
/// the system store.
pub fn copy_root(from: &Path, to: &Path, shared: bool) -> Result<(), CopyError> {
    let root = fs_err::canonicalize(from)?;
    let mut copy = Copy {
        root: root.clone(),
        shared,
        written: 0,
    };
    let dir = open_dir(&root, &root)?;
    copy.dir(&dir, &root, to, 0)
}

struct Copy {
    /// The root being copied, as the real path every entry is under.
    root: PathBuf,
    shared: bool,
    written: u64,
}

/// An open directory and its real path (for messages and links).
struct Dir {
    file: File,
    #[cfg_attr(target_os = "linux", allow(dead_code))]
    path: PathBuf,
}

impl Dir {
    /// A name in this directory, resolved from the open directory itself
    /// where the system allows it, so that nothing swapped in above counts.
    fn at(&self, name: &std::ffi::OsStr) -> PathBuf {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            PathBuf::from(format!("/proc/self/fd/{}", self.file.as_raw_fd())).join(name)
        }
        #[cfg(not(target_os = "linux"))]
        {
            self.path.join(name)
        }
    }
}

fn open_dir(at: &Path, real: &Path) -> Result<Dir, CopyError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(at)
        .map_err(|e| fsx::with_path(e, real))?;
    Ok(Dir {
        file,
        path: real.to_path_buf(),
    })
}

impl Copy {
    fn dir(&mut self, dir: &Dir, real: &Path, to: &Path, depth: usize) -> Result<(), CopyError> {
        if depth > MAX_DEPTH {
            return Err(CopyError::TooDeep {
                path: real.to_path_buf(),
            });
        }
        let meta = dir.file.metadata().map_err(|e| fsx::with_path(e, real))?;
        self.check_shared(real, &meta)?;
        fs_err::create_dir(to)?;
        let mut names: Vec<std::ffi::OsString> = fs_err::read_dir(dir.at(".".as_ref()))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<io::Result<_>>()
            .map_err(|e| fsx::with_path(e, real))?;
        names.sort();
        for name in names {
            let from = dir.at(&name);
            let real_from = real.join(&name);
            let to = to.join(&name);
            let meta =
                std::fs::symlink_metadata(&from).map_err(|e| fsx::with_path(e, &real_from))?;
            let kind = meta.file_type();
            if kind.is_symlink() {
                self.link(&from, &real_from, &to)?;
            } else if kind.is_dir() {
                let child = open_dir(&from, &real_from)?;
                self.dir(&child, &real_from, &to, depth + 1)?;
            } else if kind.is_file() {
                self.file(&from, &real_from, &to)?;
            } else {
                return Err(CopyError::Special {
                    path: real_from,
                    kind: fsx::kind_of(&meta),
                });
            }
        }
        fs_err::set_permissions(to, std::fs::Permissions::from_mode(self.mode(&meta, true)))?;
        Ok(())
    }

    /// A link, as a link: leading where it led, never read through.
    fn link(&mut self, from: &Path, real: &Path, to: &Path) -> Result<(), CopyError> {
        let text = std::fs::read_link(from).map_err(|e| fsx::with_path(e, real))?;
        let here = real.parent().unwrap_or(Path::new("/"));
        // `real`'s directories hold no links, so `..` is their parent.
        let target = normalize(&here.join(&text));
        if here.starts_with(&target) {
            return Err(CopyError::Cycle {
                link: real.to_path_buf(),
                target,
            });
        }
        // Inside the root it stays as written; out of it, absolute.
        let written = if target.starts_with(&self.root) {
            text
        } else {
            target
        };
        std::os::unix::fs::symlink(&written, to).map_err(|e| fsx::with_path(e, to))?;
        Ok(())
    }

    fn file(&mut self, from: &Path, real: &Path, to: &Path) -> Result<(), CopyError> {
        let mut source = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
            .open(from)
            .map_err(|e| fsx::with_path(e, real))?;
        let meta = source.metadata().map_err(|e| fsx::with_path(e, real))?;
        if !meta.is_file() {
            return Err(CopyError::Special {
                path: real.to_path_buf(),
                kind: fsx::kind_of(&meta),
            });
        }
        self.check_shared(real, &meta)?;
        self.written = self.written.saturating_add(meta.len());
        if self.written > MAX_BYTES {
            return Err(CopyError::TooLarge {
                root: self.root.clone(),
            });
        }
        let mode = self.mode(&meta, false);
        let mut dest = fsx::create_new(to, mode).map_err(|e| fsx::with_path(e, to))?;
        // At most what it said it held: a file that grows is cut there.
        io::copy(&mut io::Read::take(&mut source, meta.len()), &mut dest)
            .map_err(|e| fsx::with_path(e, real))?;
        dest.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| fsx::with_path(e, to))?;
        Ok(())
    }

    /// Into the system store: only what every user can read already.
    fn check_shared(&self, real: &Path, meta: &std::fs::Metadata) -> Result<(), CopyError> {
        let needed = if meta.is_dir() { 0o005 } else { 0o004 };
        if self.shared && meta.mode() & needed != needed {
            return Err(CopyError::NotShared {
                path: real.to_path_buf(),
                mode: meta.mode() & 0o7777,
            });
        }
        Ok(())
    }

    /// The copy's mode: the system store's `0755`/`0644`, or the source's
    /// less group and world write, plus the owner's: the copy is the
    /// store's to remove (Go's module cache keeps its files read-only).
    fn mode(&self, meta: &std::fs::Metadata, dir: bool) -> u32 {
        if !self.shared {
            return meta.mode() & 0o755 | 0o200;
        }
        if dir || meta.mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        }
    }
}

/// `path` with `.` and `..` taken away by name.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_copied_as_links_never_read_through() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        let root = base.join("go");
        std::fs::create_dir_all(root.join("bin")).unwrap();
        std::fs::write(root.join("bin/go"), "#!/bin/sh\n").unwrap();
        std::fs::write(base.join("secret"), "private").unwrap();
        symlink("../../secret", root.join("bin/leak")).unwrap();
        symlink("go", root.join("bin/also-go")).unwrap();
        copy_root(&root, &base.join("copy"), false).unwrap();
        assert_eq!(
            std::fs::read_link(base.join("copy/bin/leak")).unwrap(),
            base.join("secret"),
            "out of the root: a link to the same place"
        );
        assert_eq!(
            std::fs::read_link(base.join("copy/bin/also-go")).unwrap(),
            Path::new("go")
        );

        symlink("../..", root.join("bin/up")).unwrap();
        let err = copy_root(&root, &base.join("copy2"), false).unwrap_err();
        assert!(matches!(err, CopyError::Cycle { .. }), "{err}");
    }

    #[test]
    fn normalizes_by_name() {
        assert_eq!(normalize(Path::new("/a/b/../../c/./d")), Path::new("/c/d"));
        assert_eq!(normalize(Path::new("/../..")), Path::new("/"));
    }
}
