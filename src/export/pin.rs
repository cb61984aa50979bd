//! Which release a snippet pins, worked out from what was already
//! resolved: the selection here and what it resolved to, the release
//! index when one was read, the mirrors in use. No I/O: the command reads
//! the store and the index, this decides.

use std::path::{Path, PathBuf};

use super::{is_plain_url, Archive, Pin};
use crate::env_vars;
use crate::index::{self, File, Index};
use crate::lock::Lock;
use crate::platform::Platform;
use crate::request::Request;
use crate::resolve::{self, ResolveError, Resolved, Selection};
use crate::sources::{self, Sources};
use crate::ui;
use crate::version::{ParseVersionError, Version};
use crate::version_files::VersionFileError;

/// The selection as a snippet names it: a version file by its path from
/// `cwd` (`.go-version`, `../go.mod`), since the snippet is committed with
/// the project.
pub fn as_seen_from(mut selection: Selection, cwd: &Path) -> Selection {
    if let resolve::Source::File(path) = &selection.source {
        selection.source = resolve::Source::File(relative_to(path, cwd));
    }
    selection
}

/// The release the selection names, before the index is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// What to look up in the index: the installed release exactly, else
    /// what the selection asks for.
    pub request: Request,
    /// Why, for the snippet's comment.
    pub why: String,
    /// The installed release it resolved to, if it did.
    pub installed: Option<Version>,
}

impl Wanted {
    /// From `selection` and what resolving it gave: the installed release
    /// it resolves to, else (nothing installed matches) the newest the
    /// index has for what it asks.
    pub fn of(
        selection: &Selection,
        resolved: Result<Resolved, ResolveError>,
    ) -> Result<Wanted, ExportError> {
        match resolved {
            Ok(resolved) => Ok(Wanted {
                request: Request::Exact(resolved.version),
                why: resolved.reason(),
                installed: Some(resolved.version),
            }),
            Err(ResolveError::NotInstalled { .. } | ResolveError::TooOld { .. }) => {
                let request = Request::parse(&resolve::install_arg(&selection.request))?;
                let why = format!(
                    "set by {}; not installed here, so the newest release the index has for `{request}`",
                    selection.source
                );
                Ok(Wanted {
                    request,
                    why,
                    installed: None,
                })
            }
            Err(e) => Err(ExportError::Resolve(Box::new(e))),
        }
    }

    /// Whether the index must be read: for the archive (`need_archive`,
    /// the `ADD` form) or to find a release not installed here. A snippet
    /// of an installed release needs no network.
    pub fn needs_index(&self, need_archive: bool) -> bool {
        need_archive || self.installed.is_none()
    }
}

impl Wanted {
    /// The release `lock` (at `shown`, as the snippet names it) pins,
    /// in place of what resolving found; `installed`: it is installed here.
    pub fn locked(lock: &Lock, shown: &Path, installed: bool) -> Wanted {
        Wanted {
            request: Request::Exact(lock.release),
            why: format!(
                "locked in {}; {} asks for {}",
                shown.display(),
                lock.selected_by,
                lock.requested
            ),
            installed: installed.then_some(lock.release),
        }
    }
}

/// The archive a snippet carries for `platform`, against the lock at
/// `path`: `Ok(true)` when it is the locked one, `Ok(false)` when the lock
/// has none for that platform, an error naming both digests when they
/// differ.
pub fn check_locked(
    lock: &Lock,
    path: &Path,
    archive: &Archive,
    platform: &Platform,
) -> Result<bool, ExportError> {
    let Some(locked) = lock.archive(platform) else {
        return Ok(false);
    };
    if archive.file.filename == locked.file
        && archive.file.sha256.eq_ignore_ascii_case(&locked.sha256)
    {
        return Ok(true);
    }
    Err(ExportError::Lock(Box::new(
        crate::lock::LockError::IndexDigest {
            path: path.to_path_buf(),
            file: archive.file.filename.clone(),
            locked: locked.sha256.clone(),
            listed: match archive.file.filename == locked.file {
                true => archive.file.sha256.clone(),
                false => format!("{} for `{}`", archive.file.sha256, archive.file.filename),
            },
            place: "the release index".into(),
        },
    )))
}

