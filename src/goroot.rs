//! A Go root: the directory a Go release unpacks into (`/usr/lib/go-1.22`,
//! `GOV_HOME/versions/1.22.4`). The one place that knows what lies inside
//! one: `bin/go`, `VERSION`, `pkg/tool`, `src/runtime`, `go.env`; and
//! whether its programs are built for this machine.

use std::path::{Path, PathBuf};

use crate::fsx;
use crate::platform;
use crate::version::Version;

/// A Go root, borrowed: what gov reads in it, by name.
#[derive(Debug, Clone, Copy)]
pub struct GoRoot<'a>(&'a Path);

impl<'a> GoRoot<'a> {
    pub fn new(dir: &'a Path) -> GoRoot<'a> {
        GoRoot(dir)
    }

    pub fn path(self) -> &'a Path {
        self.0
    }

    /// `bin/`: the directory put on PATH.
    pub fn bin_dir(self) -> PathBuf {
        self.0.join("bin")
    }

    /// `bin/NAME`: one of the release's programs (`go`, `gofmt`).
    pub fn program(self, name: &str) -> PathBuf {
        self.bin_dir().join(name)
    }

    /// `bin/go`.
    pub fn go(self) -> PathBuf {
        self.program("go")
    }

    /// `VERSION`: what the release says it is, on its first line.
    pub fn version_file(self) -> PathBuf {
        self.0.join("VERSION")
    }

    /// `go.env`: the release's own defaults (Go 1.21 and later).
    pub fn go_env(self) -> PathBuf {
        self.0.join("go.env")
    }

    /// `VERSION`, line 1 (`go1.22.4`). `None` when there is no such
    /// regular file.
    pub fn version_line(self) -> Option<String> {
        match fsx::read_regular_text(&self.version_file(), 4096) {
            Ok(Some(Ok((text, _)))) => Some(text.lines().next().unwrap_or("").trim().to_string()),
            _ => None,
        }
    }

    /// An executable `bin/go` and something only Go's own trees have: a
    /// `VERSION` file, its runtime's sources or its tools.
    pub fn check(self) -> Result<(), GoRootProblem> {
        if !fsx::is_executable(&self.go()) {
            return Err(GoRootProblem::NoGo);
        }
        let has_go_files = self.version_file().is_file()
            || self.0.join("src/runtime").is_dir()
            || self.0.join("pkg/tool").is_dir();
        if !has_go_files {
            return Err(GoRootProblem::NoGoRootFiles);
        }
        Ok(())
    }
}

/// Why a directory does not look like a Go root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoRootProblem {
    NoGo,
    /// `bin/go` among other programs, as in `/usr`: nothing says it is Go's.
    NoGoRootFiles,
}

impl GoRootProblem {
    pub fn reason(self) -> &'static str {
        match self {
            GoRootProblem::NoGo => "it has no executable `bin/go`",
            GoRootProblem::NoGoRootFiles => {
                "it has `bin/go` but no `VERSION`, `src/runtime` or `pkg/tool`"
            }
        }
    }
}

/// The release a `VERSION` line names: `go1.22.4`, also in a vendor's
/// build (`go1.22.4-1`, `go1.22.4+patched`, `go1.22.4 X:boringcrypto`);
/// `None` for a development build (`devel go1.23-abcdef`) or anything else.
pub fn release_named_by(line: &str) -> Option<Version> {
    let word = line.split_whitespace().next()?;
    let release = word.split(['-', '+']).next()?;
    Version::parse(release).ok()
}

/// How many bytes of a program [`binary_platform`] reads: ELF's identity
/// and `e_machine`; Mach-O's magic and CPU type.
pub const HEADER_LEN: usize = 20;

