//! A Go root: the directory a Go release unpacks into (`/usr/lib/go-1.22`,
//! `GOV_HOME/versions/1.22.4`). The one place that knows what lies inside
//! one: `bin/go`, `VERSION`, `pkg/tool`, `src/runtime`, `go.env`.

use std::path::{Path, PathBuf};

use crate::fsx;
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
}
