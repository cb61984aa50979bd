//! Which release runs. First match wins:
//!
//! 1. `go +VERSION …` (one call);
//! 2. `GOV_VERSION` (one shell, set by `gov shell`);
//! 3. the nearest version file, walking up from the current directory;
//! 4. the global default (`GOV_HOME/current`).
//!
//! [`select`] decides what is asked for and by whom; [`resolve`] matches it
//! against the store. Both take the environment and the current directory
//! as arguments.

use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::context::Context;
use crate::env_vars;
use crate::request::{Module, Request, Rule};
use crate::store::{Store, StoreError};
use crate::version::{ParseVersionError, Version};
use crate::version_files::{self, VersionFileError};

/// What selected a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A `+VERSION` first argument.
    Plus,
    /// The `GOV_VERSION` variable.
    Variable,
    /// A version file.
    File(PathBuf),
    /// The global default.
    Global,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Plus => f.write_str("the +VERSION argument"),
            Source::Variable => write!(f, "{}", env_vars::GOV_VERSION),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Global => f.write_str("global"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub request: Request,
    pub source: Source,
}

/// A selected release that is installed.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub version: Version,
    /// The GOROOT: `GOV_HOME/versions/<version>`.
    pub root: PathBuf,
    pub source: Source,
    /// For a go.mod or go.work: what it asked for and which rule chose.
    pub module: Option<(Module, Rule)>,
}

impl Resolved {
    /// Why this release runs: what selected it and, for a module, how.
    pub fn reason(&self) -> String {
        let Some((module, rule)) = self.module else {
            return format!("set by {}", self.source);
        };
        let min = module.min();
        let (major, minor) = module.preferred_series();
        let chose = match rule {
            Rule::Toolchain => format!("its toolchain line names {}, which is installed", self.version),
            Rule::PreferredSeries => format!("the newest installed {major}.{minor}.x"),
            Rule::Global => format!(
                "no {major}.{minor}.x that new is installed; the global default {} satisfies it",
                self.version
            ),
            Rule::OldestSeries => format!(
                "no {major}.{minor}.x that new is installed, nor a global default that is; the newest of the oldest installed series that is"
            ),
        };
        format!(
            "set by {}, which needs {min} or newer: {chose}",
            self.source
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("invalid version in `+{value}`")]
    InvalidPlus {
        value: String,
        #[source]
        source: ParseVersionError,
    },
    #[error("invalid version in {}: `{value}`", env_vars::GOV_VERSION)]
    InvalidVariable {
        value: String,
        #[source]
        source: ParseVersionError,
    },
    #[error(transparent)]
    VersionFile(#[from] VersionFileError),
    #[error(
        "no Go version selected in {}: no +VERSION argument, GOV_VERSION is unset, no .go-version, .tool-versions, go.work or go.mod here or in any parent directory, and no global default",
        where_(cwd)
    )]
    NothingSelected {
        cwd: PathBuf,
        /// The newest installed release, for the hint.
        newest: Option<Version>,
    },
    #[error("Go {request} is selected by {selected_by} but not installed")]
    NotInstalled {
        request: Request,
        selected_by: Source,
    },
    #[error("{selected_by} needs Go {} or newer, but {}", module.min(), installed_text(installed))]
    TooOld {
        module: Box<Module>,
        selected_by: Source,
        installed: Vec<Version>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ResolveError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ResolveError::InvalidPlus { .. } => {
                Some("write the version after `+`, as in `go +1.22.4 version`".into())
            }
            ResolveError::InvalidVariable { .. } => {
                Some("run `gov shell --unset`, or `gov shell 1.22.4` with a valid version".into())
            }
            ResolveError::VersionFile(e) => e.hint(),
            ResolveError::NothingSelected { newest, cwd } => Some(match newest {
                Some(v) if cwd.as_os_str().is_empty() => format!(
                    "run `gov global {v}` to set a default, or `cd` to a directory that exists"
                ),
                Some(v) => format!(
                    "run `gov global {v}` to set a default, or `gov local {v}` to pin this directory"
                ),
                None => "no release is installed: run `gov install latest`".into(),
            }),
            ResolveError::NotInstalled { request, .. } => {
                Some(format!("run `gov install {}`, or set {}=1 to install selected releases on first use", install_arg(request), env_vars::GOV_AUTO_INSTALL))
            }
            ResolveError::TooOld { module, .. } => Some(format!(
                "run `gov install {}`, or set {}=1 to install selected releases on first use",
                install_arg(&Request::Module(module.clone())),
                env_vars::GOV_AUTO_INSTALL
            )),
            ResolveError::Store(e) => e.hint(),
        }
    }

    /// Malformed `+VERSION` is bad usage; everything else is a failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            ResolveError::InvalidPlus { .. } => 2,
            _ => 1,
        }
    }
}

