//! Unpacking a Go toolchain module zip (`golang.org/toolchain@v0.0.1-go…`)
//! into a Go root, hashing it on the way to the `h1:` the checksum
//! database holds.
//!
//! What Go does, and so what gov does: the names are checked as
//! `golang.org/x/mod/zip` checks them before unzipping (every name under
//! `<module>@<version>/`, clean, characters Go allows, no two names equal
//! but for case, `go.mod` only at the root, 500 MiB at most in and out);
//! the `h1:` is `dirhash.HashZip`'s, over the names and contents as
//! stored; the Go root is what `go` makes of the module when it switches
//! toolchains: the prefix gone, each `_go.mod` copied back to `go.mod`
//! (Go keeps both), files under `bin/` and `pkg/tool/` executable.
//! Empty directories are not made (Go ignores them too) and modes in the
//! zip are ignored: no links, devices or set-id bits come out of it.
//!
//! More than Go checks: a local header must agree with its central record
//! (name, method, sizes, CRC), no two entries' bytes may overlap (the
//! non-recursive zip bomb), a deflate stream must end where its entry
//! does, nothing may follow the end record, links and other special
//! files are refused rather than written as files.
//!
//! Why a reader of its own rather than the `zip` crate: each of those
//! checks needs the raw offsets and both headers, and the parallel unpack
//! reads entries with `pread` from many threads; stored, deflate (through
//! flate2's raw inflater) and zip64 are all a Go module zip holds, and
//! that is a few hundred lines.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use flate2::{Crc, Decompress, FlushDecompress, Status};
use sha2::{Digest, Sha256};

use super::unpack::{MAX_PATH_BYTES, MAX_PATH_DEPTH};
use crate::{dirhash, fsx};

/// The largest module zip Go accepts (`zip.MaxZipFile`), and the most its
/// files may hold together once unpacked.
pub const MAX_ZIP_SIZE: u64 = 500 << 20;
pub const MAX_UNZIPPED: u64 = 500 << 20;
/// The largest `go.mod` or `LICENSE` at a module's root Go accepts.
pub const MAX_GO_MOD: u64 = 16 << 20;
/// The most entries gov reads; a Go release has about 13,000.
pub const MAX_ENTRIES: u64 = 100_000;
/// The largest central directory gov reads into memory.
const MAX_CENTRAL_DIRECTORY: u64 = 64 << 20;

const LOCAL_SIG: u32 = 0x04034b50;
const CENTRAL_SIG: u32 = 0x02014b50;
const END_SIG: u32 = 0x06054b50;
const END64_SIG: u32 = 0x06064b50;
const LOCATOR64_SIG: u32 = 0x07064b50;
const DESCRIPTOR_SIG: u32 = 0x08074b50;
const STORED: u16 = 0;
const DEFLATE: u16 = 8;
const FLAG_ENCRYPTED: u16 = 0x1;
const FLAG_DESCRIPTOR: u16 = 0x8;
const FLAG_STRONG_ENCRYPTION: u16 = 0x40;

