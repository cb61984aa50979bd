//! `gov doctor`: the machine's Go set-up, checked item by item, each with
//! a status and the command that fixes it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::env_vars;
use crate::fsx;
use crate::goroot::{self, GoRoot};
use crate::request::Request;
use crate::resolve::{self, Context, Resolved};
use crate::store::Store;
use crate::toolchain_env::ToolchainEnv;
use crate::version_files;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
    pub fix: Option<String>,
}

fn check(name: &'static str, status: Status, detail: String, fix: Option<String>) -> Check {
    Check {
        name,
        status,
        detail,
        fix,
    }
}

/// What the checks read from outside.
pub struct Inputs<'a> {
    pub store: &'a Store,
    pub ctx: &'a Context,
    /// The gov binary, which shims must point to.
    pub exe: PathBuf,
}

pub fn run(inputs: &Inputs) -> Vec<Check> {
    let mut checks = store_checks(inputs);
    if inputs.ctx.cwd_gone() {
        checks.push(check(
            "directory",
            Status::Warn,
            "the current directory no longer exists: no version file applies, only the global default".into(),
            Some("`cd` to a directory that exists, then run `gov doctor` again".into()),
        ));
    }
    let resolved = match resolve::resolve(None, inputs.ctx, inputs.store) {
        Ok(r) => {
            checks.push(check(
                "selection",
                Status::Ok,
                format!("Go {} ({})", r.version, r.reason()),
                None,
            ));
            Some(r)
        }
        Err(e) => {
            checks.push(check("selection", Status::Fail, e.to_string(), e.hint()));
            None
        }
    };
    checks.push(path_order(inputs, resolved.as_ref()));
    if let Some(r) = &resolved {
        checks.push(go_on_path(inputs, r));
        checks.push(goroot_isolation(inputs, r));
        checks.push(consistency(inputs, r));
        checks.push(gotoolchain_file(inputs, r));
        checks.extend(module_compatibility(inputs, r));
    }
    checks.push(side_by_side(inputs));
    checks.push(go_env_files(inputs));
    checks.push(ownership(inputs));
    checks
}