/// The selection as a snippet names it, for a lock beside its file.
pub fn seen_from(path: &Path, cwd: &Path) -> PathBuf {
    relative_to(path, cwd)
}

/// What the pin is computed from, all of it resolved.
pub struct Inputs<'a> {
    pub wanted: Wanted,
    /// The index, read when [`Wanted::needs_index`] said so.
    pub index: Option<&'a Index>,
    /// `--os/--arch`, if given.
    pub asked: Option<Platform>,
    /// That, else the snippet's default platform.
    pub target: Platform,
    pub sources: &'a Sources,
    /// `GOV_RELEASE_URL`, if set.
    pub release_url: Option<&'a str>,
}

/// The pin of `inputs`. `skipped` hears of each mirror URL left out of
/// the snippet because it names this machine only (a path, `file://`):
/// the variable and its value.
pub fn pin(inputs: Inputs, skipped: &mut dyn FnMut(&str, &str)) -> Result<Pin, ExportError> {
    let Inputs {
        wanted,
        index,
        asked,
        target,
        sources,
        release_url,
    } = inputs;
    let (version, archive) = match (wanted.installed, index) {
        (_, Some(index)) => {
            let (version, archive) = archive_of(index, &wanted.request, &target, sources)?;
            (version, Some(archive))
        }
        (Some(version), None) => (version, None),
        (None, None) => {
            unreachable!("Wanted::needs_index: a release not installed needs the index")
        }
    };
    let mut mirrors = Vec::new();
    for (name, value, default) in [
        (
            env_vars::GOV_INDEX_URL,
            &sources.index_url,
            sources::DEFAULT_INDEX_URL,
        ),
        (
            env_vars::GOV_DOWNLOAD_URL,
            &sources.download_url,
            sources::DEFAULT_DOWNLOAD_URL,
        ),
    ] {
        if value != default {
            if let Some(value) = snippet_url(name, value, skipped)? {
                mirrors.push((name, value));
            }
        }
    }
    let release_url = match release_url {
        Some(url) => snippet_url(env_vars::GOV_RELEASE_URL, url, skipped)?,
        None => None,
    }
    .unwrap_or_else(|| format!("{}/v{}", super::RELEASES, env!("CARGO_PKG_VERSION")));
    Ok(Pin {
        version,
        why: wanted.why,
        platform: asked,
        target,
        archive,
        mirrors,
        release_url,
        locked: false,
    })
}

/// The archive of `version`, exactly, for `platform`: for the other
/// build machines of a multi-platform Dockerfile's `ADD` form.
pub fn archive_for(
    index: &Index,
    version: &Version,
    platform: &Platform,
    sources: &Sources,
) -> Result<Archive, ExportError> {
    archive_of(index, &Request::Exact(*version), platform, sources).map(|(_, archive)| archive)
}

/// The newest release `request` names in the index, with its archive for
/// `target`, checked: a snippet carries only a file name that is the
/// release's and a digest of 64 hex digits.
fn archive_of(
    index: &Index,
    request: &Request,
    target: &Platform,
    sources: &Sources,
) -> Result<(Version, Archive), ExportError> {
    let release = index
        .pick(request, &target.os, &target.arch)
        .ok_or_else(|| ExportError::NoRelease {
            origin: index.origin.clone(),
            request: request.to_string(),
            target: target.clone(),
        })?;
    let archive = release
        .archive(&target.os, &target.arch)
        .expect("picked among releases with an archive")
        .clone();
    if archive.sha256.is_empty() {
        return Err(ExportError::NoDigest {
            file: archive.filename,
        });
    }
    // What the index says goes into the snippet: only what it must be.
    let expected = index::archive_name(&release.version, target);
    let is_digest = index::parse_sha256(&archive.sha256).is_some();
    if archive.filename != expected || !is_digest {
        return Err(ExportError::BadArchive {
            origin: index.origin.clone(),
            file: Box::new(archive),
            version: release.version,
            expected,
        });
    }
    let url = crate::download::join(&sources.download_url, &archive.filename);
    Ok((release.version, Archive { file: archive, url }))
}

