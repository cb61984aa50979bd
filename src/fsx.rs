//! File-system primitives with the safety rules gov keeps everywhere:
//! files from directories gov does not own are read only when they are
//! regular files, and only a bounded prefix of them; every file and link
//! gov writes goes through an unpredictable temporary name (created with
//! `O_EXCL`, never through a planted link) and a rename.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Read, Write};
#[cfg(target_os = "linux")]
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What is at a path read with [`read_regular`].
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// Nothing, or a directory.
    Missing,
    /// Something that is not a regular file: never opened for reading.
    NotAFile(&'static str),
    /// The first bytes of a regular file, at most the limit asked for.
    Bytes(Vec<u8>),
}

/// Reads at most `limit` bytes of `path`, following links, but only when
/// it is a regular file: a named pipe would block forever and a link to
/// `/dev/zero` would never end. A directory counts as missing.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Found> {
    let file = match open_regular(path)? {
        Ok(file) => file,
        Err(found) => return Ok(found),
    };
    let mut bytes = Vec::new();
    file.take(limit).read_to_end(&mut bytes)?;
    Ok(Found::Bytes(bytes))
}

/// `path` opened for reading when it is a regular file; else what it is.
#[cfg(target_os = "linux")]
pub fn open_regular(path: &Path) -> io::Result<Result<File, Found>> {
    // `O_PATH` opens nothing: no pipe waits, no device acts on the open.
    // What it names is checked on the descriptor, then opened for reading
    // through it, so a file swapped for a pipe meanwhile is never opened.
    let handle = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_PATH | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(handle) => handle,
        Err(e) if is_missing(&e) => return Ok(Err(Found::Missing)),
        Err(e) => return Err(e),
    };
    let meta = handle.metadata()?;
    if meta.is_dir() {
        return Ok(Err(Found::Missing));
    }
    if !meta.is_file() {
        return Ok(Err(Found::NotAFile(kind_of(&meta))));
    }
    match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(format!("/proc/self/fd/{}", handle.as_raw_fd()))
    {
        Ok(file) => Ok(Ok(file)),
        // Without /proc: as elsewhere.
        Err(e) if e.kind() == io::ErrorKind::NotFound => open_checked(path),
        Err(e) => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
pub fn open_regular(path: &Path) -> io::Result<Result<File, Found>> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Ok(Err(Found::Missing)),
        Ok(meta) if !meta.is_file() => return Ok(Err(Found::NotAFile(kind_of(&meta)))),
        Ok(_) => {}
        Err(e) if is_missing(&e) => return Ok(Err(Found::Missing)),
        Err(e) => return Err(e),
    }
    open_checked(path)
}

/// Opens `path` without blocking (a pipe swapped in does not wait) and
/// checks what was opened.
fn open_checked(path: &Path) -> io::Result<Result<File, Found>> {
    let file = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if is_missing(&e) => return Ok(Err(Found::Missing)),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Err(Found::NotAFile(kind_of(&meta))));
    }
    Ok(Ok(file))
}

/// [`read_regular`] as text: invalid UTF-8 is replaced, and a prefix cut
/// at `limit` ends at its last complete line; `true` when it was cut.
pub fn read_regular_text(
    path: &Path,
    limit: u64,
) -> io::Result<Option<Result<(String, bool), &'static str>>> {
    // One byte more than the limit tells a cut file from one that fits.
    Ok(match read_regular(path, limit + 1)? {
        Found::Missing => None,
        Found::NotAFile(kind) => Some(Err(kind)),
        Found::Bytes(mut bytes) => {
            let cut = bytes.len() as u64 > limit;
            if cut {
                bytes.truncate(limit as usize);
                let end = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                bytes.truncate(end);
            }
            Some(Ok((String::from_utf8_lossy(&bytes).into_owned(), cut)))
        }
    })
}

fn is_missing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    ) || e.raw_os_error() == Some(libc::ENXIO)
}

/// What a non-regular file is, for messages.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_fifo() {
        "a named pipe"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// The fix for an I/O error on gov's own files, by its kind.
pub fn io_hint(e: &io::Error) -> Option<String> {
    match e.kind() {
        io::ErrorKind::PermissionDenied => Some(
            "you cannot write there: check its owner and mode (`ls -ld` it), or set GOV_HOME to a directory of yours".into(),
        ),
        io::ErrorKind::ReadOnlyFilesystem => Some(
            "it is on a read-only file system: set GOV_HOME to a writable directory".into(),
        ),
        // Something where gov keeps a directory of its own (a planted link).
        io::ErrorKind::AlreadyExists => Some(
            "something else is where gov keeps a directory of its own: if you put it there, move it away; otherwise ask who did, then run the command again".into(),
        ),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => Some(
            "the disk is full: free some space (`gov prune` removes old caches), then run the command again".into(),
        ),
        _ => None,
    }
}

