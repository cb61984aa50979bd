//! The top-level error: every module's error, its hint and its exit code,
//! and how it is printed.

use std::error::Error as _;
use std::io::{self, Write};

use crate::download::DownloadError;
use crate::export::ExportError;
use crate::goroot::ForeignToolchain;
use crate::index::IndexError;
use crate::install::InstallError;
use crate::matrix::MatrixError;
use crate::resolve::ResolveError;
use crate::store::StoreError;
use crate::ui;
use crate::upgrade::UpgradeError;
use crate::version::ParseVersionError;
use crate::version_files::VersionFileError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Boxed: a resolution error carries what was asked and found.
    #[error(transparent)]
    Resolve(Box<ResolveError>),
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
    Env(#[from] crate::toolchain_env::EnvError),
    /// Boxed: it carries the release, the program and both platforms.
    #[error(transparent)]
    Foreign(Box<ForeignToolchain>),
    /// Boxed: it carries the releases and paths involved.
    #[error(transparent)]
    Upgrade(Box<UpgradeError>),
    /// Boxed, as are the next: they carry what was asked and found.
    #[error(transparent)]
    Matrix(Box<MatrixError>),
    #[error(transparent)]
    Export(Box<ExportError>),
    #[error(transparent)]
    Lock(Box<crate::lock::LockError>),
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
    /// The Go vulnerability database could not be read or trusted.
    #[error(transparent)]
    VulnDb(Box<crate::vulndb::VulnDbError>),
    #[error(transparent)]
    Audit(Box<crate::audit::AuditError>),
    /// The command printed its findings itself and ends with this code
    /// (`gov audit`: 3 when a release in use is affected, as govulncheck).
    #[error("{message}")]
    Findings { message: String, code: u8 },
    /// Stopped by a signal after cleaning up (exit code 128 + the signal).
    #[error("{message}")]
    Interrupted { message: String, signal: i32 },
}

impl From<crate::context::CwdGone> for Error {
    fn from(e: crate::context::CwdGone) -> Error {
        Error::failed(e.to_string(), e.hint())
    }
}

impl From<UpgradeError> for Error {
    fn from(e: UpgradeError) -> Error {
        Error::Upgrade(Box::new(e))
    }
}

impl From<Box<ForeignToolchain>> for Error {
    fn from(e: Box<ForeignToolchain>) -> Error {
        Error::Foreign(e)
    }
}

impl From<crate::vulndb::VulnDbError> for Error {
    fn from(e: crate::vulndb::VulnDbError) -> Error {
        Error::VulnDb(Box::new(e))
    }
}

impl From<crate::audit::AuditError> for Error {
    fn from(e: crate::audit::AuditError) -> Error {
        match e {
            crate::audit::AuditError::VersionFile(e) => e.into(),
            e => Error::Audit(Box::new(e)),
        }
    }
}

impl From<crate::lock::LockError> for Error {
    fn from(e: crate::lock::LockError) -> Error {
        Error::Lock(Box::new(e))
    }
}

impl From<crate::lock::FindError> for Error {
    fn from(e: crate::lock::FindError) -> Error {
        match e {
            crate::lock::FindError::VersionFile(e) => e.into(),
            crate::lock::FindError::Lock(e) => Error::Lock(e),
        }
    }
}

impl From<ResolveError> for Error {
    fn from(e: ResolveError) -> Error {
        Error::Resolve(Box::new(e))
    }
}

/// A module error that wraps another module's is reported as that one.
impl From<MatrixError> for Error {
    fn from(e: MatrixError) -> Error {
        match e {
            MatrixError::Store(e) => e.into(),
            MatrixError::VersionFile(e) => e.into(),
            e => Error::Matrix(Box::new(e)),
        }
    }
}

impl From<ExportError> for Error {
    fn from(e: ExportError) -> Error {
        match e {
            ExportError::Resolve(e) => Error::Resolve(e),
            ExportError::Lock(e) => Error::Lock(e),
            ExportError::VersionFile(e) => e.into(),
            ExportError::Version(e) => e.into(),
            e => Error::Export(Box::new(e)),
        }
    }
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
            Error::Foreign(e) => e.hint(),
            Error::Upgrade(e) => e.hint(),
            Error::Matrix(e) => e.hint(),
            Error::Export(e) => e.hint(),
            Error::Lock(e) => e.hint(),
            Error::Io(e) => crate::fsx::io_hint(e),
            Error::Failed { hint, .. } | Error::Usage { hint, .. } => hint.clone(),
            Error::VulnDb(e) => e.hint(),
            Error::Audit(e) => e.hint(),
            Error::Interrupted { .. } | Error::Findings { .. } => None,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Resolve(e) => e.exit_code(),
            Error::Upgrade(e) => e.exit_code(),
            Error::Usage { .. } | Error::Version(_) => 2,
            Error::Findings { code, .. } => *code,
            Error::Interrupted { signal, .. } => (128 + signal).clamp(0, 255) as u8,
            _ => 1,
        }
    }
}

/// Prints `error: …`, its causes and a `hint:` line; returns the exit code.
/// Every line is escaped: messages carry values from files and servers.
pub fn report(err: &Error) -> u8 {
    if let Error::Findings { message, code } = err {
        // Not a failure of gov: a summary line, no `error:`.
        let _ = anstream::stderr().write_all(format!("{}\n", ui::escape(message)).as_bytes());
        return *code;
    }
    let (red, cyan) = (ui::ERROR, ui::HINT);
    let mut out = format!("{red}error:{red:#} {}\n", ui::escape(&err.to_string()));
    let mut cause = err.source();
    while let Some(c) = cause {
        out.push_str(&format!("  caused by: {}\n", ui::escape(&c.to_string())));
        cause = c.source();
    }
    if let Some(hint) = err.hint() {
        out.push_str(&format!("{cyan}hint:{cyan:#} {}\n", ui::escape(&hint)));
    }
    // One write, so that concurrent reports do not interleave.
    let _ = anstream::stderr().write_all(out.as_bytes());
    err.exit_code()
}
