//! Go's own channel for toolchains: the module `golang.org/toolchain` on
//! the proxies `GOPROXY` names, read with Go's list syntax.
//!
//! A release `1.22.12` for `linux-amd64` is the module version
//! `v0.0.1-go1.22.12.linux-amd64`; `@v/list` lists them all, for every
//! platform. The list syntax is Go's (`cmd/go/internal/modfetch`):
//!
//! * entries are separated by `,` or `|`; after `,` the next entry is
//!   tried only when this one answered 404 or 410 (not found), after `|`
//!   on any error;
//! * `direct` and `off` end the list (what follows them is ignored);
//!   `off` refuses every download; `direct` would fetch from version
//!   control, which holds no toolchains: Go finds none there;
//! * an entry without a scheme that looks like a host (`proxy.example`,
//!   `host:8080`) gets `https://`; `http://`, `https://` and `file://`
//!   URLs are taken; anything else is refused;
//! * GOPROXY unset or empty means Go's default,
//!   `https://proxy.golang.org,direct`.
//!
//! Which error a failed walk reports follows Go too: what `direct` said,
//! else a proxy's error other than "not found", else "not found".

use std::fmt;

use url::Url;

use crate::download::DownloadError;
use crate::platform::Platform;
use crate::version::Version;

/// The module that holds Go's toolchains.
pub const TOOLCHAIN_MODULE: &str = "golang.org/toolchain";

/// Go's `GOPROXY` when it is unset or empty.
pub const DEFAULT_GOPROXY: &str = "https://proxy.golang.org,direct";

/// Every toolchain module version starts with this: the packaging version
/// `v0.0.1`, then the Go release.
const VERSION_PREFIX: &str = "v0.0.1-go";

/// The first series published as toolchain modules: Go 1.21 introduced
/// toolchain switching.
const FIRST_SERIES: (u64, u64) = (1, 21);

#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("GOPROXY is `{value}`: a list without a single entry")]
    NoEntries { value: String },
    #[error("GOPROXY is `{value}`: `{entry}` is not a proxy: {reason}")]
    BadEntry {
        value: String,
        entry: String,
        reason: String,
    },
    #[error(
        "go{version} has no toolchain module: {TOOLCHAIN_MODULE} holds releases from Go 1.21 on"
    )]
    TooOld { version: String },
    #[error("go{version} is a language version, not a release: {TOOLCHAIN_MODULE} holds releases such as go{version}.0")]
    LanguageVersion { version: String },
    #[error("`{url}` is not the `.info` of {module_version}: {reason}")]
    BadInfo {
        url: String,
        module_version: String,
        reason: String,
    },
    #[error("cannot fetch `{what}` through GOPROXY=`{goproxy}`: {}", list(tried))]
    Failed {
        /// What was asked for: a module path with its `@v/…` file.
        what: String,
        goproxy: String,
        tried: Vec<Attempt>,
    },
    #[error(
        "cannot reach the checksum database `{name}` through GOPROXY=`{goproxy}`: {}",
        list(tried)
    )]
    Sumdb {
        name: String,
        goproxy: String,
        tried: Vec<Attempt>,
    },
}

impl ProxyError {
    /// Every proxy said it does not have it (404, 410, `direct`, `off`),
    /// judged as Go judges a walk: by its most telling error.
    pub fn is_not_found(&self) -> bool {
        match self {
            ProxyError::Failed { tried, .. } | ProxyError::Sumdb { tried, .. } => {
                best(tried).is_some_and(|a| a.failure.is_not_found())
            }
            _ => false,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            ProxyError::NoEntries { .. } | ProxyError::BadEntry { .. } => Some(format!(
                "set GOPROXY to a list of proxies such as `{DEFAULT_GOPROXY}`, or unset it for that default"
            )),
            ProxyError::TooOld { version } => Some(format!(
                "install it from go.dev instead: `GOV_SOURCE=dl gov install {version}`"
            )),
            ProxyError::LanguageVersion { version } => Some(format!(
                "name a release: `gov install {version}.0`, or see them with `GOV_SOURCE=proxy gov list-remote`"
            )),
            ProxyError::Failed { tried, .. } => {
                let last = tried.last().map(|a| &a.failure);
                if matches!(last, Some(Failure::Off)) && tried.len() == 1 {
                    Some(format!(
                        "unset GOPROXY to use `{DEFAULT_GOPROXY}`, or install from go.dev with GOV_SOURCE=dl"
                    ))
                } else if self.is_not_found() {
                    Some(
                        "see what the proxies have with `GOV_SOURCE=proxy gov list-remote`, or install from go.dev with GOV_SOURCE=dl"
                            .into(),
                    )
                } else {
                    Some(
                        "check the network and GOPROXY (a `|` after a proxy tries the next one on any error), or install from go.dev with GOV_SOURCE=dl"
                            .into(),
                    )
                }
            }
            ProxyError::BadInfo { .. } => Some(
                "check that GOPROXY names a Go module proxy, or install from go.dev with GOV_SOURCE=dl"
                    .into(),
            ),
            ProxyError::Sumdb { name, .. } => Some(format!(
                "check the network and GOPROXY, or name the database's own URL: `GOSUMDB=\"{name} https://{name}\"` (with its key when it is not sum.golang.org)"
            )),
        }
    }
}

