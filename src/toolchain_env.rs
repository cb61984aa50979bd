//! THE environment a release runs with, built in one place for the shims,
//! `gov exec`/`run`, `gov env`, the prompt hook and doctor: `GOROOT`,
//! `GOTOOLCHAIN=local` unless the user chose a value, `GOV_VERSION` when
//! pinned, the release's `bin/` first on `PATH`, and for CI the caches and
//! a cache key. How a shell writes it is [`crate::shell`]'s business.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::context::Context;
use crate::env_vars;
use crate::fsx;
use crate::goroot::GoRoot;
use crate::platform;
use crate::store::Store;
use crate::version::Version;

/// Which caches a CI job keeps to itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isolate {
    /// Go's defaults, shared by everything on the machine.
    None,
    /// One GOCACHE, GOMODCACHE and GOPATH per release.
    Version,
    /// One per CI job (and release): jobs never share a half-written cache.
    Job,
}

impl Isolate {
    pub const NAMES: [&'static str; 3] = ["none", "version", "job"];

    pub fn from_name(name: &str) -> Option<Isolate> {
        match name {
            "none" => Some(Isolate::None),
            "version" => Some(Isolate::Version),
            "job" => Some(Isolate::Job),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("--isolate job needs a CI job id, but none of GITHUB_RUN_ID, {} is set", env_vars::JOB_IDS.join(", "))]
    NoJobId,
    #[error("--shell github needs GITHUB_ENV and GITHUB_PATH, which GitHub Actions sets")]
    NotGithub,
    #[error("cannot put `{}` on PATH: it holds `:`, PATH's separator", dir.display())]
    PathSeparator { dir: PathBuf },
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
                Some("set GITHUB_RUN_ID or CI_JOB_ID (a name unique to the job), or use `--isolate version`".into())
            }
            EnvError::NotGithub => {
                Some("run it in a GitHub Actions step, or use `--shell sh`".into())
            }
            EnvError::PathSeparator { .. } => {
                Some("set GOV_HOME to a directory whose path has no `:`".into())
            }
            EnvError::Write { .. } => None,
        }
    }
}

/// Variables to set, in order, and the directory to put first on `PATH`.
#[derive(Debug, Clone)]
pub struct ToolchainEnv {
    pub vars: Vec<(&'static str, OsString)>,
    pub path_prepend: Option<PathBuf>,
}

impl ToolchainEnv {
    /// What every run of the release at `root` gets: `GOROOT`, and
    /// `GOTOOLCHAIN=local` unless the user set `GOTOOLCHAIN`, so Go never
    /// fetches another toolchain behind gov's back.
    pub fn new(root: &Path, ctx: &Context) -> ToolchainEnv {
        let mut vars = vec![(env_vars::GOROOT, root.as_os_str().to_owned())];
        if ctx.var(env_vars::GOTOOLCHAIN).is_none() {
            vars.push((env_vars::GOTOOLCHAIN, "local".into()));
        }
        ToolchainEnv {
            vars,
            path_prepend: None,
        }
    }

    /// Also `GOV_VERSION`, so that shims the program starts run `version`.
    pub fn pin(mut self, version: Version) -> ToolchainEnv {
        self.vars
            .push((env_vars::GOV_VERSION, version.to_string().into()));
        self
    }

    /// Also the release's `bin/` first on `PATH`; a directory whose path
    /// holds `:` cannot be.
    pub fn with_path(mut self) -> Result<ToolchainEnv, EnvError> {
        let root = self.get(env_vars::GOROOT).map(PathBuf::from);
        let dir = root.map(|r| GoRoot::new(&r).bin_dir());
        if let Some(dir) = dir
            .as_ref()
            .filter(|d| d.as_os_str().as_encoded_bytes().contains(&b':'))
        {
            return Err(EnvError::PathSeparator { dir: dir.clone() });
        }
        self.path_prepend = dir;
        Ok(self)
    }