/// The directory selection looked in, for messages.
fn where_(cwd: &Path) -> String {
    if cwd.as_os_str().is_empty() {
        "the current directory, which was removed".into()
    } else {
        format!("`{}`", cwd.display())
    }
}

/// What is asked for, and by whom.
pub fn select(plus: Option<&str>, ctx: &Context, store: &Store) -> Result<Selection, ResolveError> {
    if let Some(value) = plus {
        let request = Request::parse(value).map_err(|source| ResolveError::InvalidPlus {
            value: value.to_string(),
            source,
        })?;
        return Ok(Selection {
            request,
            source: Source::Plus,
        });
    }
    if let Some(value) = ctx.var(env_vars::GOV_VERSION) {
        let value = value.to_string_lossy();
        let request = Request::parse(&value).map_err(|source| ResolveError::InvalidVariable {
            value: value.to_string(),
            source,
        })?;
        return Ok(Selection {
            request,
            source: Source::Variable,
        });
    }
    // A removed current directory has no version files.
    let found = match ctx.cwd_gone() {
        true => None,
        false => version_files::find(&ctx.cwd, ctx.var(env_vars::GOWORK))?,
    };
    if let Some(file) = found {
        return Ok(Selection {
            request: file.request,
            source: Source::File(file.path),
        });
    }
    match store.global() {
        Some(v) => Ok(Selection {
            request: Request::Exact(v),
            source: Source::Global,
        }),
        None => Err(ResolveError::NothingSelected {
            cwd: ctx.cwd.clone(),
            newest: store.installed()?.first().map(|i| i.version),
        }),
    }
}

/// The installed release a selection names. A module's follows SPEC 2's
/// rules a–d, the global default among them.
pub fn resolve_selection(selection: Selection, store: &Store) -> Result<Resolved, ResolveError> {
    if let Request::Module(module) = selection.request {
        let installed = store.installed()?;
        let versions: Vec<Version> = installed.iter().map(|i| i.version).collect();
        let Some((version, rule)) = module.choose(&versions, store.global()) else {
            return Err(ResolveError::TooOld {
                module,
                selected_by: selection.source,
                installed: versions,
            });
        };
        let i = installed
            .into_iter()
            .find(|i| i.version == version)
            .expect("chosen among the installed");
        return Ok(Resolved {
            version: i.version,
            root: i.root,
            source: selection.source,
            module: Some((*module, rule)),
        });
    }
    match store.pick(&selection.request)? {
        Some(i) => Ok(Resolved {
            version: i.version,
            root: i.root,
            source: selection.source,
            module: None,
        }),
        None => Err(ResolveError::NotInstalled {
            request: selection.request,
            selected_by: selection.source,
        }),
    }
}

/// The argument of the `gov install` that fetches what `request` asks for.
pub fn install_arg(request: &Request) -> String {
    match request {
        Request::AtLeast(v) => v.to_string(),
        Request::Module(m) => match m.install_request() {
            Request::Exact(v) => v.to_string(),
            _ => {
                let (major, minor) = m.preferred_series();
                format!("{major}.{minor}")
            }
        },
        r => r.to_string(),
    }
}

