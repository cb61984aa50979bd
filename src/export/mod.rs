//! `gov export`: ready snippets that pin the release a project selects —
//! a Dockerfile, a devcontainer, a GitHub or GitLab CI job. Each kind
//! renders from the same [`Pin`], which [`pin::pin`] works out from the
//! resolved selection, the index and the mirrors; rendering is pure text,
//! so every snippet is tested by parsing and running what it says.

pub mod ci;
pub mod devcontainer;
pub mod dockerfile;
pub mod pin;
#[cfg(test)]
mod props;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

pub use pin::ExportError;

use crate::index::File;
use crate::platform::Platform;
use crate::version::Version;
use crate::version_files;

/// The image gov's own release workflow publishes: the static binary at
/// `/gov` in an image with nothing else.
pub const GOV_IMAGE: &str = "ghcr.io/gov-sh/gov";
/// Where `get-gov.sh` and the binaries of this version of gov are published.
pub const RELEASES: &str = "https://github.com/gov-sh/gov/releases/download";

/// What every snippet pins.
#[derive(Debug, Clone)]
pub struct Pin {
    pub version: Version,
    /// Why this release: "set by /src/app/.go-version". Any text: each
    /// renderer escapes it into its comment line ([`comment`]).
    pub why: String,
    /// The platform asked for with `--os/--arch`; `None`: where it runs.
    pub platform: Option<Platform>,
    /// That platform, else the snippet's default (Linux on this machine's
    /// architecture; the hosted CI runners' linux/amd64).
    pub target: Platform,
    /// The release's archive for `target`, when the index was read: for
    /// the `ADD` form, or to resolve a release not installed here.
    pub archive: Option<Archive>,
    /// gov's variables to carry into the snippet: the mirrors in use
    /// (`GOV_INDEX_URL`, `GOV_DOWNLOAD_URL`) when they are not go.dev's.
    pub mirrors: Vec<(&'static str, String)>,
    /// Where the CI snippets' installer fetches gov (`GOV_RELEASE_URL`).
    pub release_url: String,
    /// The project has a `gov.lock` and the pin is its release: CI jobs
    /// install with `GOV_LOCKED=1`.
    pub locked: bool,
}

impl Pin {
    /// `go1.22.4-linux-amd64`: a prefix for cache keys.
    pub fn key(&self) -> String {
        format!("go{}-{}", self.version, self.target)
    }
}

/// An archive as the index lists it, and where it is downloaded from.
#[derive(Debug, Clone)]
pub struct Archive {
    pub file: File,
    pub url: String,
}

/// The Go module a Dockerfile builds: the nearest `go.mod` above the
/// current directory.
#[derive(Debug, Clone)]
pub struct Project {
    /// The module's root: the build context.
    pub dir: PathBuf,
    /// The `module` line's path.
    pub module: String,
    pub has_go_sum: bool,
}

impl Project {
    /// The module `cwd` is in; `None` outside any module.
    pub fn find(
        cwd: &Path,
        gowork: Option<&OsStr>,
    ) -> Result<Option<Project>, version_files::VersionFileError> {
        let Some(go_mod) = version_files::find_module(cwd, gowork)?.go_mod else {
            return Ok(None);
        };
        let Some(text) = version_files::read(&go_mod)? else {
            return Ok(None);
        };
        let dir = go_mod.parent().unwrap_or(cwd).to_path_buf();
        Ok(Some(Project {
            module: module_path(&text).unwrap_or_default(),
            has_go_sum: dir.join("go.sum").is_file(),
            dir,
        }))
    }