    /// Also caches of the job's or release's own under `GOV_HOME/cache`,
    /// and `GOV_CACHE_KEY` for CI cache steps.
    pub fn for_ci(
        mut self,
        version: Version,
        isolate: Isolate,
        store: &Store,
        ctx: &Context,
    ) -> Result<ToolchainEnv, EnvError> {
        let caches = match isolate {
            Isolate::None => None,
            Isolate::Version => Some(store.go_cache_dir().join(version.to_string())),
            Isolate::Job => {
                let job = job_key(ctx).ok_or(EnvError::NoJobId)?;
                Some(store.job_cache_dir().join(job).join(version.to_string()))
            }
        };
        if let Some(base) = &caches {
            // The user's own, whatever store the release is in.
            use std::os::unix::fs::DirBuilderExt;
            let _ = std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(base);
        }
        if let Some(base) = caches {
            self.vars
                .push((env_vars::GOCACHE, base.join("build").into()));
            self.vars
                .push((env_vars::GOMODCACHE, base.join("mod").into()));
            self.vars.push((env_vars::GOPATH, base.join("path").into()));
        }
        self.vars
            .push((env_vars::GOV_CACHE_KEY, cache_key(version, &ctx.cwd).into()));
        Ok(self)
    }

    /// Also the release's own build cache, the one `--isolate version`
    /// gives it (`GOV_HOME/cache/go/<version>/build`): runs of several
    /// releases side by side never share one.
    pub fn with_build_cache(mut self, version: Version, store: &Store) -> ToolchainEnv {
        let base = store.go_cache_dir().join(version.to_string());
        // The user's own, whatever store the release is in; Go creates the
        // cache itself below it.
        use std::os::unix::fs::DirBuilderExt;
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&base);
        self.vars
            .push((env_vars::GOCACHE, base.join("build").into()));
        self
    }

    /// `GOPATH/bin`, where `go install` puts programs: the isolated one, else
    /// Go's default `~/go/bin`.
    pub fn gopath_bin(&self, ctx: &Context) -> Option<PathBuf> {
        match self.get(env_vars::GOPATH) {
            Some(gopath) => Some(Path::new(gopath).join("bin")),
            None => ctx.var(env_vars::HOME).map(|h| Path::new(h).join("go/bin")),
        }
    }

    /// The value this environment gives `name`.
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.vars
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_os_str())
    }

    /// `PATH` as the program sees it, when this environment changes it.
    pub fn path(&self, ctx: &Context) -> Option<OsString> {
        self.path_prepend
            .as_deref()
            .map(|dir| prepend_path(dir, ctx.path()))
    }

    /// Sets all of it on `cmd`.
    pub fn apply(&self, cmd: &mut Command, ctx: &Context) {
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        if let Some(path) = self.path(ctx) {
            cmd.env(env_vars::PATH, path);
        }
    }

    /// The full values, `PATH` included, as a JSON object.
    pub fn to_json(&self, ctx: &Context) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.vars {
            map.insert((*k).into(), v.to_string_lossy().into());
        }
        if let Some(path) = self.path(ctx) {
            map.insert(env_vars::PATH.into(), path.to_string_lossy().into());
        }
        serde_json::Value::Object(map)
    }

    /// Appends to `$GITHUB_ENV` and `$GITHUB_PATH`, as GitHub Actions
    /// reads them.
    pub fn write_github(&self, ctx: &Context) -> Result<(), EnvError> {
        use std::io::Write;
        let (Some(github_env), Some(github_path)) = (
            ctx.var(env_vars::GITHUB_ENV),
            ctx.var(env_vars::GITHUB_PATH),
        ) else {
            return Err(EnvError::NotGithub);
        };
        let append = |path: &OsStr, text: String| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .map_err(|source| EnvError::Write {
                    path: path.into(),
                    source,
                })
        };
        let lines: String = self
            .vars
            .iter()
            .map(|(k, v)| format!("{k}={}\n", v.to_string_lossy()))
            .collect();
        append(github_env, lines)?;
        // GITHUB_PATH puts its last line first: the release's bin wins.
        let mut path = String::new();
        if let Some(bin) = self.gopath_bin(ctx) {
            path.push_str(&format!("{}\n", bin.display()));
        }
        if let Some(dir) = &self.path_prepend {
            path.push_str(&format!("{}\n", dir.display()));
        }
        append(github_path, path)
    }
}

/// The line Go 1.21+ reads from `$GOROOT/go.env` unless `GOTOOLCHAIN` is
/// set: with it, a `go` run without gov's shims (`GOV_HOME/current/bin`,
/// the shim-free shell mode) never fetches another toolchain either.
pub const GO_ENV_LOCAL: &str = "GOTOOLCHAIN=local";

