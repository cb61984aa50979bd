//! Unpacking a Go release archive (`.tar.gz`, everything under `go/`) into
//! a directory, refusing any entry that would land outside it.

use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("the archive holds an entry outside `go/`: `{}`", path.display())]
    OutsideRoot { path: PathBuf },
    #[error("the archive holds a link that points outside the toolchain: `{}` -> `{}`", path.display(), target.display())]
    LinkEscapes { path: PathBuf, target: PathBuf },
    #[error("the archive holds a {kind} entry, which a Go release never has: `{}`", path.display())]
    SpecialFile { path: PathBuf, kind: &'static str },
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
    for entry in tar.entries().map_err(UnpackError::Read)? {
        let mut entry = entry.map_err(UnpackError::Read)?;
        let name = entry.path().map_err(UnpackError::Read)?.into_owned();
        let Some(relative) = inside_go(&name)? else {
            continue;
        };
        let target = dest.join(&relative);
        let write = |source| UnpackError::Write {
            path: target.clone(),
            source,
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            std::fs::create_dir_all(&target).map_err(write)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(write)?;
        }
        if kind.is_file() || kind == tar::EntryType::Continuous {
            let mode = entry.header().mode().unwrap_or(0o644) & 0o777;
            let mut file = std::fs::File::create(&target).map_err(write)?;
            copy(&mut entry, &mut file).map_err(|e| match e {
                Copy::Read(e) => UnpackError::Read(e),
                Copy::Write(e) => write(e),
            })?;
            file.set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(write)?;
        } else if kind.is_symlink() {
            let link = link_name(&entry)?;
            if !symlink_stays_inside(&relative, &link) {
                return Err(UnpackError::LinkEscapes {
                    path: name,
                    target: link,
                });
            }
            std::os::unix::fs::symlink(&link, &target).map_err(write)?;
        } else if kind.is_hard_link() {
            let link = link_name(&entry)?;
            let Some(source) = inside_go(&link)? else {
                return Err(UnpackError::LinkEscapes {
                    path: name,
                    target: link,
                });
            };
            std::fs::hard_link(dest.join(source), &target).map_err(write)?;
        } else if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
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

fn link_name<R: Read>(entry: &tar::Entry<R>) -> Result<PathBuf, UnpackError> {
    entry
        .link_name()
        .map_err(UnpackError::Read)?
        .map(|l| l.into_owned())
        .ok_or_else(|| UnpackError::Read(io::Error::other("a link entry without a target")))
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
/// lexically from its directory, never climbs above the root.
fn symlink_stays_inside(at: &Path, target: &Path) -> bool {
    let mut depth = at.components().count() as i64 - 1;
    for part in target.components() {
        match part {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
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
    }
}
