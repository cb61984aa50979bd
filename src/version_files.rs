//! Version files: `.go-version`, `.tool-versions`, `go.work` and `go.mod`,
//! and the walk up from the current directory that finds the one in force.
//!
//! The nearest directory that holds one decides; inside one directory the
//! order is `.go-version`, `.tool-versions`, `go.work`, `go.mod`. When the
//! nearest Go file is a `go.mod`, a `go.work` further up still wins, as in
//! Go itself (`GOWORK=off` ignores go.work files, `GOWORK=/path` names one).

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::fsx;
use crate::request::{Module, Request};
use crate::ui;
use crate::version::{ParseVersionError, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    GoVersion,
    ToolVersions,
    GoWork,
    GoMod,
}

impl FileKind {
    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::GoVersion => ".go-version",
            FileKind::ToolVersions => ".tool-versions",
            FileKind::GoWork => "go.work",
            FileKind::GoMod => "go.mod",
        }
    }

    /// How much of the file is read. They come from directories gov does
    /// not own (`/tmp`, a cloned repository), so only a bounded prefix of a
    /// regular file: `.go-version` is a line; a go.mod lists its `go` line
    /// first, but a large module's can sit below thousands of lines.
    pub fn limit(self) -> u64 {
        match self {
            FileKind::GoVersion | FileKind::ToolVersions => 64 * 1024,
            FileKind::GoWork | FileKind::GoMod => 4 * 1024 * 1024,
        }
    }

    fn of(path: &Path) -> FileKind {
        match path.file_name().and_then(|n| n.to_str()) {
            Some(".go-version") => FileKind::GoVersion,
            Some(".tool-versions") => FileKind::ToolVersions,
            Some("go.mod") => FileKind::GoMod,
            // `GOWORK` may name a go.work by any name.
            _ => FileKind::GoWork,
        }
    }
}

/// The version file in force and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFile {
    pub path: PathBuf,
    pub kind: FileKind,
    pub request: Request,
}

#[derive(Debug, thiserror::Error)]
pub enum VersionFileError {
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("invalid version in `{}` line {line}: `{value}`", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        value: String,
        #[source]
        source: ParseVersionError,
    },
    #[error("`{}` names no Go version", path.display())]
    Empty { path: PathBuf },
    #[error("GOWORK names a file that does not exist: `{}`", path.display())]
    MissingGoWork { path: PathBuf },
}

impl VersionFileError {
    pub fn hint(&self) -> Option<String> {
        match self {
            VersionFileError::Invalid { path, .. } | VersionFileError::Empty { path } => Some(
                format!(
                    "write a release such as `1.22.4` into `{}`, or run `gov local 1.22.4` in its directory",
                    path.display()
                ),
            ),
            VersionFileError::MissingGoWork { .. } => {
                Some("unset GOWORK, or set it to `off` or to an existing go.work".into())
            }
            VersionFileError::Read { .. } => None,
        }
    }
}

/// `text` of a `.go-version` or `.tool-versions` with its version set to
/// `version`, every other line, comment and line ending kept (and a `go`
/// prefix, where the old version had one). `None` when it names no version.
pub fn rewrite(text: &str, kind: FileKind, version: &str) -> Option<String> {
    let found = match kind {
        FileKind::GoVersion => parse_go_version(text),
        FileKind::ToolVersions => parse_tool_versions(text),
        _ => None,
    }?;
    let (line_no, old) = found;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line_no {
            let new = if old.starts_with("go") && kind == FileKind::GoVersion {
                format!("go{version}")
            } else {
                version.to_string()
            };
            // The first occurrence as a word: `golang 1.21.5 1.20.0`
            // changes its first version only.
            let at = word_at(line, old)?;
            out.push_str(&line[..at]);
            out.push_str(&new);
            out.push_str(&line[at + old.len()..]);
        } else {
            out.push_str(line);
        }
    }
    Some(out)
}

/// Where `word` starts in `line` as a whole whitespace-separated word.
fn word_at(line: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find(word) {
        let at = from + i;
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        let bounded = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c == '#');
        if bounded(before) && bounded(after) {
            return Some(at);
        }
        from = at + word.len();
    }
    None
}

