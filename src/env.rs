//! The environment a release needs (`GOROOT`, its `bin/` on `PATH`,
//! `GOTOOLCHAIN`), CI cache isolation, and how each shell writes it.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::env_vars;
use crate::fsx;
use crate::index;
use crate::resolve::Resolved;
use crate::store::Store;

/// Which caches a CI job keeps to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Isolate {
    /// Go's defaults, shared by everything on the machine.
    None,
    /// One GOCACHE, GOMODCACHE and GOPATH per release.
    Version,
    /// One per CI job (and release): jobs never share a half-written cache.
    Job,
}

/// The CI variables that name a job, in the order they are tried.
pub const JOB_ID_VARS: [&str; 5] = [
    "GITHUB_RUN_ID",
    "CI_JOB_ID",
    "BUILD_ID",
    "BUILD_NUMBER",
    "BUILDKITE_JOB_ID",
];

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("--isolate job needs a CI job id, but none of {} is set", JOB_ID_VARS.join(", "))]
    NoJobId,
    #[error("--shell github needs GITHUB_ENV and GITHUB_PATH, which GitHub Actions sets")]
    NotGithub,
    #[error("cannot append to `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl EnvError {
    pub fn hint(&self) -> Option<String> {
        match self {
            EnvError::NoJobId => {
                Some("set GITHUB_RUN_ID or CI_JOB_ID, or use `--isolate version`".into())
            }
            EnvError::NotGithub => {
                Some("run it in a GitHub Actions step, or use `--shell sh`".into())
            }
            EnvError::Write { .. } => None,
        }
    }
}

/// Variables to set, in order, and the directory to put first on `PATH`.
#[derive(Debug, Clone)]
pub struct GoEnv {
    pub vars: Vec<(&'static str, String)>,
    pub path_prepend: PathBuf,
}

/// What the resolved release needs; `get` reads the environment.
pub fn go_env(
    resolved: &Resolved,
    store: &Store,
    isolate: Isolate,
    cwd: &Path,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<GoEnv, EnvError> {
    let mut vars = vec![(env_vars::GOROOT, resolved.root.display().to_string())];
    if get(env_vars::GOTOOLCHAIN).is_none_or(|v| v.is_empty()) {
        vars.push((env_vars::GOTOOLCHAIN, "local".into()));
    }
    let caches = match isolate {
        Isolate::None => None,
        Isolate::Version => Some(
            store
                .home()
                .join("cache/go")
                .join(resolved.version.to_string()),
        ),
        Isolate::Job => {
            let job = JOB_ID_VARS
                .iter()
                .find_map(|name| get(name).filter(|v| !v.is_empty()))
                .ok_or(EnvError::NoJobId)?;
            let job: String = job
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            Some(
                store
                    .home()
                    .join("cache/jobs")
                    .join(job)
                    .join(resolved.version.to_string()),
            )
        }
    };
    if let Some(base) = caches {
        vars.push(("GOCACHE", base.join("build").display().to_string()));
        vars.push(("GOMODCACHE", base.join("mod").display().to_string()));
        vars.push(("GOPATH", base.join("path").display().to_string()));
    }
    vars.push(("GOV_CACHE_KEY", cache_key(resolved, cwd)));
    Ok(GoEnv {
        vars,
        path_prepend: resolved.root.join("bin"),
    })
}

/// `go1.22.4-linux-amd64-<hash of the nearest go.sum>` for CI cache steps.
pub fn cache_key(resolved: &Resolved, cwd: &Path) -> String {
    let (os, arch) = index::host_platform();
    // Only a regular go.sum, and only so much of it: a pipe planted in a
    // parent directory must not hang `gov env`.
    let sum = cwd
        .ancestors()
        .find_map(|d| match fsx::read_regular(&d.join("go.sum"), 64 << 20) {
            Ok(fsx::Found::Bytes(bytes)) => Some(bytes),
            _ => None,
        })
        .map(|bytes| format!("{:x}", Sha256::digest(&bytes))[..16].to_string())
        .unwrap_or_else(|| "nosum".into());
    format!("go{}-{os}-{arch}-{sum}", resolved.version)
}

/// `'value'` for POSIX shells and fish.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

pub fn render_sh(env: &GoEnv) -> String {
    let mut out = String::new();
    for (k, v) in &env.vars {
        out.push_str(&format!("export {k}={}\n", quote(v)));
    }
    // `${PATH:+…}`: an empty PATH must not become `dir:`, which means `.`.
    out.push_str(&format!(
        "export PATH={}\"${{PATH:+:$PATH}}\"\n",
        quote(&env.path_prepend.display().to_string())
    ));
    out
}

pub fn render_fish(env: &GoEnv) -> String {
    let quote_fish = |v: &str| format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"));
    let mut out = String::new();
    for (k, v) in &env.vars {
        out.push_str(&format!("set -gx {k} {}\n", quote_fish(v)));
    }
    out.push_str(&format!(
        "set -gx PATH {} $PATH\n",
        quote_fish(&env.path_prepend.display().to_string())
    ));
    out
}

pub fn render_pwsh(env: &GoEnv) -> String {
    let q = |v: &str| format!("'{}'", v.replace('\'', "''"));
    let mut out = String::new();
    for (k, v) in &env.vars {
        out.push_str(&format!("$env:{k} = {}\n", q(v)));
    }
    out.push_str(&format!(
        "$env:PATH = {} + [IO.Path]::PathSeparator + $env:PATH\n",
        q(&env.path_prepend.display().to_string())
    ));
    out
}

/// The full values, `PATH` included, as a JSON object.
pub fn render_json(env: &GoEnv, path: &OsStr) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in &env.vars {
        map.insert((*k).into(), v.clone().into());
    }
    let full = prepend_path(&env.path_prepend, path);
    map.insert("PATH".into(), full.to_string_lossy().into());
    serde_json::Value::Object(map)
}

/// `dir` followed by the entries of `path`, with its empty entries dropped:
/// an empty entry means the current directory, which gov never puts on
/// anyone's PATH.
pub fn prepend_path(dir: &Path, path: &OsStr) -> OsString {
    let mut out = OsString::from(dir);
    for entry in std::env::split_paths(path) {
        if !entry.as_os_str().is_empty() {
            out.push(":");
            out.push(entry);
        }
    }
    out
}

/// Appends to `$GITHUB_ENV` and `$GITHUB_PATH`, as GitHub Actions reads them.
pub fn write_github(env: &GoEnv, github_env: &Path, github_path: &Path) -> Result<(), EnvError> {
    use std::io::Write;
    let append = |path: &Path, text: String| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|source| EnvError::Write {
                path: path.to_path_buf(),
                source,
            })
    };
    let lines: String = env.vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    append(github_env, lines)?;
    append(github_path, format!("{}\n", env.path_prepend.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepending_never_adds_the_current_directory() {
        let dir = Path::new("/g/bin");
        for (path, want) in [
            ("", "/g/bin"),
            (":", "/g/bin"),
            ("/usr/bin::/bin:", "/g/bin:/usr/bin:/bin"),
        ] {
            assert_eq!(prepend_path(dir, OsStr::new(path)), OsStr::new(want));
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("/a b/c"), "'/a b/c'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
