//! Which release a snippet pins, worked out from what was already
//! resolved: the selection here and what it resolved to, the release
//! index when one was read, the mirrors in use. No I/O: the command reads
//! the store and the index, this decides.

use std::path::{Path, PathBuf};

use super::{is_plain_url, Archive, Pin};
use crate::env_vars;
use crate::index::{self, File, Index};
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
    })
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
            ExportError::VersionFile(e) => return e.hint(),
            ExportError::Version(_) => return None,
        })
    }
}