/// One entry of the walk that did not bring what was asked.
#[derive(Debug)]
pub struct Attempt {
    /// The proxy's URL, or `direct` or `off`.
    pub proxy: String,
    pub failure: Failure,
}

#[derive(Debug)]
pub enum Failure {
    Download(DownloadError),
    /// `direct`: no version control repository holds toolchains.
    Direct,
    /// `off`: downloads disabled.
    Off,
}

impl Failure {
    /// Go treats `direct` and `off` for toolchains as "not found".
    pub fn is_not_found(&self) -> bool {
        match self {
            Failure::Download(e) => e.is_not_found(),
            Failure::Direct | Failure::Off => true,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Download(e) => {
                write!(f, "{e}")?;
                let mut cause = std::error::Error::source(e);
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            Failure::Direct => write!(
                f,
                "{TOOLCHAIN_MODULE} is served only by module proxies, not from version control"
            ),
            Failure::Off => write!(f, "module downloads disabled by GOPROXY=off"),
        }
    }
}

fn list(tried: &[Attempt]) -> String {
    let parts: Vec<String> = tried
        .iter()
        .map(|a| format!("{}: {}", a.proxy, a.failure))
        .collect();
    parts.join("; ")
}

/// The attempt whose error Go would report: the last from `direct`, else
/// the first from a proxy that is not "not found", else the first.
fn best(tried: &[Attempt]) -> Option<&Attempt> {
    tried
        .iter()
        .rev()
        .find(|a| matches!(a.failure, Failure::Direct))
        .or_else(|| tried.iter().find(|a| !a.failure.is_not_found()))
        .or_else(|| tried.first())
}

/// The module version of `version` for `platform`:
/// `v0.0.1-go1.22.12.linux-amd64`, `v0.0.1-go1.23rc1.darwin-arm64`.
/// Releases before Go 1.21 and language versions (`1.22`) have none.
pub fn module_version(version: &Version, platform: &Platform) -> Result<String, ProxyError> {
    if version.series() < FIRST_SERIES {
        return Err(ProxyError::TooOld {
            version: version.to_string(),
        });
    }
    if version.is_language_version() {
        return Err(ProxyError::LanguageVersion {
            version: version.to_string(),
        });
    }
    Ok(format!(
        "{VERSION_PREFIX}{version}.{}-{}",
        platform.os, platform.arch
    ))
}

/// The release a module version holds, when it is one for `platform`:
/// `None` for other platforms, language versions and anything malformed.
pub fn release_of(module_version: &str, platform: &Platform) -> Option<Version> {
    let suffix = format!(".{}-{}", platform.os, platform.arch);
    let go = module_version
        .strip_prefix(VERSION_PREFIX)?
        .strip_suffix(&suffix)?;
    let version = Version::parse(go).ok()?;
    // Only the exact spelling this module would have: no second `go`, no
    // releases from before the module existed.
    let again = self::module_version(&version, platform).ok()?;
    (again == module_version).then_some(version)
}

/// The releases for `platform` in an `@v/list` body (one module version
/// per line, maybe followed by a time), oldest first, each once. Lines
/// that are not a toolchain for `platform` are skipped.
pub fn parse_list(body: &str, platform: &Platform) -> Vec<Version> {
    let mut versions: Vec<Version> = body
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter_map(|field| release_of(field, platform))
        .collect();
    versions.sort();
    // Equal releases are spelt alike here: only one spelling round-trips.
    versions.dedup();
    versions
}

/// What a proxy's `@v/<version>.info` says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Info {
    #[serde(rename = "Version")]
    pub version: String,
    /// RFC 3339, as the proxy gives it.
    #[serde(rename = "Time", default)]
    pub time: Option<String>,
}

/// Reads the `.info` of `module_version` fetched from `url`: JSON naming
/// that very version, as Go requires of a proxy.
pub fn parse_info(body: &[u8], url: &str, module_version: &str) -> Result<Info, ProxyError> {
    let bad = |reason: String| ProxyError::BadInfo {
        url: url.to_string(),
        module_version: module_version.to_string(),
        reason,
    };
    let info: Info = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    if info.version != module_version {
        return Err(bad(format!("it is for version `{}`", info.version)));
    }
    Ok(info)
}

