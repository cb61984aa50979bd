//! The build information Go embeds in every executable it links (what
//! `go version -m` prints), read from the file itself: no Go needed.
//!
//! Go's linker leaves a small blob in the program's data: in a section of
//! its own (`.go.buildinfo` in ELF, `__go_buildinfo` in Mach-O's `__DATA`)
//! or near the start of the first writable data (PE's `.data`, an ELF whose
//! section headers were stripped). It starts, 16-byte aligned, with the
//! 14-byte magic `\xff Go buildinf:`, the pointer size and a flags byte.
//! Since Go 1.18 (flag bit 2) the Go version and the module information
//! follow inline at offset 32, each as a varint length and its bytes;
//! before (Go 1.13 to 1.17) the header holds the addresses of two Go
//! strings that hold them. The module information is the text that
//! `go version -m` prints (`path`, `mod`, `dep`, `=>` and `build` lines),
//! framed by two 16-byte sentinels.
//!
//! Only the container's headers (ELF 32/64-bit of either byte order,
//! Mach-O 32/64-bit and universal, PE32 and PE32+, read by the `object`
//! crate) and the blob are read, each bounded, so a damaged or hostile
//! file ends in an error, never in a panic or a huge allocation. What one
//! file may cost is bounded too:
//! every read is charged to a budget of a few times the file's size
//! ([`READS_PER_BYTE`]), so headers that map the same bytes at many
//! addresses end in [`BuildInfoError::TooCostly`] after linear work, and
//! the addresses are looked up in a sorted table, never scanned.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use object::endian::{LittleEndian as LE, U16, U32};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader};
use object::read::macho::{FatArch, MachHeader, MachOFatFile, Section as _, Segment as _};
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader};
use object::read::ReadRef;
use object::{elf, macho, pe, Endianness, SectionIndex};

use crate::fsx;

/// Files larger than this are refused by [`read`]: no Go program is.
pub const MAX_FILE_SIZE: u64 = 2 << 30;

/// What starts the blob, 16-byte aligned.
const MAGIC: &[u8] = b"\xff Go buildinf:";
/// The blob's header: magic, pointer size, flags, two pointers' room.
const HEADER_SIZE: u64 = 32;
const ALIGN: u64 = 16;
/// Flag bit: the strings follow the header (Go 1.18 and later).
const FLAG_INLINE: u8 = 2;
/// Flag bit: the pointers are big-endian (before Go 1.18).
const FLAG_BIG_ENDIAN: u8 = 1;
/// The data is searched for the magic this much at a time.
const CHUNK: u64 = 1 << 20;
/// A read of the headers (ELF program or section headers, Mach-O load
/// commands, PE sections) larger than this is refused.
const MAX_TABLE: u64 = 16 << 20;
/// At most this many reads of the headers: a Go program takes a few and
/// one per ELF section name up to `.go.buildinfo`.
const MAX_READS: usize = 1024;
/// The Go version or the module information larger than this is refused.
const MAX_STRING: u64 = 64 << 20;
/// The sentinels around the module information.
const FRAME: usize = 16;
/// What reading one file may cost: its size this many times over, plus
/// [`READ_ALLOWANCE`]. A Go program costs a few header tables and the
/// first chunk of its data; only headers that map the same bytes again
/// and again come near it.
pub const READS_PER_BYTE: u64 = 4;
/// What any file may cost whatever its size (the tables of a small one).
const READ_ALLOWANCE: u64 = 16 << 20;
/// What each read costs on top of its bytes, so that many small reads
/// count too.
const READ_COST: u64 = 64;
/// A program listing more modules than this is refused: the largest Go
/// programs list a few thousand, and each module costs its SBOM a package.
pub const MAX_MODULES: usize = 100_000;

/// The build information of one Go program, as `go version -m` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildInfo {
    /// The Go release that built it, as `runtime.Version()` says it:
    /// `go1.22.12`, `go1.23rc1`, `devel go1.24-abcdef Tue …`.
    pub go_version: String,
    /// The `path` line: the import path of the main package
    /// (`example.com/cmd/tool`, `command-line-arguments` for a build of
    /// files). Empty when Go recorded none.
    pub path: String,
    /// The `mod` line: the module holding the main package. `None` for a
    /// program built outside module mode (GOPATH mode, `GO111MODULE=off`):
    /// Go then records its path and build settings, but no modules.
    pub main: Option<Module>,
    /// The `dep` lines, in Go's order (by path): every module that gave a
    /// package to the build, each with its replacement (a `=>` line).
    pub deps: Vec<Module>,
    /// The `build` lines (Go 1.18 and later), in order, as key and value
    /// with Go's quoting removed: `-ldflags`, `-trimpath`, `CGO_ENABLED`,
    /// `GOOS`, `GOARCH`, `vcs.revision`, `vcs.time`, `vcs.modified`, …
    pub settings: Vec<(String, String)>,
}

impl BuildInfo {
    /// The value of the build setting `key` (`GOOS`, `vcs.revision`).
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One module of a build: the main module, a dependency or a replacement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Module {
    /// The module path: `golang.org/x/text`; for a replacement by a
    /// directory, the directory as go.mod wrote it (`../text`).
    pub path: String,
    /// `v0.14.0`, a pseudo-version, or `(devel)` for what was built from a
    /// source tree: the main module, a replacement by a directory.
    pub version: String,
    /// The go.sum checksum, `h1:` and base64. `None` where Go records none:
    /// the main module, a module that was replaced (its replacement has
    /// it), a replacement by a directory.
    pub sum: Option<String>,
    /// The module that replaced this one (a `replace` directive).
    pub replace: Option<Box<Module>>,
}

/// Why a file's build information cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum BuildInfoError {
    #[error("cannot read `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("`{}` is not a regular file: it is {kind}", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error("`{}` is too large to be a Go program: {size} bytes, more than {max}", path.display(), max = MAX_FILE_SIZE)]
    TooLarge { path: PathBuf, size: u64 },
    #[error("not an executable: neither ELF, Mach-O nor PE")]
    NotExecutable,
    #[error("not a Go program: it holds no Go build information")]
    NotGo,
    #[error("truncated: the file ends inside {what}")]
    Truncated { what: &'static str },
    #[error("damaged executable: {0}")]
    Malformed(&'static str),
    /// What `object` found wrong in the container's headers.
    #[error("damaged executable: {0}")]
    Damaged(String),
    #[error("built by {go_version} without module information (linked by hand, or by a Go older than 1.18 in GOPATH mode)")]
    NoModuleInfo { go_version: String },
    #[error("invalid build information, line {line}: {reason}")]
    InvalidLine { line: usize, reason: String },
    #[error("reading its build information would cost more than reading the file {READS_PER_BYTE} times over: its headers map the same bytes again and again")]
    TooCostly,
    #[error("it lists more than {MAX_MODULES} modules: no Go program does")]
    TooManyModules,
}

impl From<object::Error> for BuildInfoError {
    fn from(e: object::Error) -> Self {
        // `Invalid ELF header size` → `invalid …`; `PE …` stays.
        let text = e.to_string();
        match text.get(..1) {
            Some(first) if text[1..].starts_with(char::is_lowercase) => {
                BuildInfoError::Damaged(first.to_lowercase() + &text[1..])
            }
            _ => BuildInfoError::Damaged(text),
        }
    }
}

impl BuildInfoError {
    pub fn hint(&self) -> Option<String> {
        match self {
            BuildInfoError::Io { source, .. }
                if source.kind() == io::ErrorKind::PermissionDenied =>
            {
                Some("you cannot read it: check its owner and mode (`ls -l` it)".into())
            }
            BuildInfoError::NotAFile { .. } | BuildInfoError::NotExecutable => {
                Some("name a compiled Go program, not a script, a source file or a directory".into())
            }
            BuildInfoError::NotGo => Some(
                "only programs linked by Go's own toolchain carry it; check what built the file (`file` it)".into(),
            ),
            BuildInfoError::Truncated { .. } => {
                Some("the file is incomplete: copy or download it again".into())
            }
            BuildInfoError::NoModuleInfo { .. } => Some(
                "rebuild it with `go build` in module mode (a go.mod beside the code) so that Go records its modules".into(),
            ),
            BuildInfoError::TooLarge { .. } => {
                Some("name the program itself, not an archive or an image that holds it".into())
            }
            BuildInfoError::Malformed(_)
            | BuildInfoError::Damaged(_)
            | BuildInfoError::InvalidLine { .. }
            | BuildInfoError::TooCostly
            | BuildInfoError::TooManyModules => Some(
                "the file is damaged or was changed after Go built it: build or download it again".into(),
            ),
            BuildInfoError::Io { .. } => None,
        }
    }
}

/// The build information of the program at `path`, reading only the
/// headers it needs and the blob (a few kilobytes of a 20 MB program).
///
/// Only an I/O error names the file: the caller says which file it was
/// reading when it reports the others (`not a Go program`).
pub fn read(path: &Path) -> Result<BuildInfo, BuildInfoError> {
    extract(&open(path)?)
}

/// [`read`], and the hex SHA-256 of the whole file, read through the same
/// descriptor: what is described is what was hashed, and a file swapped
/// for a pipe meanwhile is never opened.
pub fn read_and_digest(path: &Path) -> Result<(BuildInfo, String), BuildInfoError> {
    use sha2::{Digest, Sha256};
    let src = open(path)?;
    let info = extract(&src)?;
    let mut hasher = Sha256::new();
    // `read_exact_at` left the position at the start; a file that grew
    // since is hashed as far as it was measured.
    io::copy(&mut (&src.file).take(src.size), &mut hasher).map_err(|source| {
        BuildInfoError::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok((info, format!("{:x}", hasher.finalize())))
}

/// The file at `path`, opened for reading only when it is a regular file
/// no larger than [`MAX_FILE_SIZE`]: what it is is checked before it is
/// opened ([`fsx::open_regular`]), so no pipe waits and no device acts on
/// the open.
fn open(path: &Path) -> Result<FileSource<'_>, BuildInfoError> {
    let io_error = |source| BuildInfoError::Io {
        path: path.to_path_buf(),
        source,
    };
    let not_a_file = |kind| BuildInfoError::NotAFile {
        path: path.to_path_buf(),
        kind,
    };
    let file = match fsx::open_regular(path).map_err(io_error)? {
        Ok(file) => file,
        Err(fsx::Found::NotAFile(kind)) => return Err(not_a_file(kind)),
        // Missing or a directory: which, for the message.
        Err(_) => {
            let meta = std::fs::metadata(path).map_err(io_error)?;
            return Err(not_a_file(fsx::kind_of(&meta)));
        }
    };
    let meta = file.metadata().map_err(io_error)?;
    if !meta.is_file() {
        return Err(not_a_file(fsx::kind_of(&meta)));
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(BuildInfoError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
        });
    }
    Ok(FileSource {
        file,
        size: meta.len(),
        path,
    })
}

/// The build information of the program whose bytes are `bytes`.
pub fn parse(bytes: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    extract(bytes)
}

/// The bytes of an executable: in memory, or a file read piece by piece.
trait Source {
    /// Exactly `len` bytes at `offset`; `Truncated` when the file ends
    /// before, naming `what` was being read.
    fn bytes(
        &self,
        offset: u64,
        len: u64,
        what: &'static str,
    ) -> Result<Cow<'_, [u8]>, BuildInfoError>;

    /// How many bytes it holds.
    fn size(&self) -> u64;
}

/// A source whose reads are charged to a budget: past it, every read is
/// [`BuildInfoError::TooCostly`].
struct Metered<'a, S: ?Sized> {
    src: &'a S,
    left: Cell<u64>,
}

impl<'a, S: Source + ?Sized> Metered<'a, S> {
    fn new(src: &'a S) -> Self {
        Metered {
            src,
            left: Cell::new(budget(src.size())),
        }
    }
}

/// What reading a file of `size` bytes may cost.
fn budget(size: u64) -> u64 {
    size.saturating_mul(READS_PER_BYTE)
        .saturating_add(READ_ALLOWANCE)
}

impl<S: Source + ?Sized> Source for Metered<'_, S> {
    fn bytes(
        &self,
        offset: u64,
        len: u64,
        what: &'static str,
    ) -> Result<Cow<'_, [u8]>, BuildInfoError> {
        let cost = len.saturating_add(READ_COST);
        let left = self
            .left
            .get()
            .checked_sub(cost)
            .ok_or(BuildInfoError::TooCostly)?;
        self.left.set(left);
        self.src.bytes(offset, len, what)
    }

    fn size(&self) -> u64 {
        self.src.size()
    }
}

