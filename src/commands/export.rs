//! `gov export dockerfile|devcontainer|github|gitlab [--os OS --arch ARCH]`:
//! print a snippet pinned to the release this directory selects.

use crate::download::Fetcher;
use crate::env_vars;
use crate::error::Error;
use crate::export::{self, ci, devcontainer, dockerfile, Archive, Pin, Project};
use crate::index;
use crate::platform::Platform;
use crate::request::Request;
use crate::resolve::{self, ResolveError};
use crate::settings::Settings;
use crate::sources;
use crate::ui;
use crate::version::Version;

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A multi-stage Dockerfile that builds the module
    Dockerfile,
    /// .devcontainer/devcontainer.json with the Go feature
    Devcontainer,
    /// A GitHub Actions workflow
    Github,
    /// A GitLab CI job
    Gitlab,
}

/// The image the build runs in by default: Debian with git and curl, the
/// base of the official Go images.
const DEFAULT_IMAGE: &str = "buildpack-deps:bookworm-scm";

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  gov export dockerfile > Dockerfile
  gov export dockerfile --add --os linux --arch arm64   BuildKit's ADD --checksum, for arm64
  gov export devcontainer > .devcontainer/devcontainer.json
  gov export github > .github/workflows/go.yml
The release is the one `gov current` names here (set GOV_VERSION to pick
another); GOV_INDEX_URL, GOV_DOWNLOAD_URL and GOV_RELEASE_URL, when set to
http(s) mirrors, are written into the snippet.")]
pub struct Args {
    /// What to print
    #[arg(value_enum)]
    kind: Kind,
    /// The platform it is for, with --arch (default: Linux on this
    /// machine's architecture; for CI, the hosted runners' linux/amd64)
    #[arg(long, requires = "arch")]
    os: Option<String>,
    /// The architecture, with --os
    #[arg(long, requires = "os")]
    arch: Option<String>,
    /// dockerfile, gitlab: the image the build runs in
    #[arg(long, default_value = DEFAULT_IMAGE)]
    image: String,
    /// dockerfile: the main package to build, relative to the module root
    #[arg(long, default_value = ".")]
    package: String,
    /// dockerfile: fetch the archive with BuildKit's `ADD --checksum`
    /// (Dockerfile syntax 1.6, buildah 1.33) instead of gov
    #[arg(long)]
    add: bool,
    /// dockerfile: the image gov is copied from [default: ghcr.io/gov-sh/gov:<this gov's version>]
    #[arg(long)]
    gov_image: Option<String>,
}

