//! `gov export dockerfile`: a multi-stage build. The build stage gets the
//! pinned release — with gov under cache mounts (BuildKit and podman/buildah
//! alike), or with BuildKit's `ADD --checksum` — builds the module, and the
//! final stage holds only the program.

use std::fmt::Write as _;

use super::{comment, Pin};

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
}

pub fn render(pin: &Pin, o: &Options) -> String {
    let v = &pin.version;
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
    let _ = writeln!(
        f,
        "# Build in the module's root:  docker build -t {} .   (or podman build)",
        o.binary
    );
    let mounts =
        format!("--mount=type=cache,target={GOCACHE} --mount=type=cache,target={GOMODCACHE}");
    // `setup` readies Go in each RUN; `go` runs it.
    let (mounts, setup, go) = match o.fetch {
        Fetch::Gov => {
            let _ = writeln!(f, "FROM {} AS gov\n", o.gov_image);
            let _ = writeln!(f, "FROM {} AS build", o.base);
            let _ = writeln!(f, "COPY --from=gov /gov /usr/local/bin/gov");
            let _ = writeln!(
                f,
                "ENV GOV_HOME={GOV_HOME} GOCACHE={GOCACHE} GOMODCACHE={GOMODCACHE}"
            );
            for (name, value) in &pin.mirrors {
                let _ = writeln!(f, "ENV {name}={value}");
            }
            (
                format!("--mount=type=cache,target={GOV_HOME} {mounts}"),
                // Installing again is a no-op while the cache mount keeps
                // the release, and heals a pruned one.
                format!("gov install --quiet {v} && "),
                format!("gov run {v} go"),
            )
        }
        Fetch::Add => {
            let archive = pin.archive.as_ref().expect("the ADD form reads the index");
            // The archive runs in the build stage: its platform, always.
            let platform = format!("--platform={}/{} ", pin.target.os, pin.target.arch);
            let _ = writeln!(f, "FROM {platform}{} AS build", o.base);
            let _ = writeln!(
                f,
                "ADD --checksum=sha256:{} {} /tmp/go.tar.gz",
                archive.file.sha256, archive.url
            );
            let _ = writeln!(
                f,
                "RUN tar -C /usr/local -xzf /tmp/go.tar.gz && rm /tmp/go.tar.gz"
            );
            let _ = writeln!(
                f,
                "ENV PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local GOCACHE={GOCACHE} GOMODCACHE={GOMODCACHE}"
            );
            (mounts, String::new(), "go".to_string())
        }
    };
    let _ = writeln!(f, "WORKDIR /src");
    let sums = if o.has_go_sum { " go.sum" } else { "" };
    let _ = writeln!(f, "COPY go.mod{sums} ./");
    let _ = writeln!(f, "RUN {mounts} \\\n    {setup}{go} mod download");
    let _ = writeln!(f, "COPY . .");
    // Cross-building for --os/--arch happens on the build machine; in the
    // `ADD` form the build stage already runs on the target platform.
    let cross = match (&pin.platform, o.fetch) {
        (Some(p), Fetch::Gov) => format!("GOOS={} GOARCH={} ", p.os, p.arch),
        _ => String::new(),
    };
    let _ = writeln!(
        f,
        "RUN {mounts} \\\n    {setup}{cross}CGO_ENABLED=0 {go} build -trimpath -o /out/{} {}\n",
        o.binary, o.package
    );
    // The program is for the platform asked, or in the `ADD` form the
    // archive's; otherwise wherever it is built.
    let platform = match (&pin.platform, o.fetch) {
        (Some(p), _) => format!("--platform={}/{} ", p.os, p.arch),
        (None, Fetch::Add) => format!("--platform={}/{} ", pin.target.os, pin.target.arch),
        (None, Fetch::Gov) => String::new(),
    };
    let _ = writeln!(f, "FROM {platform}scratch");
    let _ = writeln!(f, "COPY --from=build /out/{0} /{0}", o.binary);
    let _ = writeln!(f, "ENTRYPOINT [\"/{}\"]", o.binary);
    f
}