    /// The name `go build` gives the module's main package: the last
    /// element of the module path, without a `/vN` suffix; `app` when
    /// that is not a plain file name.
    pub fn binary_name(&self) -> String {
        binary_name(&self.module)
    }
}

/// The `module` directive of a go.mod (quoted or not, comments dropped).
pub fn module_path(go_mod: &str) -> Option<String> {
    go_mod.lines().find_map(|line| {
        let line = line.split("//").next().unwrap_or("").trim();
        let rest = line.strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let path = rest.trim().trim_matches(|c| c == '"' || c == '`');
        (!path.is_empty()).then(|| path.to_string())
    })
}

/// The executable name for a module or package path.
pub fn binary_name(path: &str) -> String {
    let mut parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let last = parts.pop().unwrap_or("");
    let is_major = |p: &str| {
        p.strip_prefix('v').is_some_and(|n| {
            !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n != "0" && n != "1"
        })
    };
    let name = match parts.last() {
        Some(prev) if is_major(last) => *prev,
        _ => last,
    };
    let plain = !name.is_empty()
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if plain {
        name.to_string()
    } else {
        "app".to_string()
    }
}

/// Can `value` (an image, a package, a platform) go into a snippet as it
/// is, even into a shell command? Only letters, digits and `._/:@+=,%~-`:
/// nothing a Dockerfile, YAML or a shell reads as syntax.
pub fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/:@+=,%~-".contains(&b))
        && !value.starts_with('-')
}

/// The same for a URL, which may also hold a query (`?`, `&`); URLs go
/// only into `ENV` and `ADD` lines and quoted YAML, never into a shell.
pub fn is_plain_url(value: &str) -> bool {
    let rest: String = value.chars().filter(|c| !"?&".contains(*c)).collect();
    is_plain(&rest)
}

/// `text` for a comment line of any snippet: every character that ends a
/// line for some reader (LF, CR, VT, FF, NEL, the line and paragraph
/// separators a YAML 1.1 parser breaks at) or that a terminal acts on is
/// written as a visible escape, so that nothing after it leaves the comment.
fn comment(text: &str) -> std::borrow::Cow<'_, str> {
    crate::ui::escape(text)
}

/// A string as YAML reads it back exactly: a JSON string is a YAML
/// double-quoted scalar, with no raw line break of any kind in it.
fn yaml_str(value: &str) -> String {
    json_escape_all(serde_json::to_string(value).expect("a string serializes"))
}

/// `json` (a JSON text serde_json wrote) with the characters it leaves raw
/// in strings and that some reader takes for a line break or cannot read
/// (DEL, the C1 controls with NEL, LS, PS, the BOM, U+FFFE and U+FFFF)
/// written as `\uXXXX`, which JSON and YAML's double-quoted scalars both
/// read back as the character. Outside strings JSON holds only ASCII, so
/// every such character is inside one.
fn json_escape_all(json: String) -> String {
    // serde_json escapes the C0 controls itself: a raw one is layout.
    let raw = |c: char| {
        matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
    };
    if !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            // All are in the Basic Multilingual Plane: four hex digits.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_paths_and_binary_names() {
        assert_eq!(
            module_path("// x\nmodule example.com/hello // the app\n\ngo 1.22\n").as_deref(),
            Some("example.com/hello")
        );
        assert_eq!(
            module_path("module \"example.com/q\"\n").as_deref(),
            Some("example.com/q")
        );
        assert_eq!(module_path("modules x\n"), None);
        assert_eq!(binary_name("example.com/hello"), "hello");
        assert_eq!(binary_name("github.com/a/tool/v2"), "tool");
        assert_eq!(binary_name("github.com/a/v1"), "v1");
        assert_eq!(binary_name("./cmd/server"), "server");
        assert_eq!(binary_name("."), "app");
        assert_eq!(binary_name("x/$(reboot)"), "app");
        assert_eq!(binary_name(""), "app");
    }

    #[test]
    fn plain_values_only() {
        let index = "https://mirror.example/go/index.json?mode=json&include=all";
        assert!(is_plain_url(index));
        assert!(!is_plain(index));
        assert!(is_plain("buildpack-deps:bookworm-scm"));
        assert!(is_plain("./cmd/server"));
        for bad in [
            "", "a b", "a\"b", "$(x)", "a`b`", "a\\b", "a\nb", "a#b", "${{ x }}", "./x;id", "*img",
            "!!binary", "a|b", "a&b", "a>b", "-rf",
        ] {
            assert!(!is_plain(bad), "{bad:?}");
        }
        assert!(!is_plain_url("https://x.example/a b"));
    }
}
