//! `gov export dockerfile`: a multi-stage build. The build stage gets the
//! pinned release — with gov under cache mounts (BuildKit and podman/buildah
//! alike), or with BuildKit's `ADD --checksum` — builds the module, and the
//! final stage holds only the program. With `--platform` it is one file for
//! many platforms: the build stage runs on the build machine's platform
//! and cross-compiles for each target, so no stage runs under emulation.

use std::fmt::Write as _;

use super::{comment, Archive, Pin};
use crate::platform::Target;

/// Where the build stage keeps gov's store and Go's caches: cache mounts,
/// so the toolchain and the build cache outlive each build.
const GOV_HOME: &str = "/var/cache/gov";
const GOCACHE: &str = "/root/.cache/go-build";
const GOMODCACHE: &str = "/root/go/pkg/mod";

/// How the build stage gets Go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// gov installs it, verified against the index, into a cache mount.
    Gov,
    /// BuildKit fetches the exact archive and checks its sha256
    /// (Dockerfile syntax 1.6+, buildah 1.33+).
    Add,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub fetch: Fetch,
    /// The build stage's image: it needs git for Go's VCS stamping.
    pub base: String,
    /// The image with gov at `/gov` (for [`Fetch::Gov`]).
    pub gov_image: String,
    /// The main package to build, relative to the module root.
    pub package: String,
    pub binary: String,
    /// `go.sum` exists, so the dependency layer copies it too.
    pub has_go_sum: bool,
    /// `--platform`: the images to build, each cross-compiled on the build
    /// machine; empty for one image, as `pin.platform` says.
    pub platforms: Vec<Target>,
    /// With `platforms` and [`Fetch::Add`]: the release's archive for each
    /// architecture a build machine may have (`BUILDARCH`, Go's names).
    pub builders: Vec<(String, Archive)>,
    /// The platform of this machine, for the podman command in the comment.
    pub host: Target,
}

pub fn render(pin: &Pin, o: &Options) -> String {
    let v = &pin.version;
    // With --platform, every stage but the program's runs on the build
    // machine's platform and cross-compiles for the target's.
    let several = !o.platforms.is_empty();
    let mut f = String::new();
    let syntax = match o.fetch {
        Fetch::Gov => "1",
        Fetch::Add => "1.6",
    };
    let _ = writeln!(f, "# syntax=docker/dockerfile:{syntax}");
    let _ = writeln!(
        f,
        "# Go {v} ({}), pinned by `gov export dockerfile`.",
        comment(&pin.why)
    );
    if several {
        header_for_platforms(&mut f, o);
    } else {
        let _ = writeln!(
            f,
            "# Build in the module's root:  docker build -t {} .   (or podman build)",
            o.binary
        );
    }
    // Where the build stages run: the build machine's platform; without
    // --platform, in the `ADD` form, the archive's (it runs there).
    let build_platform = match (several, o.fetch) {
        (true, _) => "--platform=$BUILDPLATFORM ".to_string(),
        (false, Fetch::Add) => format!("--platform={}/{} ", pin.target.os, pin.target.arch),
        (false, Fetch::Gov) => String::new(),
    };
    let gov_home = format!("--mount=type=cache,target={GOV_HOME}");
    let modcache = format!("--mount=type=cache,target={GOMODCACHE}");
    // Go keys its build cache by platform, but a mount per target keeps
    // two builds running side by side from sharing an entry by mistake.
    let gocache = match several {
        true => format!(
            "--mount=type=cache,id=go-build-$TARGETOS-$TARGETARCH$TARGETVARIANT,target={GOCACHE}"
        ),
        false => format!("--mount=type=cache,target={GOCACHE}"),
    };
    // The mounts of the download and of the build; `setup` readies Go in
    // each RUN; `go` runs it.
    let (download_mounts, build_mounts, setup, go) = match o.fetch {
        Fetch::Gov => {
            let _ = writeln!(f, "FROM {build_platform}{} AS gov\n", o.gov_image);
            let _ = writeln!(f, "FROM {build_platform}{} AS build", o.base);
            let _ = writeln!(f, "COPY --from=gov /gov /usr/local/bin/gov");
            let _ = writeln!(
                f,
                "ENV GOV_HOME={GOV_HOME} GOCACHE={GOCACHE} GOMODCACHE={GOMODCACHE}"
            );
            for (name, value) in &pin.mirrors {
                let _ = writeln!(f, "ENV {name}={value}");
            }
            let build = format!("{gov_home} {gocache} {modcache}");
            (
                match several {
                    // The download is the same for every target.
                    true => format!("{gov_home} {modcache}"),
                    false => build.clone(),
                },
                build,
                // Installing again is a no-op while the cache mount keeps
                // the release, and heals a pruned one. gov installs the
                // release of the machine it runs on.
                format!("gov install --quiet {v} && "),
                format!("gov run {v} go"),
            )
        }
        Fetch::Add => {
            let _ = writeln!(f, "FROM {build_platform}{} AS build", o.base);
            if several {
                add_for_build_machines(&mut f, pin, o);
            } else {
                let archive = pin.archive.as_ref().expect("the ADD form reads the index");
                let _ = writeln!(
                    f,
                    "ADD --checksum=sha256:{} {} /tmp/go.tar.gz",
                    archive.file.sha256, archive.url
                );
                let _ = writeln!(
                    f,
                    "RUN tar -C /usr/local -xzf /tmp/go.tar.gz && rm /tmp/go.tar.gz"
                );
            }
            let _ = writeln!(
                f,
                "ENV PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local GOCACHE={GOCACHE} GOMODCACHE={GOMODCACHE}"
            );
            let build = format!("{gocache} {modcache}");
            (
                match several {
                    true => modcache.clone(),
                    false => build.clone(),
                },
                build,
                String::new(),
                "go".to_string(),
            )
        }
    };
    let _ = writeln!(f, "WORKDIR /src");
    let sums = if o.has_go_sum { " go.sum" } else { "" };
    let _ = writeln!(f, "COPY go.mod{sums} ./");
    let _ = writeln!(f, "RUN {download_mounts} \\\n    {setup}{go} mod download");
    let _ = writeln!(f, "COPY . .");
    // Cross-building happens on the build machine: for each target, or
    // for --os/--arch; in the single-platform `ADD` form the build stage
    // already runs on the target platform.
    let cross = match (several, &pin.platform, o.fetch) {
        (true, _, _) => {
            let _ = writeln!(f, "ARG TARGETOS TARGETARCH TARGETVARIANT");
            // GOARM only for 32-bit ARM: Go refuses any other value
            // (`v8`) for every architecture.
            let goarm = match o.platforms.iter().any(|t| t.arch == "arm") {
                true => "case $TARGETARCH in arm) export GOARM=${TARGETVARIANT#v} ;; esac && ",
                false => "",
            };
            format!("{goarm}GOOS=$TARGETOS GOARCH=$TARGETARCH ")
        }
        (false, Some(p), Fetch::Gov) => format!("GOOS={} GOARCH={} ", p.os, p.arch),
        (false, _, _) => String::new(),
    };
    let _ = writeln!(
        f,
        "RUN {build_mounts} \\\n    {setup}{cross}CGO_ENABLED=0 {go} build -trimpath -o /out/{} {}\n",
        o.binary, o.package
    );
    // The program is for each target, for the platform asked, or in the
    // `ADD` form the archive's; otherwise wherever it is built.
    let platform = match (several, &pin.platform, o.fetch) {
        (true, _, _) => String::new(),
        (false, Some(p), _) => format!("--platform={}/{} ", p.os, p.arch),
        (false, None, Fetch::Add) => build_platform,
        (false, None, Fetch::Gov) => String::new(),
    };
    let _ = writeln!(f, "FROM {platform}scratch");
    let _ = writeln!(f, "COPY --from=build /out/{0} /{0}", o.binary);
    let _ = writeln!(f, "ENTRYPOINT [\"/{}\"]", o.binary);
    f
}

