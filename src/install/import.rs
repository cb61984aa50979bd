//! `gov import`: Go toolchains other tools installed — goenv, gvm, g,
//! golang.org/dl, asdf, mise, `/usr/local/go`, `/usr/lib/go-*` — found,
//! checked as `gov link` checks (never executed) and registered under the
//! release their `VERSION` names: linked, or copied into the store.

use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::env_vars;
use crate::goroot::{self, GoRoot};
use crate::store::{Store, StoreError};
use crate::version::Version;

/// A place some tool keeps Go roots.
#[derive(Debug, Clone)]
pub struct Found {
    pub root: PathBuf,
    /// Which tool's (`goenv`, `gvm`, …, or `given`).
    pub by: &'static str,
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
    let mut add = |root: PathBuf, by| {
        let key = root.canonicalize().unwrap_or_else(|_| root.clone());
        if !seen.contains(&key) {
            seen.push(key);
            found.push(Found { root, by });
        }
    };
    for (place, by, holds_many) in places {
        if !holds_many {
            if place.exists() {
                add(place, by);
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
            add(root, by);
        }
    }
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
    match (copy, dry_run) {
        (false, true) => Ok(outcome(Some(version), "would link", None)),
        (true, true) => Ok(outcome(Some(version), "would copy", None)),
        (false, false) => {
            store.link(&version, &found.root, false, Some(found.by))?;
            Ok(outcome(Some(version), "linked", None))
        }
        (true, false) => {
            store.copy_in(&version, &found.root, found.by)?;
            Ok(outcome(Some(version), "copied", None))
        }
    }
}