impl Source for [u8] {
    fn bytes(
        &self,
        offset: u64,
        len: u64,
        what: &'static str,
    ) -> Result<Cow<'_, [u8]>, BuildInfoError> {
        match offset.checked_add(len) {
            Some(end) if end <= self.len() as u64 => {
                Ok(Cow::Borrowed(&self[offset as usize..end as usize]))
            }
            _ => Err(BuildInfoError::Truncated { what }),
        }
    }

    fn size(&self) -> u64 {
        self.len() as u64
    }
}

struct FileSource<'a> {
    file: File,
    size: u64,
    path: &'a Path,
}

impl Source for FileSource<'_> {
    fn bytes(
        &self,
        offset: u64,
        len: u64,
        what: &'static str,
    ) -> Result<Cow<'_, [u8]>, BuildInfoError> {
        // Checked before allocating: never more than the file holds.
        if offset.checked_add(len).is_none_or(|end| end > self.size) {
            return Err(BuildInfoError::Truncated { what });
        }
        let mut buf = vec![0; len as usize];
        match self.file.read_exact_at(&mut buf, offset) {
            Ok(()) => Ok(Cow::Owned(buf)),
            // It shrank since.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err(BuildInfoError::Truncated { what })
            }
            Err(source) => Err(BuildInfoError::Io {
                path: self.path.to_path_buf(),
                source,
            }),
        }
    }

    fn size(&self) -> u64 {
        self.size
    }
}

fn extract<S: Source + ?Sized>(src: &S) -> Result<BuildInfo, BuildInfoError> {
    let (go_version, modinfo) = raw_strings(&Metered::new(src))?;
    let text = match framed(&modinfo) {
        Some(text) => String::from_utf8_lossy(text),
        None => return Err(BuildInfoError::NoModuleInfo { go_version }),
    };
    let mut info = parse_modinfo(&text)?;
    info.go_version = go_version;
    Ok(info)
}

/// The module information inside its sentinels, as Go recognises them:
/// 16 bytes, the text (ending in a newline), 16 bytes.
fn framed(modinfo: &[u8]) -> Option<&[u8]> {
    let n = modinfo.len();
    (n > 2 * FRAME && modinfo[n - FRAME - 1] == b'\n').then(|| &modinfo[FRAME..n - FRAME])
}

/// The Go version and the raw module information of the executable.
fn raw_strings<S: Source + ?Sized>(src: &S) -> Result<(String, Vec<u8>), BuildInfoError> {
    let exe = Exe::parse(src)?;
    let (start, size) = exe.data.ok_or(BuildInfoError::NotGo)?;
    let at = exe.find_magic(src, start, size)?;
    let header = exe.read(src, at, HEADER_SIZE, "the build information header")?;
    if (header.len() as u64) < HEADER_SIZE {
        return Err(BuildInfoError::Truncated {
            what: "the build information header",
        });
    }
    let (version, modinfo) = if header[15] & FLAG_INLINE != 0 {
        let (version, next) = exe.inline_string(src, at + HEADER_SIZE, "the Go version")?;
        let (modinfo, _) = exe.inline_string(src, next, "the module information")?;
        (version, modinfo)
    } else {
        let wide = match header[14] {
            4 => false,
            8 => true,
            _ => {
                return Err(BuildInfoError::Malformed(
                    "the build information's pointer size is neither 4 nor 8",
                ))
            }
        };
        let big = header[15] & FLAG_BIG_ENDIAN != 0;
        let step = if wide { 8 } else { 4 };
        let version = exe.pointed_string(src, big, wide, word(big, wide, &header, 16))?;
        let modinfo = exe.pointed_string(src, big, wide, word(big, wide, &header, 16 + step))?;
        (version, modinfo)
    };
    if version.is_empty() {
        return Err(BuildInfoError::NotGo);
    }
    Ok((String::from_utf8_lossy(&version).into_owned(), modinfo))
}

/// The pointer (64-bit when `wide`) at `at` of `b`, big-endian when `big`.
/// Callers read only within what they checked; should one not, a read
/// past the end gives 0, which the checks after it refuse.
fn word(big: bool, wide: bool, b: &[u8], at: usize) -> u64 {
    let n = if wide { 8 } else { 4 };
    let Some(bytes) = at.checked_add(n).and_then(|end| b.get(at..end)) else {
        return 0;
    };
    let mut buf = [0u8; 8];
    if big {
        buf[8 - n..].copy_from_slice(bytes);
        u64::from_be_bytes(buf)
    } else {
        buf[..n].copy_from_slice(bytes);
        u64::from_le_bytes(buf)
    }
}

/// A range of addresses backed by bytes of the file.
#[derive(Debug, Clone, Copy)]
struct Segment {
    addr: u64,
    /// How many bytes the file holds for it (not its size in memory).
    size: u64,
    offset: u64,
}

/// What the container's headers tell: how addresses map to the file, and
/// where the blob is to be looked for.
#[derive(Debug, Default)]
struct Exe {
    segments: Vec<Segment>,
    /// Address and size of the blob's own section, else of the first
    /// writable data, as Go's own reader looks.
    data: Option<(u64, u64)>,
}