/// The comment of the multi-platform form: what it builds, and how, with
/// Docker and with podman.
fn header_for_platforms(f: &mut String, o: &Options) {
    let list = o
        .platforms
        .iter()
        .map(Target::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let _ = writeln!(
        f,
        "# An image for each of {list}: every stage but the last runs on the build\n\
         # machine's platform and cross-compiles, so nothing runs under emulation."
    );
    let _ = writeln!(f, "# Build in the module's root, then push the list:");
    let _ = writeln!(
        f,
        "#   docker buildx build --platform {list} -t {} --push .",
        o.binary
    );
    let _ = writeln!(
        f,
        "#   podman build --build-arg BUILDPLATFORM={} --platform {list} --manifest {} .",
        o.host, o.binary
    );
    let _ = writeln!(
        f,
        "#   (podman adds to an existing list: `podman manifest rm {}` before a rebuild)",
        o.binary
    );
}

/// The multi-platform `ADD` form's Go: the archive of each architecture a
/// build machine may have, and the one of `$BUILDARCH` unpacked.
fn add_for_build_machines(f: &mut String, pin: &Pin, o: &Options) {
    let _ = writeln!(f, "ARG BUILDARCH");
    let mut arches = Vec::new();
    for (arch, archive) in &o.builders {
        let _ = writeln!(
            f,
            "ADD --checksum=sha256:{} {} /tmp/go-{arch}.tar.gz",
            archive.file.sha256, archive.url
        );
        arches.push(arch.as_str());
    }
    let _ = writeln!(
        f,
        "RUN test -f /tmp/go-$BUILDARCH.tar.gz || {{ echo \"no Go {} here for a build machine of $BUILDARCH: build on {}\" >&2; exit 1; }} \\\n    \
         && tar -C /usr/local -xzf /tmp/go-$BUILDARCH.tar.gz && rm /tmp/go-*.tar.gz",
        pin.version,
        arches.join(", ")
    );
}