/// What was unpacked: the module's `h1:` and the files written (the
/// `go.mod` copies of `_go.mod` not counted) with their bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unzipped {
    pub h1: String,
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UnzipError {
    #[error("cannot read the module zip `{}`", zip.display())]
    Read {
        zip: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the module zip is {size} bytes; Go accepts at most {} MiB", MAX_ZIP_SIZE >> 20)]
    ZipTooLarge { size: u64 },
    #[error("not a zip archive, or a truncated one: {what}")]
    NotAZip { what: &'static str },
    #[error("the module zip has {bytes} bytes of something after its end record")]
    TrailingData { bytes: u64 },
    #[error("the module zip is malformed: {what}")]
    Malformed { what: String },
    #[error("the module zip lists {count} entries; gov reads at most {MAX_ENTRIES}")]
    TooManyEntries { count: u64 },
    #[error("the module zip holds `{name}`, which is not under `{prefix}`")]
    OutsidePrefix { name: String, prefix: String },
    #[error("the module zip holds a name Go refuses: `{name}`: {why}")]
    BadName { name: String, why: String },
    #[error("the module zip holds `{name}` and `{other}`, which differ only in case")]
    CaseCollision { name: String, other: String },
    #[error("the module zip holds `{name}` twice")]
    Duplicate { name: String },
    #[error("the module zip holds `{name}` both as a file and as a directory")]
    FileAndDirectory { name: String },
    #[error("the module zip holds a {kind}, which a module never has: `{name}`")]
    SpecialFile { name: String, kind: &'static str },
    #[error("`{name}` is encrypted")]
    Encrypted { name: String },
    #[error("`{name}` is compressed with method {method}; a module zip uses only stored (0) or deflate (8)")]
    Method { name: String, method: u16 },
    #[error("the local header of `{name}` disagrees with the central directory on its {field}")]
    HeaderMismatch { name: String, field: &'static str },
    #[error("the bytes of `{name}` overlap those of `{other}` (the trick of a zip bomb)")]
    Overlap { name: String, other: String },
    #[error("the module zip unpacks to more than {} MiB, more than Go accepts", MAX_UNZIPPED >> 20)]
    TooLarge,
    #[error("`{name}` declares {size} bytes; Go accepts at most {max} for it")]
    FileTooLarge { name: String, size: u64, max: u64 },
    #[error("`{name}` unpacks to {actual} bytes, not the {declared} it declares")]
    SizeLies {
        name: String,
        declared: u64,
        /// "more than N" when it was stopped at the declared size.
        actual: String,
    },
    #[error("`{name}` has CRC-32 {actual:08x}, not the {expected:08x} it declares")]
    Crc {
        name: String,
        expected: u32,
        actual: u32,
    },
    #[error("`{name}` is corrupt: {why}")]
    Corrupt { name: String, why: String },
}

impl UnzipError {
    /// Reading the zip failed (the disk under it), as opposed to a zip
    /// that is refused or a destination that cannot be written.
    pub fn is_read_error(&self) -> bool {
        matches!(self, UnzipError::Read { .. })
    }

    /// Writing the Go root failed (a full disk, permissions).
    pub fn is_write_error(&self) -> bool {
        matches!(self, UnzipError::Write { .. })
    }

    /// The zip itself is damaged or hostile.
    pub fn is_refusal(&self) -> bool {
        !self.is_read_error() && !self.is_write_error()
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            UnzipError::Read { .. } => None,
            UnzipError::Write { source, .. } => fsx::io_hint(source),
            _ => Some(
                "the proxy served a zip that is not the one Go publishes: check `GOPROXY` (`go env GOPROXY`), or install from go.dev with `--source dl`"
                    .into(),
            ),
        }
    }
}

/// One entry of the central directory, its local header checked.
#[derive(Debug)]
struct Entry {
    /// The full name, as stored and hashed.
    name: String,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    /// Where its local header starts, its data starts, and all it
    /// occupies ends (data descriptor included).
    header_at: u64,
    data_at: u64,
    end: u64,
}

impl Entry {
    fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// Unpacks the module zip `zip` into `dest` (an existing, empty directory)
/// as the Go root Go makes of it; `prefix` is `<module>@<version>/` (the
/// slash is added if missing).
/// Returns the `h1:` of the zip as stored. On error, `dest` may hold part
/// of the tree: the caller unpacks into scratch space.
pub fn unpack_toolchain_zip(zip: &Path, prefix: &str, dest: &Path) -> Result<Unzipped, UnzipError> {
    read_zip(zip, prefix, Some(dest))
}

/// The `h1:` of the module zip at `zip`, under the same checks as
/// [`unpack_toolchain_zip`], writing nothing: for a mirror, which keeps
/// the zip itself.
pub fn hash_zip(zip: &Path, prefix: &str) -> Result<String, UnzipError> {
    Ok(read_zip(zip, prefix, None)?.h1)
}

/// Checks, inflates and hashes every entry of `zip`; writes the Go root
/// into `dest` when there is one.
fn read_zip(zip: &Path, prefix: &str, dest: Option<&Path>) -> Result<Unzipped, UnzipError> {
    let read = |source| UnzipError::Read {
        zip: zip.to_path_buf(),
        source,
    };
    let file = File::open(zip).map_err(read)?;
    let len = file.metadata().map_err(read)?.len();
    let archive = Archive {
        file: &file,
        path: zip,
        len,
    };
    let entries = archive.entries()?;
    let prefix = format!("{}/", prefix.trim_end_matches('/'));
    let plan = plan(&entries, &prefix)?;

    for dir in dest
        .iter()
        .flat_map(|dest| plan.dirs.iter().map(move |d| (dest, d)))
    {
        make_dir(dir.0, dir.1)?;
    }
    let digests = extract_all(&archive, &entries, &plan.files, dest)?;

    let empty: [u8; 32] = Sha256::digest([]).into();
    let mut listed = Vec::with_capacity(entries.len());
    let mut by_index: HashMap<usize, [u8; 32]> = digests.into_iter().collect();
    for (i, entry) in entries.iter().enumerate() {
        let digest = by_index.remove(&i).unwrap_or(empty);
        listed.push((entry.name.clone(), digest));
    }
    let h1 = dirhash::h1(&listed).map_err(|e| malformed(e.to_string()))?;
    Ok(Unzipped {
        h1,
        files: plan.files.len() as u64,
        bytes: plan.files.iter().map(|f| entries[f.index].size).sum(),
    })
}

/// The zip file, read with `pread` at checked offsets.
struct Archive<'a> {
    file: &'a File,
    path: &'a Path,
    len: u64,
}

impl Archive<'_> {
    fn read_error(&self, source: io::Error) -> UnzipError {
        UnzipError::Read {
            zip: self.path.to_path_buf(),
            source,
        }
    }

    /// `len` bytes at `offset`, which the caller has checked are inside.
    fn read(&self, offset: u64, len: u64) -> Result<Vec<u8>, UnzipError> {
        if offset.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(malformed(format!(
                "a record at offset {offset} runs past the end of the file"
            )));
        }
        let mut buf = vec![0; len as usize];
        self.file
            .read_exact_at(&mut buf, offset)
            .map_err(|e| self.read_error(e))?;
        Ok(buf)
    }

    /// The central directory's entries, each checked against its local
    /// header, none overlapping another.
    fn entries(&self) -> Result<Vec<Entry>, UnzipError> {
        if self.len > MAX_ZIP_SIZE {
            return Err(UnzipError::ZipTooLarge { size: self.len });
        }
        let end = self.end()?;
        if end.count > MAX_ENTRIES {
            return Err(UnzipError::TooManyEntries { count: end.count });
        }
        if end.cd_size > MAX_CENTRAL_DIRECTORY {
            return Err(malformed(format!(
                "a central directory of {} bytes",
                end.cd_size
            )));
        }
        let cd = self.read(end.cd_offset, end.cd_size)?;
        let mut r = Reader::new(&cd);
        let mut entries = Vec::with_capacity(end.count as usize);
        for _ in 0..end.count {
            let entry = self.central_entry(&mut r, end.cd_offset)?;
            entries.push(entry);
        }
        if r.remaining() != 0 {
            return Err(malformed(format!(
                "the central directory has {} bytes after its {} entries",
                r.remaining(),
                end.count
            )));
        }
        let mut by_offset: Vec<&Entry> = entries.iter().collect();
        by_offset.sort_by_key(|e| e.header_at);
        for pair in by_offset.windows(2) {
            if pair[1].header_at < pair[0].end {
                return Err(UnzipError::Overlap {
                    name: pair[1].name.clone(),
                    other: pair[0].name.clone(),
                });
            }
        }
        Ok(entries)
    }

    /// The end record (and its zip64 form when the classic one is
    /// saturated): where the central directory is and how many entries it
    /// lists. The last end signature is the end, as for Go; anything
    /// after its comment is refused.
    fn end(&self) -> Result<End, UnzipError> {
        const END_LEN: u64 = 22;
        if self.len < END_LEN {
            return Err(UnzipError::NotAZip {
                what: "it is shorter than a zip's end record",
            });
        }
        let tail_len = self.len.min(END_LEN + 0xFFFF);
        let tail_at = self.len - tail_len;
        let tail = self.read(tail_at, tail_len)?;
        // The last end signature whose comment ends the file; one whose
        // comment ends before is an end with something appended.
        let sig = END_SIG.to_le_bytes();
        let mut appended = None;
        let mut found = None;
        for i in (0..=tail.len() - END_LEN as usize).rev() {
            if tail[i..i + 4] != sig {
                continue;
            }
            let comment = u16::from_le_bytes([tail[i + 20], tail[i + 21]]) as usize;
            let record_end = i + END_LEN as usize + comment;
            if record_end == tail.len() {
                found = Some(i);
                break;
            }
            if record_end < tail.len() && appended.is_none() {
                appended = Some((tail.len() - record_end) as u64);
            }
        }
        let Some(i) = found else {
            return Err(match appended {
                Some(bytes) => UnzipError::TrailingData { bytes },
                None => UnzipError::NotAZip {
                    what: "it has no end-of-central-directory record",
                },
            });
        };
        let end_at = tail_at + i as u64;
        let mut r = Reader::new(&tail[i + 4..]);
        let disk = r.u16()?;
        let cd_disk = r.u16()?;
        let count_here = r.u16()?;
        let count = r.u16()?;
        let cd_size = r.u32()?;
        let cd_offset = r.u32()?;
        let zip64 = count == 0xFFFF || cd_size == u32::MAX || cd_offset == u32::MAX;
        let (end, cd_end) = if zip64 {
            self.end64(end_at)?
        } else {
            if disk != 0 || cd_disk != 0 || count_here != count {
                return Err(malformed("it spans several disks".into()));
            }
            let end = End {
                count: count as u64,
                cd_size: cd_size as u64,
                cd_offset: cd_offset as u64,
            };
            (end, end_at)
        };
        if end.cd_offset.checked_add(end.cd_size) != Some(cd_end) {
            return Err(malformed(format!(
                "its central directory ({} bytes at offset {}) does not end where its end record starts ({cd_end})",
                end.cd_size, end.cd_offset
            )));
        }
        Ok(end)
    }

    /// The zip64 end record through its locator just before `end_at`;
    /// also where the central directory must end (the record's start).
    fn end64(&self, end_at: u64) -> Result<(End, u64), UnzipError> {
        let no_record =
            || malformed("its end record is saturated but has no zip64 end record".into());
        let locator_at = end_at.checked_sub(20).ok_or_else(no_record)?;
        let locator = self.read(locator_at, 20)?;
        let mut r = Reader::new(&locator);
        if r.u32()? != LOCATOR64_SIG {
            return Err(no_record());
        }
        let disk = r.u32()?;
        let end64_at = r.u64()?;
        let disks = r.u32()?;
        if disk != 0 || disks > 1 {
            return Err(malformed("it spans several disks".into()));
        }
        if end64_at >= locator_at || locator_at - end64_at < 56 {
            return Err(no_record());
        }
        let record = self.read(end64_at, locator_at - end64_at)?;
        let mut r = Reader::new(&record);
        if r.u32()? != END64_SIG {
            return Err(no_record());
        }
        let size = r.u64()?;
        if size.checked_add(12) != Some(locator_at - end64_at) {
            return Err(malformed(
                "its zip64 end record does not end where its locator starts".into(),
            ));
        }
        r.skip(4)?; // versions
        let disk = r.u32()?;
        let cd_disk = r.u32()?;
        let count_here = r.u64()?;
        let count = r.u64()?;
        let cd_size = r.u64()?;
        let cd_offset = r.u64()?;
        if disk != 0 || cd_disk != 0 || count_here != count {
            return Err(malformed("it spans several disks".into()));
        }
        let end = End {
            count,
            cd_size,
            cd_offset,
        };
        Ok((end, end64_at))
    }

    /// The next central record from `r`, its local header read and
    /// compared; `cd_offset` bounds the data.
    fn central_entry(&self, r: &mut Reader, cd_offset: u64) -> Result<Entry, UnzipError> {
        if r.u32()? != CENTRAL_SIG {
            return Err(malformed(
                "a central directory record without its signature".into(),
            ));
        }
        let made_by = r.u16()?;
        r.skip(2)?; // version needed
        let flags = r.u16()?;
        let method = r.u16()?;
        r.skip(4)?; // time, date
        let crc = r.u32()?;
        let compressed32 = r.u32()?;
        let size32 = r.u32()?;
        let name_len = r.u16()? as usize;
        let extra_len = r.u16()? as usize;
        let comment_len = r.u16()? as usize;
        let disk = r.u16()?;
        r.skip(2)?; // internal attributes
        let external = r.u32()?;
        let offset32 = r.u32()?;
        let name_bytes = r.take(name_len)?;
        let extra = r.take(extra_len)?;
        r.skip(comment_len)?;

        let name = match std::str::from_utf8(name_bytes) {
            Ok(name) => name.to_string(),
            Err(_) => {
                return Err(UnzipError::BadName {
                    name: String::from_utf8_lossy(name_bytes).into_owned(),
                    why: "it is not UTF-8".into(),
                })
            }
        };
        // Classic fields at their maximum are in the zip64 field, in order.
        let mut size = size32 as u64;
        let mut compressed = compressed32 as u64;
        let mut header_at = offset32 as u64;
        let wants = [
            size32 == u32::MAX,
            compressed32 == u32::MAX,
            offset32 == u32::MAX,
        ];
        if wants.iter().any(|w| *w) {
            let field = zip64_field(extra).ok_or_else(|| {
                malformed(format!(
                    "`{name}` has a saturated size or offset and no zip64 field"
                ))
            })?;
            let mut z = Reader::new(field);
            let missing = || malformed(format!("`{name}`'s zip64 field is too short"));
            if wants[0] {
                size = z.u64().map_err(|_| missing())?;
            }
            if wants[1] {
                compressed = z.u64().map_err(|_| missing())?;
            }
            if wants[2] {
                header_at = z.u64().map_err(|_| missing())?;
            }
        }
        if disk != 0 {
            return Err(malformed(format!("`{name}` is on another disk")));
        }
        if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 {
            return Err(UnzipError::Encrypted { name });
        }
        if method != STORED && method != DEFLATE {
            return Err(UnzipError::Method { name, method });
        }
        // Unix "made by": the file type is in the high half.
        if made_by >> 8 == 3 {
            let kind = match (external >> 16) & 0o170000 {
                0 | 0o100000 | 0o040000 => None,
                0o120000 => Some("symbolic link"),
                0o010000 => Some("named pipe"),
                0o020000 => Some("character device"),
                0o060000 => Some("block device"),
                0o140000 => Some("socket"),
                _ => Some("special file"),
            };
            if let Some(kind) = kind {
                return Err(UnzipError::SpecialFile { name, kind });
            }
        }
        if method == STORED && compressed != size {
            return Err(UnzipError::Corrupt {
                name,
                why: format!("stored, it declares {compressed} bytes stored and {size} unpacked"),
            });
        }

        // The local header: the same name, method and sizes.
        let local = self.read_bounded(header_at, 30, cd_offset, &name)?;
        let mut l = Reader::new(&local);
        if l.u32()? != LOCAL_SIG {
            return Err(malformed(format!(
                "`{name}` has no local header at offset {header_at}"
            )));
        }
        l.skip(2)?;
        let local_flags = l.u16()?;
        let local_method = l.u16()?;
        l.skip(4)?;
        let local_crc = l.u32()?;
        let local_compressed32 = l.u32()?;
        let local_size32 = l.u32()?;
        let local_name_len = l.u16()? as u64;
        let local_extra_len = l.u16()? as u64;
        let rest = self.read_bounded(
            header_at + 30,
            local_name_len + local_extra_len,
            cd_offset,
            &name,
        )?;
        let (local_name, local_extra) = rest.split_at(local_name_len as usize);
        let mismatch = |field| UnzipError::HeaderMismatch {
            name: name.clone(),
            field,
        };
        if local_name != name.as_bytes() {
            return Err(mismatch("name"));
        }
        if local_method != method {
            return Err(mismatch("compression method"));
        }
        if (local_flags ^ flags) & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR) != 0 {
            return Err(mismatch("flags"));
        }
        let mut local_size = local_size32 as u64;
        let mut local_compressed = local_compressed32 as u64;
        let local_zip64 = zip64_field(local_extra);
        if local_size32 == u32::MAX || local_compressed32 == u32::MAX {
            let field = local_zip64.ok_or_else(|| mismatch("sizes"))?;
            let mut z = Reader::new(field);
            if local_size32 == u32::MAX {
                local_size = z.u64().map_err(|_| mismatch("sizes"))?;
            }
            if local_compressed32 == u32::MAX {
                local_compressed = z.u64().map_err(|_| mismatch("sizes"))?;
            }
        }
        let descriptor = flags & FLAG_DESCRIPTOR != 0;
        // With a data descriptor the local fields may be zero.
        let agrees = |local: u64, central: u64| local == central || (descriptor && local == 0);
        if !agrees(local_crc as u64, crc as u64) {
            return Err(mismatch("CRC-32"));
        }
        if !agrees(local_size, size) || !agrees(local_compressed, compressed) {
            return Err(mismatch("sizes"));
        }

        let data_at = header_at + 30 + local_name_len + local_extra_len;
        let data_end = data_at
            .checked_add(compressed)
            .filter(|end| *end <= cd_offset)
            .ok_or_else(|| past_data(&name))?;
        let mut end = data_end;
        if descriptor {
            let wide = local_zip64.is_some() || size32 == u32::MAX || compressed32 == u32::MAX;
            let longest = if wide { 24 } else { 16 };
            let bytes = self.read_bounded(
                data_end,
                longest.min(cd_offset - data_end),
                cd_offset,
                &name,
            )?;
            let mut d = Reader::new(&bytes);
            let mut first = d.u32().map_err(|_| mismatch("data descriptor"))?;
            let mut used = 4;
            if first == DESCRIPTOR_SIG {
                first = d.u32().map_err(|_| mismatch("data descriptor"))?;
                used += 4;
            }
            let (d_compressed, d_size) = if wide {
                (d.u64(), d.u64())
            } else {
                (d.u32().map(u64::from), d.u32().map(u64::from))
            };
            let (Ok(d_compressed), Ok(d_size)) = (d_compressed, d_size) else {
                return Err(mismatch("data descriptor"));
            };
            if first != crc || d_compressed != compressed || d_size != size {
                return Err(mismatch("data descriptor"));
            }
            end = data_end + used + if wide { 16 } else { 8 };
        }
        Ok(Entry {
            name,
            method,
            crc,
            compressed,
            size,
            header_at,
            data_at,
            end,
        })
    }

    /// `len` bytes at `offset`, refused unless they end by `limit` (the
    /// central directory: entries live before it).
    fn read_bounded(
        &self,
        offset: u64,
        len: u64,
        limit: u64,
        name: &str,
    ) -> Result<Vec<u8>, UnzipError> {
        if offset.checked_add(len).is_none_or(|end| end > limit) {
            return Err(past_data(name));
        }
        self.read(offset, len)
    }
}