impl Exe {
    /// Reads the container's headers with `object`. Its errors name only
    /// the header; when a read failed, what stopped it is told instead
    /// (the file ends, a table too large, the budget spent).
    fn parse<S: Source + ?Sized>(src: &S) -> Result<Exe, BuildInfoError> {
        // Shorter than any header: not an executable of any kind.
        let ident = src
            .bytes(0, 16, "the file header")
            .map_err(|_| BuildInfoError::NotExecutable)?;
        let what = match ident[0] {
            0x7f => "the ELF headers",
            b'M' => "the PE headers",
            _ => "the Mach-O headers",
        };
        let headers = Headers::new(src, what);
        let data = &headers;
        let count = u32::from_be_bytes([ident[4], ident[5], ident[6], ident[7]]);
        let exe = match ident.as_ref() {
            [0x7f, b'E', b'L', b'F', class, order, ..] => match (class, order) {
                (1 | 2, 1 | 2) if *class == 1 => elf::<elf::FileHeader32<Endianness>, S>(data),
                (1 | 2, 1 | 2) => elf::<elf::FileHeader64<Endianness>, S>(data),
                (1 | 2, _) => Err(BuildInfoError::Malformed("unknown ELF byte order")),
                _ => Err(BuildInfoError::Malformed("unknown ELF class")),
            },
            [0xca, 0xfe, 0xba, 0xbe, ..] => fat_macho::<macho::FatArch32, S>(data, count),
            [0xca, 0xfe, 0xba, 0xbf, ..] => fat_macho::<macho::FatArch64, S>(data, count),
            [b'M', b'Z', ..] => pe(data),
            magic => thin_macho(data, &magic[..4], 0).unwrap_or(Err(BuildInfoError::NotExecutable)),
        };
        let mut exe = exe.map_err(|e| match e {
            BuildInfoError::Damaged(_) => headers.fault.take().unwrap_or(e),
            e => e,
        })?;
        exe.index();
        Ok(exe)
    }

    /// Sorts the segments by address and trims where they overlap, so
    /// that [`Exe::read`] finds an address by binary search, not by a scan
    /// of up to hundreds of thousands of headers. Where two claim the
    /// same addresses (no linker does that), the one that starts lower
    /// keeps them, and of two that start together the first in the
    /// headers.
    fn index(&mut self) {
        self.segments.retain(|s| s.size > 0);
        // Stable: the headers' order among equal addresses.
        self.segments.sort_by_key(|s| s.addr);
        // The first address no segment kept so far holds.
        let mut claimed = 0u64;
        self.segments.retain_mut(|s| {
            let end = s.addr.saturating_add(s.size);
            if end <= claimed {
                return false;
            }
            if s.addr < claimed {
                let cut = claimed - s.addr;
                s.addr = claimed;
                s.offset = s.offset.saturating_add(cut);
            }
            s.size = end - s.addr;
            claimed = end;
            true
        });
    }

    /// Up to `max` bytes at address `addr`: as far as its segment goes in
    /// the file. Empty when no segment holds `addr`.
    fn read<'s, S: Source + ?Sized>(
        &self,
        src: &'s S,
        addr: u64,
        max: u64,
        what: &'static str,
    ) -> Result<Cow<'s, [u8]>, BuildInfoError> {
        // The last segment starting at or before `addr`, if it holds it.
        let after = self.segments.partition_point(|s| s.addr <= addr);
        let Some(seg) = after
            .checked_sub(1)
            .map(|i| &self.segments[i])
            .filter(|s| addr - s.addr < s.size)
        else {
            return Ok(Cow::Borrowed(&[]));
        };
        let skip = addr - seg.addr;
        let len = max.min(seg.size - skip);
        let offset = seg
            .offset
            .checked_add(skip)
            .ok_or(BuildInfoError::Truncated { what })?;
        src.bytes(offset, len, what)
    }

    /// The address of the first 16-byte aligned magic in
    /// `[start, start + size)`, with room for the header after it.
    fn find_magic<S: Source + ?Sized>(
        &self,
        src: &S,
        start: u64,
        size: u64,
    ) -> Result<u64, BuildInfoError> {
        let end = start.checked_add(size).ok_or(BuildInfoError::Malformed(
            "the data section ends past the address space",
        ))?;
        let mut at = start.div_ceil(ALIGN).saturating_mul(ALIGN);
        while at < end {
            let chunk = self.read(src, at, CHUNK.min(end - at), "the data section")?;
            // `at` is aligned, and so is every candidate.
            for i in (0..chunk.len()).step_by(ALIGN as usize) {
                if chunk[i..].starts_with(MAGIC) {
                    let found = at + i as u64;
                    if end - found < HEADER_SIZE {
                        return Err(BuildInfoError::NotGo);
                    }
                    return Ok(found);
                }
            }
            if (chunk.len() as u64) < CHUNK {
                // The rest is not in the file (zeroed memory) or nowhere.
                break;
            }
            at += CHUNK;
        }
        Err(BuildInfoError::NotGo)
    }

    /// A varint length and that many bytes at `addr`, and the address
    /// after them.
    fn inline_string<S: Source + ?Sized>(
        &self,
        src: &S,
        addr: u64,
        what: &'static str,
    ) -> Result<(Vec<u8>, u64), BuildInfoError> {
        let head = self.read(src, addr, 10, what)?;
        let (len, used) = uvarint(&head).ok_or(if head.len() < 10 {
            BuildInfoError::Truncated { what }
        } else {
            BuildInfoError::Malformed("a length in the build information overflows")
        })?;
        if len > MAX_STRING {
            return Err(BuildInfoError::Malformed(
                "a string in the build information is larger than 64 MiB",
            ));
        }
        let truncated = BuildInfoError::Truncated { what };
        let start = addr.checked_add(used as u64).ok_or(truncated)?;
        let bytes = self.read(src, start, len, what)?;
        if (bytes.len() as u64) < len {
            return Err(BuildInfoError::Truncated { what });
        }
        Ok((bytes.into_owned(), start.saturating_add(len)))
    }

    /// The Go string (address and length) at `addr`; empty when it points
    /// outside the file, as for Go.
    fn pointed_string<S: Source + ?Sized>(
        &self,
        src: &S,
        big: bool,
        wide: bool,
        addr: u64,
    ) -> Result<Vec<u8>, BuildInfoError> {
        let step = if wide { 8 } else { 4 };
        let what = "a string of the build information";
        let head = self.read(src, addr, 2 * step, what)?;
        if head.len() < 2 * step as usize {
            return Ok(Vec::new());
        }
        let (data, len) = (
            word(big, wide, &head, 0),
            word(big, wide, &head, step as usize),
        );
        if len > MAX_STRING {
            return Err(BuildInfoError::Malformed(
                "a string in the build information is larger than 64 MiB",
            ));
        }
        let bytes = self.read(src, data, len, what)?;
        if (bytes.len() as u64) < len {
            return Ok(Vec::new());
        }
        Ok(bytes.into_owned())
    }
}

/// Go's unsigned varint: the value and how many bytes it took; `None` when
/// the bytes end first or it overflows 64 bits.
fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        if i == 9 && byte > 1 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The file as `object` reads its headers. Each read is bounded (by the
/// file, by [`MAX_TABLE`]) and charged to the budget through `src`, and
/// kept in a slot of its own while `object` looks at it; what stopped a
/// read is kept in `fault`, to be told instead of `object`'s words.
struct Headers<'s, S: ?Sized> {
    src: &'s S,
    what: &'static str,
    reads: Vec<OnceCell<Cow<'s, [u8]>>>,
    next: Cell<usize>,
    fault: Cell<Option<BuildInfoError>>,
}

impl<'s, S: Source + ?Sized> Headers<'s, S> {
    fn new(src: &'s S, what: &'static str) -> Self {
        Headers {
            src,
            what,
            reads: std::iter::repeat_with(OnceCell::new)
                .take(MAX_READS)
                .collect(),
            next: Cell::new(0),
            fault: Cell::new(None),
        }
    }

    /// Why the last read failed.
    fn fault(&self) -> BuildInfoError {
        self.fault
            .take()
            .unwrap_or(BuildInfoError::Truncated { what: self.what })
    }
}

impl<'a, S: Source + ?Sized> ReadRef<'a> for &'a Headers<'_, S> {
    fn len(self) -> Result<u64, ()> {
        Ok(self.src.size())
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        let read = match self.reads.get(self.next.get()) {
            _ if size > MAX_TABLE => Err(BuildInfoError::Malformed(
                "a header table is larger than 16 MiB",
            )),
            None => Err(BuildInfoError::Malformed("too many headers")),
            Some(slot) => self.src.bytes(offset, size, self.what).map(|b| (slot, b)),
        };
        match read {
            Ok((slot, bytes)) => {
                self.next.set(self.next.get() + 1);
                Ok(slot.get_or_init(|| bytes))
            }
            Err(fault) => {
                self.fault.set(Some(fault));
                Err(())
            }
        }
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'a [u8], ()> {
        // A name: up to its table's end, or the file's, or 4 KiB.
        let end = range
            .end
            .min(self.src.size())
            .min(range.start.saturating_add(4096));
        let bytes = self.read_bytes_at(range.start, end.saturating_sub(range.start))?;
        let len = bytes.iter().position(|b| *b == delimiter).ok_or(())?;
        Ok(&bytes[..len])
    }
}

