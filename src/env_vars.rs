//! Every environment variable gov reads or sets, declared once. Only
//! [`crate::context::Context`] reads the process environment, and it reads
//! exactly the variables of [`READ`].

/// Root of everything gov keeps: releases, shims, the `current` link.
pub const GOV_HOME: &str = "GOV_HOME";
/// The system store shared by every user of a machine (default `/opt/gov`),
/// written by its owner with `gov --system …`.
pub const GOV_SYSTEM_HOME: &str = "GOV_SYSTEM_HOME";
/// The version for this shell, set by `gov shell`; beats version files.
pub const GOV_VERSION: &str = "GOV_VERSION";
/// `1` installs a selected release that is missing before running it.
pub const GOV_AUTO_INSTALL: &str = "GOV_AUTO_INSTALL";
/// `1`: `gov install` installs exactly what `gov.lock` locks, or fails
/// (as `--locked`; for CI). Shims never read the lock.
pub const GOV_LOCKED: &str = "GOV_LOCKED";
/// How deep shims are nested in each other; guards against PATH loops.
pub const GOV_SHIM_DEPTH: &str = "GOV_SHIM_DEPTH";
/// The release index (go.dev's `?mode=json&include=all` schema).
pub const GOV_INDEX_URL: &str = "GOV_INDEX_URL";
/// Base URL (http, https, file://) or directory of the release archives.
pub const GOV_DOWNLOAD_URL: &str = "GOV_DOWNLOAD_URL";
/// Where the installer script fetches gov's binaries (default: the
/// project's releases); `gov export` writes it into CI jobs.
pub const GOV_RELEASE_URL: &str = "GOV_RELEASE_URL";
/// `1`: never touch the network; use only what is cached.
pub const GOV_OFFLINE: &str = "GOV_OFFLINE";
/// Where releases come from: `dl` (go.dev/dl and the `GOV_*_URL`
/// mirrors, the default) or `proxy` (Go's module proxy, `GOPROXY`, each
/// release proved by the checksum database, `GOSUMDB`).
pub const GOV_SOURCE: &str = "GOV_SOURCE";
/// Seconds without a byte from the server before a download fails, retries
/// included (default 30, from 0.1 to 86400).
pub const GOV_HTTP_TIMEOUT: &str = "GOV_HTTP_TIMEOUT";
/// Milliseconds before the first retry of a failed download (default 500,
/// doubling each time, from 0 to 600000); tests set 0.
pub const GOV_RETRY_DELAY_MS: &str = "GOV_RETRY_DELAY_MS";
/// Seconds one download may take in all, retries included, however fast
/// bytes keep coming (default 3600, from 1 to 604800).
pub const GOV_DOWNLOAD_DEADLINE: &str = "GOV_DOWNLOAD_DEADLINE";
/// Set by `gov env --isolate`: a key for CI cache steps (release, platform,
/// hash of go.sum).
pub const GOV_CACHE_KEY: &str = "GOV_CACHE_KEY";
/// XDG base directory for data; `GOV_HOME` defaults to `$XDG_DATA_HOME/gov`.
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
/// Per-user runtime directory: shim-free shells keep their `bin` link there.
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
/// goenv's home, where `gov import` looks for its releases.
pub const GOENV_ROOT: &str = "GOENV_ROOT";
/// The user's home directory; `GOV_HOME` falls back to `~/.local/share/gov`.
pub const HOME: &str = "HOME";
/// Hosts reached without the proxy (either spelling).
pub const NO_PROXY: &str = "NO_PROXY";
pub const NO_PROXY_LOWER: &str = "no_proxy";