/// ssh's StrictModes over everything gov runs or reads as a toolchain,
/// every chain of links followed to its end: the stores, every release,
/// and the gov binary each shim leads to.
fn ownership(inputs: &Inputs) -> Check {
    let store = inputs.store;
    let mut stores = vec![store];
    stores.extend(store.system());
    // (what was checked, the step at fault, why, a shim's store)
    let mut problems: Vec<(PathBuf, PathBuf, fsx::Untrusted, Option<&Store>)> = Vec::new();
    for s in &stores {
        for path in [s.home().to_path_buf(), s.versions_dir(), s.current_link()] {
            if let Ok(Some((step, problem))) = fsx::trust_chain(&path, fsx::Sticky::Allowed) {
                problems.push((path, step, problem, None));
            }
        }
        for (shim, step, problem) in s.untrusted_shims() {
            problems.push((shim, step, problem, Some(*s)));
        }
    }
    for i in store.installed().unwrap_or_default() {
        let bin = i.root.join("bin");
        if let Ok(Some((step, problem))) = fsx::trust_chain(&bin, fsx::Sticky::Allowed) {
            problems.push((bin, step, problem, None));
        }
    }
    problems.dedup_by(|a, b| a.1 == b.1 && a.3.is_none() && b.3.is_none());
    let Some((_, step, problem, shim_store)) = problems.first() else {
        return check(
            "ownership",
            Status::Ok,
            "GOV_HOME, the shims, the gov they run and every release are yours (or root's), all the way down, and writable by nobody else".into(),
            None,
        );
    };
    let detail = problems
        .iter()
        .map(|(path, step, u, _)| {
            if path == step {
                format!("`{}`: {u}", path.display())
            } else {
                format!(
                    "`{}` leads through `{}`: {u}",
                    path.display(),
                    step.display()
                )
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let in_system = |p: &Path| store.system().is_some_and(|sys| p.starts_with(sys.home()));
    let fix = match (shim_store, problem) {
        // A shim leads to a gov others can change: refreshing them points
        // them at gov's own copy.
        (Some(s), _) if s.is_shared() => {
            "ask its administrator to run `sudo gov --system init bash >/dev/null`: the system store's shims then lead to its own copy of gov".to_string()
        }
        (Some(_), _) => "run `gov init bash >/dev/null` (any shell): the shims then lead to a gov nobody else can change".to_string(),
        // A shared store is never handed to one user.
        _ if in_system(step) => format!(
            "ask its administrator to run `sudo chmod -R go-w {}`",
            step.display()
        ),
        (None, fsx::Untrusted::Writable(_)) => format!("run `chmod go-w {}`", step.display()),
        _ => format!(
            "run `sudo chown -R \"$USER\" {}` if you trust it, or remove it",
            step.display()
        ),
    };
    check(
        "ownership",
        Status::Fail,
        format!("another user could choose what runs: {detail}"),
        Some(fix),
    )
}

fn store_checks(inputs: &Inputs) -> Vec<Check> {
    let store = inputs.store;
    let mut checks = Vec::new();
    let installed = match store.installed() {
        Ok(i) => i,
        Err(e) => {
            checks.push(check(
                "store",
                Status::Fail,
                e.to_string(),
                Some("check the permissions of GOV_HOME".into()),
            ));
            return checks;
        }
    };
    // A new account's store does not exist yet: nothing to fix.
    if std::fs::symlink_metadata(store.home())
        .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    {
        checks.push(check(
            "store",
            Status::Ok,
            format!(
                "`{}` does not exist yet: the first `gov install` (or `gov link`) creates it",
                store.home().display()
            ),
            None,
        ));
        return checks;
    }
    // An unpredictable name, created anew: a planted link is not followed.
    match tempfile::Builder::new()
        .prefix(".doctor-")
        .tempfile_in(store.home())
        .and_then(|probe| probe.close())
    {
        Ok(()) => checks.push(check(
            "store",
            Status::Ok,
            format!(
                "`{}` is writable, {} release(s) installed",
                store.home().display(),
                installed.len()
            ),
            None,
        )),
        Err(e) => checks.push(check(
            "store",
            Status::Fail,
            format!("cannot write to `{}`: {e}", store.home().display()),
            Some(format!(
                "fix the permissions: `chown -R \"$USER\" {}`",
                store.home().display()
            )),
        )),
    }
    let broken: Vec<String> = installed
        .iter()
        .filter(|i| !fsx::is_executable(&GoRoot::new(&i.root).go()))
        .map(|i| i.version.to_string())
        .collect();
    checks.push(if broken.is_empty() {
        check(
            "releases",
            Status::Ok,
            "every release has an executable bin/go".into(),
            None,
        )
    } else {
        check(
            "releases",
            Status::Fail,
            format!(
                "broken (no executable bin/go, or a link to a removed directory): {}",
                broken.join(", ")
            ),
            Some(format!(
                "run `gov uninstall {}` and install or link them again",
                broken.join(" ")
            )),
        )
    });
    checks.push(machine(&installed));
    checks.push(other_platforms(store));
    let leftovers: Vec<String> = store
        .scratch_dirs()
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).into_iter().flatten().flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    checks.push(if leftovers.is_empty() {
        check(
            "leftovers",
            Status::Ok,
            "no interrupted installs".into(),
            None,
        )
    } else {
        check(
            "leftovers",
            Status::Warn,
            format!(
                "interrupted installs left `{}`: {}",
                store.scratch_dir().display(),
                leftovers.join(", ")
            ),
            Some("run `gov prune`: it removes what killed installs left (and caches unused for a week)".into()),
        )
    });
    checks.push(if store.shims_up_to_date(&inputs.exe) {
        check(
            "shims",
            Status::Ok,
            format!("`{}` is up to date", store.bin_dir().display()),
            None,
        )
    } else {
        check(
            "shims",
            Status::Warn,
            format!(
                "the shims in `{}` are missing or point to another gov",
                store.bin_dir().display()
            ),
            Some("run `gov init bash >/dev/null` (any shell) to refresh them".into()),
        )
    });
    checks
}

/// Every release gov runs (`versions/`, the system store's too) is built
/// for this machine: another's would fail, or run emulated.
fn machine(installed: &[crate::store::Installed]) -> Check {
    let foreign: Vec<Box<goroot::ForeignToolchain>> = installed
        .iter()
        .filter_map(|i| {
            GoRoot::new(&i.root)
                .check_go_runs_here(i.version, i.system)
                .err()
        })
        .collect();
    let Some(first) = foreign.first() else {
        return check(
            "machine",
            Status::Ok,
            "every release gov runs is built for this machine".into(),
            None,
        );
    };
    let detail = foreign
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let fix = if foreign.len() == 1 {
        first.hint()
    } else {
        let each: Vec<String> = foreign
            .iter()
            .map(|e| format!("Go {}: {}", e.version, e.hint().unwrap_or_default()))
            .collect();
        Some(each.join("; "))
    };
    check("machine", Status::Fail, detail, fix)
}

/// Releases kept for other platforms (`gov install --os --arch`): listed
/// apart, never run, no problem.
fn other_platforms(store: &Store) -> Check {
    let kept = store.other_platforms().unwrap_or_default();
    let detail = if kept.is_empty() {
        "no releases kept for other platforms".to_string()
    } else {
        let each: Vec<String> = kept
            .iter()
            .map(|(platform, releases)| {
                let v: Vec<String> = releases.iter().map(|i| i.version.to_string()).collect();
                format!("{platform}: {}", v.join(", "))
            })
            .collect();
        format!(
            "kept for other machines in `{}`, never run here: {}",
            store.home().join("platforms").display(),
            each.join("; ")
        )
    };
    check("platforms", Status::Ok, detail, None)
}

/// Where doctor runs Go: the current directory, or `/` when it was removed
/// (Go would fail there for that alone, not for anything doctor checks).
fn run_dir<'a>(inputs: &'a Inputs) -> &'a Path {
    if inputs.ctx.cwd_gone() {
        Path::new("/")
    } else {
        &inputs.ctx.cwd
    }
}