struct End {
    count: u64,
    cd_size: u64,
    cd_offset: u64,
}

fn malformed(what: String) -> UnzipError {
    UnzipError::Malformed { what }
}

fn past_data(name: &str) -> UnzipError {
    malformed(format!(
        "`{name}` runs into the central directory or past the end of the file"
    ))
}

/// The data of the zip64 extended-information field (id 1) in `extra`.
fn zip64_field(extra: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(extra);
    while r.remaining() >= 4 {
        let id = r.u16().ok()?;
        let len = r.u16().ok()? as usize;
        let data = r.take(len).ok()?;
        if id == 1 {
            return Some(data);
        }
    }
    None
}

/// Little-endian fields from a byte slice; running out is a malformed zip.
struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, at: 0 }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], UnzipError> {
        if n > self.remaining() {
            return Err(malformed("a record is cut short".into()));
        }
        let bytes = &self.buf[self.at..self.at + n];
        self.at += n;
        Ok(bytes)
    }

    fn skip(&mut self, n: usize) -> Result<(), UnzipError> {
        self.take(n).map(|_| ())
    }

    fn u16(&mut self) -> Result<u16, UnzipError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, UnzipError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, UnzipError> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
}

/// What to write: the directories (parents before children) and the files.
struct Plan {
    dirs: BTreeSet<String>,
    files: Vec<Job>,
}