/// Go's own: the root of the toolchain that runs. Shims always set it.
pub const GOROOT: &str = "GOROOT";
/// Go's own: shims set `local` unless the user chose a value, so Go never
/// fetches another toolchain behind gov's back.
pub const GOTOOLCHAIN: &str = "GOTOOLCHAIN";
/// Go's own: `off` ignores go.work files, a path names the one to use.
pub const GOWORK: &str = "GOWORK";
/// Go's own caches, set by `gov env --isolate`.
pub const GOCACHE: &str = "GOCACHE";
pub const GOMODCACHE: &str = "GOMODCACHE";
pub const GOPATH: &str = "GOPATH";
/// Go's own, read as Go reads them when `GOV_SOURCE=proxy`: the module
/// proxies, the checksum database, and the module patterns neither applies
/// to (which never include the toolchain module).
pub const GOPROXY: &str = "GOPROXY";
pub const GOSUMDB: &str = "GOSUMDB";
pub const GONOSUMDB: &str = "GONOSUMDB";
pub const GOPRIVATE: &str = "GOPRIVATE";
/// Go's own settings file (`go env -w`), and its default place under the
/// user's configuration directory.
pub const GOENV: &str = "GOENV";
pub const XDG_CONFIG_HOME: &str = "XDG_CONFIG_HOME";
/// Go's own (govulncheck's): the Go vulnerability database `gov audit`
/// reads (default `https://vuln.go.dev`; http, https, file:// or a path).
pub const GOVULNDB: &str = "GOVULNDB";
/// Credentials for private proxies (default `~/.netrc`), as Go reads them.
pub const NETRC: &str = "NETRC";
/// The search path for programs.
pub const PATH: &str = "PATH";
/// The user's shell, for `gov shell` output.
pub const SHELL: &str = "SHELL";

/// GitHub Actions' files that later steps read their environment from.
pub const GITHUB_ENV: &str = "GITHUB_ENV";
pub const GITHUB_PATH: &str = "GITHUB_PATH";
/// GitHub Actions: a run's id is shared by all its jobs and attempts, so a
/// job is the run, the attempt and the job's id together.
pub const GITHUB_RUN_ID: &str = "GITHUB_RUN_ID";
pub const GITHUB_RUN_ATTEMPT: &str = "GITHUB_RUN_ATTEMPT";
pub const GITHUB_JOB: &str = "GITHUB_JOB";
/// The other CIs' unique job names, in the order `--isolate job` tries
/// them: GitLab's job id, Jenkins' `jenkins-JOB-BUILD` tag (its
/// BUILD_NUMBER repeats per job), Buildkite's job id.
pub const JOB_IDS: [&str; 3] = ["CI_JOB_ID", "BUILD_TAG", "BUILDKITE_JOB_ID"];

/// Test-only, in builds with the `test-hooks` feature (the tests'): the
/// checkpoint at which gov kills itself, as `kill -9` would
/// ([`crate::checkpoint`]). A release build neither has nor reads it.
#[cfg(feature = "test-hooks")]
pub const GOV_TEST_CRASH_AT: &str = "GOV_TEST_CRASH_AT";

/// Every variable gov reads. (Proxies, `HTTPS_PROXY` and friends, are read
/// by the HTTP client itself; `NO_COLOR` and `CLICOLOR` by the terminal
/// writer; the test-only `GOV_TEST_CRASH_AT` by its checkpoints.)
pub const READ: &[&str] = &[
    GOV_HOME,
    GOV_SYSTEM_HOME,
    GOV_VERSION,
    GOV_AUTO_INSTALL,
    GOV_LOCKED,
    GOV_SHIM_DEPTH,
    GOV_INDEX_URL,
    GOV_DOWNLOAD_URL,
    GOV_RELEASE_URL,
    GOV_OFFLINE,
    GOV_SOURCE,
    GOV_HTTP_TIMEOUT,
    GOV_RETRY_DELAY_MS,
    GOV_DOWNLOAD_DEADLINE,
    XDG_DATA_HOME,
    XDG_RUNTIME_DIR,
    GOENV_ROOT,
    HOME,
    NO_PROXY,
    NO_PROXY_LOWER,
    GOROOT,
    GOTOOLCHAIN,
    GOWORK,
    GOMODCACHE,
    GOPATH,
    GOPROXY,
    GOSUMDB,
    GONOSUMDB,
    GOPRIVATE,
    GOVULNDB,
    GOENV,
    XDG_CONFIG_HOME,
    NETRC,
    PATH,
    SHELL,
    GITHUB_ENV,
    GITHUB_PATH,
    GITHUB_RUN_ID,
    GITHUB_RUN_ATTEMPT,
    GITHUB_JOB,
    JOB_IDS[0],
    JOB_IDS[1],
    JOB_IDS[2],
];