/// The `go` a shell would run: the first executable one on `path`.
pub fn first_go_on_path(path: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|d| d.join("go"))
        .find(|p| fsx::is_executable(p))
}

fn path_order(inputs: &Inputs, resolved: Option<&Resolved>) -> Check {
    let first = first_go_on_path(inputs.ctx.path());
    let shims = inputs.store.bin_dir();
    let current = inputs.store.current_link().join("bin");
    let ours = |p: &Path| {
        p.parent() == Some(shims.as_path())
            || resolved.is_some_and(|r| same_file(p, &GoRoot::new(&r.root).go()))
            || std::fs::read_link(p).is_ok_and(|t| t == inputs.exe)
    };
    match first {
        Some(p) if ours(&p) => check("path", Status::Ok, format!("`go` on PATH is gov's: `{}`", p.display()), None),
        // The CI-node scheme: the global default with no shim at all.
        Some(p) if p.parent() == Some(current.as_path()) => check(
            "path",
            Status::Warn,
            format!(
                "`go` on PATH is `{}`, the global default {}, not what this directory selects{}",
                p.display(),
                inputs.store.global().map_or("(none set)".into(), |v| v.to_string()),
                resolved.map_or(String::new(), |r| format!(" (Go {})", r.version))
            ),
            Some(format!(
                "that is right for one release per machine; for a release per directory, put `eval \"$(gov init bash)\"` in ~/.bashrc or `{}` first on PATH",
                shims.display()
            )),
        ),
        Some(p) => check(
            "path",
            Status::Fail,
            format!("another `go` comes before gov's shims on PATH: `{}`", p.display()),
            Some(format!(
                "put `eval \"$(gov init bash)\"` (or zsh, fish) last in your shell's start-up file, or put `{}` first on PATH",
                shims.display()
            )),
        ),
        None => check(
            "path",
            Status::Warn,
            "no `go` on PATH".into(),
            Some(format!("add `eval \"$(gov init bash)\"` to ~/.bashrc, or put `{}` on PATH", shims.display())),
        ),
    }
}