/// ELF: Go's own section names the blob; the loadable segments map
/// addresses to the file, and the first writable one holds the blob when
/// no section names it (the section headers were stripped).
fn elf<Elf, S>(data: &Headers<'_, S>) -> Result<Exe, BuildInfoError>
where
    Elf: FileHeader<Endian = Endianness>,
    S: Source + ?Sized,
{
    let header = Elf::parse(data)?;
    let endian = header.endian()?;
    let mut exe = Exe::default();
    let sections = header.sections(endian, data)?;
    if !sections.is_empty() {
        // The names, whole: Go's linker puts them last, so a copy cut
        // short ends inside them (while the blob may well be whole).
        let names = sections.section(SectionIndex(header.shstrndx(endian, data)? as usize))?;
        let (offset, size) = names.file_range(endian).unwrap_or_default();
        if offset
            .checked_add(size)
            .is_none_or(|end| end > data.src.size())
        {
            return Err(BuildInfoError::Truncated {
                what: "the ELF section names",
            });
        }
    }
    if let Some((_, s)) = sections.section_by_name(endian, b".go.buildinfo") {
        exe.data = Some((s.sh_addr(endian).into(), s.sh_size(endian).into()));
    }
    let mut writable = None;
    for p in header.program_headers(endian, data)? {
        if p.p_type(endian) != elf::PT_LOAD {
            continue;
        }
        let addr = p.p_vaddr(endian).into();
        exe.segments.push(Segment {
            addr,
            size: p.p_filesz(endian).into(),
            offset: p.p_offset(endian).into(),
        });
        if writable.is_none() && p.p_flags(endian) & (elf::PF_X | elf::PF_W) == elf::PF_W {
            writable = Some((addr, p.p_memsz(endian).into()));
        }
    }
    exe.data = exe.data.or(writable);
    Ok(exe)
}

/// The Mach-O file starting at `base` whose magic is `magic`, if it is one.
fn thin_macho<S: Source + ?Sized>(
    data: &Headers<'_, S>,
    magic: &[u8],
    base: u64,
) -> Option<Result<Exe, BuildInfoError>> {
    match magic {
        [0xfe, 0xed, 0xfa, 0xce] | [0xce, 0xfa, 0xed, 0xfe] => {
            Some(macho::<macho::MachHeader32<Endianness>, S>(data, base))
        }
        [0xfe, 0xed, 0xfa, 0xcf] | [0xcf, 0xfa, 0xed, 0xfe] => {
            Some(macho::<macho::MachHeader64<Endianness>, S>(data, base))
        }
        _ => None,
    }
}

/// Mach-O: the section `__go_buildinfo` names the blob, else the first
/// segment that is read-write (and may only be), as Go looks.
fn macho<Mach, S>(data: &Headers<'_, S>, base: u64) -> Result<Exe, BuildInfoError>
where
    Mach: MachHeader<Endian = Endianness>,
    S: Source + ?Sized,
{
    const RW: u32 = macho::VM_PROT_READ.0 | macho::VM_PROT_WRITE.0;
    let header = Mach::parse(data, base)?;
    let endian = header.endian()?;
    let mut commands = header.load_commands(endian, data, base)?;
    let (mut exe, mut writable) = (Exe::default(), None);
    while let Some(command) = commands.next()? {
        let Some((segment, sections)) = Mach::Segment::from_command(command)? else {
            continue;
        };
        let (addr, filesz) = (
            segment.vmaddr(endian).into(),
            segment.filesize(endian).into(),
        );
        if segment.name() != b"__PAGEZERO" {
            let offset: u64 = segment.fileoff(endian).into();
            exe.segments.push(Segment {
                addr,
                size: filesz,
                offset: offset.saturating_add(base),
            });
        }
        if writable.is_none()
            && addr != 0
            && filesz != 0
            && segment.initprot(endian).0 == RW
            && segment.maxprot(endian).0 == RW
        {
            writable = Some((addr, segment.vmsize(endian).into()));
        }
        for s in segment.sections(endian, sections)? {
            if exe.data.is_none() && s.name() == b"__go_buildinfo" {
                exe.data = Some((s.addr(endian).into(), s.size(endian).into()));
            }
        }
    }
    exe.data = exe.data.or(writable);
    Ok(exe)
}

/// The first architecture of a universal Mach-O binary, as Go reads it.
fn fat_macho<Fat, S>(data: &Headers<'_, S>, count: u32) -> Result<Exe, BuildInfoError>
where
    Fat: FatArch,
    S: Source + ?Sized,
{
    // Java's class files share the magic; their version (45 and up) is
    // where the number of architectures is, and no binary has that many.
    if count == 0 || count >= 45 {
        return Err(BuildInfoError::NotExecutable);
    }
    let fat = MachOFatFile::<Fat>::parse(data).map_err(|_| BuildInfoError::NotExecutable)?;
    let base = fat.arches()[0].offset().into();
    let magic = data
        .read_bytes_at(base, 4)
        .map_err(|()| BuildInfoError::NotExecutable)?;
    thin_macho(data, magic, base).unwrap_or(Err(BuildInfoError::NotExecutable))
}

/// PE: the first initialised, read-write data section, as Go looks.
fn pe<S: Source + ?Sized>(data: &Headers<'_, S>) -> Result<Exe, BuildInfoError> {
    let dos = pe::ImageDosHeader::parse(data).map_err(|_| BuildInfoError::NotExecutable)?;
    let at = u64::from(dos.nt_headers_offset());
    let signature = data.read_at::<U32<LE>>(at).map_err(|()| data.fault())?;
    if signature.get(LE) != pe::IMAGE_NT_SIGNATURE {
        return Err(BuildInfoError::NotExecutable);
    }
    let coff = data
        .read_at::<pe::ImageFileHeader>(at + 4)
        .map_err(|()| data.fault())?;
    let optional = usize::from(coff.size_of_optional_header.get(LE));
    if optional < 2 {
        return Err(BuildInfoError::Malformed("PE optional header too short"));
    }
    match data
        .read_at::<U16<LE>>(at + 24)
        .map_err(|()| data.fault())?
        .get(LE)
    {
        pe::IMAGE_NT_OPTIONAL_HDR32_MAGIC => {
            pe_sections::<pe::ImageNtHeaders32, S>(data, at, optional)
        }
        pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC => {
            pe_sections::<pe::ImageNtHeaders64, S>(data, at, optional)
        }
        _ => Err(BuildInfoError::Malformed("unknown PE optional header")),
    }
}

fn pe_sections<Pe, S>(
    data: &Headers<'_, S>,
    at: u64,
    optional: usize,
) -> Result<Exe, BuildInfoError>
where
    Pe: ImageNtHeaders,
    S: Source + ?Sized,
{
    const DATA: u32 =
        pe::IMAGE_SCN_CNT_INITIALIZED_DATA.0 | pe::IMAGE_SCN_MEM_READ.0 | pe::IMAGE_SCN_MEM_WRITE.0;
    if optional < std::mem::size_of::<Pe::ImageOptionalHeader>() {
        return Err(BuildInfoError::Malformed("PE optional header too short"));
    }
    let mut offset = at;
    let (nt, _) = Pe::parse(data, &mut offset)?;
    let image_base = nt.optional_header().image_base();
    let mut exe = Exe::default();
    for s in nt.sections(data, offset)?.iter() {
        let virtual_addr = s.virtual_address.get(LE);
        let raw_size = s.size_of_raw_data.get(LE);
        let addr =
            u64::from(virtual_addr)
                .checked_add(image_base)
                .ok_or(BuildInfoError::Malformed(
                    "a PE section lies past the address space",
                ))?;
        exe.segments.push(Segment {
            addr,
            size: raw_size.into(),
            offset: s.pointer_to_raw_data.get(LE).into(),
        });
        if exe.data.is_none()
            && virtual_addr != 0
            && raw_size != 0
            && s.characteristics.get(LE).0 & !pe::IMAGE_SCN_ALIGN_32BYTES.0 == DATA
        {
            exe.data = Some((addr, s.virtual_size.get(LE).into()));
        }
    }
    Ok(exe)
}

/// The module information's lines, read as Go's `debug.ParseBuildInfo`
/// reads them: unknown lines are skipped, a last line without a newline
/// is ignored.
fn parse_modinfo(text: &str) -> Result<BuildInfo, BuildInfoError> {
    let mut info = BuildInfo::default();
    // Which module a `=>` line replaces: the main one or the last dep.
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    let mut rest = text;
    let mut line_no = 0;
    while let Some((line, after)) = rest.split_once('\n') {
        rest = after;
        line_no += 1;
        let invalid = |reason: String| BuildInfoError::InvalidLine {
            line: line_no,
            reason,
        };
        if let Some(path) = line.strip_prefix("path\t") {
            info.path = path.to_string();
        } else if let Some(fields) = line.strip_prefix("mod\t") {
            info.main = Some(module_line(fields).map_err(invalid)?);
            last = Last::Main;
        } else if let Some(fields) = line.strip_prefix("dep\t") {
            if info.deps.len() == MAX_MODULES {
                return Err(BuildInfoError::TooManyModules);
            }
            info.deps.push(module_line(fields).map_err(invalid)?);
            last = Last::Dep;
        } else if let Some(fields) = line.strip_prefix("=>\t") {
            let cols: Vec<&str> = fields.split('\t').collect();
            let [path, version, sum] = cols[..] else {
                return Err(invalid(format!(
                    "expected 3 columns for a replacement, got {}",
                    cols.len()
                )));
            };
            let replacement = Some(Box::new(Module {
                path: path.to_string(),
                version: version.to_string(),
                sum: (!sum.is_empty()).then(|| sum.to_string()),
                replace: None,
            }));
            let target = match last {
                Last::Main => info.main.as_mut(),
                Last::Dep => info.deps.last_mut(),
                Last::None => None,
            };
            let Some(target) = target else {
                return Err(invalid(
                    "a replacement with no module on the line before".into(),
                ));
            };
            target.replace = replacement;
            last = Last::None;
        } else if let Some(setting) = line.strip_prefix("build\t") {
            info.settings.push(build_line(setting).map_err(invalid)?);
        }
    }
    Ok(info)
}

/// `path\tversion[\tsum]`.
fn module_line(fields: &str) -> Result<Module, String> {
    let cols: Vec<&str> = fields.split('\t').collect();
    let (path, version, sum) = match cols[..] {
        [path, version] => (path, version, ""),
        [path, version, sum] => (path, version, sum),
        _ => return Err(format!("expected 2 or 3 columns, got {}", cols.len())),
    };
    Ok(Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: (!sum.is_empty()).then(|| sum.to_string()),
        replace: None,
    })
}

/// Keys Go must quote.
fn must_quote_key(key: &str) -> bool {
    key.is_empty() || key.contains(['=', ' ', '\t', '\r', '\n', '"', '`'])
}

/// Values Go must quote.
fn must_quote_value(value: &str) -> bool {
    value.contains([' ', '\t', '\r', '\n', '"', '`'])
}

/// `key=value`, either quoted as Go's `strconv.Quote` does.
fn build_line(kv: &str) -> Result<(String, String), String> {
    let (key, raw_value) = match kv.as_bytes().first() {
        None => return Err("a build line without '='".into()),
        Some(b'=') => return Err("a build line without a key".into()),
        Some(b'"' | b'`') => {
            let (key, rest) = unquote_prefix(kv).ok_or("an invalid quoted key")?;
            let Some(value) = rest.strip_prefix('=') else {
                return Err("no '=' after a quoted key".into());
            };
            (key, value)
        }
        Some(_) => {
            let (key, value) = kv.split_once('=').ok_or("a build line without '='")?;
            if must_quote_key(key) {
                return Err(format!("unquoted key {key:?} must be quoted"));
            }
            (key.to_string(), value)
        }
    };
    let value = match raw_value.as_bytes().first() {
        Some(b'"' | b'`') => match unquote_prefix(raw_value) {
            Some((value, "")) => value,
            _ => return Err("an invalid quoted value".into()),
        },
        _ if must_quote_value(raw_value) => {
            return Err(format!("unquoted value {raw_value:?} must be quoted"));
        }
        _ => raw_value.to_string(),
    };
    Ok((key, value))
}

/// The Go string literal (`"…"` with escapes, or `` `…` `` raw) that
/// starts `s`, unquoted, and what follows it; `None` when it is not one.
/// Bytes that are not UTF-8 (`\xff`) become U+FFFD.
fn unquote_prefix(s: &str) -> Option<(String, &str)> {
    let quote = *s.as_bytes().first()?;
    let body = &s[1..];
    if quote == b'`' {
        let end = body.find('`')?;
        // Raw strings drop carriage returns, as Go's do.
        return Some((body[..end].replace('\r', ""), &body[end + 1..]));
    }
    if quote != b'"' {
        return None;
    }
    let mut out = Vec::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((String::from_utf8_lossy(&out).into_owned(), &body[i + 1..])),
            '\n' => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                let simple = match e {
                    'a' => Some(0x07),
                    'b' => Some(0x08),
                    'f' => Some(0x0c),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(0x0b),
                    '\\' => Some(b'\\'),
                    '"' => Some(b'"'),
                    _ => None,
                };
                if let Some(b) = simple {
                    out.push(b);
                    continue;
                }
                match e {
                    'x' => out.push(u8::try_from(hex(&mut chars, 2)?).ok()?),
                    'u' | 'U' => {
                        let v = hex(&mut chars, if e == 'u' { 4 } else { 8 })?;
                        let c = char::from_u32(v)?;
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    }
                    '0'..='7' => {
                        let mut v = e as u32 - '0' as u32;
                        for _ in 0..2 {
                            let d = chars.next()?.1.to_digit(8)?;
                            v = v << 3 | d;
                        }
                        out.push(u8::try_from(v).ok()?);
                    }
                    _ => return None,
                }
            }
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    None
}

/// `n` hexadecimal digits.
fn hex(chars: &mut std::str::CharIndices<'_>, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for _ in 0..n {
        v = v << 4 | chars.next()?.1.to_digit(16)?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentinels Go frames the module information with.
    const START: &[u8] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const END: &[u8] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";
    /// Where the synthetic binary's data is loaded.
    const DATA_ADDR: u64 = 0x10000;

    const MODINFO: &str = "path\texample.com/app\n\
        mod\texample.com/app\t(devel)\t\n\
        dep\texample.com/lib\tv1.2.3\th1:abc=\n\
        dep\texample.com/old\tv0.1.0\n\
        =>\t../new\t(devel)\t\n\n\
        build\t-buildmode=exe\n\
        build\t-ldflags=\"-X main.x=y\"\n\
        build\tCGO_ENABLED=0\n\
        build\tvcs.revision=0123abcd\n";

    fn expected() -> BuildInfo {
        BuildInfo {
            go_version: "go1.22.12".into(),
            path: "example.com/app".into(),
            main: Some(Module {
                path: "example.com/app".into(),
                version: "(devel)".into(),
                sum: None,
                replace: None,
            }),
            deps: vec![
                Module {
                    path: "example.com/lib".into(),
                    version: "v1.2.3".into(),
                    sum: Some("h1:abc=".into()),
                    replace: None,
                },
                Module {
                    path: "example.com/old".into(),
                    version: "v0.1.0".into(),
                    sum: None,
                    replace: Some(Box::new(Module {
                        path: "../new".into(),
                        version: "(devel)".into(),
                        sum: None,
                        replace: None,
                    })),
                },
            ],
            settings: [
                ("-buildmode", "exe"),
                ("-ldflags", "-X main.x=y"),
                ("CGO_ENABLED", "0"),
                ("vcs.revision", "0123abcd"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        }
    }

    fn varint(mut n: usize, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push(n as u8 | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }

    fn framed(text: &str) -> Vec<u8> {
        if text.is_empty() {
            return Vec::new();
        }
        [START, text.as_bytes(), END].concat()
    }

    /// The blob as Go 1.18 and later write it.
    fn blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend([8, FLAG_INLINE]);
        b.resize(32, 0);
        varint(version.len(), &mut b);
        b.extend(version.as_bytes());
        let modinfo = framed(modinfo);
        varint(modinfo.len(), &mut b);
        b.extend(modinfo);
        b
    }

    /// The blob as Go 1.13 to 1.17 write it: two pointers to Go strings
    /// (address, length), here right after the header.
    fn pointer_blob(version: &str, modinfo: &str) -> Vec<u8> {
        let modinfo = framed(modinfo);
        let mut b = MAGIC.to_vec();
        b.extend([8, 0]);
        let headers = DATA_ADDR + 32;
        b.extend(headers.to_le_bytes());
        b.extend((headers + 16).to_le_bytes());
        let bytes = headers + 32;
        b.extend(bytes.to_le_bytes());
        b.extend((version.len() as u64).to_le_bytes());
        b.extend((bytes + version.len() as u64).to_le_bytes());
        b.extend((modinfo.len() as u64).to_le_bytes());
        b.extend(version.as_bytes());
        b.extend(modinfo);
        b
    }

    /// A minimal 64-bit little-endian ELF executable: one writable
    /// segment holding `data` at `DATA_ADDR`, and (with `sections`) a
    /// section `.go.buildinfo` naming it. `data` ends the file.
    fn elf(data: &[u8], sections: bool) -> Vec<u8> {
        const NAMES: &[u8] = b"\0.shstrtab\0.go.buildinfo\0";
        let (ph_at, names_at, sh_at, data_at) = (64u64, 120u64, 160u64, 352u64);
        let mut f = vec![0u8; data_at as usize];
        let put = |f: &mut Vec<u8>, at: u64, bytes: &[u8]| {
            f[at as usize..at as usize + bytes.len()].copy_from_slice(bytes)
        };
        put(&mut f, 0, b"\x7fELF\x02\x01\x01");
        put(&mut f, 16, &2u16.to_le_bytes()); // ET_EXEC
        put(&mut f, 0x20, &ph_at.to_le_bytes());
        put(&mut f, 0x36, &56u16.to_le_bytes());
        put(&mut f, 0x38, &1u16.to_le_bytes());
        if sections {
            put(&mut f, 0x28, &sh_at.to_le_bytes());
            put(&mut f, 0x3a, &64u16.to_le_bytes());
            put(&mut f, 0x3c, &3u16.to_le_bytes());
            put(&mut f, 0x3e, &1u16.to_le_bytes());
        }
        // PT_LOAD, read and write.
        put(&mut f, ph_at, &1u32.to_le_bytes());
        put(&mut f, ph_at + 4, &6u32.to_le_bytes());
        put(&mut f, ph_at + 8, &data_at.to_le_bytes());
        put(&mut f, ph_at + 16, &DATA_ADDR.to_le_bytes());
        put(&mut f, ph_at + 32, &(data.len() as u64).to_le_bytes());
        put(
            &mut f,
            ph_at + 40,
            &(data.len() as u64 + 0x100).to_le_bytes(),
        );
        put(&mut f, names_at, NAMES);
        // Section 1: the names; section 2: the blob.
        let s1 = sh_at + 64;
        put(&mut f, s1, &1u32.to_le_bytes());
        put(&mut f, s1 + 4, &3u32.to_le_bytes());
        put(&mut f, s1 + 24, &names_at.to_le_bytes());
        put(&mut f, s1 + 32, &(NAMES.len() as u64).to_le_bytes());
        let s2 = sh_at + 128;
        put(&mut f, s2, &11u32.to_le_bytes());
        put(&mut f, s2 + 4, &1u32.to_le_bytes());
        put(&mut f, s2 + 16, &DATA_ADDR.to_le_bytes());
        put(&mut f, s2 + 24, &data_at.to_le_bytes());
        put(&mut f, s2 + 32, &(data.len() as u64).to_le_bytes());
        f.extend(data);
        f
    }

    /// A minimal little-endian Mach-O (64-bit when `wide`): a `__DATA`
    /// segment whose section `__go_buildinfo` holds `data`, last.
    fn macho(data: &[u8], wide: bool) -> Vec<u8> {
        let (header, seg, sect): (usize, usize, usize) =
            if wide { (32, 72, 80) } else { (28, 56, 68) };
        let data_at = (header + seg + sect).div_ceil(16) * 16;
        let word = |f: &mut Vec<u8>, v: u64| {
            if wide {
                f.extend(v.to_le_bytes())
            } else {
                f.extend((v as u32).to_le_bytes())
            }
        };
        let name = |f: &mut Vec<u8>, n: &str| {
            let mut b = n.as_bytes().to_vec();
            b.resize(16, 0);
            f.extend(b);
        };
        let len = data.len() as u64;
        let mut f = vec![if wide { 0xcf } else { 0xce }, 0xfa, 0xed, 0xfe];
        for v in [7, 3, 2, 1, seg + sect, 0] {
            f.extend((v as u32).to_le_bytes());
        }
        if wide {
            f.extend([0; 4]);
        }
        f.extend((if wide { 0x19u32 } else { 1 }).to_le_bytes());
        f.extend(((seg + sect) as u32).to_le_bytes());
        name(&mut f, "__DATA");
        for v in [DATA_ADDR, len + 0x100, data_at as u64, len] {
            word(&mut f, v);
        }
        for v in [3u32, 3, 1, 0] {
            f.extend(v.to_le_bytes());
        }
        name(&mut f, "__go_buildinfo");
        name(&mut f, "__DATA");
        word(&mut f, DATA_ADDR);
        word(&mut f, len);
        f.extend((data_at as u32).to_le_bytes());
        f.resize(data_at, 0);
        f.extend(data);
        f
    }

    /// A universal Mach-O whose first architecture is `thin`, at 4096.
    fn fat(thin: &[u8]) -> Vec<u8> {
        let mut f = vec![0xca, 0xfe, 0xba, 0xbe];
        for v in [1u32, 0x0100_0007, 3, 4096, thin.len() as u32, 12] {
            f.extend(v.to_be_bytes());
        }
        f.resize(4096, 0);
        f.extend(thin);
        f
    }

    #[test]
    fn a_pe_optional_header_shorter_than_its_fields_is_malformed() {
        let mut bytes = vec![0u8; 64];
        bytes[..2].copy_from_slice(b"MZ");
        bytes[0x3c] = 64;
        bytes.extend_from_slice(b"PE\0\0");
        let mut coff = [0u8; 20];
        coff[2] = 1; // one section
        coff[16] = 1; // a 1-byte optional header
        bytes.extend_from_slice(&coff);
        bytes.extend_from_slice(&[0x0b; 13]);
        assert!(
            matches!(parse(&bytes), Err(BuildInfoError::Malformed(_))),
            "{:?}",
            parse(&bytes)
        );
    }

    #[test]
    fn reads_mach_o_thin_and_universal() {
        let data = blob("go1.22.12", MODINFO);
        for wide in [true, false] {
            assert_eq!(parse(&macho(&data, wide)).unwrap(), expected());
            assert_eq!(parse(&fat(&macho(&data, wide))).unwrap(), expected());
        }
        // Java's class files share the universal magic.
        let class =
            b"\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x1d\x0a\x00\x06\x00\x0f\x09\x00\x10\x00\x11";
        assert!(matches!(parse(class), Err(BuildInfoError::NotExecutable)));
    }

    fn binary() -> Vec<u8> {
        elf(&blob("go1.22.12", MODINFO), true)
    }

    #[test]
    fn reads_the_blob_named_by_its_section() {
        assert_eq!(parse(&binary()).unwrap(), expected());
    }

    #[test]
    fn without_section_headers_the_writable_segment_is_searched() {
        // Some bytes before the blob, and a misaligned magic to skip.
        let mut data = vec![7u8; 48];
        data[3..3 + MAGIC.len()].copy_from_slice(MAGIC);
        data.extend(blob("go1.22.12", MODINFO));
        assert_eq!(parse(&elf(&data, false)).unwrap(), expected());
    }

    #[test]
    fn reads_the_pointers_of_go_before_1_18() {
        let bytes = elf(&pointer_blob("go1.17.13", MODINFO), true);
        let info = parse(&bytes).unwrap();
        assert_eq!(info.go_version, "go1.17.13");
        assert_eq!(
            BuildInfo {
                go_version: "go1.22.12".into(),
                ..info
            },
            expected()
        );
    }

    #[test]
    fn a_program_without_modules_says_so() {
        for bytes in [
            elf(&blob("go1.22.12", ""), true),
            elf(&pointer_blob("go1.16", ""), true),
        ] {
            let err = parse(&bytes).unwrap_err();
            assert!(
                matches!(&err, BuildInfoError::NoModuleInfo { go_version } if go_version.starts_with("go1.")),
                "{err:?}"
            );
            assert!(err.to_string().contains("without module information"));
            assert!(err.hint().unwrap().contains("module mode"));
        }
        // GOPATH mode since Go 1.18: a path and settings, no module.
        let info = parse(&elf(
            &blob("go1.22.12", "path\thello\nbuild\tGOOS=linux\n"),
            true,
        ))
        .unwrap();
        assert_eq!(info.path, "hello");
        assert_eq!(info.main, None);
        assert_eq!(info.setting("GOOS"), Some("linux"));
    }

    #[test]
    fn other_files_are_told_apart() {
        for bytes in [
            &b""[..],
            b"#!/bin/sh\necho hello\n",
            b"\x7fEL",
            &[0u8; 4096],
        ] {
            assert!(
                matches!(parse(bytes), Err(BuildInfoError::NotExecutable)),
                "{bytes:?}"
            );
        }
        // An ELF with no blob, an empty version, a misaligned magic.
        let mut misaligned = vec![0u8; 8];
        misaligned.extend(blob("go1.22.12", MODINFO));
        for data in [vec![0u8; 64], blob("", MODINFO), misaligned] {
            for sections in [true, false] {
                let err = parse(&elf(&data, sections)).unwrap_err();
                assert!(matches!(err, BuildInfoError::NotGo), "{err:?}");
                assert!(err.hint().is_some());
            }
        }
    }

    #[test]
    fn every_cut_is_truncated() {
        for bytes in [binary(), elf(&pointer_blob("go1.17", MODINFO), true)] {
            for len in 0..bytes.len() {
                let err = parse(&bytes[..len]).unwrap_err();
                if len < 16 {
                    assert!(
                        matches!(err, BuildInfoError::NotExecutable),
                        "{len}: {err:?}"
                    );
                } else {
                    assert!(
                        matches!(err, BuildInfoError::Truncated { .. }),
                        "{len}: {err:?}"
                    );
                    assert!(err
                        .to_string()
                        .starts_with("truncated: the file ends inside "));
                }
            }
        }
    }

    #[test]
    fn a_length_past_the_end_is_truncated_not_allocated() {
        let mut b = MAGIC.to_vec();
        b.extend([8, FLAG_INLINE]);
        b.resize(32, 0);
        b.extend([0xff, 0xff, 0xff, 0x1f]); // 64 MiB
        assert!(matches!(
            parse(&elf(&b, true)),
            Err(BuildInfoError::Truncated {
                what: "the Go version"
            })
        ));
        b.truncate(32);
        b.extend([0xff; 9]);
        b.push(0x7f); // more than 64 bits
        assert!(matches!(
            parse(&elf(&b, true)),
            Err(BuildInfoError::Malformed(_))
        ));
    }

    #[test]
    fn reads_a_file_and_refuses_what_is_not_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app");
        std::fs::write(&path, binary()).unwrap();
        assert_eq!(read(&path).unwrap(), expected());

        let missing = dir.path().join("missing");
        let err = read(&missing).unwrap_err();
        assert!(matches!(&err, BuildInfoError::Io { path, .. } if *path == missing));
        assert!(matches!(
            read(dir.path()),
            Err(BuildInfoError::NotAFile {
                kind: "a directory",
                ..
            })
        ));
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read(&fifo),
            Err(BuildInfoError::NotAFile {
                kind: "a named pipe",
                ..
            })
        ));
    }

    #[test]
    fn modinfo_lines_as_go_reads_them() {
        let parsed = |text: &str| parse_modinfo(text);
        // Unknown lines are skipped; a last line without newline is not read.
        let info = parsed("go\tgo1.22\nwhat\tever\npath\ta\nbuild\tGOOS=linux").unwrap();
        assert_eq!(info.path, "a");
        assert!(info.settings.is_empty());
        // A replaced main module.
        let info = parsed("mod\ta\tv1.0.0\n=>\tb\tv1.1.0\th1:x\n").unwrap();
        assert_eq!(
            info.main.unwrap().replace.unwrap().sum.as_deref(),
            Some("h1:x")
        );
        for (text, line, reason) in [
            ("path\tp\nmod\ta\n", 2, "expected 2 or 3 columns, got 1"),
            ("dep\ta\tb\tc\td\n", 1, "expected 2 or 3 columns, got 4"),
            ("=>\ta\tb\tc\n", 1, "no module on the line before"),
            (
                "dep\ta\tv1\n=>\tb\tv2\t\n=>\tc\tv3\t\n",
                3,
                "no module on the line before",
            ),
            ("dep\ta\tv1\n=>\tb\tv2\n", 2, "expected 3 columns"),
            ("build\t\n", 1, "without '='"),
            ("build\t=x\n", 1, "without a key"),
            ("build\tkey\n", 1, "without '='"),
            ("build\ta b=c\n", 1, "must be quoted"),
            ("build\tk=a b\n", 1, "must be quoted"),
            ("build\t\"k\"\n", 1, "no '=' after a quoted key"),
            ("build\t\"k\"x=1\n", 1, "no '=' after a quoted key"),
            ("build\t\"k=1\n", 1, "invalid quoted key"),
            ("build\tk=\"a\" b\n", 1, "invalid quoted value"),
            ("build\tk=\"\\q\"\n", 1, "invalid quoted value"),
        ] {
            match parsed(text) {
                Err(BuildInfoError::InvalidLine { line: l, reason: r }) => {
                    assert_eq!(l, line, "{text:?}");
                    assert!(r.contains(reason), "{text:?}: {r}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn build_settings_are_unquoted_as_go_does() {
        let setting = |kv: &str| build_line(kv).unwrap();
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(setting("CGO_CFLAGS="), pair("CGO_CFLAGS", ""));
        assert_eq!(setting("k=a=b"), pair("k", "a=b"));
        assert_eq!(setting(r#""a b"="c\td""#), pair("a b", "c\td"));
        assert_eq!(setting("`a\"b`=`x\ry`"), pair("a\"b", "xy"));
        assert_eq!(
            setting(r#"-ldflags="-X \"main.v=1 2\" \x41\101\u00e9\U0001F600\a\b\f\n\r\t\v\\""#),
            pair(
                "-ldflags",
                "-X \"main.v=1 2\" AAé😀\x07\x08\x0c\n\r\t\x0b\\"
            )
        );
        // Bytes that are not UTF-8 cannot be kept in a String.
        assert_eq!(setting(r#"k="\xff""#), pair("k", "\u{fffd}"));
        for bad in [
            r#"k="\'""#,
            r#"k="\400""#,
            r#"k="\ud800""#,
            r#"k="\U00110000""#,
            r#"k="\x4""#,
            "k=\"a\nb\"",
            "k=`a",
            r#"k="a"#,
        ] {
            assert!(build_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn every_error_reads_well() {
        let errors = [
            BuildInfoError::NotExecutable,
            BuildInfoError::NotGo,
            BuildInfoError::Truncated {
                what: "the Go version",
            },
            BuildInfoError::Malformed("unknown ELF class"),
            BuildInfoError::TooLarge {
                path: "/x".into(),
                size: 3 << 30,
            },
        ];
        let texts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            texts,
            [
                "not an executable: neither ELF, Mach-O nor PE",
                "not a Go program: it holds no Go build information",
                "truncated: the file ends inside the Go version",
                "damaged executable: unknown ELF class",
                "`/x` is too large to be a Go program: 3221225472 bytes, more than 2147483648",
            ]
        );
        assert!(errors[0].hint().unwrap().contains("compiled Go program"));
        assert!(errors[2].hint().unwrap().contains("incomplete"));
    }

    /// The text Go writes for `info` (its `BuildInfo.String`), quoting
    /// every character that is not printable ASCII.
    fn go_text(info: &BuildInfo) -> String {
        fn quote(s: &str) -> String {
            let mut q = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => q.push_str("\\\""),
                    '\\' => q.push_str("\\\\"),
                    '\n' => q.push_str("\\n"),
                    ' '..='~' => q.push(c),
                    c if (c as u32) < 0x80 => q.push_str(&format!("\\x{:02x}", c as u32)),
                    c if (c as u32) < 0x10000 => q.push_str(&format!("\\u{:04x}", c as u32)),
                    c => q.push_str(&format!("\\U{:08x}", c as u32)),
                }
            }
            q + "\""
        }
        fn module(word: &str, m: &Module, out: &mut String) {
            out.push_str(&format!("{word}\t{}\t{}", m.path, m.version));
            match &m.replace {
                None => out.push_str(&format!("\t{}\n", m.sum.as_deref().unwrap_or(""))),
                Some(r) => {
                    out.push('\n');
                    module("=>", r, out);
                    // Go ends the replacement's line twice.
                    out.push('\n');
                }
            }
        }
        let mut out = format!("path\t{}\n", info.path);
        if let Some(m) = &info.main {
            module("mod", m, &mut out);
        }
        for d in &info.deps {
            module("dep", d, &mut out);
        }
        for (k, v) in &info.settings {
            let k = if must_quote_key(k) {
                quote(k)
            } else {
                k.clone()
            };
            let v = if must_quote_value(v) {
                quote(v)
            } else {
                v.clone()
            };
            out.push_str(&format!("build\t{k}={v}\n"));
        }
        out
    }

    #[test]
    fn the_text_renderer_matches_the_fixture() {
        assert_eq!(go_text(&expected()), MODINFO);
    }

    /// A source that counts what is read of it.
    struct Counting<'a> {
        bytes: &'a [u8],
        read: Cell<u64>,
        calls: Cell<u64>,
    }

    impl<'a> Counting<'a> {
        fn new(bytes: &'a [u8]) -> Self {
            Counting {
                bytes,
                read: Cell::new(0),
                calls: Cell::new(0),
            }
        }
    }

    impl Source for Counting<'_> {
        fn bytes(
            &self,
            offset: u64,
            len: u64,
            what: &'static str,
        ) -> Result<Cow<'_, [u8]>, BuildInfoError> {
            self.read.set(self.read.get() + len);
            self.calls.set(self.calls.get() + 1);
            Source::bytes(self.bytes, offset, len, what)
        }

        fn size(&self) -> u64 {
            self.bytes.len() as u64
        }
    }

    /// `bytes` parsed through a counter: the result, the bytes read and
    /// the number of reads.
    fn counted(bytes: &[u8]) -> (Result<BuildInfo, BuildInfoError>, u64, u64) {
        let src = Counting::new(bytes);
        let result = extract(&src);
        (result, src.read.get(), src.calls.get())
    }

    /// A 64-bit little-endian ELF without section headers: a writable
    /// loadable segment for each `(address, offset, size in the file,
    /// size in memory)`, then `body`.
    fn elf_segments(segments: &[(u64, u64, u64, u64)], body: &[u8]) -> (Vec<u8>, u64) {
        let mut f = vec![0u8; 64];
        f[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        f[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        f[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        f[0x38..0x3a].copy_from_slice(&(segments.len() as u16).to_le_bytes());
        let body_at = (64 + 56 * segments.len() as u64).div_ceil(16) * 16;
        for &(addr, offset, filesz, memsz) in segments {
            let mut ph = [0u8; 56];
            ph[..4].copy_from_slice(&1u32.to_le_bytes());
            ph[4..8].copy_from_slice(&6u32.to_le_bytes());
            ph[8..16].copy_from_slice(&(body_at + offset).to_le_bytes());
            ph[16..24].copy_from_slice(&addr.to_le_bytes());
            ph[32..40].copy_from_slice(&filesz.to_le_bytes());
            ph[40..48].copy_from_slice(&memsz.to_le_bytes());
            f.extend(ph);
        }
        f.resize(body_at as usize, 0);
        f.extend(body);
        (f, body_at)
    }

    #[test]
    fn headers_that_map_the_same_bytes_cost_a_bounded_amount() {
        // 64 segments at consecutive addresses, each the same 1 MiB (a
        // shorter one ends the search, as in Go): searched whole, 64 MiB
        // of reads of a 1 MiB file.
        let chunk = CHUNK;
        let segments: Vec<_> = (0..64u64)
            .map(|k| (DATA_ADDR + k * chunk, 0, chunk, 64 * chunk))
            .collect();
        let (bytes, _) = elf_segments(&segments, &vec![0u8; chunk as usize]);
        let (result, read, calls) = counted(&bytes);
        assert!(
            matches!(result, Err(BuildInfoError::TooCostly)),
            "{result:?}"
        );
        assert!(read <= budget(bytes.len() as u64), "{read}");
        assert!(calls <= budget(bytes.len() as u64) / READ_COST, "{calls}");
        let err = result.unwrap_err();
        assert!(err.to_string().contains("4 times over"), "{err}");
        assert!(err.hint().unwrap().contains("build or download it again"));

        // A blob in the third is found, after two chunks of nothing.
        let mut body = vec![0u8; chunk as usize];
        let blob = blob("go1.22.12", MODINFO);
        body[..blob.len()].copy_from_slice(&blob);
        let few: Vec<_> = (0..3u64)
            .map(|k| {
                (
                    DATA_ADDR + k * chunk,
                    if k == 2 { 0 } else { chunk },
                    chunk,
                    3 * chunk,
                )
            })
            .collect();
        let mut tail = vec![0u8; chunk as usize];
        tail.extend(&body);
        let (bytes, _) = elf_segments(&few, &tail);
        let (result, read, _) = counted(&bytes);
        assert_eq!(result.unwrap(), expected());
        assert!(read <= 4 * chunk, "{read}");
    }

    #[test]
    fn addresses_are_found_by_search_in_trimmed_segments() {
        let seg = |addr, size, offset| Segment { addr, size, offset };
        let mut exe = Exe {
            segments: vec![
                seg(300, 100, 3000),
                seg(100, 100, 1000),
                seg(150, 100, 5000), // overlaps the one at 100
                seg(100, 10, 9000),  // inside it: dropped
                seg(500, 0, 7000),   // empty: dropped
                seg(u64::MAX - 5, 100, 8000),
            ],
            data: None,
        };
        exe.index();
        let kept: Vec<(u64, u64, u64)> = exe
            .segments
            .iter()
            .map(|s| (s.addr, s.size, s.offset))
            .collect();
        assert_eq!(
            kept,
            [
                (100, 100, 1000),
                (200, 50, 5050),
                (300, 100, 3000),
                (u64::MAX - 5, 5, 8000)
            ]
        );
        let file = vec![0u8; 10_000];
        let at = |addr| exe.read(&file[..], addr, 1 << 20, "x").unwrap().len();
        assert_eq!(at(99), 0);
        assert_eq!(at(100), 100);
        assert_eq!(at(210), 40);
        assert_eq!(at(250), 0);
        assert_eq!(at(399), 1);
        assert_eq!(at(u64::MAX - 1), 1);
    }

    #[test]
    fn more_modules_than_any_program_lists_are_refused() {
        let mut text = String::from("path\ta\nmod\ta\t(devel)\t\n");
        for i in 0..=MAX_MODULES {
            text.push_str(&format!("dep\tm{i}\tv1.0.0\n"));
        }
        let err = parse_modinfo(&text).unwrap_err();
        assert!(matches!(err, BuildInfoError::TooManyModules), "{err:?}");
        assert!(err.to_string().contains("more than 100000 modules"));
        let last = text.trim_end().rfind('\n').unwrap() + 1;
        assert_eq!(
            parse_modinfo(&text[..last]).unwrap().deps.len(),
            MAX_MODULES
        );
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn module() -> impl Strategy<Value = Module> {
            (
                "[a-z0-9./_~-]{1,24}",
                "v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}(-[a-z0-9.]{1,12})?|\\(devel\\)|",
                proptest::option::of("h1:[A-Za-z0-9+/]{43}="),
                proptest::option::of((
                    "[a-z0-9./]{1,16}",
                    "v1\\.[0-9]|",
                    proptest::option::of("h1:[A-Za-z0-9+/]{8}="),
                )),
            )
                .prop_map(|(path, version, sum, replace)| {
                    let replace = replace.map(|(path, version, sum)| {
                        Box::new(Module {
                            path,
                            version,
                            sum,
                            replace: None,
                        })
                    });
                    // Go records the sum of the replacement only.
                    let sum = sum.filter(|_| replace.is_none());
                    Module {
                        path,
                        version,
                        sum,
                        replace,
                    }
                })
        }

        fn info() -> impl Strategy<Value = BuildInfo> {
            (
                "go1\\.[0-9]{1,2}(\\.[0-9]{1,2})?",
                "[a-z0-9./-]{1,24}",
                proptest::option::of(module()),
                proptest::collection::vec(module(), 0..6),
                proptest::collection::vec((any::<String>(), any::<String>()), 0..6),
            )
                .prop_map(|(go_version, path, main, deps, settings)| BuildInfo {
                    go_version,
                    path,
                    main,
                    deps,
                    settings,
                })
        }

        proptest! {
            #[test]
            fn prop_any_bytes_fail_cleanly(
                kind in 0..5usize,
                bytes in proptest::collection::vec(any::<u8>(), 0..600),
            ) {
                // Behind each magic, so that the container parsers run.
                let magic: &[u8] = [&b""[..], b"\x7fELF\x02\x01", b"\x7fELF\x01\x02", b"\xcf\xfa\xed\xfe", b"MZ"][kind];
                let _ = parse(&[magic, &bytes].concat());
            }

            #[test]
            fn prop_damaged_binaries_fail_cleanly(
                changes in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..8),
                kind in 0..4usize,
            ) {
                let mut bytes = match kind {
                    0 => binary(),
                    1 => elf(&pointer_blob("go1.17.13", MODINFO), true),
                    2 => fat(&macho(&blob("go1.22.12", MODINFO), true)),
                    _ => macho(&blob("go1.22.12", MODINFO), false),
                };
                for (at, byte) in changes {
                    let at = at.index(bytes.len());
                    bytes[at] = byte;
                }
                let _ = parse(&bytes);
            }

            #[test]
            fn prop_pe_headers_fail_cleanly(rest in proptest::collection::vec(any::<u8>(), 0..400)) {
                // A DOS stub pointing at a PE header whose COFF, optional
                // header and section table are anything at all.
                let mut bytes = vec![0u8; 64];
                bytes[..2].copy_from_slice(b"MZ");
                bytes[0x3c] = 64;
                bytes.extend_from_slice(b"PE\0\0");
                bytes.extend_from_slice(&rest);
                let _ = parse(&bytes);
            }

            #[test]
            fn prop_any_headers_cost_at_most_the_budget(
                segments in proptest::collection::vec(
                    (0..64u64, 0..4096u64, 0..8192u64, any::<u64>()),
                    0..300,
                ),
                body in proptest::collection::vec(any::<u8>(), 0..4096),
                blob_at in proptest::option::of(0..256usize),
            ) {
                // Segments anywhere in a few pages of addresses, mapping
                // any bytes of the body (or past it), overlapping at will;
                // sometimes a real blob in the body.
                let segments: Vec<_> = segments
                    .into_iter()
                    .map(|(page, offset, filesz, memsz)| (DATA_ADDR + page * 256, offset, filesz, memsz))
                    .collect();
                let mut body = body;
                if let Some(at) = blob_at {
                    let at = at * 16;
                    let blob = blob("go1.22.12", MODINFO);
                    body.resize(body.len().max(at + blob.len()), 0);
                    body[at..at + blob.len()].copy_from_slice(&blob);
                }
                let (bytes, _) = elf_segments(&segments, &body);
                let (_, read, calls) = counted(&bytes);
                let budget = budget(bytes.len() as u64);
                prop_assert!(read <= budget, "{} bytes read", read);
                prop_assert!(calls <= budget / READ_COST, "{} reads", calls);
            }

            #[test]
            fn prop_any_bytes_cost_at_most_the_budget(
                kind in 0..5usize,
                bytes in proptest::collection::vec(any::<u8>(), 0..2000),
            ) {
                let magic: &[u8] = [&b""[..], b"\x7fELF\x02\x01", b"\x7fELF\x01\x02", b"\xcf\xfa\xed\xfe", b"MZ"][kind];
                let bytes = [magic, &bytes].concat();
                let (_, read, _) = counted(&bytes);
                prop_assert!(read <= budget(bytes.len() as u64));
            }

            #[test]
            fn prop_truncations_are_truncated(cut in any::<proptest::sample::Index>()) {
                let bytes = binary();
                let len = 16 + cut.index(bytes.len() - 16);
                prop_assert!(
                    matches!(parse(&bytes[..len]), Err(BuildInfoError::Truncated { .. })),
                    "cut at {}", len
                );
            }

            #[test]
            fn prop_what_go_writes_reads_back(info in info(), pointers in any::<bool>()) {
                let text = go_text(&info);
                let data = if pointers {
                    pointer_blob(&info.go_version, &text)
                } else {
                    blob(&info.go_version, &text)
                };
                prop_assert_eq!(parse(&elf(&data, !pointers)).unwrap(), info);
            }
        }
    }
}