struct Job {
    /// The entry's index in the central directory.
    index: usize,
    /// Below the root, prefix removed.
    relative: String,
}

/// Go's checks on the names (`golang.org/x/mod/zip`), then what to write.
fn plan(entries: &[Entry], prefix: &str) -> Result<Plan, UnzipError> {
    let mut seen = Collisions::default();
    let mut dirs = BTreeSet::new();
    let mut files = Vec::new();
    let mut total = 0u64;
    for (index, entry) in entries.iter().enumerate() {
        let name = &entry.name;
        let Some(relative) = name.strip_prefix(prefix) else {
            return Err(UnzipError::OutsidePrefix {
                name: name.clone(),
                prefix: prefix.to_string(),
            });
        };
        if entry.is_dir() && entry.size != 0 {
            return Err(UnzipError::Corrupt {
                name: name.clone(),
                why: format!("a directory that declares {} bytes", entry.size),
            });
        }
        if relative.is_empty() {
            continue;
        }
        let (path, is_dir) = match relative.strip_suffix('/') {
            Some(path) => (path, true),
            None => (relative, false),
        };
        check_file_path(path).map_err(|why| UnzipError::BadName {
            name: name.clone(),
            why,
        })?;
        seen.check(path, is_dir, name)?;
        if is_dir {
            continue;
        }
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.eq_ignore_ascii_case("go.mod") && path != "go.mod" {
            return Err(UnzipError::BadName {
                name: name.clone(),
                why: "a `go.mod` is allowed only at the module root, spelt so".into(),
            });
        }
        if (path == "go.mod" || path == "LICENSE") && entry.size > MAX_GO_MOD {
            return Err(UnzipError::FileTooLarge {
                name: name.clone(),
                size: entry.size,
                max: MAX_GO_MOD,
            });
        }
        total = total.saturating_add(entry.size);
        if total > MAX_UNZIPPED {
            return Err(UnzipError::TooLarge);
        }
        let mut parent = path;
        while let Some((up, _)) = parent.rsplit_once('/') {
            if !dirs.insert(up.to_string()) {
                break;
            }
            parent = up;
        }
        files.push(Job {
            index,
            relative: path.to_string(),
        });
    }
    Ok(Plan {
        dirs,
        files: spread(files),
    })
}

/// The files in an order where neighbours lie in different directories:
/// workers take them in turn, and two creating files in one directory
/// wait on its lock (a zip keeps each directory's files together). One
/// file of each directory, then the second of each, and so on.
fn spread(files: Vec<Job>) -> Vec<Job> {
    let mut by_dir: Vec<std::collections::VecDeque<Job>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for job in files {
        let dir = job
            .relative
            .rsplit_once('/')
            .map_or("", |(d, _)| d)
            .to_string();
        let at = *index.entry(dir).or_insert_with(|| {
            by_dir.push(Default::default());
            by_dir.len() - 1
        });
        by_dir[at].push_back(job);
    }
    let mut out = Vec::new();
    while !by_dir.is_empty() {
        by_dir.retain_mut(|queue| {
            out.extend(queue.pop_front());
            !queue.is_empty()
        });
    }
    out
}

/// Go's `module.CheckFilePath` on a name below the prefix: UTF-8 (known
/// here), not empty, no empty, `.` or `..` element, no element ending in a
/// dot, letters, digits, space and `!#$%&()+,-.=@[]^_{}~` only (so no
/// backslash, colon or quote), no Windows device names; and no longer
/// than gov's path limits.
fn check_file_path(path: &str) -> Result<(), String> {
    const WINDOWS: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if path.len() > MAX_PATH_BYTES || path.split('/').count() > MAX_PATH_DEPTH {
        return Err(format!(
            "longer than {MAX_PATH_BYTES} bytes or {MAX_PATH_DEPTH} levels"
        ));
    }
    if path.is_empty() {
        return Err("an empty name".into());
    }
    for elem in path.split('/') {
        if elem.is_empty() {
            return Err("an empty path element (`//`, or a leading `/`)".into());
        }
        if elem.chars().all(|c| c == '.') {
            return Err(format!("the path element `{elem}`"));
        }
        if elem.ends_with('.') {
            return Err(format!("the path element `{elem}` ends in a dot"));
        }
        if let Some(c) = elem.chars().find(|c| !file_name_char(*c)) {
            return Err(format!("the character {c:?}"));
        }
        let short = elem.split('.').next().unwrap_or(elem);
        if WINDOWS.iter().any(|w| w.eq_ignore_ascii_case(short)) {
            return Err(format!("`{short}` is a device name on Windows"));
        }
    }
    Ok(())
}