/// Runs the `go` PATH finds, in the user's own environment, and compares
/// what it reports with the selection: the release, its GOROOT, and
/// `GOTOOLCHAIN=local` unless the user chose a value.
fn go_on_path(inputs: &Inputs, r: &Resolved) -> Check {
    let Some(go) = first_go_on_path(inputs.ctx.path()) else {
        return check(
            "go-on-path",
            Status::Warn,
            "no `go` on PATH to run".into(),
            None,
        );
    };
    if let Some((os, arch)) = goroot::foreign_program(&go) {
        return check(
            "go-on-path",
            Status::Fail,
            format!(
                "`{}`, the `go` on PATH, is built for {os}-{arch}, not for this machine: it was not run",
                go.display()
            ),
            Some(format!(
                "put `eval \"$(gov init bash)\"` last in ~/.bashrc (or zsh, fish), or `{}` first on PATH",
                inputs.store.bin_dir().display()
            )),
        );
    }
    let out = Command::new(&go)
        .args(["env", "GOVERSION", "GOROOT", "GOTOOLCHAIN"])
        .current_dir(run_dir(inputs))
        .output();
    let text = match out {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(out) => {
            return check(
                "go-on-path",
                Status::Fail,
                format!(
                    "`{} env` failed: {}",
                    go.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
                None,
            )
        }
        Err(e) => {
            return check(
                "go-on-path",
                Status::Fail,
                format!("cannot run `{}`: {e}", go.display()),
                None,
            )
        }
    };
    let mut lines = text.lines();
    let (version, root, toolchain) = (
        lines.next().unwrap_or("").trim(),
        lines.next().unwrap_or("").trim(),
        lines.next().unwrap_or("").trim(),
    );
    let mut wrong = Vec::new();
    if version != r.version.go_name() {
        wrong.push(format!("it is {version}, not {}", r.version.go_name()));
    }
    if !same_file(Path::new(root), &r.root) {
        wrong.push(format!(
            "its GOROOT is `{root}`, not `{}`",
            r.root.display()
        ));
    }
    // Go before 1.21 knows no GOTOOLCHAIN and prints nothing for it.
    let user_choice = inputs.ctx.text(env_vars::GOTOOLCHAIN);
    if !toolchain.is_empty() && user_choice.is_none() && toolchain != "local" {
        wrong.push(format!(
            "its GOTOOLCHAIN is `{toolchain}`: it may download another Go"
        ));
    }
    if wrong.is_empty() {
        check(
            "go-on-path",
            Status::Ok,
            format!(
                "`go` on PATH runs {version} from `{root}`{}",
                if toolchain.is_empty() {
                    String::new()
                } else {
                    format!(" with GOTOOLCHAIN={toolchain}")
                }
            ),
            None,
        )
    } else {
        check(
            "go-on-path",
            Status::Fail,
            format!("`{}`, the `go` on PATH, disagrees with the selection (Go {}): {}", go.display(), r.version, wrong.join("; ")),
            Some(format!("put `eval \"$(gov init bash)\"` last in ~/.bashrc (or zsh, fish), or `{}` first on PATH", inputs.store.bin_dir().display())),
        )
    }
}

/// Go 1.21 and newer default to `GOTOOLCHAIN=auto` from `$GOROOT/go.env`:
/// run without gov's shims, such a release may download another Go.
/// Releases gov installs say `local` there; a linked root is never written
/// to, so it is only reported.
fn go_env_files(inputs: &Inputs) -> Check {
    let installed = inputs.store.installed().unwrap_or_default();
    let mut auto = Vec::new();
    for i in &installed {
        let says = crate::toolchain_env::go_env_toolchain(&i.root);
        if let Some(value) = says.filter(|v| v != "local") {
            let what = match i.linked_to() {
                Some(dir) => format!(
                    "{} (linked to `{}`, GOTOOLCHAIN={value})",
                    i.version,
                    dir.display()
                ),
                None => format!("{} (GOTOOLCHAIN={value})", i.version),
            };
            auto.push((i.clone(), what));
        }
    }
    if auto.is_empty() {
        return check(
            "go-env",
            Status::Ok,
            "every release's go.env keeps Go to its own toolchain (or predates GOTOOLCHAIN)".into(),
            None,
        );
    }
    let reinstall: Vec<String> = auto
        .iter()
        .filter(|(i, _)| !i.is_link)
        .map(|(i, _)| i.version.to_string())
        .collect();
    let fix = if reinstall.is_empty() {
        "run Go through gov's shims (`gov init`), which set GOTOOLCHAIN=local, or `export GOTOOLCHAIN=local` in your shell's start-up file".to_string()
    } else {
        format!(
            "reinstall {v} (`gov uninstall {v} && gov install {v}`) so gov sets GOTOOLCHAIN=local in its go.env",
            v = reinstall.join(" ")
        )
    };
    check(
        "go-env",
        Status::Warn,
        format!(
            "run outside gov's shims, these may download another Go: {}",
            auto.iter()
                .map(|(_, w)| w.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(fix),
    )
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn goroot_isolation(inputs: &Inputs, r: &Resolved) -> Check {
    match inputs.ctx.var(env_vars::GOROOT) {
        Some(g) if !same_file(Path::new(g), &r.root) => check(
            "goroot",
            Status::Fail,
            format!(
                "GOROOT is exported as `{}`, not the selected Go {} (`{}`): tools that read it build with the wrong standard library",
                Path::new(g).display(),
                r.version,
                r.root.display()
            ),
            Some("run `unset GOROOT` and remove it from your shell's start-up file (`gov init` sets it for you)".into()),
        ),
        _ => check("goroot", Status::Ok, "no stale GOROOT exported".into(), None),
    }
}

/// Runs the selected release's `go` as the shim would.
/// Another machine's is never run: its refusal is the error.
fn go(inputs: &Inputs, r: &Resolved, args: &[&str]) -> Result<String, String> {
    let root = GoRoot::new(&r.root);
    root.check_go_runs_here(r.version, false)
        .map_err(|e| e.to_string())?;
    let mut cmd = Command::new(root.go());
    cmd.args(args).current_dir(run_dir(inputs));
    ToolchainEnv::new(&r.root, inputs.ctx).apply(&mut cmd, inputs.ctx);
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn consistency(inputs: &Inputs, r: &Resolved) -> Check {
    let fix = Some(format!(
        "reinstall it: `gov uninstall {v}` then `gov install {v}`",
        v = r.version
    ));
    // Another machine's: the fix is the `machine` check's.
    let system = (inputs.store.system()).is_some_and(|s| r.root.starts_with(s.home()));
    if let Err(e) = GoRoot::new(&r.root).check_go_runs_here(r.version, system) {
        return check("toolchain", Status::Fail, e.to_string(), e.hint());
    }
    match go(inputs, r, &["env", "GOROOT", "GOVERSION"]) {
        Ok(text) => {
            let mut lines = text.lines();
            let (root, version) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
            if !same_file(Path::new(root), &r.root) || version != r.version.go_name() {
                check(
                    "toolchain",
                    Status::Fail,
                    format!(
                        "Go {} was selected, but its go reports GOROOT `{root}` and version `{version}`",
                        r.version
                    ),
                    fix,
                )
            } else {
                check(
                    "toolchain",
                    Status::Ok,
                    format!("`go env` agrees: {version} at `{root}`"),
                    None,
                )
            }
        }
        Err(e) => check(
            "toolchain",
            Status::Fail,
            format!("`go env` of Go {} failed: {e}", r.version),
            fix,
        ),
    }
}

fn gotoolchain_file(inputs: &Inputs, r: &Resolved) -> Check {
    let file = go(inputs, r, &["env", "GOENV"])
        .ok()
        .map(|s| PathBuf::from(s.trim()));
    let written = file
        .as_ref()
        .and_then(|f| fsx::read_regular_text(f, 64 * 1024).ok().flatten())
        .and_then(Result::ok)
        .map(|(text, _)| text)
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.trim()
                    .strip_prefix("GOTOOLCHAIN=")
                    .map(|v| v.trim().to_string())
            })
        });
    match (written, file) {
        (Some(v), Some(f)) if !v.is_empty() && v != "local" => check(
            "gotoolchain",
            Status::Fail,
            format!(
                "GOTOOLCHAIN={v} is written in `{}` (by `go env -w`): Go run outside gov's shims fetches another toolchain behind gov's back",
                f.display()
            ),
            Some("run `go env -u GOTOOLCHAIN`, and pin releases with `gov local` or a toolchain line instead".into()),
        ),
        _ => check("gotoolchain", Status::Ok, "no GOTOOLCHAIN written with `go env -w`".into(), None),
    }
}

fn module_compatibility(inputs: &Inputs, r: &Resolved) -> Vec<Check> {
    // The file selection reads: what doctor says agrees with what runs.
    let gowork = inputs.ctx.var(env_vars::GOWORK);
    let found = match version_files::find_module(&inputs.ctx.cwd, gowork) {
        Ok(found) => found,
        Err(e) => return vec![check("module", Status::Fail, e.to_string(), e.hint())],
    };
    // The module's own directory holds its vendor/; the file that selects
    // (a go.work above it, or the go.mod) says what it needs.
    let (file, needs) = match (found.selecting.clone(), &found.go_mod) {
        (Some(selecting), _) => (
            selecting.path,
            match selecting.request {
                Request::Module(module) => module.go.max(module.toolchain),
                _ => None,
            },
        ),
        (None, Some(go_mod)) => (go_mod.clone(), None),
        (None, None) => return vec![],
    };
    let Some(dir) = found.dir().or_else(|| file.parent()).map(Path::to_path_buf) else {
        return vec![];
    };
    let mut checks = Vec::new();
    checks.push(match needs {
        Some(need) if need > r.version => check(
            "module",
            Status::Fail,
            format!(
                "`{}` needs Go {need}, but Go {} is selected",
                file.display(),
                r.version
            ),
            Some({
                // Point at a release that is here, or at one to install.
                let installed = inputs.store.installed().unwrap_or_default();
                let here = installed
                    .iter()
                    .map(|i| i.version)
                    .filter(|v| *v >= need && !v.is_language_version())
                    .max();
                match here {
                    Some(v) => format!("run `gov local {v}` here: Go {v} is installed"),
                    None => {
                        let (major, minor) = need.series();
                        format!("run `gov install {major}.{minor}`, then `gov local {major}.{minor}` here")
                    }
                }
            }),
        ),
        _ => check(
            "module",
            Status::Ok,
            format!("Go {} satisfies `{}`", r.version, file.display()),
            None,
        ),
    });
    if dir.join("vendor").is_dir() {
        checks.push(match go(inputs, r, &["list", "-m"]) {
            Err(e) if e.contains("inconsistent vendoring") => check(
                "vendoring",
                Status::Fail,
                format!(
                    "`go list -m` reports inconsistent vendoring in `{}`",
                    dir.display()
                ),
                Some("run `go mod vendor`".into()),
            ),
            _ => check(
                "vendoring",
                Status::Ok,
                "vendor/ is consistent".into(),
                None,
            ),
        });
    }
    checks
}

fn side_by_side(inputs: &Inputs) -> Check {
    let installed = inputs.store.installed().unwrap_or_default();
    let mut wrong = Vec::new();
    let mut ran = Vec::new();
    // Another machine's releases are the `machine` check's.
    let runnable = installed
        .iter()
        .filter(|i| goroot::foreign_program(&GoRoot::new(&i.root).go()).is_none());
    for i in runnable.take(2) {
        let r = Resolved {
            version: i.version,
            root: i.root.clone(),
            source: resolve::Source::Global,
            module: None,
        };
        match go(inputs, &r, &["version"]) {
            Ok(text) if text.starts_with(&format!("go version {} ", i.version.go_name())) => {
                ran.push(i.version.to_string())
            }
            Ok(text) => wrong.push(format!("{} says `{}`", i.version, text.trim())),
            Err(e) => wrong.push(format!("{} failed: {e}", i.version)),
        }
    }
    if wrong.is_empty() {
        check(
            "side-by-side",
            Status::Ok,
            if ran.is_empty() && !installed.is_empty() {
                "no release built for this machine to run".into()
            } else if ran.is_empty() {
                "no releases installed".into()
            } else {
                format!("each reports its own version: {}", ran.join(", "))
            },
            None,
        )
    } else {
        check(
            "side-by-side",
            Status::Fail,
            format!(
                "releases do not report their own version: {}",
                wrong.join("; ")
            ),
            Some("reinstall them with `gov uninstall` and `gov install`".into()),
        )
    }
}