fn installed_text(installed: &[Version]) -> String {
    if installed.is_empty() {
        return "no Go release is installed".into();
    }
    let list: Vec<String> = installed.iter().map(|v| v.to_string()).collect();
    format!("only older releases are installed ({})", list.join(", "))
}

/// [`select`] then [`resolve_selection`].
pub fn resolve(plus: Option<&str>, ctx: &Context, store: &Store) -> Result<Resolved, ResolveError> {
    resolve_selection(select(plus, ctx, store)?, store)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    struct Fixture {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        store: Store,
    }

    fn fixture(installed: &[&str]) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let store = Store::new(root.join("home"));
        for v in installed {
            fs::create_dir_all(store.versions_dir().join(v).join("bin")).unwrap();
        }
        fs::create_dir_all(root.join("work")).unwrap();
        Fixture {
            _tmp: tmp,
            root,
            store,
        }
    }

    fn ctx(cwd: &Path) -> Context {
        Context::with_vars(cwd.to_path_buf(), &[])
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn picked(f: &Fixture, plus: Option<&str>, c: &Context) -> (String, Source) {
        let r = resolve(plus, c, &f.store).unwrap();
        (r.version.to_string(), r.source)
    }

    #[test]
    fn order_of_sources() {
        let f = fixture(&["1.19.8", "1.21.5", "1.22.4", "1.23.0"]);
        let work = f.root.join("work");
        let deep = work.join("a/b/c/d");
        fs::create_dir_all(&deep).unwrap();
        let global = f.store.installed().unwrap().pop().unwrap();
        f.store.set_global(&global, "test").unwrap();
        assert_eq!(
            picked(&f, None, &ctx(&deep)),
            ("1.19.8".into(), Source::Global)
        );

        write(&work.join("go.mod"), "module m\n\ngo 1.21\n");
        assert_eq!(
            picked(&f, None, &ctx(&deep)),
            ("1.21.5".into(), Source::File(work.join("go.mod")))
        );
        write(&work.join("a/.go-version"), "1.22\n");
        assert_eq!(
            picked(&f, None, &ctx(&deep)),
            ("1.22.4".into(), Source::File(work.join("a/.go-version")))
        );
        let mut c = ctx(&deep);
        c.set(env_vars::GOV_VERSION, "1.23");
        assert_eq!(picked(&f, None, &c), ("1.23.0".into(), Source::Variable));
        assert_eq!(
            picked(&f, Some("go1.19.8"), &c),
            ("1.19.8".into(), Source::Plus)
        );
    }

    #[test]
    fn files_inside_one_directory() {
        let f = fixture(&["1.21.5", "1.22.4", "1.23.0"]);
        let work = f.root.join("work");
        write(&work.join("go.mod"), "module m\ngo 1.21.0\n");
        write(&work.join("go.work"), "go 1.22.1\n");
        let at = |c: &Context| picked(&f, None, c).0;
        assert_eq!(at(&ctx(&work)), "1.22.4");
        write(&work.join(".tool-versions"), "golang 1.23.0\n");
        assert_eq!(at(&ctx(&work)), "1.23.0");
        write(&work.join(".go-version"), "1.21.5\n");
        assert_eq!(at(&ctx(&work)), "1.21.5");
    }

    #[test]
    fn go_work_further_up_beats_go_mod() {
        let f = fixture(&["1.21.5", "1.22.4"]);
        let work = f.root.join("work");
        let module = work.join("mod");
        write(&work.join("go.work"), "go 1.22\n\nuse ./mod\n");
        write(&module.join("go.mod"), "module m\ngo 1.21\n");
        let mut c = ctx(&module);
        assert_eq!(picked(&f, None, &c).0, "1.22.4");
        c.set(env_vars::GOWORK, "off");
        assert_eq!(picked(&f, None, &c).0, "1.21.5");
        let other = f.root.join("other.work");
        write(&other, "go 1.21.0\n");
        c.set(env_vars::GOWORK, other.clone());
        assert_eq!(picked(&f, None, &c), ("1.21.5".into(), Source::File(other)));
        c.set(env_vars::GOWORK, f.root.join("missing.work"));
        assert!(matches!(
            resolve(None, &c, &f.store),
            Err(ResolveError::VersionFile(
                VersionFileError::MissingGoWork { .. }
            ))
        ));
    }

    #[test]
    fn toolchain_line_prefers_its_release_then_its_series() {
        let f = fixture(&["1.22.1", "1.22.4"]);
        let work = f.root.join("work");
        write(
            &work.join("go.mod"),
            "module m\ngo 1.22\ntoolchain go1.22.1\n",
        );
        assert_eq!(picked(&f, None, &ctx(&work)).0, "1.22.1");
        write(
            &work.join("go.mod"),
            "module m\ngo 1.22\ntoolchain go1.22.2\n",
        );
        let r = resolve(None, &ctx(&work), &f.store).unwrap();
        assert_eq!(r.version.to_string(), "1.22.4");
        assert_eq!(
            r.reason(),
            format!(
                "set by {}, which needs 1.22.2 or newer: the newest installed 1.22.x",
                work.join("go.mod").display()
            )
        );
    }

    #[test]
    fn toolchain_default_means_no_toolchain_line() {
        let f = fixture(&["1.21.0", "1.22.4"]);
        let work = f.root.join("work");
        write(
            &work.join("go.mod"),
            "module m\ngo 1.21 // language\ntoolchain default\n",
        );
        assert_eq!(picked(&f, None, &ctx(&work)).0, "1.21.0");
    }

    #[test]
    fn a_toolchain_line_older_than_the_go_line_means_nothing() {
        let f = fixture(&["1.22.1", "1.22.4"]);
        let work = f.root.join("work");
        write(
            &work.join("go.mod"),
            "module m\ngo 1.22.3\ntoolchain go1.22.1\n",
        );
        assert_eq!(picked(&f, None, &ctx(&work)).0, "1.22.4");
    }

    #[test]
    fn go_line_needs_a_release_not_older() {
        let f = fixture(&["1.22.1"]);
        let work = f.root.join("work");
        write(&work.join("go.mod"), "module m\ngo 1.22.3\n");
        let err = resolve(None, &ctx(&work), &f.store).unwrap_err();
        assert!(matches!(err, ResolveError::TooOld { .. }));
        assert_eq!(
            err.to_string(),
            format!(
                "{} needs Go 1.22.3 or newer, but only older releases are installed (1.22.1)",
                work.join("go.mod").display()
            )
        );
        assert_eq!(
            err.hint().unwrap().split('`').nth(1),
            Some("gov install 1.22")
        );
    }

    #[test]
    fn nothing_selected_names_the_search() {
        let f = fixture(&["1.22.4"]);
        let err = resolve(None, &ctx(&f.root.join("work")), &f.store).unwrap_err();
        assert!(matches!(err, ResolveError::NothingSelected { .. }));
        assert!(err.to_string().contains(".go-version"));
    }

    #[test]
    fn malformed_inputs_name_their_source() {
        let f = fixture(&["1.22.4"]);
        let work = f.root.join("work");
        let err = resolve(Some("1.x"), &ctx(&work), &f.store).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let mut c = ctx(&work);
        c.set(env_vars::GOV_VERSION, "banana");
        assert!(resolve(None, &c, &f.store)
            .unwrap_err()
            .to_string()
            .contains("GOV_VERSION: `banana`"));
        write(&work.join(".go-version"), "# pin\n1.22.x\n");
        let err = resolve(None, &ctx(&work), &f.store).unwrap_err();
        assert!(err.to_string().contains("line 2: `1.22.x`"), "{err}");
        write(&work.join(".go-version"), "# nothing\n");
        assert!(matches!(
            resolve(None, &ctx(&work), &f.store),
            Err(ResolveError::VersionFile(VersionFileError::Empty { .. }))
        ));
    }
}