/// A character Go allows in a file name. Go takes Unicode letters
/// (`unicode.IsLetter`); Rust's `is_alphabetic` is a little wider.
fn file_name_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c)
    } else {
        c.is_alphabetic()
    }
}

/// Go's collision checker: names equal under case folding, a name listed
/// twice, a name both a file and a directory (parents count as
/// directories).
#[derive(Default)]
struct Collisions {
    /// Folded path → (path, is a directory).
    seen: HashMap<String, (String, bool)>,
}

impl Collisions {
    fn check(&mut self, path: &str, is_dir: bool, name: &str) -> Result<(), UnzipError> {
        match self.seen.get(&fold(path)) {
            Some((other, _)) if other != path => {
                return Err(UnzipError::CaseCollision {
                    name: name.to_string(),
                    other: other.clone(),
                })
            }
            Some((_, other_is_dir)) if *other_is_dir != is_dir => {
                return Err(UnzipError::FileAndDirectory {
                    name: name.to_string(),
                })
            }
            Some(_) if !is_dir => {
                return Err(UnzipError::Duplicate {
                    name: name.to_string(),
                })
            }
            // A directory met again, as a parent or listed twice.
            Some(_) => return Ok(()),
            None => {
                self.seen.insert(fold(path), (path.to_string(), is_dir));
            }
        }
        match path.rsplit_once('/') {
            Some((parent, _)) => self.check(parent, true, name),
            None => Ok(()),
        }
    }
}

/// `s` case-folded, so that two names are equal folded when Go's
/// `strings.EqualFold` says they are: each character's lower case of its
/// upper case (`K`, `k` and the Kelvin sign all fold to `k`), kept as it
/// is where either mapping is more than one character.
fn fold(s: &str) -> String {
    fn one(mut chars: impl Iterator<Item = char>) -> Option<char> {
        let first = chars.next()?;
        chars.next().is_none().then_some(first)
    }
    s.chars()
        .map(|c| {
            let upper = one(c.to_uppercase()).unwrap_or(c);
            one(upper.to_lowercase()).unwrap_or(upper)
        })
        .collect()
}

/// Makes `relative` below `dest`, where its parent is a real directory
/// already (the plan lists parents first); a link there is refused.
fn make_dir(dest: &Path, relative: &str) -> Result<(), UnzipError> {
    let path = dest.join(relative);
    let write = |source| UnzipError::Write {
        path: path.clone(),
        source,
    };
    match std::fs::DirBuilder::new().mode(0o755).create(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let meta = std::fs::symlink_metadata(&path).map_err(write)?;
            if !meta.is_dir() {
                return Err(write(e));
            }
        }
        Err(e) => return Err(write(e)),
    }
    // Whatever the umask took away.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(write)
}

/// Writes every file on all cores: each worker takes the next file,
/// inflates it from the zip with `pread` and writes it; the first error
/// stops them all. Returns each file's sha256 by entry index.
fn extract_all(
    archive: &Archive,
    entries: &[Entry],
    files: &[Job],
    dest: Option<&Path>,
) -> Result<Vec<(usize, [u8; 32])>, UnzipError> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let first_error: Mutex<Option<UnzipError>> = Mutex::new(None);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    let digests = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    let mut buffers = Buffers::new();
                    while !stop.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = files.get(i) else { break };
                        let entry = &entries[job.index];
                        match extract(archive, entry, job, dest, &mut buffers, &stop) {
                            Ok(digest) => done.push((job.index, digest)),
                            Err(e) => {
                                // Only the first to stop the others reports:
                                // theirs is then only "stopped".
                                if !stop.swap(true, Ordering::Relaxed) {
                                    *first_error.lock().unwrap_or_else(|p| p.into_inner()) =
                                        Some(e);
                                }
                                break;
                            }
                        }
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect::<Vec<_>>()
    });
    if let Some(e) = first_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    if digests.len() != files.len() {
        // A worker panicked: never report a partial tree as done.
        return Err(UnzipError::Write {
            path: dest.map_or_else(PathBuf::new, Path::to_path_buf),
            source: io::Error::other("an unpacking thread failed"),
        });
    }
    Ok(digests)
}

/// One worker's buffers, reused from file to file.
struct Buffers {
    input: Vec<u8>,
    output: Vec<u8>,
}

impl Buffers {
    fn new() -> Buffers {
        Buffers {
            input: vec![0; 256 * 1024],
            output: vec![0; 256 * 1024],
        }
    }
}

/// Unpacks one file to `dest/relative` (and its `go.mod` copy if it is a
/// `_go.mod`), or with no `dest` only reads it: exactly its declared size,
/// its CRC-32 checked. Returns the sha256 of its content.
fn extract(
    archive: &Archive,
    entry: &Entry,
    job: &Job,
    dest: Option<&Path>,
    buffers: &mut Buffers,
    stop: &AtomicBool,
) -> Result<[u8; 32], UnzipError> {
    let target = dest.map_or_else(PathBuf::new, |d| d.join(&job.relative));
    let write = |source| UnzipError::Write {
        path: target.clone(),
        source,
    };
    let mut file = match dest {
        None => None,
        Some(_) => Some(fsx::create_new(&target, 0o600).map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                UnzipError::Duplicate {
                    name: entry.name.clone(),
                }
            } else {
                write(e)
            }
        })?),
    };
    let mut sink = Sink {
        entry,
        file: file.as_mut(),
        target: &target,
        written: 0,
        crc: Crc::new(),
        sha: Sha256::new(),
    };
    match entry.method {
        STORED => copy_stored(archive, entry, buffers, &mut sink, stop)?,
        _ => inflate(archive, entry, buffers, &mut sink, stop)?,
    }
    let written = sink.written;
    let crc = sink.crc.sum();
    let digest: [u8; 32] = sink.sha.finalize().into();
    if written != entry.size {
        return Err(UnzipError::SizeLies {
            name: entry.name.clone(),
            declared: entry.size,
            actual: written.to_string(),
        });
    }
    if crc != entry.crc {
        return Err(UnzipError::Crc {
            name: entry.name.clone(),
            expected: entry.crc,
            actual: crc,
        });
    }
    let Some(file) = file else {
        return Ok(digest);
    };
    file.set_permissions(std::fs::Permissions::from_mode(mode_of(&job.relative)))
        .map_err(write)?;
    drop(file);
    if job.relative == "_go.mod" || job.relative.ends_with("/_go.mod") {
        copy_go_mod(&target, entry)?;
    }
    Ok(digest)
}

/// Files under `bin/` and `pkg/tool/` are programs; the rest is not.
fn mode_of(relative: &str) -> u32 {
    if relative.starts_with("bin/") || relative.starts_with("pkg/tool/") {
        0o755
    } else {
        0o644
    }
}