pub fn run(args: &Args, settings: &Settings) -> Result<(), Error> {
    check_flags(args)?;
    let asked = args
        .os
        .as_ref()
        .zip(args.arch.as_ref())
        .map(|(os, arch)| Platform {
            os: os.clone(),
            arch: arch.clone(),
        });
    let default = match args.kind {
        Kind::Github | Kind::Gitlab => Platform {
            os: "linux".into(),
            arch: "amd64".into(),
        },
        Kind::Dockerfile | Kind::Devcontainer => Platform::host_or(Some("linux"), None),
    };
    let target = asked.clone().unwrap_or(default);
    // Where it runs first: that needs no network.
    let runner = match args.kind {
        Kind::Github => {
            Some(ci::github_runner(&target).ok_or_else(|| no_runner("GitHub", &target))?)
        }
        Kind::Gitlab => ci::gitlab_tag(&target).ok_or_else(|| no_runner("GitLab", &target))?,
        Kind::Devcontainer | Kind::Dockerfile if target.os != "linux" => {
            return Err(no_runner("container", &target))
        }
        Kind::Devcontainer | Kind::Dockerfile => None,
    };
    let project = match settings.ctx.cwd_gone() {
        true => None,
        false => Project::find(&settings.ctx.cwd, settings.ctx.var(crate::env_vars::GOWORK))?,
    };
    if args.kind == Kind::Dockerfile && project.is_none() {
        // A Dockerfile builds the module here: there must be a here.
        settings.ctx.require_cwd()?;
        return Err(Error::failed(
            format!(
                "no go.mod in `{}` or any parent: `gov export dockerfile` builds a Go module",
                settings.ctx.cwd.display()
            ),
            "run it in the module's directory, or make one with `go mod init`".to_string(),
        ));
    }
    let pin = pin(settings, asked, &target, args.add)?;
    let text = match args.kind {
        Kind::Dockerfile => {
            let project = project.expect("checked above");
            let archive_url = pin.archive.as_ref().map_or("", |a| a.url.as_str());
            if args.add && !is_http(archive_url) {
                return Err(Error::failed(
                    format!(
                        "`ADD` cannot fetch `{}`: GOV_DOWNLOAD_URL is not an http(s) URL",
                        archive_url
                    ),
                    "serve the mirror over http(s), or leave out --add to install with gov"
                        .to_string(),
                ));
            }
            let binary = if args.package == "." {
                project.binary_name()
            } else {
                export::binary_name(&args.package)
            };
            let options = dockerfile::Options {
                fetch: if args.add {
                    dockerfile::Fetch::Add
                } else {
                    dockerfile::Fetch::Gov
                },
                base: args.image.clone(),
                gov_image: args.gov_image.clone().unwrap_or_else(|| {
                    format!("{}:{}", export::GOV_IMAGE, env!("CARGO_PKG_VERSION"))
                }),
                package: args.package.clone(),
                binary,
                has_go_sum: project.has_go_sum,
            };
            dockerfile::render(&pin, &options)
        }
        Kind::Devcontainer => {
            let name = match &project {
                Some(p) => p.binary_name(),
                None => export::binary_name(&settings.ctx.cwd.to_string_lossy()),
            };
            devcontainer::render(&pin, &name)
        }
        Kind::Github => ci::github(&pin, runner.expect("a GitHub runner")),
        Kind::Gitlab => ci::gitlab(&pin, &args.image, runner),
    };
    print!("{text}");
    Ok(())
}

/// The options that shape only a Dockerfile (or a GitLab job's image) are
/// refused elsewhere, and every value must be plain text.
fn check_flags(args: &Args) -> Result<(), Error> {
    let dockerfile_only = [
        ("--package", args.package != "."),
        ("--add", args.add),
        ("--gov-image", args.gov_image.is_some()),
        (
            "--image",
            args.image != DEFAULT_IMAGE && args.kind != Kind::Gitlab,
        ),
    ];
    if args.kind != Kind::Dockerfile {
        if let Some((flag, _)) = dockerfile_only.iter().find(|(_, given)| *given) {
            return Err(Error::usage(
                format!("{flag} does not apply to a {:?} snippet", args.kind).to_lowercase(),
                "see `gov export --help` for what each option shapes".to_string(),
            ));
        }
    }
    let values = [
        ("--image", Some(&args.image)),
        ("--package", Some(&args.package)),
        ("--gov-image", args.gov_image.as_ref()),
        ("--os", args.os.as_ref()),
        ("--arch", args.arch.as_ref()),
    ];
    for (flag, value) in values {
        if let Some(value) = value.filter(|v| !export::is_plain(v)) {
            return Err(Error::usage(
                format!("{flag} `{}` cannot go into a snippet", ui::escape(value)),
                "give a value without blanks, quotes, `$`, `#`, braces or backslashes".to_string(),
            ));
        }
    }
    if !(args.package == "." || args.package.starts_with("./")) {
        return Err(Error::usage(
            format!(
                "--package `{}` is not a path inside the module",
                args.package
            ),
            "name the main package as `go build` would, e.g. `./cmd/server`".to_string(),
        ));
    }
    Ok(())
}