/// A module path or version as Go escapes it for proxies and the module
/// cache: each upper-case letter becomes `!` and its lower case.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The path of a toolchain module's versions list, under a proxy.
pub fn list_path() -> String {
    format!("{}/@v/list", escape(TOOLCHAIN_MODULE))
}

/// The path of `module_version`'s file `ext` (`info`, `mod`, `zip`),
/// under a proxy.
pub fn file_path(module_version: &str, ext: &str) -> String {
    format!(
        "{}/@v/{}.{ext}",
        escape(TOOLCHAIN_MODULE),
        escape(module_version)
    )
}

/// `path` (slash-separated, unescaped segments) under the proxy `base`;
/// a query in `base` stays its query.
pub fn proxy_url(base: &str, path: &str) -> String {
    match Url::parse(base) {
        Ok(mut url) => {
            if let Ok(mut segments) = url.path_segments_mut() {
                segments.pop_if_empty().extend(path.split('/'));
            }
            url.into()
        }
        // Checked when the list was parsed; kept simple if not.
        Err(_) => format!("{}/{path}", base.trim_end_matches('/')),
    }
}

/// One entry of GOPROXY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An `http://`, `https://` or `file://` URL.
    Proxy(String),
    Direct,
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Spec {
    entry: Entry,
    /// Written before `|`: the next entry is tried after any error, not
    /// only after "not found".
    fall_back_on_error: bool,
}

/// GOPROXY, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyList {
    /// The value as given, the default when it was unset or empty.
    value: String,
    specs: Vec<Spec>,
}

impl ProxyList {
    /// Reads GOPROXY's value (empty, as when unset: Go's default).
    pub fn parse(goproxy: &str) -> Result<ProxyList, ProxyError> {
        let value = match goproxy {
            "" => DEFAULT_GOPROXY,
            v => v,
        };
        let mut specs = Vec::new();
        let mut rest = value;
        while !rest.is_empty() {
            let (entry, fall_back_on_error) = match rest.find([',', '|']) {
                Some(i) => {
                    let sep = rest.as_bytes()[i];
                    let entry = &rest[..i];
                    rest = &rest[i + 1..];
                    (entry, sep == b'|')
                }
                None => {
                    let entry = rest;
                    rest = "";
                    (entry, false)
                }
            };
            let entry = entry.trim();
            match entry {
                "" => continue,
                "off" | "direct" => {
                    specs.push(Spec {
                        entry: if entry == "off" {
                            Entry::Off
                        } else {
                            Entry::Direct
                        },
                        fall_back_on_error,
                    });
                    // The end of the line, in Go as here.
                    break;
                }
                _ => specs.push(Spec {
                    entry: Entry::Proxy(proxy_entry(value, entry)?),
                    fall_back_on_error,
                }),
            }
        }
        if specs.is_empty() {
            return Err(ProxyError::NoEntries {
                value: value.to_string(),
            });
        }
        Ok(ProxyList {
            value: value.to_string(),
            specs,
        })
    }

