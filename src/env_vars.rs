//! Every environment variable gov reads or sets, declared once.

/// Root of everything gov keeps: releases, shims, the `current` link.
pub const GOV_HOME: &str = "GOV_HOME";
/// The version for this shell, set by `gov shell`; beats version files.
pub const GOV_VERSION: &str = "GOV_VERSION";
/// `1` installs a selected release that is missing before running it.
pub const GOV_AUTO_INSTALL: &str = "GOV_AUTO_INSTALL";
/// How deep shims are nested in each other; guards against PATH loops.
pub const GOV_SHIM_DEPTH: &str = "GOV_SHIM_DEPTH";
/// The release index (go.dev's `?mode=json&include=all` schema).
pub const GOV_INDEX_URL: &str = "GOV_INDEX_URL";
/// Base URL (http, https, file://) or directory of the release archives.
pub const GOV_DOWNLOAD_URL: &str = "GOV_DOWNLOAD_URL";
/// `1`: never touch the network; use only what is cached.
pub const GOV_OFFLINE: &str = "GOV_OFFLINE";
/// Seconds without a byte from the server before a download fails (default 30).
pub const GOV_HTTP_TIMEOUT: &str = "GOV_HTTP_TIMEOUT";
/// Milliseconds before the first retry of a failed download (default 500,
/// doubling each time); tests set 0.
pub const GOV_RETRY_DELAY_MS: &str = "GOV_RETRY_DELAY_MS";
/// XDG base directory for data; `GOV_HOME` defaults to `$XDG_DATA_HOME/gov`.
pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
/// The user's home directory; `GOV_HOME` falls back to `~/.local/share/gov`.
pub const HOME: &str = "HOME";
/// Turns colour off when set to anything non-empty.
pub const NO_COLOR: &str = "NO_COLOR";

/// Go's own: the root of the toolchain that runs. Shims always set it.
pub const GOROOT: &str = "GOROOT";
/// Go's own: shims set `local` unless the user chose a value, so Go never
/// fetches another toolchain behind gov's back.
pub const GOTOOLCHAIN: &str = "GOTOOLCHAIN";
/// Go's own: `off` ignores go.work files, a path names the one to use.
pub const GOWORK: &str = "GOWORK";
/// The search path for programs.
pub const PATH: &str = "PATH";
/// The user's shell, for `gov shell` output.
pub const SHELL: &str = "SHELL";
