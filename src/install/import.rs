//! `gov import`: Go toolchains other tools installed — goenv, gvm, g,
//! golang.org/dl, asdf, mise, `/usr/local/go`, `/usr/lib/go-*`, and the
//! toolchains Go switched to itself (its module cache) — found,
//! checked as `gov link` checks (never executed) and registered under the
//! release their `VERSION` names: linked, or copied into the store.

use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::env_vars;
use crate::goroot::{self, GoRoot};
use crate::platform::Platform;
use crate::sources::GoSettings;
use crate::store::{Imported, Module, Store, StoreError};
use crate::version::Version;

/// A place some tool keeps Go roots.
#[derive(Debug, Clone)]
pub struct Found {
    pub root: PathBuf,
    /// Which tool's (`goenv`, `gvm`, …, `go` or `given`).
    pub by: &'static str,
    /// The toolchain module it is, for one in Go's module cache.
    pub module: Option<Module>,
}

/// What became of one root.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub root: PathBuf,
    pub by: &'static str,
    pub version: Option<String>,
    /// `linked`, `copied`, `would link`, `would copy`, `skipped`, or
    /// `failed` (the command then fails).
    pub action: &'static str,
    /// Why it was skipped, or why it failed.
    pub reason: Option<String>,
}

/// Every root the known tools (and `dirs`) hold, once each.
pub fn find_roots(ctx: &Context, dirs: &[PathBuf]) -> Vec<Found> {
    let home = ctx.var(env_vars::HOME).map(PathBuf::from);
    let mut places: Vec<(PathBuf, &'static str, bool)> = Vec::new();
    let mut under_home = |relative: &str, by: &'static str| {
        if let Some(home) = &home {
            places.push((home.join(relative), by, true));
        }
    };
    under_home(".gvm/gos", "gvm");
    under_home(".g/versions", "g");
    under_home("sdk", "golang.org/dl");
    under_home(".asdf/installs/golang", "asdf");
    under_home(".local/share/mise/installs/go", "mise");
    match ctx.var(env_vars::GOENV_ROOT) {
        Some(root) => places.push((Path::new(root).join("versions"), "goenv", true)),
        None => under_home(".goenv/versions", "goenv"),
    }
    places.push(("/usr/local/go".into(), "/usr/local/go", false));
    for entry in std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with("go-") {
            places.push((entry.path(), "/usr/lib/go-*", false));
        }
    }
    for dir in dirs {
        places.push((dir.clone(), "given", GoRoot::new(dir).check().is_err()));
    }
    let mut found: Vec<Found> = Vec::new();
    let mut seen = Vec::new();
    let mut add = |root: PathBuf, by, module| {
        let key = root.canonicalize().unwrap_or_else(|_| root.clone());
        if !seen.contains(&key) {
            seen.push(key);
            found.push(Found { root, by, module });
        }
    };
    if let Some(cache) = GoSettings::from_context(ctx).mod_cache() {
        for (root, module) in go_mod_cache_toolchains(&cache, &Platform::host()) {
            add(root, "go", Some(module));
        }
    }
    for (place, by, holds_many) in places {
        if !holds_many {
            if place.exists() {
                add(place, by, None);
            }
            continue;
        }
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&place)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            // asdf and some others keep the root one level down, in `go/`.
            let root = if GoRoot::new(&entry).check().is_err()
                && GoRoot::new(&entry.join("go")).go().exists()
            {
                entry.join("go")
            } else {
                entry
            };
            add(root, by, None);
        }
    }
    found
}

/// The toolchains Go downloaded for `platform` when it switched
/// (`GOMODCACHE/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64`), each
/// with the `h1:` Go checked it against (its `.ziphash`).
fn go_mod_cache_toolchains(cache: &Path, platform: &Platform) -> Vec<(PathBuf, Module)> {
    let suffix = format!(".{platform}");
    let mut found: Vec<(PathBuf, Module)> = std::fs::read_dir(cache.join("golang.org"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.strip_prefix("toolchain@")?;
            if !version.starts_with("v0.0.1-go") || !version.ends_with(&suffix) {
                return None;
            }
            let ziphash = cache
                .join("cache/download/golang.org/toolchain/@v")
                .join(format!("{version}.ziphash"));
            let h1 = std::fs::read_to_string(ziphash).ok()?;
            let h1 = h1.trim();
            // What Go wrote: one `h1:` line, else not a download it finished.
            if !h1.starts_with("h1:") || h1.len() > 128 || h1.contains(char::is_whitespace) {
                return None;
            }
            let module = Module {
                path: "golang.org/toolchain".into(),
                version: version.into(),
                h1: h1.into(),
                proved_by: None,
            };
            Some((entry.path(), module))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Registers `found` in `store` (or says what it would do).
pub fn import(
    store: &Store,
    found: &Found,
    copy: bool,
    dry_run: bool,
) -> Result<Outcome, StoreError> {
    let outcome = |version: Option<Version>, action, reason: Option<String>| Outcome {
        root: found.root.clone(),
        by: found.by,
        version: version.map(|v| v.to_string()),
        action,
        reason,
    };
    if found
        .root
        .canonicalize()
        .is_ok_and(|r| r.starts_with(store.home()))
    {
        return Ok(outcome(
            None,
            "skipped",
            Some("it is in gov's own store".into()),
        ));
    }
    let go_root = GoRoot::new(&found.root);
    if let Err(problem) = go_root.check() {
        return Ok(outcome(
            None,
            "skipped",
            Some(format!("not a Go root: {}", problem.reason())),
        ));
    }
    let Some(version) = go_root
        .version_line()
        .and_then(|says| goroot::release_named_by(&says))
    else {
        return Ok(outcome(
            None,
            "skipped",
            Some("no VERSION names a release".into()),
        ));
    };
    if let Some(existing) = store.find(&version)? {
        let at = existing.linked_to().unwrap_or(existing.root);
        return Ok(outcome(
            Some(version),
            "skipped",
            Some(format!(
                "Go {version} is already there (`{}`)",
                at.display()
            )),
        ));
    }
    let imported = Imported {
        by: found.by,
        module: found.module.clone(),
    };
    match (copy, dry_run) {
        (false, true) => Ok(outcome(Some(version), "would link", None)),
        (true, true) => Ok(outcome(Some(version), "would copy", None)),
        (false, false) => {
            store.link(&version, &found.root, false, Some(&imported))?;
            Ok(outcome(Some(version), "linked", None))
        }
        (true, false) => {
            store.copy_in(&version, &found.root, &imported)?;
            Ok(outcome(Some(version), "copied", None))
        }
    }
}