    /// The value read (Go's default when GOPROXY was unset or empty).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The entries in order, up to the first `direct` or `off`.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.specs.iter().map(|s| &s.entry)
    }

    /// GOPROXY is one `file://` URL and nothing else: the one case where
    /// Go lets toolchains go unchecked with `GOSUMDB=off` (testing a
    /// distribution it built). Go's own test, on the text itself.
    pub fn is_single_file_url(&self) -> bool {
        self.value.starts_with("file://") && !self.value.contains([',', '|'])
    }

    /// Fetches `path` (under each proxy, e.g. [`list_path`]) from the
    /// proxies in turn: `attempt` gets the full URL and does the transfer
    /// (retries included). After a proxy written before `,` only a "not
    /// found" (404, 410) moves on; after `|` any error does.
    ///
    /// What is refused for good rather than failed (a hostile zip) is
    /// returned as a value, `T = Result<_, Refusal>`, as
    /// [`crate::download::Fetcher::fetch_verified`] does: it ends the walk.
    pub fn fetch<T>(
        &self,
        path: &str,
        mut attempt: impl FnMut(&str) -> Result<T, DownloadError>,
    ) -> Result<T, ProxyError> {
        let mut tried = Vec::new();
        for spec in &self.specs {
            let failure = match &spec.entry {
                Entry::Proxy(base) => match attempt(&proxy_url(base, path)) {
                    Ok(value) => return Ok(value),
                    Err(e) => Failure::Download(e),
                },
                Entry::Direct => Failure::Direct,
                Entry::Off => Failure::Off,
            };
            let go_on = spec.fall_back_on_error || failure.is_not_found();
            tried.push(Attempt {
                proxy: spec.name(),
                failure,
            });
            if !go_on {
                break;
            }
        }
        Err(ProxyError::Failed {
            what: path.to_string(),
            goproxy: self.value.clone(),
            tried,
        })
    }

    /// Where to read the checksum database `name` (`sum.golang.org`), as
    /// Go decides it: each proxy in turn is asked for
    /// `<proxy>/sumdb/<name>/supported`; the first that answers serves
    /// the database at `<proxy>/sumdb/<name>`. A "not found" (or any error
    /// after `|`) moves on. Reaching `direct` means the database's own
    /// URL, `direct_url`; so do `off` and the end of the list when every
    /// proxy said "not found". Otherwise the proxies' error is reported
    /// (one after `,`, or one passed by `|` that the list never made up
    /// for), as Go reports it.
    ///
    /// Once a proxy serves the database, every request goes there: when
    /// one of them fails, Go does not fall back to the database's own
    /// URL, and neither should the caller. When GOSUMDB names a URL
    /// (`name+key URL`), Go asks no proxy: do not call this.
    pub fn sumdb_base(
        &self,
        name: &str,
        direct_url: &str,
        mut get: impl FnMut(&str) -> Result<(), DownloadError>,
    ) -> Result<String, ProxyError> {
        let supported = format!("sumdb/{name}/supported");
        let mut tried = Vec::new();
        for spec in &self.specs {
            let failure = match &spec.entry {
                Entry::Proxy(base) => match get(&proxy_url(base, &supported)) {
                    Ok(()) => return Ok(proxy_url(base, &format!("sumdb/{name}"))),
                    Err(e) => Failure::Download(e),
                },
                // What `direct` says outranks every proxy's error in Go's
                // walk, and here it says "go directly".
                Entry::Direct => return Ok(direct_url.to_string()),
                // `off` only ends the list: a proxy's error before it
                // (after `|`) is still the one Go reports.
                Entry::Off => Failure::Off,
            };
            let go_on = spec.fall_back_on_error || failure.is_not_found();
            tried.push(Attempt {
                proxy: spec.name(),
                failure,
            });
            if !go_on {
                break;
            }
        }
        let err = ProxyError::Sumdb {
            name: name.to_string(),
            goproxy: self.value.clone(),
            tried,
        };
        if err.is_not_found() {
            Ok(direct_url.to_string())
        } else {
            Err(err)
        }
    }
}

impl Spec {
    fn name(&self) -> String {
        match &self.entry {
            Entry::Proxy(url) => url.clone(),
            Entry::Direct => "direct".into(),
            Entry::Off => "off".into(),
        }
    }
}