/// `go.mod` beside `_go.mod`, with its content, as `go` does when it
/// first runs a downloaded toolchain.
fn copy_go_mod(underscored: &Path, entry: &Entry) -> Result<(), UnzipError> {
    let target = underscored.with_file_name("go.mod");
    let write = |source| UnzipError::Write {
        path: target.clone(),
        source,
    };
    let mut from = File::open(underscored).map_err(|source| UnzipError::Write {
        path: underscored.to_path_buf(),
        source,
    })?;
    let mut to = fsx::create_new(&target, 0o644).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            UnzipError::Duplicate {
                name: format!("{}go.mod", entry.name.trim_end_matches("_go.mod")),
            }
        } else {
            write(e)
        }
    })?;
    io::copy(&mut from, &mut to).map_err(write)?;
    to.set_permissions(std::fs::Permissions::from_mode(0o644))
        .map_err(write)
}

/// Where inflated bytes go: the file, the CRC and the hash, never more
/// than the declared size.
struct Sink<'a> {
    entry: &'a Entry,
    /// None when only hashing.
    file: Option<&'a mut File>,
    target: &'a Path,
    written: u64,
    crc: Crc,
    sha: Sha256,
}

impl Sink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), UnzipError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.written + bytes.len() as u64 > self.entry.size {
            return Err(UnzipError::SizeLies {
                name: self.entry.name.clone(),
                declared: self.entry.size,
                actual: format!("more than {}", self.entry.size),
            });
        }
        if let Some(file) = self.file.as_mut() {
            file.write_all(bytes).map_err(|source| UnzipError::Write {
                path: self.target.to_path_buf(),
                source,
            })?;
        }
        self.crc.update(bytes);
        self.sha.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }
}

fn stopped(entry: &Entry) -> UnzipError {
    // Never reported: another worker's error is.
    UnzipError::Corrupt {
        name: entry.name.clone(),
        why: "stopped".into(),
    }
}

fn copy_stored(
    archive: &Archive,
    entry: &Entry,
    buffers: &mut Buffers,
    sink: &mut Sink,
    stop: &AtomicBool,
) -> Result<(), UnzipError> {
    let mut at = entry.data_at;
    let end = entry.data_at + entry.compressed;
    while at < end {
        if stop.load(Ordering::Relaxed) {
            return Err(stopped(entry));
        }
        let n = (end - at).min(buffers.input.len() as u64) as usize;
        let chunk = &mut buffers.input[..n];
        archive
            .file
            .read_exact_at(chunk, at)
            .map_err(|e| archive.read_error(e))?;
        sink.put(chunk)?;
        at += n as u64;
    }
    Ok(())
}