/// The platform, in go.dev's names, that an executable's first bytes say
/// it was built for: its ELF header (class, byte order, OS ABI and
/// `e_machine`) or its Mach-O magic and CPU type. `None` for anything
/// else (a script, a universal binary, a machine go.dev has no name for)
/// or a header cut short.
///
/// ELF names no OS for Linux (its OS ABI byte is 0, or 3 for GNU): that
/// is `linux`, which is also what Go writes there for the other ELF
/// systems but FreeBSD.
pub fn binary_platform(header: &[u8]) -> Option<(&'static str, &'static str)> {
    match header {
        [0x7f, b'E', b'L', b'F', class, data, _, osabi, rest @ ..] if rest.len() >= 12 => {
            let big = match data {
                1 => false,
                2 => true,
                _ => return None,
            };
            let wide = match class {
                1 => false,
                2 => true,
                _ => return None,
            };
            let bytes = [rest[10], rest[11]];
            let machine = if big {
                u16::from_be_bytes(bytes)
            } else {
                u16::from_le_bytes(bytes)
            };
            let os = match osabi {
                0 | 3 => "linux",
                9 => "freebsd",
                _ => return None,
            };
            let arch = match (machine, wide, big) {
                (62, true, false) => "amd64",
                (183, true, false) => "arm64",
                (3, false, false) => "386",
                (40, false, false) => "armv6l",
                (243, true, false) => "riscv64",
                (21, true, true) => "ppc64",
                (21, true, false) => "ppc64le",
                (22, true, true) => "s390x",
                (258, true, false) => "loong64",
                (8, false, true) => "mips",
                (8, false, false) => "mipsle",
                (8, true, true) => "mips64",
                (8, true, false) => "mips64le",
                _ => return None,
            };
            Some((os, arch))
        }
        // MH_MAGIC_64 and MH_MAGIC as little-endian files have them, then
        // the CPU type: CPU_ARCH_ABI64 | x86 or arm, or plain x86 or arm.
        [0xcf | 0xce, 0xfa, 0xed, 0xfe, t0, t1, t2, t3, ..] => {
            let arch = match u32::from_le_bytes([*t0, *t1, *t2, *t3]) {
                0x0100_0007 => "amd64",
                0x0100_000c => "arm64",
                7 => "386",
                12 => "armv6l",
                _ => return None,
            };
            Some(("darwin", arch))
        }
        _ => None,
    }
}

/// Whether a program built for `program` runs natively on `host`: the
/// same platform, or 32-bit x86 on x86-64 (which its processors run
/// without emulation). An ELF program `binary_platform` calls `linux`
/// (OS ABI 0) may be one of the other ELF systems' too (NetBSD, OpenBSD,
/// illumos): only the architecture is compared there.
pub fn runs_natively(program: (&str, &str), host: (&str, &str)) -> bool {
    let os = program.0 == host.0
        || (program.0 == "linux" && !matches!(host.0, "darwin" | "freebsd" | "windows"));
    os && (program.1 == host.1 || (program.1 == "386" && host.1 == "amd64"))
}

/// The platform `program` is built for when that is not this machine's;
/// `None` when it runs here, or says nothing clear: a script, a file too
/// short or unreadable (exec reports those as it always did). Reads its
/// first bytes, never more: it runs before every exec of a toolchain's
/// program.
pub fn foreign_program(program: &Path) -> Option<(&'static str, &'static str)> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut header = [0u8; HEADER_LEN];
    // Non-blocking: a FIFO in place of a program must not stall the call.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(program)
        .ok()?;
    file.read_exact(&mut header).ok()?;
    let platform = binary_platform(&header)?;
    (!runs_natively(platform, platform::host())).then_some(platform)
}

/// How a Go root came to be where gov runs releases from: what the fix of
/// a [`ForeignToolchain`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Came {
    /// `gov link` or `gov import`: a link to this directory.
    Linked(PathBuf),
    /// In the system store, which its administrator keeps.
    System,
    /// In the user's own store: installed there by another machine that
    /// shares it, or copied in.
    InStore,
}