/// A line number and the version text found on it.
type Found<'a> = Option<(usize, &'a str)>;

/// `.go-version`: the first line that is not blank or a `#` comment.
pub fn parse_go_version(text: &str) -> Found<'_> {
    lines(text).find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// `.tool-versions`: the first version on the `golang` (or `go`) line.
pub fn parse_tool_versions(text: &str) -> Found<'_> {
    lines(text).find_map(|(n, l)| {
        let l = l.split('#').next().unwrap_or("");
        let mut words = l.split_whitespace();
        match words.next() {
            Some("golang" | "go") => words.next().map(|v| (n, v)),
            _ => None,
        }
    })
}

/// What a go.mod or go.work asks for: its `go` and `toolchain` lines.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct GoDirectives<'a> {
    pub go: Found<'a>,
    pub toolchain: Found<'a>,
}

/// The top-level `go` and `toolchain` directives, with `//` comments
/// dropped; lines inside a block (`require ( … )`) are never directives.
pub fn parse_go_mod(text: &str) -> GoDirectives<'_> {
    let mut found = GoDirectives::default();
    let mut in_block = false;
    for (n, l) in lines(text) {
        let l = l.split("//").next().unwrap_or("").trim();
        if in_block {
            in_block = l != ")";
            continue;
        }
        if l.ends_with('(') {
            in_block = true;
            continue;
        }
        let mut words = l.split_whitespace();
        let (Some(directive), Some(value), None) = (words.next(), words.next(), words.next())
        else {
            continue;
        };
        match directive {
            "go" if found.go.is_none() => found.go = Some((n, value)),
            "toolchain" if found.toolchain.is_none() => found.toolchain = Some((n, value)),
            _ => {}
        }
    }
    found
}

/// Lines numbered from 1, without BOM, CR or surrounding blanks.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim()))
}