/// The release this directory selects, exactly: the installed one it
/// resolves to, else the newest in the index the request names.
/// The index is read only when `need_archive` (the `ADD` form) or when
/// the release is not installed: a snippet of an installed release needs
/// no network.
fn pin(
    settings: &Settings,
    asked: Option<Platform>,
    target: &Platform,
    need_archive: bool,
) -> Result<Pin, Error> {
    let mut selection = resolve::select(None, &settings.ctx, &settings.store)?;
    // The snippet is committed with the project: name its file from here.
    if let resolve::Source::File(path) = &selection.source {
        selection.source = resolve::Source::File(relative_to(path, &settings.ctx.cwd));
    }
    let (request, why, installed) = match resolve::resolve_selection(
        selection.clone(),
        &settings.store,
    ) {
        Ok(resolved) => (
            Request::Exact(resolved.version),
            resolved.reason(),
            Some(resolved.version),
        ),
        Err(ResolveError::NotInstalled { .. } | ResolveError::TooOld { .. }) => {
            let request = Request::parse(&resolve::install_arg(&selection.request))?;
            let why = format!(
                "set by {}; not installed here, so the newest release the index has for `{request}`",
                selection.source
            );
            (request, why, None)
        }
        Err(e) => return Err(e.into()),
    };
    let sources = &settings.sources;
    let (version, archive) = match installed {
        Some(version) if !need_archive => (version, None),
        _ => {
            let (version, archive) = archive_of(settings, &request, target)?;
            (version, Some(archive))
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
            if let Some(value) = snippet_url(name, value)? {
                mirrors.push((name, value));
            }
        }
    }
    let release_url = match settings.ctx.text(env_vars::GOV_RELEASE_URL) {
        Some(url) => snippet_url(env_vars::GOV_RELEASE_URL, url)?,
        None => None,
    }
    .unwrap_or_else(|| format!("{}/v{}", export::RELEASES, env!("CARGO_PKG_VERSION")));
    Ok(Pin {
        version,
        why,
        platform: asked,
        target: target.clone(),
        archive,
        mirrors,
        release_url,
    })
}

/// The newest release `request` names in the index, with its archive for
/// `target`, checked: a snippet carries only a file name that is the
/// release's and a digest of 64 hex digits.
fn archive_of(
    settings: &Settings,
    request: &Request,
    target: &Platform,
) -> Result<(Version, Archive), Error> {
    let sources = &settings.sources;
    let source = index::Source::of(sources, &settings.store, false);
    let index = index::load(&source, &Fetcher::new(sources))?;
    let release = index
        .pick(request, &target.os, &target.arch)
        .ok_or_else(|| {
            Error::failed(
                format!(
                    "the release index ({}) has no Go {request} for {target}",
                    index.origin
                ),
                format!(
                    "run `gov list-remote --os {} --arch {}` to see what it has",
                    target.os, target.arch
                ),
            )
        })?;
    let archive = release
        .archive(&target.os, &target.arch)
        .expect("picked among releases with an archive")
        .clone();
    if archive.sha256.is_empty() {
        return Err(Error::failed(
            format!(
                "the release index lists no sha256 for `{}`",
                archive.filename
            ),
            "pin a newer release: gov pins only what it can verify".to_string(),
        ));
    }
    // What the index says goes into the snippet: only what it must be.
    let expected = index::archive_name(&release.version, target);
    let is_digest = index::parse_sha256(&archive.sha256).is_some();
    if archive.filename != expected || !is_digest {
        return Err(Error::failed(
            format!(
                "the release index ({}) lists `{}` with sha256 `{}` for Go {}: expected `{expected}` and 64 hex digits",
                index.origin,
                ui::escape(&archive.filename),
                ui::escape(&archive.sha256),
                release.version
            ),
            "check the mirror (GOV_INDEX_URL): its index is damaged or forged".to_string(),
        ));
    }
    let url = crate::download::join(&sources.download_url, &archive.filename);
    Ok((release.version, Archive { file: archive, url }))
}

/// A mirror's URL as a snippet can carry it: http(s) and plain. A path or
/// `file://` URL names this machine only, so it is left out, with a warning.
fn snippet_url(name: &str, value: &str) -> Result<Option<String>, Error> {
    if !is_http(value) {
        ui::warn(&format!(
            "{name} `{}` is not an http(s) URL; the snippet uses the default instead",
            ui::escape(value)
        ));
        return Ok(None);
    }
    if !export::is_plain_url(value) {
        return Err(Error::failed(
            format!("{name} `{}` cannot go into a snippet", ui::escape(value)),
            "percent-encode blanks, quotes and `$` in the URL".to_string(),
        ));
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

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

fn no_runner(what: &str, target: &Platform) -> Error {
    Error::usage(
        format!("gov knows no {what} runner for {target}"),
        "use --os linux --arch amd64 or arm64 (GitHub: also darwin); containers are Linux"
            .to_string(),
    )
}