impl Came {
    /// How the root at `root` came here: `system` when it is in the system
    /// store. Reads the link, nothing more.
    pub fn of(root: &Path, system: bool) -> Came {
        if system {
            return Came::System;
        }
        match std::fs::read_link(root) {
            Ok(dir) => Came::Linked(dir),
            Err(_) => Came::InStore,
        }
    }
}

/// A release's program is built for another machine: run, it would fail
/// with "exec format error", or run under an emulator without a word.
#[derive(Debug, thiserror::Error)]
#[error(
    "Go {version} is built for {}, not for this machine ({}): `{}` would not run here, or only under emulation",
    platform_name(*.platform), platform_name(*.host), .program.display()
)]
pub struct ForeignToolchain {
    pub version: Version,
    /// The program refused.
    pub program: PathBuf,
    /// What its header says, and what this machine is.
    pub platform: (&'static str, &'static str),
    pub host: (&'static str, &'static str),
    pub came: Came,
}

fn platform_name((os, arch): (&str, &str)) -> String {
    format!("{os}-{arch}")
}

impl ForeignToolchain {
    pub fn hint(&self) -> Option<String> {
        let (v, other, here) = (
            self.version,
            platform_name(self.platform),
            platform_name(self.host),
        );
        let keep = format!(
            "`gov install --os {} --arch {} {v}` keeps {other}'s apart, never run here",
            self.platform.0, self.platform.1
        );
        Some(match &self.came {
            Came::Linked(dir) => format!(
                "`{}` is a Go root for {other}: run `gov uninstall {v}` (it removes the link, never the directory) and `gov install {v}` for {here}'s own; {keep}",
                dir.display()
            ),
            Came::System => format!(
                "the system store's Go {v} is {other}'s: run `gov install --force {v}` to have {here}'s in your own store, which comes first, and ask its administrator to run `sudo gov --system uninstall {v}` and `sudo gov --system install {v}`"
            ),
            Came::InStore => format!(
                "run `gov uninstall {v}` and `gov install {v}` to replace it with {here}'s; if GOV_HOME is shared with {other} machines, give each platform its own ({keep})"
            ),
        })
    }
}