/// Finds the version file in force for `cwd`, walking up to the root.
pub fn find(cwd: &Path, gowork: Option<&OsStr>) -> Result<Option<VersionFile>, VersionFileError> {
    let gowork = GoWork::from_env(gowork);
    for dir in cwd.ancestors() {
        if let Some(found) = read_plain(dir, FileKind::GoVersion)? {
            return Ok(Some(found));
        }
        if let Some(found) = read_plain(dir, FileKind::ToolVersions)? {
            return Ok(Some(found));
        }
        if let Some(found) = module_at(dir, &gowork)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// The Go module and workspace a directory is in, as Go finds them: the
/// one answer to "which module is this?" for selection, doctor, matrix,
/// upgrade and export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoModule {
    /// The nearest `go.mod` from the directory up: the main module's file
    /// (whatever lines it has).
    pub go_mod: Option<PathBuf>,
    /// The `go.work` or `go.mod` whose `go` and `toolchain` lines select a
    /// release (`GOWORK` included), whatever `.go-version` or
    /// `.tool-versions` say: what selection reads when no other file
    /// decides. `None` when no Go file names a version.
    pub selecting: Option<VersionFile>,
}

impl GoModule {
    /// The main module's directory: the nearest `go.mod`'s.
    pub fn dir(&self) -> Option<&Path> {
        self.go_mod.as_deref().and_then(Path::parent)
    }
}

/// The Go module `cwd` is in ([`GoModule`]), `GOWORK` as Go reads it.
pub fn find_module(cwd: &Path, gowork: Option<&OsStr>) -> Result<GoModule, VersionFileError> {
    let go_mod = cwd
        .ancestors()
        .map(|d| d.join(FileKind::GoMod.file_name()))
        .find(|p| p.is_file());
    let gowork = GoWork::from_env(gowork);
    for dir in cwd.ancestors() {
        if let Some(found) = module_at(dir, &gowork)? {
            return Ok(GoModule {
                go_mod,
                selecting: Some(found),
            });
        }
    }
    Ok(GoModule {
        go_mod,
        selecting: None,
    })
}

/// The `go.work` or `go.mod` in force when `dir` is the nearest directory
/// with either.
fn module_at(dir: &Path, gowork: &GoWork) -> Result<Option<VersionFile>, VersionFileError> {
    if *gowork != GoWork::Off {
        if let Some(work) = read_go_file(&dir.join("go.work"), FileKind::GoWork)? {
            return Ok(Some(match gowork {
                GoWork::File(path) => read_gowork_env(path)?,
                _ => work,
            }));
        }
    }
    let Some(module) = read_go_file(&dir.join("go.mod"), FileKind::GoMod)? else {
        return Ok(None);
    };
    Ok(Some(match gowork {
        GoWork::Off => module,
        GoWork::File(path) => read_gowork_env(path)?,
        GoWork::Search => find_go_work_above(dir)?.unwrap_or(module),
    }))
}

#[derive(Debug, PartialEq, Eq)]
enum GoWork {
    Search,
    Off,
    File(PathBuf),
}

impl GoWork {
    fn from_env(value: Option<&OsStr>) -> GoWork {
        match value {
            None => GoWork::Search,
            Some(v) if v.is_empty() || v == "auto" => GoWork::Search,
            Some(v) if v == "off" => GoWork::Off,
            Some(v) => GoWork::File(PathBuf::from(v)),
        }
    }
}

fn find_go_work_above(module_dir: &Path) -> Result<Option<VersionFile>, VersionFileError> {
    for dir in module_dir.ancestors().skip(1) {
        if let Some(work) = read_go_file(&dir.join("go.work"), FileKind::GoWork)? {
            return Ok(Some(work));
        }
    }
    Ok(None)
}

fn read_gowork_env(path: &Path) -> Result<VersionFile, VersionFileError> {
    match read_go_file(path, FileKind::GoWork)? {
        Some(work) => Ok(work),
        None if path.is_file() => Err(VersionFileError::Empty {
            path: path.to_path_buf(),
        }),
        None => Err(VersionFileError::MissingGoWork {
            path: path.to_path_buf(),
        }),
    }
}

/// Reads a version file, at most [`FileKind::limit`] of it (with a
/// warning when it is longer); `None` when it is not there. Anything but a
/// regular file (a named pipe, a link to `/dev/zero`) is ignored with a
/// warning: reading it could hang every `go` call below it.
pub fn read(path: &Path) -> Result<Option<String>, VersionFileError> {
    let limit = FileKind::of(path).limit();
    match fsx::read_regular_text(path, limit) {
        Ok(Some(Ok((text, cut)))) => {
            if cut {
                ui::warn(&format!(
                    "reading only the first {} KiB of `{}`",
                    limit / 1024,
                    path.display()
                ));
            }
            Ok(Some(text))
        }
        Ok(None) => Ok(None),
        Ok(Some(Err(kind))) => {
            ui::warn(&format!(
                "ignoring `{}`: it is {kind}, not a regular file",
                path.display()
            ));
            Ok(None)
        }
        Err(source) => Err(VersionFileError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn read_plain(dir: &Path, kind: FileKind) -> Result<Option<VersionFile>, VersionFileError> {
    let path = dir.join(kind.file_name());
    let Some(text) = read(&path)? else {
        return Ok(None);
    };
    let found = match kind {
        FileKind::GoVersion => parse_go_version(&text),
        _ => parse_tool_versions(&text),
    };
    match (found, kind) {
        (Some((line, value)), _) => {
            let request =
                Request::parse(value).map_err(|source| invalid(&path, line, value, source))?;
            Ok(Some(VersionFile {
                path,
                kind,
                request,
            }))
        }
        // An empty .go-version is a mistake; a .tool-versions without Go is
        // another tool's file.
        (None, FileKind::GoVersion) => Err(VersionFileError::Empty { path }),
        (None, _) => Ok(None),
    }
}

/// Reads a go.mod or go.work; `None` when it is absent or names no version.
fn read_go_file(path: &Path, kind: FileKind) -> Result<Option<VersionFile>, VersionFileError> {
    let Some(text) = read(path)? else {
        return Ok(None);
    };
    let directives = parse_go_mod(&text);
    let go = match directives.go {
        Some((line, value)) => {
            Some(Version::parse(value).map_err(|e| invalid(path, line, value, e))?)
        }
        None => None,
    };
    let toolchain = match directives.toolchain {
        Some((_, "default")) | None => None,
        Some((line, value)) => {
            Some(toolchain_version(value).map_err(|e| invalid(path, line, value, e))?)
        }
    };
    let Some(module) = Module::new(go, toolchain) else {
        return Ok(None);
    };
    Ok(Some(VersionFile {
        path: path.to_path_buf(),
        kind,
        request: Request::Module(Box::new(module)),
    }))
}

/// `go1.22.4`, or a custom build such as `go1.22.4-boring`: the release.
fn toolchain_version(name: &str) -> Result<Version, ParseVersionError> {
    let Some(rest) = name.strip_prefix("go") else {
        return Err(ParseVersionError {
            value: name.to_string(),
            reason: "a toolchain name starts with `go`, as in `go1.22.4`",
        });
    };
    let release = rest.split(['-', '+']).next().unwrap_or(rest);
    Version::parse(release)
}

fn invalid(path: &Path, line: usize, value: &str, source: ParseVersionError) -> VersionFileError {
    VersionFileError::Invalid {
        path: path.to_path_buf(),
        line,
        value: value.to_string(),
        source,
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_version_format() {
        assert_eq!(parse_go_version("1.22.4\n"), Some((1, "1.22.4")));
        assert_eq!(
            parse_go_version("\u{feff}# pinned\r\n\r\n  go1.21.5  \r\n"),
            Some((3, "go1.21.5"))
        );
        assert_eq!(parse_go_version("# only a comment\n\n"), None);
    }

    #[test]
    fn tool_versions_format() {
        let text = "nodejs 20.1.0\n# go 1.1\ngolang 1.22.4 1.21.0 # main\npython 3.12\n";
        assert_eq!(parse_tool_versions(text), Some((3, "1.22.4")));
        assert_eq!(parse_tool_versions("go 1.21.5"), Some((1, "1.21.5")));
        assert_eq!(parse_tool_versions("gopls 1.0\nrust 1.80"), None);
    }

    #[test]
    fn go_mod_directives() {
        let text = "module example.com/m // the module\n\ngo 1.22 // language\ntoolchain go1.22.4\n\nrequire (\n\tgolang.org/x/mod v0.1.0\n)\n";
        let d = parse_go_mod(text);
        assert_eq!(d.go, Some((3, "1.22")));
        assert_eq!(d.toolchain, Some((4, "go1.22.4")));
        assert_eq!(parse_go_mod("module m\n").go, None);
        // Inside a block nothing is a directive, whatever it looks like.
        let text = "module m\nrequire (\n\tgo 1.99\n\ttoolchain go1.99.0\n)\ngo 1.21 // min\n";
        let d = parse_go_mod(text);
        assert_eq!(d.go, Some((6, "1.21")));
        assert_eq!(d.toolchain, None);
    }

    #[test]
    fn rewrites_keep_everything_else() {
        let text = "\u{feff}# pinned for prod\r\ngo1.21.5\r\n";
        assert_eq!(
            rewrite(text, FileKind::GoVersion, "1.22.12").unwrap(),
            "\u{feff}# pinned for prod\r\ngo1.22.12\r\n"
        );
        let tools = "nodejs 20.1.0\ngolang 1.21.5 1.20.0 # main\npython 3.12\n";
        assert_eq!(
            rewrite(tools, FileKind::ToolVersions, "1.22.12").unwrap(),
            "nodejs 20.1.0\ngolang 1.22.12 1.20.0 # main\npython 3.12\n"
        );
        assert_eq!(
            rewrite("1.21\n", FileKind::GoVersion, "1.22").unwrap(),
            "1.22\n"
        );
        assert_eq!(rewrite("# nothing\n", FileKind::GoVersion, "1.22"), None);
    }

    #[test]
    fn toolchain_names() {
        assert_eq!(toolchain_version("go1.22.4").unwrap().to_string(), "1.22.4");
        assert_eq!(
            toolchain_version("go1.22.4-boring").unwrap().to_string(),
            "1.22.4"
        );
        assert!(toolchain_version("1.22.4").is_err());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn arb_release() -> impl Strategy<Value = String> {
            (1..2u64, 0..30u64, proptest::option::of(0..20u64)).prop_map(|(a, b, c)| match c {
                Some(c) => format!("{a}.{b}.{c}"),
                None => format!("{a}.{b}"),
            })
        }

        proptest! {
            #[test]
            fn prop_readers_never_panic(text in "(\\PC|[\r\n\t\u{feff}\u{0}/()]){0,200}") {
                let _ = parse_go_version(&text);
                let _ = parse_tool_versions(&text);
                let _ = parse_go_mod(&text);
            }

            #[test]
            fn prop_what_is_written_is_read(v in arb_release(), comment in "[a-z ]{0,10}", crlf in any::<bool>()) {
                let nl = if crlf { "\r\n" } else { "\n" };
                let version_file = format!("# {comment}{nl}{v}{nl}");
                prop_assert_eq!(parse_go_version(&version_file), Some((2, v.as_str())));
                let tools = format!("nodejs 20{nl}golang {v} # {comment}{nl}");
                prop_assert_eq!(parse_tool_versions(&tools), Some((2, v.as_str())));
                let go_mod = format!("module m // {comment}{nl}{nl}go {v} // {comment}{nl}require ({nl}\tgo 9.9{nl}){nl}toolchain go{v}{nl}");
                let d = parse_go_mod(&go_mod);
                prop_assert_eq!(d.go, Some((3, v.as_str())));
                let toolchain = format!("go{v}");
                prop_assert_eq!(d.toolchain, Some((7, toolchain.as_str())));
            }
        }
    }
}

#[cfg(test)]
mod module_tests {
    use super::*;

    /// Which module each directory is in, as a table: the tree, GOWORK, the
    /// directory asked about, then the nearest go.mod and the selecting file.
    #[test]
    fn find_module_answers_as_go_does() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let files = [
            ("w/go.work", "go 1.22\n\nuse ./m\n"),
            ("w/m/go.mod", "module m\n\ngo 1.21.3\n"),
            ("w/m/.go-version", "1.19.8\n"),
            ("w/bare/go.mod", "module bare\n"),
            ("solo/go.mod", "module solo\n\ngo 1.20\n"),
        ];
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(root.join("w/m/sub")).unwrap();
        let cases = [
            // A module in a workspace: the go.work selects.
            ("w/m/sub", None, Some("w/m/go.mod"), Some("w/go.work")),
            (
                "w/m/sub",
                Some("off"),
                Some("w/m/go.mod"),
                Some("w/m/go.mod"),
            ),
            (
                "w/m/sub",
                Some("auto"),
                Some("w/m/go.mod"),
                Some("w/go.work"),
            ),
            // The workspace's own directory is in no module.
            ("w", None, None, Some("w/go.work")),
            // A go.mod without a go line is the module, but selects nothing.
            ("w/bare", Some("off"), Some("w/bare/go.mod"), None),
            ("w/bare", None, Some("w/bare/go.mod"), Some("w/go.work")),
            ("solo", None, Some("solo/go.mod"), Some("solo/go.mod")),
            ("", None, None, None),
        ];
        for (dir, gowork, go_mod, selecting) in cases {
            let found = find_module(&root.join(dir), gowork.map(OsStr::new)).unwrap();
            let case = format!("{dir:?} with GOWORK={gowork:?}");
            assert_eq!(found.go_mod, go_mod.map(|p| root.join(p)), "{case}");
            assert_eq!(
                found.selecting.map(|f| f.path),
                selecting.map(|p| root.join(p)),
                "{case}"
            );
        }
        let named = root.join("w/go.work");
        let found = find_module(&root.join("solo"), Some(named.as_os_str())).unwrap();
        assert_eq!(found.dir(), Some(root.join("solo").as_path()));
        assert_eq!(found.selecting.map(|f| f.path), Some(named));
        let missing = root.join("none.work");
        assert!(matches!(
            find_module(&root.join("solo"), Some(missing.as_os_str())),
            Err(VersionFileError::MissingGoWork { .. })
        ));
    }
}