/// What `ROOT/go.env` says of `GOTOOLCHAIN`: `None` when the file or the
/// line is missing (Go before 1.21 has neither).
pub fn go_env_toolchain(root: &Path) -> Option<String> {
    let (text, _) = fsx::read_regular_text(&GoRoot::new(root).go_env(), 64 * 1024)
        .ok()
        .flatten()?
        .ok()?;
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("GOTOOLCHAIN="))
        .map(str::to_string)
}

/// Makes a release gov installs default to `GOTOOLCHAIN=local` in its own
/// `go.env`, as Linux distributions ship Go; returns the edit (the line it
/// replaced) to record, or `None` when there is no `go.env` (Go before
/// 1.21) or it already says so.
pub fn pin_local_toolchain(root: &Path) -> std::io::Result<Option<(Option<String>, String)>> {
    let path = GoRoot::new(root).go_env();
    let Some(Ok((text, _))) = fsx::read_regular_text(&path, 64 * 1024)? else {
        return Ok(None);
    };
    let mut was = None;
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.trim().starts_with("GOTOOLCHAIN=") {
            if line.trim() == GO_ENV_LOCAL {
                return Ok(None);
            }
            was = Some(line.to_string());
            lines.push(GO_ENV_LOCAL.to_string());
        } else {
            lines.push(line.to_string());
        }
    }
    if was.is_none() {
        lines.push(GO_ENV_LOCAL.to_string());
    }
    fsx::write_atomic(&path, format!("{}\n", lines.join("\n")).as_bytes())?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))?;
    Ok(Some((was, GO_ENV_LOCAL.to_string())))
}

/// A name unique to this CI job (and attempt), fit for a directory name.
pub fn job_key(ctx: &Context) -> Option<String> {
    let job = if let Some(run) = ctx.text(env_vars::GITHUB_RUN_ID) {
        let attempt = ctx.text(env_vars::GITHUB_RUN_ATTEMPT).unwrap_or("1");
        let name = ctx.text(env_vars::GITHUB_JOB).unwrap_or("job");
        format!("gh-{run}-{attempt}-{name}")
    } else {
        env_vars::JOB_IDS
            .iter()
            .find_map(|name| ctx.text(name))?
            .to_string()
    };
    let key: String = job
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // A directory name: a long one is cut, and told apart by a hash of it all.
    const MAX: usize = 96;
    if key.len() <= MAX {
        return Some(key);
    }
    use sha2::{Digest, Sha256};
    let hash = format!("{:x}", Sha256::digest(job.as_bytes()));
    Some(format!("{}-{}", &key[..MAX - 17], &hash[..16]))
}

/// `go1.22.4-linux-amd64-<hash of the nearest go.sum and go.work.sum>` for
/// CI cache steps.
pub fn cache_key(version: Version, cwd: &Path) -> String {
    let (os, arch) = platform::host();
    // Only regular files, and only so much of them: a pipe planted in a
    // parent directory must not hang `gov env`.
    let nearest = |name: &str| {
        cwd.ancestors()
            .find_map(|d| match fsx::read_regular(&d.join(name), 64 << 20) {
                Ok(fsx::Found::Bytes(bytes)) => Some(bytes),
                _ => None,
            })
    };
    let (sum, work_sum) = (nearest("go.sum"), nearest("go.work.sum"));
    let hash = if sum.is_none() && work_sum.is_none() {
        "nosum".to_string()
    } else {
        let mut hasher = Sha256::new();
        for part in [&sum, &work_sum] {
            let bytes = part.as_deref().unwrap_or_default();
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        format!("{:x}", hasher.finalize())[..16].to_string()
    };
    format!("go{version}-{os}-{arch}-{hash}")
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
    fn gotoolchain_is_local_unless_the_user_chose() {
        let root = Path::new("/g/versions/1.22.4");
        let bare = Context::with_vars(PathBuf::from("/"), &[]);
        let env = ToolchainEnv::new(root, &bare).pin(Version::parse("1.22.4").unwrap());
        assert_eq!(env.get(env_vars::GOTOOLCHAIN), Some(OsStr::new("local")));
        assert_eq!(env.get(env_vars::GOV_VERSION), Some(OsStr::new("1.22.4")));
        let chosen = Context::with_vars(PathBuf::from("/"), &[(env_vars::GOTOOLCHAIN, "auto")]);
        assert_eq!(
            ToolchainEnv::new(root, &chosen).get(env_vars::GOTOOLCHAIN),
            None
        );
    }
}