impl GoRoot<'_> {
    /// Refuses the release when its `bin/go` is built for another machine.
    pub fn check_go_runs_here(
        self,
        version: Version,
        system: bool,
    ) -> Result<(), Box<ForeignToolchain>> {
        self.check_runs_here(version, &self.go(), system)
    }

    /// Refuses `program`, one of this root's (release `version`), when it
    /// is built for another machine. `system`: the root is in the system
    /// store.
    pub fn check_runs_here(
        self,
        version: Version,
        program: &Path,
        system: bool,
    ) -> Result<(), Box<ForeignToolchain>> {
        match foreign_program(program) {
            None => Ok(()),
            Some(platform) => Err(Box::new(ForeignToolchain {
                version,
                program: program.to_path_buf(),
                platform,
                host: platform::host(),
                came: Came::of(self.0, system),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_go_root_is() {
        let tmp = tempfile::tempdir().unwrap();
        let root = GoRoot::new(tmp.path());
        assert_eq!(root.check(), Err(GoRootProblem::NoGo));
        std::fs::create_dir_all(root.bin_dir()).unwrap();
        std::fs::write(root.go(), "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.go(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(root.check(), Err(GoRootProblem::NoGoRootFiles));
        assert_eq!(root.version_line(), None);
        std::fs::write(root.version_file(), "go1.22.4\ntime x\n").unwrap();
        assert_eq!(root.check(), Ok(()));
        assert_eq!(root.version_line().as_deref(), Some("go1.22.4"));
        assert_eq!(root.program("gofmt"), tmp.path().join("bin/gofmt"));
    }

    #[test]
    fn releases_named_by_version_files() {
        let v = |s| Version::parse(s).unwrap();
        for (line, want) in [
            ("go1.22.4", Some(v("1.22.4"))),
            ("go1.22.4-1", Some(v("1.22.4"))),
            ("go1.22.4 X:boringcrypto", Some(v("1.22.4"))),
            ("go1.23rc1+patched", Some(v("1.23rc1"))),
            ("devel go1.23-abcdef Tue Jan 2", None),
            ("", None),
        ] {
            assert_eq!(release_named_by(line), want, "{line}");
        }
    }

    /// What a program is, its first bytes, the platform they name.
    type Case = (
        &'static str,
        [u8; HEADER_LEN],
        Option<(&'static str, &'static str)>,
    );

    /// The first 20 bytes of real programs: Go's hello world built for each
    /// platform go.dev ships (`-ldflags=-s`), Debian's arm64 `bin/go` and
    /// its amd64 `/bin/true` (whose OS ABI byte says GNU).
    const HEADERS: &[Case] = &[
        (
            "linux-amd64",
            elf(2, 1, 0, [0x3e, 0x00]),
            Some(("linux", "amd64")),
        ),
        (
            "/bin/true",
            elf_typed(2, 1, 0, 3, [0x3e, 0x00]),
            Some(("linux", "amd64")),
        ),
        (
            "Debian's arm64 bin/go",
            elf(2, 1, 0, [0xb7, 0x00]),
            Some(("linux", "arm64")),
        ),
        (
            "linux-386",
            elf(1, 1, 0, [0x03, 0x00]),
            Some(("linux", "386")),
        ),
        (
            "linux-arm",
            elf(1, 1, 0, [0x28, 0x00]),
            Some(("linux", "armv6l")),
        ),
        (
            "linux-riscv64",
            elf(2, 1, 0, [0xf3, 0x00]),
            Some(("linux", "riscv64")),
        ),
        (
            "linux-ppc64",
            elf(2, 2, 0, [0x00, 0x15]),
            Some(("linux", "ppc64")),
        ),
        (
            "linux-ppc64le",
            elf(2, 1, 0, [0x15, 0x00]),
            Some(("linux", "ppc64le")),
        ),
        (
            "linux-s390x",
            elf(2, 2, 0, [0x00, 0x16]),
            Some(("linux", "s390x")),
        ),
        (
            "linux-loong64",
            elf(2, 1, 0, [0x02, 0x01]),
            Some(("linux", "loong64")),
        ),
        (
            "linux-mips",
            elf(1, 2, 0, [0x00, 0x08]),
            Some(("linux", "mips")),
        ),
        (
            "linux-mipsle",
            elf(1, 1, 0, [0x08, 0x00]),
            Some(("linux", "mipsle")),
        ),
        (
            "linux-mips64",
            elf(2, 2, 0, [0x00, 0x08]),
            Some(("linux", "mips64")),
        ),
        (
            "linux-mips64le",
            elf(2, 1, 0, [0x08, 0x00]),
            Some(("linux", "mips64le")),
        ),
        (
            "freebsd-amd64",
            elf(2, 1, 9, [0x3e, 0x00]),
            Some(("freebsd", "amd64")),
        ),
        (
            "darwin-amd64",
            *b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00\x02\x00\x00\x00\x0b\x00\x00\x00",
            Some(("darwin", "amd64")),
        ),
        (
            "darwin-arm64",
            *b"\xcf\xfa\xed\xfe\x0c\x00\x00\x01\x00\x00\x00\x00\x02\x00\x00\x00\x0e\x00\x00\x00",
            Some(("darwin", "arm64")),
        ),
        // What is not refused: a script, a universal binary, a machine
        // go.dev has no name for (SPARC), an unknown byte order.
        ("a script", *b"#!/bin/sh\nexec go $@", None),
        (
            "universal",
            *b"\xca\xfe\xba\xbe\x00\x00\x00\x02\x01\x00\x00\x07\x00\x00\x00\x03\x00\x00\x40\x00",
            None,
        ),
        ("sparc64", elf(2, 2, 0, [0x00, 0x2b]), None),
        ("byte order 0", elf(2, 0, 0, [0x3e, 0x00]), None),
    ];

    /// An ELF executable's first 20 bytes, as Go's linker writes them.
    const fn elf(class: u8, data: u8, osabi: u8, machine: [u8; 2]) -> [u8; HEADER_LEN] {
        // ET_EXEC
        elf_typed(class, data, osabi, 2, machine)
    }

    const fn elf_typed(
        class: u8,
        data: u8,
        osabi: u8,
        kind: u8,
        machine: [u8; 2],
    ) -> [u8; HEADER_LEN] {
        // `e_type`, in the file's byte order.
        let kind = if data == 2 { [0, kind] } else { [kind, 0] };
        [
            0x7f, b'E', b'L', b'F', class, data, 1, osabi, 0, 0, 0, 0, 0, 0, 0, 0, kind[0],
            kind[1], machine[0], machine[1],
        ]
    }

    #[test]
    fn names_the_platform_of_real_programs() {
        for (what, header, want) in HEADERS {
            assert_eq!(binary_platform(header), *want, "{what}");
        }
        // Cut short: nothing is claimed.
        let amd64 = elf(2, 1, 0, [0x3e, 0x00]);
        for len in [0, 4, 8, 19] {
            assert_eq!(binary_platform(&amd64[..len]), None, "{len} bytes");
        }
    }

    #[test]
    fn what_runs_natively() {
        let host = ("linux", "amd64");
        assert!(runs_natively(("linux", "amd64"), host));
        assert!(runs_natively(("linux", "386"), host));
        assert!(!runs_natively(("linux", "arm64"), host));
        assert!(!runs_natively(("darwin", "amd64"), host));
        assert!(!runs_natively(("freebsd", "amd64"), host));
        // Rosetta is an emulator too.
        assert!(!runs_natively(("darwin", "amd64"), ("darwin", "arm64")));
        assert!(!runs_natively(("linux", "armv6l"), ("linux", "arm64")));
        // OS ABI 0 on another ELF system: the architecture decides.
        assert!(runs_natively(("linux", "amd64"), ("openbsd", "amd64")));
        assert!(!runs_natively(("linux", "arm64"), ("netbsd", "amd64")));
        assert!(!runs_natively(("linux", "amd64"), ("freebsd", "amd64")));
    }

    #[test]
    fn a_program_of_another_machine_is_refused_with_how_it_came() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("go-arm64");
        let bin = real.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        // This machine's and another's: whichever this is not.
        let other = if platform::host().1 == "arm64" {
            elf(2, 1, 0, [0x3e, 0x00])
        } else {
            elf(2, 1, 0, [0xb7, 0x00])
        };
        std::fs::write(bin.join("go"), other).unwrap();
        std::fs::write(bin.join("gofmt"), "#!/bin/sh\n").unwrap();
        let linked = tmp.path().join("1.22.12");
        std::os::unix::fs::symlink(&real, &linked).unwrap();
        let v = Version::parse("1.22.12").unwrap();
        let root = GoRoot::new(&linked);
        let e = root.check_runs_here(v, &root.go(), false).unwrap_err();
        assert_eq!(e.came, Came::Linked(real.clone()));
        assert_eq!(e.host, platform::host());
        assert!(
            e.to_string().starts_with("Go 1.22.12 is built for linux-"),
            "{e}"
        );
        assert!(e.hint().unwrap().contains("gov uninstall 1.22.12"));
        let e = root.check_runs_here(v, &root.go(), true).unwrap_err();
        assert_eq!(e.came, Came::System);
        let e = GoRoot::new(&real)
            .check_runs_here(v, &real.join("bin/go"), false)
            .unwrap_err();
        assert_eq!(e.came, Came::InStore);
        // A script, a missing program: exec says what it always said.
        assert!(root
            .check_runs_here(v, &root.program("gofmt"), false)
            .is_ok());
        assert!(root
            .check_runs_here(v, &root.program("godoc"), false)
            .is_ok());
        // This very test binary runs here.
        let me = std::env::current_exe().unwrap();
        assert_eq!(foreign_program(&me), None);
    }
}
