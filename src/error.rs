//! The top-level error: every module's error, its hint and its exit code,
//! and how it is printed.

use std::error::Error as _;
use std::io::{self, IsTerminal, Write};

use crate::download::DownloadError;
use crate::env_vars;
use crate::index::IndexError;
use crate::install::InstallError;
use crate::resolve::ResolveError;
use crate::store::StoreError;
use crate::version::ParseVersionError;
use crate::version_files::VersionFileError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    VersionFile(#[from] VersionFileError),
    #[error(transparent)]
    Version(#[from] ParseVersionError),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error(transparent)]
    Env(#[from] crate::env::EnvError),
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A failure with its own message and fix.
    #[error("{message}")]
    Failed {
        message: String,
        hint: Option<String>,
    },
    /// The command line is wrong (exit code 2).
    #[error("{message}")]
    Usage {
        message: String,
        hint: Option<String>,
    },
}

impl Error {
    pub fn failed(message: impl Into<String>, hint: impl Into<Option<String>>) -> Error {
        Error::Failed {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn usage(message: impl Into<String>, hint: impl Into<Option<String>>) -> Error {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Resolve(e) => e.hint(),
            Error::Store(e) => e.hint(),
            Error::VersionFile(e) => e.hint(),
            Error::Version(_) => {
                Some("write a release such as `1.22.4`, `1.22`, `1.23rc1` or `latest`".into())
            }
            Error::Install(e) => e.hint(),
            Error::Index(e) => e.hint(),
            Error::Download(e) => e.hint(),
            Error::Env(e) => e.hint(),
            Error::Io(_) => None,
            Error::Failed { hint, .. } | Error::Usage { hint, .. } => hint.clone(),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Resolve(e) => e.exit_code(),
            Error::Usage { .. } | Error::Version(_) => 2,
            _ => 1,
        }
    }
}

/// Whether stderr gets colour: a terminal, and `NO_COLOR` unset or empty.
pub fn color_stderr() -> bool {
    std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty()) && io::stderr().is_terminal()
}

/// Prints `error: …`, its causes and a `hint:` line; returns the exit code.
pub fn report(err: &Error) -> u8 {
    let color = color_stderr();
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = format!("{} {err}\n", paint("1;31", "error:"));
    let mut cause = err.source();
    while let Some(c) = cause {
        out.push_str(&format!("  caused by: {c}\n"));
        cause = c.source();
    }
    if let Some(hint) = err.hint() {
        out.push_str(&format!("{} {hint}\n", paint("1;36", "hint:")));
    }
    let _ = io::stderr().write_all(out.as_bytes());
    err.exit_code()
}

/// Prints a `warning:` line.
pub fn warn(message: &str) {
    let label = if color_stderr() {
        "\x1b[1;33mwarning:\x1b[0m"
    } else {
        "warning:"
    };
    let _ = writeln!(io::stderr(), "{label} {message}");
}