/// Why a file or directory cannot be trusted with what gov runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untrusted {
    /// Owned by someone else than the user or root.
    Owner(u32),
    /// Writable by its group or by everyone (the mode, e.g. `0o775`).
    Writable(u32),
    /// A link where a real directory must be.
    Link,
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Untrusted::Owner(uid) => write!(f, "it belongs to uid {uid}, not to you or root"),
            Untrusted::Writable(mode) => {
                write!(f, "it is writable by others than its owner (mode {mode:o})")
            }
            Untrusted::Link => f.write_str("it is a symbolic link, not a directory"),
        }
    }
}

/// The user gov runs as.
pub fn my_uid() -> u32 {
    // SAFETY: getuid(2) cannot fail and touches no memory.
    unsafe { libc::getuid() }
}

/// ssh's StrictModes: what gov executes or reads as a toolchain must be
/// owned by the user or root and writable by nobody else.
pub fn check_trust(meta: &std::fs::Metadata) -> Result<(), Untrusted> {
    check_trust_for(meta, my_uid())
}

/// [`check_trust`] for the user `me`.
fn check_trust_for(meta: &std::fs::Metadata, me: u32) -> Result<(), Untrusted> {
    let owner = meta.uid();
    if owner != me && owner != 0 {
        return Err(Untrusted::Owner(owner));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(Untrusted::Writable(mode));
    }
    Ok(())
}

/// [`check_trust`] of `path`, links followed; `Ok(None)` when it is not
/// there (nothing to trust or distrust).
pub fn trust(path: &Path) -> io::Result<Option<Untrusted>> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(check_trust(&meta).err()),
        Err(e) if is_missing(&e) => Ok(None),
        Err(e) => Err(with_path(e, path)),
    }
}

/// Whether a world-writable directory with the sticky bit (`/tmp`) may be
/// a step of a trusted chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sticky {
    /// Others cannot replace what the user or root has in it, and every
    /// step is checked each time (a release a shim is about to run).
    Allowed,
    /// A name there may disappear and be taken by someone else later: never
    /// for what is checked once and trusted afterwards (a shim's gov binary).
    Refused,
}

/// The most links [`trust_chain`] follows, as the kernel's own limit.
const MAX_LINKS: u32 = 40;

/// ssh's StrictModes all the way down: walks `path` from `/` one name at a
/// time, following every link to the end, and checks each step (every
/// directory on the way, the directory of every link, the final file)
/// with [`check_trust`]. `Ok(None)` when every step is trusted, or when the
/// chain ends at nothing (nothing to run); else the first step that is not.
pub fn trust_chain(path: &Path, sticky: Sticky) -> io::Result<Option<(PathBuf, Untrusted)>> {
    use std::ffi::OsString;
    use std::path::Component;
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    // Names still to walk, the next one last.
    let mut pending: Vec<OsString> = Vec::new();
    let push = |pending: &mut Vec<OsString>, p: &Path| {
        for c in p.components().rev() {
            match c {
                Component::Normal(n) => pending.push(n.to_os_string()),
                Component::ParentDir => pending.push("..".into()),
                Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            }
        }
    };
    push(&mut pending, &absolute);
    let mut at = PathBuf::from("/");
    let mut links = 0;
    let me = my_uid();
    let step = |meta: &std::fs::Metadata| -> Option<Untrusted> {
        match check_trust_for(meta, me) {
            // Others may add names here, never replace ours: the next
            // step's owner is checked.
            Err(Untrusted::Writable(mode))
                if sticky == Sticky::Allowed && meta.is_dir() && mode & 0o1000 != 0 =>
            {
                None
            }
            other => other.err(),
        }
    };
    let root = std::fs::symlink_metadata(&at).map_err(|e| with_path(e, &at))?;
    if let Some(problem) = step(&root) {
        return Ok(Some((at, problem)));
    }
    while let Some(name) = pending.pop() {
        if name == ".." {
            // `at` holds no links, so its parent is the real one.
            at.pop();
            continue;
        }
        let next = at.join(&name);
        let meta = match std::fs::symlink_metadata(&next) {
            Ok(meta) => meta,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => return Err(with_path(e, &next)),
        };
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_LINKS {
                return Err(with_path(io::Error::from_raw_os_error(libc::ELOOP), path));
            }
            // The link itself is as safe as the directory it is in.
            let target = std::fs::read_link(&next).map_err(|e| with_path(e, &next))?;
            if target.is_absolute() {
                at = PathBuf::from("/");
            }
            push(&mut pending, &target);
            continue;
        }
        if let Some(problem) = step(&meta) {
            return Ok(Some((next, problem)));
        }
        at = next;
    }
    Ok(None)
}