/// A mirror's URL as a snippet can carry it: http(s) and plain. A path or
/// `file://` URL names this machine only, so it is left out (`skipped`).
fn snippet_url(
    name: &'static str,
    value: &str,
    skipped: &mut dyn FnMut(&str, &str),
) -> Result<Option<String>, ExportError> {
    if !is_http(value) {
        skipped(name, value);
        return Ok(None);
    }
    if !is_plain_url(value) {
        return Err(ExportError::UrlNotPlain {
            name,
            value: value.to_string(),
        });
    }
    Ok(Some(value.to_string()))
}

/// `path`, a version file in `cwd` or one of its parents, as seen from
/// `cwd`: `.go-version`, `../go.mod`.
fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return path.to_path_buf();
    };
    match cwd.strip_prefix(dir) {
        Ok(below) => below
            .components()
            .map(|_| Path::new(".."))
            .collect::<PathBuf>()
            .join(name),
        Err(_) => path.to_path_buf(),
    }
}

pub fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

/// Why a snippet cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no go.mod in `{}` or any parent: `gov export dockerfile` builds a Go module", cwd.display())]
    NoModule { cwd: PathBuf },
    #[error("`ADD` cannot fetch `{url}`: GOV_DOWNLOAD_URL is not an http(s) URL")]
    AddNeedsHttp { url: String },
    #[error("the release index ({origin}) has no Go {request} for {target}")]
    NoRelease {
        origin: String,
        /// The request as written: `1.22`.
        request: String,
        target: Platform,
    },
    #[error("the release index lists no sha256 for `{file}`")]
    NoDigest { file: String },
    #[error(
        "the release index ({origin}) lists `{}` with sha256 `{}` for Go {version}: expected `{expected}` and 64 hex digits",
        ui::escape(&file.filename),
        ui::escape(&file.sha256)
    )]
    BadArchive {
        origin: String,
        /// As the index lists it. Boxed: it has many fields.
        file: Box<File>,
        version: Version,
        expected: String,
    },
    #[error("{name} `{}` cannot go into a snippet", ui::escape(value))]
    UrlNotPlain { name: &'static str, value: String },
    /// Boxed: a resolution error carries what was asked and found.
    #[error(transparent)]
    Resolve(Box<ResolveError>),
    /// The snippet's archive is not what `gov.lock` locks.
    #[error(transparent)]
    Lock(Box<crate::lock::LockError>),
    #[error(transparent)]
    VersionFile(#[from] VersionFileError),
    #[error(transparent)]
    Version(#[from] ParseVersionError),
}

impl ExportError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            ExportError::NoModule { .. } => {
                "run it in the module's directory, or make one with `go mod init`".into()
            }
            ExportError::AddNeedsHttp { .. } => {
                "serve the mirror over http(s), or leave out --add to install with gov".into()
            }
            ExportError::NoRelease { target, .. } => format!(
                "run `gov list-remote --os {} --arch {}` to see what it has",
                target.os, target.arch
            ),
            ExportError::NoDigest { .. } => {
                "pin a newer release: gov pins only what it can verify".into()
            }
            ExportError::BadArchive { .. } => {
                "check the mirror (GOV_INDEX_URL): its index is damaged or forged".into()
            }
            ExportError::UrlNotPlain { .. } => {
                "percent-encode blanks, quotes and `$` in the URL".into()
            }
            ExportError::Resolve(e) => return e.hint(),
            ExportError::Lock(e) => return e.hint(),
            ExportError::VersionFile(e) => return e.hint(),
            ExportError::Version(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;

    const DIGEST: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn linux_amd64() -> Platform {
        Platform {
            os: "linux".into(),
            arch: "amd64".into(),
        }
    }

    /// 1.22.4 as it should be; 1.21.0 without a sha256; 1.20.0 with a
    /// file name that is not its own.
    fn index() -> Index {
        let release = |version: &str, filename: &str, sha256: &str| index::Release {
            version: Version::parse(version).unwrap(),
            files: vec![serde_json::from_value(serde_json::json!({
                "filename": filename, "os": "linux", "arch": "amd64",
                "sha256": sha256, "kind": "archive",
            }))
            .unwrap()],
        };
        Index {
            releases: vec![
                release("1.22.4", "go1.22.4.linux-amd64.tar.gz", DIGEST),
                release("1.21.0", "go1.21.0.linux-amd64.tar.gz", ""),
                release("1.20.0", "go1.22.4.linux-amd64.tar.gz", DIGEST),
            ],
            origin: "https://mirror.example/index.json".into(),
        }
    }

    #[test]
    fn the_selection_is_named_from_here() {
        let cwd = Path::new("/src/app/cmd");
        for (file, shown) in [
            ("/src/app/cmd/.go-version", ".go-version"),
            ("/src/app/go.mod", "../go.mod"),
            ("/src/go.work", "../../go.work"),
            ("/elsewhere/.go-version", "/elsewhere/.go-version"),
        ] {
            let selection = Selection {
                request: Request::parse("1.22").unwrap(),
                source: resolve::Source::File(file.into()),
            };
            let seen = as_seen_from(selection, cwd);
            assert_eq!(seen.source.to_string(), shown, "{file}");
        }
    }

    #[test]
    fn what_is_wanted_installed_or_not() {
        let selection = Selection {
            request: Request::parse("1.22").unwrap(),
            source: resolve::Source::File(".go-version".into()),
        };
        let v = Version::parse("1.22.4").unwrap();
        let installed = Wanted::of(
            &selection,
            Ok(Resolved {
                version: v,
                root: "/g/1.22.4".into(),
                source: selection.source.clone(),
                module: None,
            }),
        )
        .unwrap();
        assert_eq!(
            installed,
            Wanted {
                request: Request::Exact(v),
                why: "set by .go-version".into(),
                installed: Some(v),
            }
        );
        assert!(!installed.needs_index(false));
        assert!(installed.needs_index(true));
        let missing = Wanted::of(
            &selection,
            Err(ResolveError::NotInstalled {
                request: selection.request.clone(),
                selected_by: selection.source.clone(),
            }),
        )
        .unwrap();
        assert_eq!(missing.request, Request::parse("1.22").unwrap());
        assert_eq!(
            missing.why,
            "set by .go-version; not installed here, so the newest release the index has for `1.22`"
        );
        assert!(missing.needs_index(false));
    }

    /// Each case: what is wanted (installed or not), whether the index was
    /// read, the variables in force; then the pin's release, archive URL,
    /// mirrors, release URL and skipped variables, or the error.
    #[test]
    fn pins() {
        let index = index();
        let release = format!("{}/v{}", crate::export::RELEASES, env!("CARGO_PKG_VERSION"));
        type Expect<'a> = Result<
            (
                &'a str,
                Option<&'a str>,
                Vec<&'a str>,
                &'a str,
                Vec<&'a str>,
            ),
            &'a str,
        >;
        type Vars<'a> = &'a [(&'static str, &'a str)];
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            &'a str,
            bool,
            Vars<'a>,
            Expect<'a>,
        );
        let cases: Vec<Case> = vec![
            (
                "installed, no index: no archive, no network",
                Some("1.22.4"), "1.22.4", false, &[],
                Ok(("1.22.4", None, vec![], &release, vec![])),
            ),
            (
                "not installed: the newest the index has",
                None, "1.22", true, &[],
                Ok(("1.22.4", Some("https://dl.google.com/go/go1.22.4.linux-amd64.tar.gz"), vec![], &release, vec![])),
            ),
            (
                "http mirrors are carried, the release URL too",
                None, "1.22", true,
                &[
                    (env_vars::GOV_INDEX_URL, "https://m.example/i.json?a=1&b=2"),
                    (env_vars::GOV_DOWNLOAD_URL, "https://m.example/dl"),
                    (env_vars::GOV_RELEASE_URL, "https://m.example/gov"),
                ],
                Ok((
                    "1.22.4",
                    Some("https://m.example/dl/go1.22.4.linux-amd64.tar.gz"),
                    vec!["GOV_INDEX_URL=https://m.example/i.json?a=1&b=2", "GOV_DOWNLOAD_URL=https://m.example/dl"],
                    "https://m.example/gov",
                    vec![],
                )),
            ),
            (
                "a path names this machine only: left out",
                Some("1.22.4"), "1.22.4", false,
                &[(env_vars::GOV_DOWNLOAD_URL, "/srv/go"), (env_vars::GOV_RELEASE_URL, "file:///srv/gov")],
                Ok(("1.22.4", None, vec![], &release, vec!["GOV_DOWNLOAD_URL=/srv/go", "GOV_RELEASE_URL=file:///srv/gov"])),
            ),
            (
                "a URL a snippet cannot carry",
                Some("1.22.4"), "1.22.4", false,
                &[(env_vars::GOV_INDEX_URL, "https://m.example/$(id)")],
                Err("GOV_INDEX_URL `https://m.example/$(id)` cannot go into a snippet"),
            ),
            (
                "nothing in the index",
                None, "1.23", true, &[],
                Err("the release index (https://mirror.example/index.json) has no Go 1.23 for linux-amd64"),
            ),
            (
                "no digest",
                None, "1.21", true, &[],
                Err("the release index lists no sha256 for `go1.21.0.linux-amd64.tar.gz`"),
            ),
            (
                "a file name not the release's",
                None, "1.20", true, &[],
                Err("the release index (https://mirror.example/index.json) lists `go1.22.4.linux-amd64.tar.gz` with sha256 `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa` for Go 1.20.0: expected `go1.20.0.linux-amd64.tar.gz` and 64 hex digits"),
            ),
        ];
        for (name, installed, request, read_index, vars, expect) in cases {
            let ctx = Context::with_vars("/src/app".into(), vars);
            let sources = Sources::from_context(&ctx);
            let installed = installed.map(|v| Version::parse(v).unwrap());
            let inputs = Inputs {
                wanted: Wanted {
                    request: Request::parse(request).unwrap(),
                    why: "set by .go-version".into(),
                    installed,
                },
                index: read_index.then_some(&index),
                asked: None,
                target: linux_amd64(),
                sources: &sources,
                release_url: ctx.text(env_vars::GOV_RELEASE_URL),
            };
            let mut skipped = Vec::new();
            let got = pin(inputs, &mut |name, value| {
                skipped.push(format!("{name}={value}"))
            })
            .map_err(|e| e.to_string());
            let got = got.as_ref().map(|pin| {
                (
                    pin.version.to_string(),
                    pin.archive.as_ref().map(|a| a.url.as_str()),
                    pin.mirrors
                        .iter()
                        .map(|(n, v)| format!("{n}={v}"))
                        .collect::<Vec<_>>(),
                    pin.release_url.as_str(),
                    skipped.clone(),
                )
            });
            match (got, expect) {
                (Ok(got), Ok(want)) => {
                    assert_eq!(got.0, want.0, "{name}");
                    assert_eq!(got.1, want.1, "{name}");
                    assert_eq!(got.2, want.2, "{name}");
                    assert_eq!(got.3, want.3, "{name}");
                    assert_eq!(got.4, want.4, "{name}");
                }
                (Err(got), Err(want)) => assert_eq!(got, want, "{name}"),
                (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
            }
        }
    }
}
