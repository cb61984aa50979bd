//! `gov export dockerfile|devcontainer|github|gitlab [--os OS --arch ARCH |
//! --platform LIST]`: print a snippet pinned to the release this directory
//! selects.

use crate::download::Fetcher;
use crate::env_vars;
use crate::error::Error;
use crate::export::{self, ci, devcontainer, dockerfile, pin, ExportError, Pin, Project};
use std::path::PathBuf;

use crate::index;
use crate::lock::{self, Lock};
use crate::platform::{Platform, Target};
use crate::resolve;
use crate::settings::Settings;
use crate::ui;

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
  gov export dockerfile --platform linux/amd64,linux/arm64   one image per platform, cross-compiled
  gov export github --platform linux/amd64,linux/arm64   a job per platform
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
    /// dockerfile, github, gitlab: the platforms to build for, as
    /// container tools name them (linux/amd64,linux/arm64,linux/arm/v7):
    /// one image each, cross-compiled on the build machine; one CI job each
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["os", "arch"], value_name = "OS/ARCH[,...]")]
    platform: Vec<String>,
    /// github, gitlab with --platform: cross-compile every platform on the
    /// default linux/amd64 runner, even where the CI has runners of its own
    #[arg(long, requires = "platform")]
    cross: bool,
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
    let targets = targets(args)?;
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
        Kind::Github if targets.is_empty() => {
            Some(ci::github_runner(&target).ok_or_else(|| no_runner("GitHub", &target))?)
        }
        Kind::Gitlab if targets.is_empty() => {
            ci::gitlab_tag(&target).ok_or_else(|| no_runner("GitLab", &target))?
        }
        Kind::Github | Kind::Gitlab => None,
        Kind::Devcontainer | Kind::Dockerfile if target.os != "linux" => {
            return Err(no_runner("container", &target))
        }
        Kind::Devcontainer | Kind::Dockerfile => None,
    };
    if args.kind == Kind::Devcontainer && !target.is_host() {
        ui::warn(&format!(
            "the devcontainer runs {} under emulation on this {} machine; `gov export dockerfile --platform` builds images for other platforms without it",
            target,
            Platform::host()
        ));
    }
    let project = match settings.ctx.cwd_gone() {
        true => None,
        false => Project::find(&settings.ctx.cwd, settings.ctx.var(crate::env_vars::GOWORK))?,
    };
    if args.kind == Kind::Dockerfile && project.is_none() {
        // A Dockerfile builds the module here: there must be a here.
        settings.ctx.require_cwd()?;
        return Err(ExportError::NoModule {
            cwd: settings.ctx.cwd.clone(),
        }
        .into());
    }
    // The `ADD` form of a multi-platform Dockerfile fetches the release of
    // each build machine it may run on: this one, and one per architecture
    // listed.
    let mut builders: Vec<Platform> = Vec::new();
    let here = (!targets.is_empty()).then(|| Target::of(&Platform::host_or(Some("linux"), None)));
    for t in here.iter().chain(&targets) {
        if !builders.contains(&t.release_platform()) {
            builders.push(t.release_platform());
        }
    }
    let pin_target = match (args.add, builders.first()) {
        (true, Some(first)) => first.clone(),
        _ => target,
    };
    let (pin, index, lock) = pin(settings, asked, &pin_target, args.add)?;
    let text = match args.kind {
        Kind::Dockerfile => {
            let project = project.expect("checked above");
            let archive_url = pin.archive.as_ref().map_or("", |a| a.url.as_str());
            if args.add && !pin::is_http(archive_url) {
                return Err(ExportError::AddNeedsHttp {
                    url: archive_url.to_string(),
                }
                .into());
            }
            let mut archives = Vec::new();
            if let (true, Some(index)) = (args.add && !targets.is_empty(), &index) {
                for platform in &builders {
                    let archive =
                        pin::archive_for(index, &pin.version, platform, &settings.sources)?;
                    if let Some((lock, path)) = &lock {
                        if !pin::check_locked(lock, path, &archive, platform)? {
                            warn_not_locked(path, platform, false);
                        }
                    }
                    archives.push((Target::of(platform).arch, archive));
                }
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
                platforms: targets.clone(),
                builders: archives,
                host: Target::of(&Platform::host_or(Some("linux"), None)),
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
        Kind::Github if !targets.is_empty() => {
            let jobs = ci::jobs(&targets, args.cross, |p| ci::github_runner(p).is_some());
            ci::github_matrix(&pin, &jobs)
        }
        Kind::Gitlab if !targets.is_empty() => {
            let jobs = ci::jobs(&targets, args.cross, |p| ci::gitlab_tag(p).is_some());
            ci::gitlab_matrix(&pin, &args.image, &jobs)
        }
        Kind::Github => ci::github(&pin, runner.expect("a GitHub runner")),
        Kind::Gitlab => ci::gitlab(&pin, &args.image, runner),
    };
    // A CI job installs with GOV_LOCKED=1: on every platform a job runs
    // on, the lock must have the archive.
    if let (Some((lock, path)), Kind::Github | Kind::Gitlab) = (&lock, args.kind) {
        let native = |p: &Platform| match args.kind {
            Kind::Github => ci::github_runner(p).is_some(),
            _ => ci::gitlab_tag(p).is_some(),
        };
        let runs_on: Vec<Platform> = match targets.is_empty() {
            true => vec![pin.target.clone()],
            false => ci::jobs(&targets, args.cross, native)
                .iter()
                .map(|job| match job.cross {
                    true => Platform::host_or(Some("linux"), Some("amd64")),
                    false => job.target.release_platform(),
                })
                .collect(),
        };
        let mut warned = Vec::new();
        for platform in runs_on {
            if lock.archive(&platform).is_none() && !warned.contains(&platform) {
                warn_not_locked(path, &platform, true);
                warned.push(platform);
            }
        }
    }
    print!("{text}");
    Ok(())
}

/// `--platform`'s list, each checked, none twice; for a Dockerfile, Linux
/// only; never for a devcontainer, which runs where the editor does.
fn targets(args: &Args) -> Result<Vec<Target>, Error> {
    if args.platform.is_empty() {
        return Ok(Vec::new());
    }
    if args.kind == Kind::Devcontainer {
        return Err(Error::usage(
            "a devcontainer runs on the developer's machine: --platform does not apply to it",
            "build images for several platforms with `gov export dockerfile --platform linux/amd64,linux/arm64`".to_string(),
        ));
    }
    let mut targets: Vec<Target> = Vec::new();
    for value in &args.platform {
        let target = Target::parse(value).map_err(|why| {
            Error::usage(
                format!("--platform `{}`: {why}", ui::escape(value)),
                "name platforms as container tools do: linux/amd64, linux/arm64, linux/arm/v7"
                    .to_string(),
            )
        })?;
        if args.kind == Kind::Dockerfile && target.os != "linux" {
            return Err(Error::usage(
                format!("--platform `{target}`: container images are for Linux"),
                "list Linux platforms: --platform linux/amd64,linux/arm64".to_string(),
            ));
        }
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Ok(targets)
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
    if args.cross && matches!(args.kind, Kind::Dockerfile | Kind::Devcontainer) {
        return Err(Error::usage(
            format!("--cross does not apply to a {:?} snippet", args.kind).to_lowercase(),
            "it shapes the CI jobs of `gov export github|gitlab --platform`; a Dockerfile always cross-compiles".to_string(),
        ));
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
/// resolves to, else the newest in the index the request names. The
/// index is read only when the pin needs it ([`pin::Wanted::needs_index`]).
/// With a gov.lock beside the version file that fits it, the locked
/// release, and the archives checked against the lock.
#[allow(clippy::type_complexity)]
fn pin(
    settings: &Settings,
    asked: Option<Platform>,
    target: &Platform,
    need_archive: bool,
) -> Result<(Pin, Option<index::Index>, Option<(Lock, PathBuf)>), Error> {
    let (ctx, store, sources) = (&settings.ctx, &settings.store, &settings.sources);
    let selected = resolve::select(None, ctx, store)?;
    let lock = lock_here(&selected)?;
    let selection = pin::as_seen_from(selected, &ctx.cwd);
    let resolved = resolve::resolve_selection(selection.clone(), store);
    let wanted = match &lock {
        Some((lock, path)) => pin::Wanted::locked(
            lock,
            &pin::seen_from(path, &ctx.cwd),
            store.find(&lock.release)?.is_some(),
        ),
        None => pin::Wanted::of(&selection, resolved)?,
    };
    let index = match wanted.needs_index(need_archive) {
        true => Some(index::load(
            &index::Source::of(sources, store, false),
            &Fetcher::new(sources),
        )?),
        false => None,
    };
    let inputs = pin::Inputs {
        wanted,
        index: index.as_ref(),
        asked,
        target: target.clone(),
        sources,
        release_url: ctx.text(env_vars::GOV_RELEASE_URL),
    };
    let mut pin = pin::pin(inputs, &mut |name, value| {
        ui::warn(&format!(
            "{name} `{}` is not an http(s) URL; the snippet uses the default instead",
            ui::escape(value)
        ))
    })?;
    if let Some((lock, path)) = lock {
        pin.locked = true;
        if let Some(archive) = &pin.archive {
            if !pin::check_locked(&lock, &path, archive, &pin.target)? {
                warn_not_locked(&path, &pin.target, false);
            }
        }
        return Ok((pin, index, Some((lock, path))));
    }
    Ok((pin, index, None))
}

/// The lock beside the version file that selects the release here, when
/// it fits what that file asks for (else a warning, and none).
fn lock_here(selection: &resolve::Selection) -> Result<Option<(Lock, PathBuf)>, Error> {
    let resolve::Source::File(version_file) = &selection.source else {
        return Ok(None);
    };
    let path = lock::beside(version_file);
    let Some(lock) = lock::read(&path)? else {
        return Ok(None);
    };
    let by = version_file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    // Platforms are checked per archive the snippet carries.
    let any = lock.archives[0].platform.clone();
    match lock::check_fits(&lock, &path, &[(&selection.request, by)], &any) {
        Ok(()) => Ok(Some((lock, path))),
        Err(e) => {
            ui::warn(&format!(
                "{e}; the snippet pins what the version file asks for, as without a lock (`gov lock` updates the lock)"
            ));
            Ok(None)
        }
    }
}

/// The lock has no archive for a platform the snippet fetches (`ci`:
/// false) or a CI job installs on (`ci`: true).
fn warn_not_locked(path: &std::path::Path, platform: &Platform, ci: bool) {
    let then = match ci {
        true => "the job there fails with GOV_LOCKED=1",
        false => "the snippet carries the index's digest for it",
    };
    ui::warn(&format!(
        "`{}` has no archive for {platform}: {then} (run `gov lock --os {} --arch {}`)",
        path.display(),
        platform.os,
        platform.arch
    ));
}

fn no_runner(what: &str, target: &Platform) -> Error {
    Error::usage(
        format!("gov knows no {what} runner for {target}"),
        "use --os linux --arch amd64 or arm64 (GitHub: also darwin); containers are Linux"
            .to_string(),
    )
}