/// Raw deflate from the entry's bytes into `sink`; the stream must end
/// exactly where the entry's compressed bytes do.
fn inflate(
    archive: &Archive,
    entry: &Entry,
    buffers: &mut Buffers,
    sink: &mut Sink,
    stop: &AtomicBool,
) -> Result<(), UnzipError> {
    let corrupt = |why: String| UnzipError::Corrupt {
        name: entry.name.clone(),
        why,
    };
    let mut inflater = Decompress::new(false);
    let mut next_read = entry.data_at;
    let end = entry.data_at + entry.compressed;
    let (mut start, mut filled) = (0, 0);
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(stopped(entry));
        }
        if start == filled && next_read < end {
            let n = (end - next_read).min(buffers.input.len() as u64) as usize;
            archive
                .file
                .read_exact_at(&mut buffers.input[..n], next_read)
                .map_err(|e| archive.read_error(e))?;
            next_read += n as u64;
            (start, filled) = (0, n);
        }
        let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
        let status = inflater
            .decompress(
                &buffers.input[start..filled],
                &mut buffers.output,
                FlushDecompress::None,
            )
            .map_err(|e| corrupt(format!("its deflate data is bad: {e}")))?;
        let consumed = (inflater.total_in() - in_before) as usize;
        let produced = (inflater.total_out() - out_before) as usize;
        start += consumed;
        sink.put(&buffers.output[..produced])?;
        if status == Status::StreamEnd {
            if inflater.total_in() != entry.compressed {
                return Err(corrupt(format!(
                    "its deflate stream ends after {} of its {} bytes",
                    inflater.total_in(),
                    entry.compressed
                )));
            }
            return Ok(());
        }
        if consumed == 0 && produced == 0 && start == filled && next_read == end {
            return Err(corrupt(format!(
                "its deflate stream is cut short at {} bytes",
                entry.compressed
            )));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod writer {
        include!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/zip.rs"));
    }
    use writer::{zip_of, Entry as Z, ZipWriter};

    const PREFIX: &str = "golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64/";

    fn named(rel: &str) -> String {
        format!("{PREFIX}{rel}")
    }

    fn file(rel: &str, data: &[u8]) -> Z {
        Z::file(&named(rel), data)
    }

    /// Unpacks `bytes` into a fresh directory: the result and the tempdir.
    fn unpack(bytes: &[u8]) -> (Result<Unzipped, UnzipError>, tempfile::TempDir) {
        let tmp = tempfile::tempdir().unwrap();
        let zip = tmp.path().join("m.zip");
        std::fs::write(&zip, bytes).unwrap();
        let dest = tmp.path().join("go");
        std::fs::create_dir(&dest).unwrap();
        (unpack_toolchain_zip(&zip, PREFIX, &dest), tmp)
    }

    fn refused(bytes: &[u8]) -> UnzipError {
        match unpack(bytes).0 {
            Ok(u) => panic!("accepted: {u:?}"),
            Err(e) => {
                assert!(e.is_refusal(), "{e:?}");
                e
            }
        }
    }

    fn toolchain() -> Vec<Z> {
        vec![
            file("VERSION", b"go1.22.12\ntime 2025-02-04T20:21:54Z\n"),
            file("bin/go", &[7u8; 100_000]),
            file("pkg/tool/linux_amd64/compile", b"\x7fELF...").stored(),
            file("src/_go.mod", b"module std\n"),
            file("src/cmd/_go.mod", b"module cmd\n"),
            file("src/fmt/print.go", &b"package fmt\n".repeat(5000)),
        ]
    }

    #[test]
    fn unpacks_a_toolchain_as_go_does() {
        let (got, tmp) = unpack(&zip_of(&toolchain()));
        let got = got.unwrap();
        let go = tmp.path().join("go");
        assert_eq!(got.files, 6);
        let mode = |p: &str| std::fs::metadata(go.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("bin/go"), 0o755);
        assert_eq!(mode("pkg/tool/linux_amd64/compile"), 0o755);
        assert_eq!(mode("VERSION"), 0o644);
        assert_eq!(mode("src"), 0o755);
        assert_eq!(
            std::fs::read(go.join("src/go.mod")).unwrap(),
            b"module std\n"
        );
        assert_eq!(
            std::fs::read(go.join("src/_go.mod")).unwrap(),
            b"module std\n"
        );
        assert_eq!(
            std::fs::read(go.join("src/cmd/go.mod")).unwrap(),
            b"module cmd\n"
        );
        assert_eq!(
            std::fs::read(go.join("bin/go")).unwrap(),
            vec![7u8; 100_000]
        );
        // The hash is over the names as stored, contents before renaming.
        let listed: Vec<_> = toolchain()
            .iter()
            .map(|e| {
                (
                    String::from_utf8(e.name.clone()).unwrap(),
                    Sha256::digest(&e.data).into(),
                )
            })
            .collect();
        assert_eq!(got.h1, dirhash::h1(&listed).unwrap());
        assert_eq!(
            got.bytes,
            toolchain().iter().map(|e| e.data.len() as u64).sum::<u64>()
        );
    }

    #[test]
    fn directory_entries_are_hashed_but_not_made_when_empty() {
        let entries = vec![
            Z::dir(PREFIX),
            Z::dir(&named("empty/")),
            Z::dir(&named("src/")),
            file("src/a.go", b"package a\n"),
        ];
        let (got, tmp) = unpack(&zip_of(&entries));
        let got = got.unwrap();
        assert!(!tmp.path().join("go/empty").exists());
        let empty: [u8; 32] = Sha256::digest(b"").into();
        let listed = vec![
            (PREFIX.to_string(), empty),
            (named("empty/"), empty),
            (named("src/"), empty),
            (named("src/a.go"), Sha256::digest(b"package a\n").into()),
        ];
        assert_eq!(got.h1, dirhash::h1(&listed).unwrap());
    }

    #[test]
    fn go_descriptors_and_zip64_fields_are_read() {
        let mut entries = toolchain();
        for (i, e) in entries.iter_mut().enumerate() {
            e.descriptor = i % 2 == 0;
            e.zip64 = i % 3 == 0;
        }
        let mut w = ZipWriter::new();
        w.zip64_end = true;
        for e in &entries {
            w.add(e);
        }
        let (got, _tmp) = unpack(&w.finish());
        assert_eq!(got.unwrap().h1, unpack(&zip_of(&toolchain())).0.unwrap().h1);
    }

    #[test]
    fn a_comment_is_fine() {
        let mut w = ZipWriter::new();
        w.comment = b"PK\x05\x06 looks like an end record, but its comment does not fit".to_vec();
        w.add(&file("VERSION", b"go1.22.12\n"));
        unpack(&w.finish()).0.unwrap();
    }

    /// Each hostile or broken name, alone in a zip, and what it is refused as.
    #[test]
    fn names_go_refuses() {
        for name in [
            "/etc/passwd",
            "golang.org/toolchain@v0.0.1-go1.22.11.linux-amd64/x",
            "../x",
            "",
        ] {
            let e = refused(&zip_of(&[Z::file(name, b"x")]));
            assert!(
                matches!(e, UnzipError::OutsidePrefix { .. }),
                "{name}: {e:?}"
            );
        }
        for rel in [
            "../x",
            "a/../../x",
            "./x",
            "/abs",
            "a//b",
            "a\\b",
            "C:x",
            "a/./b",
            "dots./x",
            "aux.c",
            "a\"b",
            "a*b",
            "tab\there",
            "new\nline",
        ] {
            let e = refused(&zip_of(&[file(rel, b"x")]));
            assert!(matches!(e, UnzipError::BadName { .. }), "{rel}: {e:?}");
        }
        let e = refused(&zip_of(&[
            Z::file(&named("caf\u{e9}"), b"x"), /* fine */
            {
                let mut z = file("x", b"x");
                z.name = [PREFIX.as_bytes(), b"\xff"].concat();
                z
            },
        ]));
        assert!(matches!(e, UnzipError::BadName { .. }), "{e:?}");
    }

    #[test]
    fn go_mod_only_at_the_root() {
        let e = refused(&zip_of(&[file("src/go.mod", b"module std\n")]));
        assert!(matches!(e, UnzipError::BadName { .. }), "{e:?}");
        let e = refused(&zip_of(&[file("GO.MOD", b"module x\n")]));
        assert!(matches!(e, UnzipError::BadName { .. }), "{e:?}");
    }

    #[test]
    fn names_that_collide() {
        let e = refused(&zip_of(&[file("src/A.go", b"1"), file("src/a.go", b"2")]));
        assert!(matches!(e, UnzipError::CaseCollision { .. }), "{e:?}");
        let e = refused(&zip_of(&[file("Src/a.go", b"1"), file("src/b.go", b"2")]));
        assert!(matches!(e, UnzipError::CaseCollision { .. }), "{e:?}");
        // The Kelvin sign folds to `k`, as in Go.
        let e = refused(&zip_of(&[file("k", b"1"), file("\u{212a}", b"2")]));
        assert!(matches!(e, UnzipError::CaseCollision { .. }), "{e:?}");
        let e = refused(&zip_of(&[file("a.go", b"1"), file("a.go", b"1")]));
        assert!(matches!(e, UnzipError::Duplicate { .. }), "{e:?}");
        let e = refused(&zip_of(&[file("a", b"1"), file("a/b", b"1")]));
        assert!(matches!(e, UnzipError::FileAndDirectory { .. }), "{e:?}");
        let e = refused(&zip_of(&[Z::dir(&named("a/")), file("a", b"1")]));
        assert!(matches!(e, UnzipError::FileAndDirectory { .. }), "{e:?}");
    }

    #[test]
    fn special_files_and_methods() {
        let mut link = file("bin/go", b"/usr/bin/sh").stored();
        link.unix_mode = 0o120777;
        let e = refused(&zip_of(&[link]));
        assert!(
            matches!(
                e,
                UnzipError::SpecialFile {
                    kind: "symbolic link",
                    ..
                }
            ),
            "{e:?}"
        );
        let mut fifo = file("fifo", b"");
        fifo.unix_mode = 0o010644;
        assert!(matches!(
            refused(&zip_of(&[fifo])),
            UnzipError::SpecialFile { .. }
        ));

        let mut bzip = file("a", b"x");
        bzip.method = 12;
        assert!(matches!(
            refused(&zip_of(&[bzip])),
            UnzipError::Method { method: 12, .. }
        ));
        let mut secret = file("a", b"x");
        secret.flags |= 1;
        assert!(matches!(
            refused(&zip_of(&[secret])),
            UnzipError::Encrypted { .. }
        ));
    }

    #[test]
    fn local_header_must_agree() {
        let mut other_name = file("VERSION", b"go1.22.12\n");
        other_name.local_name = Some(named("bin/go").into_bytes());
        let mut other_method = file("VERSION", b"go1.22.12\n");
        other_method.local_method = Some(0);
        let mut other_size = file("VERSION", b"go1.22.12\n");
        other_size.local_size = Some(5);
        for (entry, field) in [
            (other_name, "name"),
            (other_method, "compression method"),
            (other_size, "sizes"),
        ] {
            let e = refused(&zip_of(&[entry]));
            assert!(
                matches!(e, UnzipError::HeaderMismatch { field: f, .. } if f == field),
                "{field}: {e:?}"
            );
        }
    }

    #[test]
    fn sizes_that_lie() {
        for (method, declared) in [(8, 3), (8, 30), (0, 3)] {
            let mut e = file("VERSION", b"go1.22.12\n");
            e.method = method;
            e.declared_size = Some(declared);
            let err = refused(&zip_of(&[e]));
            match method {
                // Stored: the sizes themselves disagree.
                0 => assert!(matches!(err, UnzipError::Corrupt { .. }), "{err:?}"),
                _ => assert!(
                    matches!(err, UnzipError::SizeLies { declared: d, .. } if d == declared),
                    "{err:?}"
                ),
            }
        }
        // Never more than declared is written.
        let mut e = file("big", &[1u8; 1 << 20]);
        e.declared_size = Some(1000);
        let (got, tmp) = unpack(&zip_of(&[e]));
        assert!(matches!(got, Err(UnzipError::SizeLies { .. })));
        let written = std::fs::metadata(tmp.path().join("go/big")).map_or(0, |m| m.len());
        assert!(written <= 1000, "{written}");
    }

    #[test]
    fn crc_is_checked() {
        for method in [0, 8] {
            let mut e = file("VERSION", b"go1.22.12\n");
            e.method = method;
            e.crc = Some(0xdeadbeef);
            let err = refused(&zip_of(&[e]));
            assert!(
                matches!(
                    err,
                    UnzipError::Crc {
                        expected: 0xdeadbeef,
                        ..
                    }
                ),
                "{err:?}"
            );
        }
    }

    #[test]
    fn too_large() {
        // A zip64 field declaring more than Go allows: refused before inflating.
        let mut e = file("bomb", b"tiny");
        e.zip64 = true;
        e.declared_size = Some(MAX_UNZIPPED + 1);
        e.local_size = Some(MAX_UNZIPPED + 1);
        assert!(matches!(refused(&zip_of(&[e])), UnzipError::TooLarge));
        let mut license = file("LICENSE", b"x");
        license.declared_size = Some(MAX_GO_MOD + 1);
        assert!(matches!(
            refused(&zip_of(&[license])),
            UnzipError::FileTooLarge { .. }
        ));
    }

    #[test]
    fn overlapping_entries() {
        // The non-recursive bomb: B's local header and data sit inside A's data.
        let b = file("b", b"the same bytes, twice").stored();
        let a = file("a", &b.local_bytes()).stored();
        let mut w = ZipWriter::new();
        let a_at = w.local(&a);
        w.central(&a, a_at);
        w.central(&b, a_at + 30 + a.name.len() as u64);
        let e = refused(&w.finish());
        assert!(matches!(e, UnzipError::Overlap { .. }), "{e:?}");
        // Two records of one local header: its name disagrees with one.
        let mut w = ZipWriter::new();
        let at = w.local(&a);
        w.central(&a, at);
        w.central(&file("c", &b.local_bytes()).stored(), at);
        assert!(matches!(
            refused(&w.finish()),
            UnzipError::HeaderMismatch { .. }
        ));
    }

    #[test]
    fn too_many_entries() {
        let mut w = ZipWriter::new();
        w.zip64_end = true;
        w.declared_count = Some(MAX_ENTRIES + 1);
        w.add(&file("a", b"x"));
        assert!(matches!(
            refused(&w.finish()),
            UnzipError::TooManyEntries { .. }
        ));
        let mut w = ZipWriter::new();
        w.declared_count = Some(2);
        w.add(&file("a", b"x"));
        assert!(matches!(refused(&w.finish()), UnzipError::Malformed { .. }));
    }

    #[test]
    fn truncated_and_trailing() {
        let whole = zip_of(&toolchain());
        for cut in [0, 10, whole.len() / 2, whole.len() - 1] {
            let e = refused(&whole[..cut]);
            assert!(
                matches!(e, UnzipError::NotAZip { .. } | UnzipError::Malformed { .. }),
                "cut at {cut}: {e:?}"
            );
        }
        let mut trailing = whole.clone();
        trailing.extend_from_slice(b"garbage");
        assert!(matches!(
            refused(&trailing),
            UnzipError::TrailingData { bytes: 7 }
        ));
        // Bytes before the first entry shift every offset: refused, not guessed.
        let mut prepended = b"#!/bin/sh\n".to_vec();
        prepended.extend_from_slice(&whole);
        refused(&prepended);
    }

    #[test]
    fn deflate_that_ends_early_or_late() {
        let data = [3u8; 5000];
        let body = file("a", &data).compressed();
        let mut cut = file("a", &data);
        cut.raw = Some(body[..body.len() / 2].to_vec());
        let mut padded = file("a", &data);
        padded.raw = Some([&body[..], b"more"].concat());
        let mut garbage = file("a", &data);
        garbage.raw = Some(vec![0xff; 100]);
        for entry in [cut, padded, garbage] {
            let err = refused(&zip_of(&[entry]));
            assert!(matches!(err, UnzipError::Corrupt { .. }), "{err:?}");
        }
    }

    #[test]
    fn nothing_lands_outside_dest() {
        let (got, tmp) = unpack(&zip_of(&[file("a", b"1"), Z::file("../../x", b"2")]));
        assert!(got.is_err());
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn write_errors_name_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let zip = tmp.path().join("m.zip");
        std::fs::write(&zip, zip_of(&toolchain())).unwrap();
        let e = unpack_toolchain_zip(&zip, PREFIX, &tmp.path().join("missing")).unwrap_err();
        assert!(e.is_write_error(), "{e:?}");
        let e = unpack_toolchain_zip(&tmp.path().join("none.zip"), PREFIX, tmp.path()).unwrap_err();
        assert!(e.is_read_error(), "{e:?}");
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        /// Names from the parts that make zip names hostile.
        fn arb_name() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    Just(PREFIX.trim_end_matches('/')),
                    Just("a"),
                    Just("A"),
                    Just("bin"),
                    Just("_go.mod"),
                    Just("go.mod"),
                    Just(".."),
                    Just("."),
                    Just(""),
                    Just("\\"),
                ],
                1..6,
            )
            .prop_map(|parts| parts.join("/"))
        }

        proptest! {
            /// Whatever names a zip holds, nothing is written outside
            /// `dest`, and what is accepted is hashed over every entry.
            #[test]
            fn prop_nothing_lands_outside(names in proptest::collection::vec(arb_name(), 1..6)) {
                let entries: Vec<Z> = names.iter().map(|n| Z::file(n, n.as_bytes())).collect();
                let (got, tmp) = unpack(&zip_of(&entries));
                let outside: Vec<_> = std::fs::read_dir(tmp.path())
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .filter(|n| n != "go" && n != "m.zip")
                    .collect();
                prop_assert!(outside.is_empty(), "{:?} wrote {:?}", names, outside);
                if let Ok(got) = got {
                    let listed: Vec<_> = names
                        .iter()
                        .map(|n| (n.clone(), Sha256::digest(n.as_bytes()).into()))
                        .collect();
                    prop_assert_eq!(got.h1, dirhash::h1(&listed).unwrap());
                }
            }
        }
    }

    #[test]
    fn fold_matches_go_equal_fold() {
        assert_eq!(fold("ABC"), fold("abc"));
        assert_eq!(fold("\u{212a}"), fold("k"));
        assert_eq!(fold("\u{17f}"), fold("s"));
        assert_eq!(fold("\u{3a3}"), fold("\u{3c2}"));
        assert_ne!(fold("a"), fold("b"));
    }
}