/// The URL of the GOPROXY entry `entry` (trimmed, not `direct` or `off`),
/// as Go takes it.
fn proxy_entry(value: &str, entry: &str) -> Result<String, ProxyError> {
    let bad = |reason: &str| ProxyError::BadEntry {
        value: value.to_string(),
        entry: entry.to_string(),
        reason: reason.to_string(),
    };
    // Single words are kept for Go's own keywords; what has `:/` or is an
    // absolute path must be a whole URL; the rest is a host for https.
    let url = if entry.contains(['.', ':', '/'])
        && !entry.contains(":/")
        && !std::path::Path::new(entry).is_absolute()
        && !entry.starts_with('/')
    {
        format!("https://{entry}")
    } else {
        entry.to_string()
    };
    if entry.chars().any(char::is_control) {
        return Err(bad("it holds control characters"));
    }
    let parsed = match Url::parse(&url) {
        Ok(parsed) => parsed,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return Err(bad("a URL needs a scheme (https://, http:// or file://)"))
        }
        Err(e) => return Err(bad(&e.to_string())),
    };
    match parsed.scheme() {
        "http" | "https" => {
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(bad("the URL has no host"));
            }
        }
        "file" => {
            if parsed.host_str().is_some_and(|h| !h.is_empty())
                || !parsed.username().is_empty()
                || parsed.password().is_some()
                || parsed.query().is_some()
                || parsed.fragment().is_some()
            {
                return Err(bad("a file:// URL takes a path and nothing else"));
            }
        }
        _ => return Err(bad("the scheme must be https, http or file")),
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn linux() -> Platform {
        Platform {
            os: "linux".into(),
            arch: "amd64".into(),
        }
    }

    #[test]
    fn module_versions_of_releases() {
        let darwin = Platform {
            os: "darwin".into(),
            arch: "arm64".into(),
        };
        for (release, platform, module) in [
            ("1.22.12", linux(), "v0.0.1-go1.22.12.linux-amd64"),
            ("1.21.0", linux(), "v0.0.1-go1.21.0.linux-amd64"),
            ("1.22rc1", linux(), "v0.0.1-go1.22rc1.linux-amd64"),
            ("1.21rc2", darwin.clone(), "v0.0.1-go1.21rc2.darwin-arm64"),
            ("1.23.0", darwin.clone(), "v0.0.1-go1.23.0.darwin-arm64"),
            ("go1.25.3", darwin, "v0.0.1-go1.25.3.darwin-arm64"),
        ] {
            assert_eq!(
                module_version(&v(release), &platform).unwrap(),
                module,
                "{release}"
            );
            assert_eq!(
                release_of(module, &platform).map(|r| r.to_string()),
                Some(release.trim_start_matches("go").to_string()),
                "{module}"
            );
        }
    }

    #[test]
    fn no_modules_before_go_1_21_nor_for_language_versions() {
        for old in ["1.20.14", "1.20", "1.19rc1", "1", "1.4.3"] {
            let err = module_version(&v(old), &linux()).unwrap_err();
            assert!(matches!(err, ProxyError::TooOld { .. }), "{old}");
        }
        let err = module_version(&v("1.22"), &linux()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "go1.22 is a language version, not a release: golang.org/toolchain holds releases such as go1.22.0"
        );
        assert_eq!(
            module_version(&v("1.20.14"), &linux())
                .unwrap_err()
                .to_string(),
            "go1.20.14 has no toolchain module: golang.org/toolchain holds releases from Go 1.21 on"
        );
    }

    #[test]
    fn module_versions_that_are_not_releases_for_the_platform() {
        for other in [
            "v0.0.1-go1.22.12.linux-arm64",
            "v0.0.1-go1.22.12.darwin-amd64",
            "v0.0.1-go1.22.12.linux-amd64p32",
            "v0.0.1-go1.22.12.xlinux-amd64",
            "v0.0.1-go1.22.linux-amd64",
            "v0.0.1-go1.20.14.linux-amd64",
            "v0.0.1-gogo1.22.12.linux-amd64",
            "v0.0.2-go1.22.12.linux-amd64",
            "v0.0.1-go1.22.012.linux-amd64",
            "v0.0.1-go1.22.12.linux-amd64.zip",
            "v0.0.1-go1.22.12-linux-amd64",
            "v0.0.1-go.linux-amd64",
            "v0.0.1-go1.22.12.linux-amd64 ",
            "v0.0.1-go1.22.12",
            "v0.0.1-go",
            "",
            "1.22.12",
            "go1.22.12",
        ] {
            assert_eq!(release_of(other, &linux()), None, "{other:?}");
        }
    }

    #[test]
    fn lists_as_proxies_send_them() {
        let body = "v0.0.1-go1.22.1.linux-amd64\n\
                    v0.0.1-go1.21.0.linux-amd64 2023-08-08T15:12:00Z\n\
                    v0.0.1-go1.22.1.darwin-arm64\n\
                    \n\
                    garbage line here\n\
                    v0.0.1-go1.22rc1.linux-amd64\r\n\
                    v0.0.1-go1.22.1.linux-amd64\n\
                    v0.0.1-go1.22.linux-amd64\n\
                    <html>not a list</html>\n\
                    v0.0.1-go1.21.10.linux-amd64";
        let got: Vec<String> = parse_list(body, &linux())
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(got, ["1.21.0", "1.21.10", "1.22rc1", "1.22.1"]);
        assert!(parse_list("", &linux()).is_empty());
        assert!(parse_list("\u{0}\u{ffff}\n\n", &linux()).is_empty());
    }

    #[test]
    fn paths_under_a_proxy() {
        assert_eq!(list_path(), "golang.org/toolchain/@v/list");
        assert_eq!(
            file_path("v0.0.1-go1.22.12.linux-amd64", "zip"),
            "golang.org/toolchain/@v/v0.0.1-go1.22.12.linux-amd64.zip"
        );
        assert_eq!(escape("github.com/Azure/X"), "github.com/!azure/!x");
        for (base, url) in [
            (
                "https://proxy.golang.org",
                "https://proxy.golang.org/golang.org/toolchain/@v/list",
            ),
            (
                "https://goproxy.example/base/",
                "https://goproxy.example/base/golang.org/toolchain/@v/list",
            ),
            (
                "file:///srv/goproxy",
                "file:///srv/goproxy/golang.org/toolchain/@v/list",
            ),
            (
                "http://127.0.0.1:8080/",
                "http://127.0.0.1:8080/golang.org/toolchain/@v/list",
            ),
        ] {
            assert_eq!(proxy_url(base, &list_path()), url);
        }
    }

    #[test]
    fn info_files() {
        let mv = "v0.0.1-go1.22.12.linux-amd64";
        let info = parse_info(
            br#"{"Version":"v0.0.1-go1.22.12.linux-amd64","Time":"2025-03-04T17:00:00Z"}"#,
            "u",
            mv,
        )
        .unwrap();
        assert_eq!(info.time.as_deref(), Some("2025-03-04T17:00:00Z"));
        assert!(parse_info(br#"{"Version":"v0.0.1-go1.22.12.linux-amd64"}"#, "u", mv).is_ok());
        for bad in [
            &br#"{"Version":"v0.0.1-go1.22.11.linux-amd64"}"#[..],
            b"{}",
            b"<html>",
            b"",
        ] {
            let err = parse_info(bad, "u", mv).unwrap_err();
            assert!(err
                .to_string()
                .starts_with("`u` is not the `.info` of v0.0.1-go1.22.12"));
        }
    }

    /// The entries of a list, written back as Go's names and separators.
    fn shape(goproxy: Option<&str>) -> Result<Vec<(String, bool)>, String> {
        ProxyList::parse(goproxy.unwrap_or_default())
            .map(|list| {
                list.specs
                    .iter()
                    .map(|s| (s.name(), s.fall_back_on_error))
                    .collect()
            })
            .map_err(|e| e.to_string())
    }

    fn entries(list: &[(&str, bool)]) -> Result<Vec<(String, bool)>, String> {
        Ok(list.iter().map(|(n, f)| (n.to_string(), *f)).collect())
    }

    #[test]
    fn goproxy_values() {
        let default = entries(&[("https://proxy.golang.org", false), ("direct", false)]);
        assert_eq!(shape(None), default);
        assert_eq!(shape(Some("")), default);
        assert_eq!(
            shape(Some("https://a,https://b|https://c,direct")),
            entries(&[
                ("https://a", false),
                ("https://b", true),
                ("https://c", false),
                ("direct", false),
            ])
        );
        assert_eq!(shape(Some("off")), entries(&[("off", false)]));
        assert_eq!(
            shape(Some("noscheme.example")),
            entries(&[("https://noscheme.example", false)])
        );
        assert_eq!(
            shape(Some("localhost:3000|direct")),
            entries(&[("https://localhost:3000", true), ("direct", false)])
        );
        assert_eq!(
            shape(Some(" https://a , ,https://b,")),
            entries(&[("https://a", false), ("https://b", false)])
        );
        assert_eq!(
            shape(Some("direct,https://ignored")),
            entries(&[("direct", false)])
        );
        assert_eq!(
            shape(Some("https://a,off,https://ignored")),
            entries(&[("https://a", false), ("off", false)])
        );
        assert_eq!(
            shape(Some("file:///srv/goproxy")),
            entries(&[("file:///srv/goproxy", false)])
        );
        assert_eq!(
            shape(Some("http://127.0.0.1:8080/p/")),
            entries(&[("http://127.0.0.1:8080/p/", false)])
        );
        assert_eq!(
            shape(Some(",")),
            Err("GOPROXY is `,`: a list without a single entry".into())
        );
        assert_eq!(
            shape(Some(" ")),
            Err("GOPROXY is ` `: a list without a single entry".into())
        );
        for (bad, reason) in [
            ("proxy", "a URL needs a scheme"),
            ("/srv/goproxy", "a URL needs a scheme"),
            (
                "ftp://proxy.example",
                "the scheme must be https, http or file",
            ),
            ("https://", "empty host"),
            (
                "file://host/srv",
                "a file:// URL takes a path and nothing else",
            ),
            (
                "file:///srv?x=1",
                "a file:// URL takes a path and nothing else",
            ),
            ("https://a,auto", "a URL needs a scheme"),
        ] {
            let err = shape(Some(bad)).unwrap_err();
            assert!(err.contains(reason), "{bad:?}: {err}");
            assert!(err.starts_with(&format!("GOPROXY is `{bad}`")), "{err}");
        }
    }

    #[test]
    fn a_single_file_url() {
        let single = |v| ProxyList::parse(v).unwrap().is_single_file_url();
        assert!(single("file:///srv/goproxy"));
        assert!(!single("file:///srv/goproxy,off"));
        assert!(!single("file:///srv/goproxy|direct"));
        assert!(!single("file:///a,file:///b"));
        assert!(!single("https://proxy.golang.org"));
        assert!(!single(" file:///srv/goproxy"));
        assert!(!ProxyList::parse("").unwrap().is_single_file_url());
    }

    /// How a simulated proxy answers.
    #[derive(Clone, Copy, Debug)]
    enum Answer {
        Ok,
        Status(u16),
        Refused,
    }

    fn error_for(url: &str, answer: Answer) -> DownloadError {
        match answer {
            Answer::Ok => unreachable!(),
            Answer::Status(status) => DownloadError::Status {
                url: url.into(),
                status,
            },
            Answer::Refused => DownloadError::Read {
                url: url.into(),
                source: std::io::ErrorKind::ConnectionRefused.into(),
            },
        }
    }

    /// Walks `goproxy` with proxies answering `answers` in turn (keyed by
    /// host): which hosts were asked, and what came of it.
    fn walk(
        goproxy: &str,
        answers: &[(&str, Answer)],
    ) -> (Vec<String>, Result<String, ProxyError>) {
        let list = ProxyList::parse(goproxy).unwrap();
        let mut asked = Vec::new();
        let result = list.fetch(&list_path(), |url| {
            let host = Url::parse(url).unwrap().host_str().unwrap().to_string();
            asked.push(host.clone());
            let answer = answers
                .iter()
                .find(|(h, _)| *h == host)
                .map_or(Answer::Status(404), |(_, a)| *a);
            match answer {
                Answer::Ok => Ok(host),
                other => Err(error_for(url, other)),
            }
        });
        (asked, result)
    }

    #[test]
    fn the_walk_falls_through_as_go_does() {
        use Answer::*;
        let list = "https://a,https://b|https://c,direct";
        // (answers, hosts asked, who served it or whether "not found")
        type Case<'a> = (
            &'a [(&'a str, Answer)],
            &'a [&'a str],
            Result<&'a str, bool>,
        );
        let cases: &[Case] = &[
            (&[("a", Ok)], &["a"], Result::Ok("a")),
            (
                &[("a", Status(404)), ("b", Ok)],
                &["a", "b"],
                Result::Ok("b"),
            ),
            (
                &[("a", Status(410)), ("b", Ok)],
                &["a", "b"],
                Result::Ok("b"),
            ),
            // After `,` an error other than "not found" is final.
            (&[("a", Status(500)), ("b", Ok)], &["a"], Err(false)),
            (&[("a", Refused), ("b", Ok)], &["a"], Err(false)),
            (&[("a", Status(403)), ("b", Ok)], &["a"], Err(false)),
            // After `|` any error moves on.
            (
                &[("a", Status(404)), ("b", Status(500)), ("c", Ok)],
                &["a", "b", "c"],
                Result::Ok("c"),
            ),
            (
                &[("a", Status(404)), ("b", Refused), ("c", Ok)],
                &["a", "b", "c"],
                Result::Ok("c"),
            ),
            // `c` is followed by `,`: its 500 ends the walk.
            (
                &[("a", Status(404)), ("b", Status(404)), ("c", Status(500))],
                &["a", "b", "c"],
                Err(false),
            ),
            // All "not found", then `direct`, which has no toolchains.
            (
                &[("a", Status(404)), ("b", Status(404)), ("c", Status(410))],
                &["a", "b", "c"],
                Err(true),
            ),
        ];
        for (answers, asked_want, want) in cases {
            let (asked, got) = walk(list, answers);
            assert_eq!(asked, *asked_want, "{answers:?}");
            match (got, want) {
                (Result::Ok(host), Result::Ok(w)) => assert_eq!(host, *w),
                (Err(e), Err(not_found)) => {
                    assert_eq!(e.is_not_found(), *not_found, "{answers:?}: {e}")
                }
                (got, want) => panic!("{answers:?}: {got:?} vs {want:?}"),
            }
        }
    }

    #[test]
    fn a_failed_walk_names_every_proxy_tried() {
        let (_, got) = walk(
            "https://a|https://b,direct",
            &[("a", Answer::Refused), ("b", Answer::Status(404))],
        );
        let err = got.unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot fetch `golang.org/toolchain/@v/list` through GOPROXY=`https://a|https://b,direct`: \
             https://a: cannot read `https://a/golang.org/toolchain/@v/list`: connection refused; \
             https://b: `https://b/golang.org/toolchain/@v/list` answered HTTP 404; \
             direct: golang.org/toolchain is served only by module proxies, not from version control"
        );
        // Go reports what `direct` said: not found.
        assert!(err.is_not_found());
        assert!(err.hint().unwrap().contains("gov list-remote"));
    }

    #[test]
    fn off_and_direct_fetch_nothing() {
        let (asked, got) = walk("off", &[]);
        assert!(asked.is_empty());
        let err = got.unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot fetch `golang.org/toolchain/@v/list` through GOPROXY=`off`: off: module downloads disabled by GOPROXY=off"
        );
        assert!(err.hint().unwrap().contains("unset GOPROXY"));
        let (asked, got) = walk("direct", &[]);
        assert!(asked.is_empty());
        assert!(got.unwrap_err().is_not_found());
        // A proxy's failure is reported, then `off` ends the walk.
        let (asked, got) = walk("https://a|off", &[("a", Answer::Status(502))]);
        assert_eq!(asked, ["a"]);
        let err = got.unwrap_err();
        assert!(!err.is_not_found(), "{err}");
    }

    /// `sumdb_base` with proxies answering `answers` (by host; others 404).
    fn sumdb(
        goproxy: &str,
        answers: &[(&str, Answer)],
    ) -> (Vec<String>, Result<String, ProxyError>) {
        let list = ProxyList::parse(goproxy).unwrap();
        let mut asked = Vec::new();
        let result = list.sumdb_base("sum.golang.org", "https://sum.golang.org", |url| {
            assert!(url.ends_with("/sumdb/sum.golang.org/supported"), "{url}");
            let host = Url::parse(url).unwrap().host_str().unwrap().to_string();
            asked.push(host.clone());
            match answers
                .iter()
                .find(|(h, _)| *h == host)
                .map_or(Answer::Status(404), |(_, a)| *a)
            {
                Answer::Ok => Ok(()),
                other => Err(error_for(url, other)),
            }
        });
        (asked, result)
    }

    #[test]
    fn the_checksum_database_through_proxies_as_go_decides() {
        use Answer::*;
        let direct = "https://sum.golang.org".to_string();
        let via = |host: &str| format!("https://{host}/sumdb/sum.golang.org");
        // The default: the proxy supports it.
        let (_, got) = sumdb(DEFAULT_GOPROXY, &[("proxy.golang.org", Ok)]);
        assert_eq!(got.unwrap(), via("proxy.golang.org"));
        // 404, then `direct`: the database's own URL.
        let (asked, got) = sumdb(DEFAULT_GOPROXY, &[]);
        assert_eq!((asked.len(), got.unwrap()), (1, direct.clone()));
        // A 500 after `,` is final.
        let (_, got) = sumdb(DEFAULT_GOPROXY, &[("proxy.golang.org", Status(500))]);
        let err = got.unwrap_err();
        assert!(err
            .to_string()
            .starts_with("cannot reach the checksum database `sum.golang.org` through GOPROXY="));
        // `off` alone: the database directly (Go checks toolchains anyway).
        assert_eq!(sumdb("off", &[]).1.unwrap(), direct);
        // Every proxy "not found", no `direct`: directly too.
        assert_eq!(sumdb("https://a,https://b", &[]).1.unwrap(), direct);
        // `|` moves on after an error; the next one supports it.
        let (_, got) = sumdb("https://a|https://b", &[("a", Refused), ("b", Ok)]);
        assert_eq!(got.unwrap(), via("b"));
        // `|` moves on, `direct` ends it: directly.
        assert_eq!(
            sumdb("https://a|direct", &[("a", Status(500))]).1.unwrap(),
            direct
        );
        // `|` moves on, but the list ends with the error still the most
        // telling one: Go reports it.
        assert!(sumdb("https://a|https://b", &[("a", Status(500))])
            .1
            .is_err());
        assert!(sumdb("https://a|off", &[("a", Status(500))]).1.is_err());
        // A file:// proxy with a path.
        let list = ProxyList::parse("file:///srv/goproxy").unwrap();
        assert_eq!(
            list.sumdb_base("sum.golang.org", &direct, |_| Result::Ok(()))
                .unwrap(),
            "file:///srv/goproxy/sumdb/sum.golang.org"
        );
    }

    proptest::proptest! {
        #[test]
        fn prop_any_goproxy_parses_or_names_itself(value in "[a-z:/.,| ]{0,30}|\\PC{0,20}") {
            match ProxyList::parse(&value) {
                Ok(list) => {
                    proptest::prop_assert!(list.entries().count() >= 1);
                    for entry in list.entries() {
                        if let Entry::Proxy(url) = entry {
                            let scheme = Url::parse(url).unwrap().scheme().to_string();
                            proptest::prop_assert!(["http", "https", "file"].contains(&scheme.as_str()));
                        }
                    }
                }
                Err(e) => {
                    let prefix = format!("GOPROXY is `{value}`");
                    proptest::prop_assert!(e.to_string().starts_with(&prefix));
                    proptest::prop_assert!(e.hint().is_some());
                }
            }
        }

        #[test]
        fn prop_module_versions_go_back_to_their_release(
            minor in 21u64..40, patch in proptest::option::of(0u64..30), rc in proptest::option::of(1u64..5)
        ) {
            let text = match (patch, rc) {
                (Some(p), _) => format!("1.{minor}.{p}"),
                (None, Some(n)) => format!("1.{minor}rc{n}"),
                (None, None) => format!("1.{minor}.0"),
            };
            let release = v(&text);
            let module = module_version(&release, &linux()).unwrap();
            let back = release_of(&module, &linux()).unwrap();
            proptest::prop_assert_eq!(back.to_string(), text);
        }

        #[test]
        fn prop_release_of_never_panics(text in "\\PC{0,40}") {
            let _ = release_of(&text, &linux());
        }
    }
}