/// Makes `dir` a directory of the user's alone: created `0700` if missing
/// (`mkdir` never follows a link), else it must be a real directory owned
/// by the user that nobody else can write to.
pub fn private_dir(dir: &Path) -> io::Result<Result<(), Untrusted>> {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(with_path(e, dir)),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| with_path(e, dir))?;
    if !meta.is_dir() {
        return Ok(Err(Untrusted::Link));
    }
    if meta.uid() != my_uid() {
        return Ok(Err(Untrusted::Owner(meta.uid())));
    }
    if meta.mode() & 0o022 != 0 {
        return Ok(Err(Untrusted::Writable(meta.mode() & 0o7777)));
    }
    Ok(Ok(()))
}

/// The sha256 of the file at `path`, as lowercase hex, read in one pass.
pub fn sha256_of(path: &Path) -> io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    io::copy(&mut file, &mut hasher)?;
    Ok(format!("{:x}", hasher.finalize()))
}

/// Replaces `path` with `bytes` atomically: an unpredictable temporary
/// sibling (`O_EXCL`, so a planted link is never followed), then a rename.
/// The new file gets mode `0666` less the umask, like any new file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_replacing(path, bytes, true)
}

/// [`write_atomic`] for a cache, which can be fetched again: the same
/// whole-or-nothing rename, without waiting for the disk (a crash may
/// leave the old file, or an empty one, which a cache reader must — and
/// gov's do — treat as missing).
pub fn write_atomic_cache(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_replacing(path, bytes, false)
}

fn write_replacing(path: &Path, bytes: &[u8], durable: bool) -> io::Result<()> {
    let dir = parent(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", file_name(path)))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| with_path(e, dir))?;
    tmp.write_all(bytes)
        .and_then(|()| {
            if durable {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|e| with_path(e, tmp.path()))?;
    tmp.persist(path).map_err(|e| with_path(e.error, path))?;
    Ok(())
}

/// Puts the file `from` at `to` atomically, with mode `mode` less the umask:
/// a hard link to it when `link` (and the file system allows it), else a
/// copy that keeps its modification time. An unpredictable temporary name
/// in `to`'s directory, then a rename.
pub fn link_or_copy_atomic(from: &Path, to: &Path, link: bool, mode: u32) -> io::Result<()> {
    let dir = parent(to);
    let prefix = format!(".{}.", file_name(to));
    if link {
        let linked = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .make_in(dir, |path| std::fs::hard_link(from, path));
        if let Ok(tmp) = linked {
            tmp.persist(to).map_err(|e| with_path(e.error, to))?;
            return Ok(());
        }
    }
    let mut source = File::open(from).map_err(|e| with_path(e, from))?;
    let modified = source
        .metadata()
        .and_then(|m| m.modified())
        .map_err(|e| with_path(e, from))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(Permissions::from_mode(mode))
        .tempfile_in(dir)
        .map_err(|e| with_path(e, dir))?;
    io::copy(&mut source, &mut tmp)
        .and_then(|_| tmp.as_file().set_modified(modified))
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| with_path(e, tmp.path()))?;
    tmp.persist(to).map_err(|e| with_path(e.error, to))?;
    Ok(())
}

/// Whether `name` is one of the temporary names [`write_atomic`],
/// [`replace_symlink`] and [`link_or_copy_atomic`] give what they put in
/// place (`.NAME.RANDOM.tmp`): what a killed writer left, where no other
/// writer can be at work.
pub fn is_temp_name(name: &std::ffi::OsStr) -> bool {
    let bytes = name.as_encoded_bytes();
    bytes.starts_with(b".") && bytes.ends_with(b".tmp")
}

/// Makes `dir` a real directory, created with `mode` less the umask (its
/// parents as any new directory); a link or anything else in its place is an error, so
/// that gov never writes through a link into a directory of its own.
pub fn create_own_dir(dir: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    let check = || match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(meta) => Err(with_path(
            io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} is where gov keeps a directory of its own",
                    kind_of(&meta)
                ),
            ),
            dir,
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(with_path(e, dir)),
    };
    if check()? {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        fs_err::create_dir_all(parent)?;
    }
    match std::fs::DirBuilder::new().mode(mode).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(with_path(e, dir)),
    }
    // Something may have raced into its place.
    check().map(|_| ())
}

/// Replaces `link` with a symlink to `target` atomically: a reader sees
/// the old target or the new one, never nothing. The temporary link has an
/// unpredictable name in the same directory.
pub fn replace_symlink(target: &Path, link: &Path) -> io::Result<()> {
    let dir = parent(link);
    fs_err::create_dir_all(dir)?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", file_name(link)))
        .suffix(".tmp")
        .make_in(dir, |path| std::os::unix::fs::symlink(target, path))
        .map_err(|e| with_path(e, dir))?;
    tmp.persist(link).map_err(|e| with_path(e.error, link))?;
    Ok(())
}

/// A regular file with an execute bit (links followed).
pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0)
}

/// Creates `path` as a new, empty file; fails if anything is there,
/// a link included.
pub fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The error with the path it concerns.
pub fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{e}: `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_regular_files_and_only_a_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "1.22.4\nsecond line\n").unwrap();
        assert_eq!(
            read_regular(&file, 4).unwrap(),
            Found::Bytes(b"1.22".to_vec())
        );
        assert_eq!(
            read_regular_text(&file, 10).unwrap(),
            Some(Ok(("1.22.4\n".into(), true)))
        );
        assert_eq!(read_regular(dir.path(), 10).unwrap(), Found::Missing);
        assert_eq!(
            read_regular(&dir.path().join("none"), 10).unwrap(),
            Found::Missing
        );
        assert_eq!(
            read_regular(&file.join("below-a-file"), 10).unwrap(),
            Found::Missing
        );
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(
            read_regular(&zero, 10).unwrap(),
            Found::NotAFile("a character device")
        );
    }

    #[test]
    fn atomic_writes_never_follow_a_planted_link() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let path = dir.path().join(".go-version");
        // The name older versions of gov used for their temporary file.
        let planted = format!("..go-version.{}.tmp", std::process::id());
        std::os::unix::fs::symlink(&victim, dir.path().join(&planted)).unwrap();
        write_atomic(&path, b"1.22.4\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "1.22.4\n");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");

        let link = dir.path().join("current");
        replace_symlink(Path::new("a"), &link).unwrap();
        replace_symlink(Path::new("b"), &link).unwrap();
        assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("b"));
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .filter(|e| e.file_name().to_string_lossy() != planted)
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn trust_follows_every_link_to_the_end_and_checks_each_step() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let set =
            |p: &Path, mode| std::fs::set_permissions(p, Permissions::from_mode(mode)).unwrap();
        set(&root, 0o755);
        let safe = root.join("safe/bin");
        std::fs::create_dir_all(&safe).unwrap();
        std::fs::write(safe.join("go"), "").unwrap();
        set(&safe.join("go"), 0o755);
        // (Allowed: the test's own directory may be below `/tmp`.)
        assert_eq!(
            trust_chain(&safe.join("go"), Sticky::Allowed).unwrap(),
            None
        );

        // A link whose target sits in a directory others can write.
        let open = root.join("open");
        std::fs::create_dir_all(open.join("bin")).unwrap();
        std::fs::write(open.join("bin/go"), "").unwrap();
        set(&open, 0o777);
        symlink(open.join("bin/go"), root.join("safe/bin/link")).unwrap();
        assert_eq!(
            trust_chain(&root.join("safe/bin/link"), Sticky::Allowed).unwrap(),
            Some((open.clone(), Untrusted::Writable(0o777)))
        );
        // Relative links and `..` are walked as the kernel walks them.
        symlink("../../open/bin/go", root.join("safe/bin/rel")).unwrap();
        assert_eq!(
            trust_chain(&root.join("safe/bin/rel"), Sticky::Allowed).unwrap(),
            Some((open.clone(), Untrusted::Writable(0o777)))
        );

        // A sticky directory (`/tmp`): fine for what is checked on every
        // run, never for what is trusted once.
        set(&open, 0o1777);
        let through_sticky = root.join("safe/bin/link");
        assert_eq!(trust_chain(&through_sticky, Sticky::Allowed).unwrap(), None);
        assert!(matches!(
            trust_chain(&through_sticky, Sticky::Refused).unwrap(),
            Some((_, Untrusted::Writable(mode))) if mode & 0o1000 != 0
        ));
        // The file at the end is checked too.
        set(&open.join("bin/go"), 0o666);
        assert_eq!(
            trust_chain(&through_sticky, Sticky::Allowed).unwrap(),
            Some((open.join("bin/go"), Untrusted::Writable(0o666)))
        );

        // A chain that ends at nothing has nothing to trust; a loop is an error.
        assert_eq!(
            trust_chain(&root.join("none/go"), Sticky::Allowed).unwrap(),
            None
        );
        symlink("loop-b", root.join("loop-a")).unwrap();
        symlink("loop-a", root.join("loop-b")).unwrap();
        assert!(trust_chain(&root.join("loop-a"), Sticky::Allowed).is_err());
    }
}
