//! Crash tests at named points (rustup's `cli_crash.rs`): gov killed, as
//! `kill -9` would, at each checkpoint of `src/checkpoint.rs` that a real
//! command passes (`GOV_TEST_CRASH_AT`, compiled into the tests' gov only).
//! After each kill: nothing is half-visible (`gov list`, `gov current` and
//! the `go` shim show a whole release or a clear error, the history ends
//! where the default is, a mirror's index lists only whole archives); `gov
//! doctor` is as clean as before, or names exactly the fixes the table
//! expects, and running them makes it clean; and the next run of the same
//! command completes, to the end of a run never killed (or, when the kill
//! came after the change was whole, does what a second run would).

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

use crate::common::mirror::Mirror;
use crate::common::*;

/// A command run on a store set up for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// `gov install 1.22.4` beside 1.21.5, the global default.
    Install,
    /// `gov install 1.22.4` into an empty store: it becomes the default.
    FirstInstall,
    /// `gov global 1.22.4`, from 1.21.5.
    Global,
    /// `gov rollback`, after `gov global 1.22.4` from 1.21.5.
    Rollback,
    /// `gov uninstall 1.22.4`, the global default.
    Uninstall,
    /// `gov upgrade --go-mod --check true` in a module whose `.go-version`
    /// selects 1.22.4: 1.22.12 (linked) moves go.mod, then the file.
    UpgradeFile,
    /// `gov upgrade --check true` from the global default 1.22.4: installs
    /// 1.22.12, then switches the default.
    UpgradeGlobal,
    /// `gov upgrade --go-mod --global --check true` in a module: 1.22.12
    /// (linked) moves go.mod, then the default.
    UpgradeGoModGlobal,
    /// `gov mirror DIR 1.22.4` into a mirror that holds 1.21.5.
    Mirror,
}

/// One kill: where, during what, and the fixes it leaves to the user.
struct Case {
    scenario: Scenario,
    at: &'static str,
    /// What `gov doctor` names (a check's fix, or a `hint:` line), each
    /// with the gov command that is that fix, run in this order; none:
    /// doctor is as clean as before.
    fixes: &'static [Fix],
}

/// A fix as doctor names it, and the gov command that makes it.
type Fix = (&'static str, &'static [&'static str]);

const fn case(scenario: Scenario, at: &'static str, fixes: &'static [Fix]) -> Case {
    Case {
        scenario,
        at,
        fixes,
    }
}

/// Doctor's fix for the scratch space a killed install left.
const PRUNE: Fix = ("run `gov prune`", &["prune"]);
/// Doctor's fix for shims a killed change did not bring in line.
const SHIMS: Fix = ("run `gov init bash >/dev/null`", &["init", "bash"]);
/// Every command's fix for the files a killed upgrade left changed.
const RECOVER: Fix = ("run `gov upgrade --recover`", &["upgrade", "--recover"]);
/// Doctor's fix for a go.mod that asks for more than `.go-version` gives,
/// as a killed `upgrade --go-mod` leaves it: named, but the recovery
/// before it has already made it needless (nothing to run).
const MODULE: Fix = ("run `gov local 1.22.12` here", &[]);

const CASES: &[Case] = &[
    case(Scenario::Install, "install-verified", &[PRUNE]),
    case(Scenario::Install, "install-recorded", &[PRUNE]),
    case(Scenario::Install, "install-renamed", &[PRUNE, SHIMS]),
    case(Scenario::FirstInstall, "install-verified", &[PRUNE, SHIMS]),
    case(Scenario::FirstInstall, "install-recorded", &[PRUNE, SHIMS]),
    case(Scenario::FirstInstall, "install-renamed", &[PRUNE, SHIMS]),
    case(Scenario::FirstInstall, "global-linked", &[]),
    case(Scenario::FirstInstall, "global-recorded", &[]),
    case(Scenario::Global, "global-linked", &[]),
    case(Scenario::Global, "global-recorded", &[]),
    case(Scenario::Rollback, "global-linked", &[]),
    case(Scenario::Rollback, "global-recorded", &[]),
    case(Scenario::Uninstall, "global-linked", &[SHIMS]),
    case(Scenario::Uninstall, "global-recorded", &[SHIMS]),
    case(Scenario::UpgradeFile, "upgrade-kept", &[RECOVER]),
    case(Scenario::UpgradeFile, "upgrade-edited", &[RECOVER, MODULE]),
    case(Scenario::UpgradeFile, "upgrade-checked", &[RECOVER, MODULE]),
    case(Scenario::UpgradeFile, "upgrade-switched", &[RECOVER]),
    case(Scenario::UpgradeGlobal, "install-verified", &[PRUNE]),
    case(Scenario::UpgradeGlobal, "install-recorded", &[PRUNE]),
    case(Scenario::UpgradeGlobal, "install-renamed", &[PRUNE, SHIMS]),
    case(Scenario::UpgradeGlobal, "upgrade-kept", &[]),
    case(Scenario::UpgradeGlobal, "upgrade-edited", &[]),
    case(Scenario::UpgradeGlobal, "upgrade-checked", &[]),
    case(Scenario::UpgradeGlobal, "global-linked", &[]),
    case(Scenario::UpgradeGlobal, "global-recorded", &[]),
    case(Scenario::UpgradeGlobal, "upgrade-switched", &[]),
    case(Scenario::UpgradeGoModGlobal, "upgrade-kept", &[RECOVER]),
    case(Scenario::UpgradeGoModGlobal, "upgrade-edited", &[RECOVER]),
    case(Scenario::UpgradeGoModGlobal, "upgrade-checked", &[RECOVER]),
    case(Scenario::UpgradeGoModGlobal, "global-linked", &[RECOVER]),
    case(Scenario::UpgradeGoModGlobal, "global-recorded", &[RECOVER]),
    case(Scenario::UpgradeGoModGlobal, "upgrade-switched", &[RECOVER]),
    case(Scenario::Mirror, "mirror-archive", &[]),
    case(Scenario::Mirror, "mirror-sha256", &[]),
];

impl Scenario {
    fn setup(self) -> Mirror {
        let m = Mirror::new(&["1.21.5", "1.22.4", "1.22.12"]);
        let ok = |args: &[&str]| assert_success(&m.gov(args));
        match self {
            Scenario::Install => ok(&["install", "1.21.5"]),
            Scenario::FirstInstall => {}
            Scenario::Global => {
                ok(&["install", "1.21.5"]);
                ok(&["install", "1.22.4"]);
            }
            Scenario::Rollback | Scenario::Uninstall => {
                ok(&["install", "1.21.5"]);
                ok(&["install", "1.22.4"]);
                ok(&["global", "1.22.4"]);
            }
            Scenario::UpgradeFile => {
                ok(&["install", "1.22.4"]);
                m.env
                    .link_go_script("1.22.12", &editing_go("1.22.12", " GOROOT=$GOROOT"));
                m.env.write("go.mod", "module m\n\ngo 1.22.4\n");
                m.env.write(".go-version", "1.22.4\n");
            }
            Scenario::UpgradeGlobal => ok(&["install", "1.22.4"]),
            Scenario::UpgradeGoModGlobal => {
                ok(&["install", "1.22.4"]);
                m.env
                    .link_go_script("1.22.12", &editing_go("1.22.12", " GOROOT=$GOROOT"));
                m.env.write("go.mod", "module m\n\ngo 1.22.4\n");
            }
            Scenario::Mirror => ok(&["mirror", &mirror_dir(&m), "1.21.5"]),
        }
        m
    }

    fn command(self, m: &Mirror) -> Vec<String> {
        let words: &[&str] = match self {
            Scenario::Install | Scenario::FirstInstall => &["install", "1.22.4"],
            Scenario::Global => &["global", "1.22.4"],
            Scenario::Rollback => &["rollback"],
            Scenario::Uninstall => &["uninstall", "1.22.4"],
            Scenario::UpgradeFile => &["upgrade", "--go-mod", "--check", "true"],
            Scenario::UpgradeGlobal => &["upgrade", "--check", "true"],
            Scenario::UpgradeGoModGlobal => &["upgrade", "--go-mod", "--global", "--check", "true"],
            Scenario::Mirror => return vec!["mirror".into(), mirror_dir(m), "1.22.4".into()],
        };
        words.iter().map(|w| w.to_string()).collect()
    }
}

fn mirror_dir(m: &Mirror) -> String {
    m.env.root.join("mirror").display().to_string()
}

#[test]
fn every_checkpoint_is_crashed_at() {
    for name in gov::checkpoint::ALL {
        assert!(
            CASES.iter().any(|c| c.at == *name),
            "no crash test kills gov at `{name}`"
        );
    }
    for c in CASES {
        assert!(
            gov::checkpoint::ALL.contains(&c.at),
            "`{}` is no checkpoint",
            c.at
        );
    }
}

#[test]
fn crashed_installs() {
    crash_all(Scenario::Install);
}

#[test]
fn crashed_first_installs() {
    crash_all(Scenario::FirstInstall);
}

#[test]
fn crashed_global_switches() {
    crash_all(Scenario::Global);
}

#[test]
fn crashed_rollbacks() {
    crash_all(Scenario::Rollback);
}

#[test]
fn crashed_uninstalls_of_the_global_default() {
    crash_all(Scenario::Uninstall);
}

#[test]
fn crashed_upgrades_of_a_version_file() {
    crash_all(Scenario::UpgradeFile);
}

#[test]
fn crashed_upgrades_of_the_global_default() {
    crash_all(Scenario::UpgradeGlobal);
}

#[test]
fn crashed_upgrades_of_go_mod_and_the_global_default() {
    crash_all(Scenario::UpgradeGoModGlobal);
}

#[test]
fn crashed_mirrors() {
    crash_all(Scenario::Mirror);
}

/// The end of a run never killed, and of a second run after it.
struct Reference {
    state: String,
    doctor: Doctor,
    again_code: Option<i32>,
    again_state: String,
}

/// Every case of `scenario`, each against the end of a run never killed.
fn crash_all(scenario: Scenario) {
    let reference = {
        let m = scenario.setup();
        let command = scenario.command(&m);
        assert_success(&m.gov_cmd(&command).output().unwrap());
        let (state, doctor) = (state(&m), doctor(&m));
        let again = m.gov_cmd(&command).output().unwrap();
        Reference {
            state,
            doctor,
            again_code: again.status.code(),
            again_state: self::state(&m),
        }
    };
    let cases: Vec<&Case> = CASES.iter().filter(|c| c.scenario == scenario).collect();
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| crash_one(c, &reference).err())
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// What a kill at `c.at` leaves, and what follows; an error says what went
/// wrong, so that one run reports every case.
fn crash_one(c: &Case, reference: &Reference) -> Result<(), String> {
    let m = c.scenario.setup();
    let start = (state(&m), doctor(&m));
    let command = c.scenario.command(&m);
    let fail = |what: String| Err(format!("{:?} killed at `{}`: {what}", c.scenario, c.at));
    // Each check as it was before, or as a run never killed leaves it.
    let clean = |now: &Doctor| now.since(&[&start.1, &reference.doctor]);

    let out = m
        .gov_cmd(&command)
        .env("GOV_TEST_CRASH_AT", c.at)
        .output()
        .unwrap();
    if out.status.signal() != Some(libc::SIGKILL)
        || !stderr(&out).contains(&format!("killed at the checkpoint `{}`", c.at))
    {
        return fail(format!("it was not killed there:\n{}", run_text(&out)));
    }

    // Nothing half-visible.
    if let Err(e) = assert_whole(&m) {
        return fail(e);
    }

    // Doctor: as clean as before, or the one fix.
    let (changed, named) = clean(&doctor(&m));
    let unnamed: Vec<&str> = c
        .fixes
        .iter()
        .map(|(fix, _)| *fix)
        .filter(|fix| !named.iter().any(|n| n.contains(fix)))
        .collect();
    let unknown: Vec<&String> = named
        .iter()
        .filter(|n| !c.fixes.iter().any(|(fix, _)| n.contains(fix)))
        .collect();
    if !unnamed.is_empty() || !unknown.is_empty() || (c.fixes.is_empty() && !changed.is_empty()) {
        return fail(format!(
            "doctor changed {changed:?}, naming {named:?}, not {:?}",
            c.fixes.iter().map(|(fix, _)| fix).collect::<Vec<_>>()
        ));
    }
    for (_, run) in c.fixes.iter().filter(|(_, run)| !run.is_empty()) {
        let out = m.gov(run);
        if !out.status.success() {
            return fail(format!("the fix {run:?} failed:\n{}", run_text(&out)));
        }
    }
    if !c.fixes.is_empty() {
        let (changed, named) = clean(&doctor(&m));
        if !changed.is_empty() || !named.is_empty() {
            return fail(format!(
                "after the fixes, doctor still changed {changed:?}, naming {named:?}"
            ));
        }
        if let Err(e) = assert_whole(&m) {
            return fail(format!("after the fixes: {e}"));
        }
    }

    // The next run completes, to the end of a run never killed; where the
    // kill came after the change was whole, it does what it does after a
    // run never killed (a rollback rolls back again; an uninstall finds
    // nothing to remove).
    let done = state(&m) == reference.state;
    let out = m.gov_cmd(&command).output().unwrap();
    let (code, want) = if done {
        (reference.again_code, &reference.again_state)
    } else {
        (Some(0), &reference.state)
    };
    if out.status.code() != code {
        return fail(format!(
            "the next run ended with {:?}, not {code:?}:\n{}",
            out.status.code(),
            run_text(&out)
        ));
    }
    if let Err(e) = assert_whole(&m) {
        return fail(format!("after the next run: {e}"));
    }
    if !done {
        let (changed, named) = doctor(&m).since(&[&reference.doctor]);
        if !changed.is_empty() || !named.is_empty() {
            return fail(format!(
                "after the next run, doctor differs from a run never killed: {changed:?}, naming {named:?}"
            ));
        }
    }
    let now = state(&m);
    if now != *want {
        return fail(format!(
            "after the next run, the state differs from a run never killed:\n--- never killed\n{want}--- killed, then run again\n{now}"
        ));
    }
    Ok(())
}

/// Each doctor check's status and fix, by name; and the `hint:` lines
/// doctor printed besides (a killed upgrade's, say).
struct Doctor {
    checks: BTreeMap<String, (String, Option<String>)>,
    hints: Vec<String>,
}

fn doctor(m: &Mirror) -> Doctor {
    let out = m.gov(&["doctor", "--json"]);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", run_text(&out)));
    let checks = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|check| {
            let field = |key: &str| check[key].as_str().map(str::to_string);
            (
                field("name").unwrap(),
                (field("status").unwrap(), field("fix")),
            )
        })
        .collect();
    let hints = stderr(&out)
        .lines()
        // Doctor's own summary of the failed checks is no fix of its own.
        .filter(|l| l.starts_with("hint:") && !l.contains("apply the fixes above"))
        .map(str::to_string)
        .collect();
    Doctor { checks, hints }
}

impl Doctor {
    /// The checks whose status is none of what it is in `others` (a check
    /// one lacks counts as ok there: a store that did not exist had none),
    /// and every fix named for them or in a new hint.
    fn since(&self, others: &[&Doctor]) -> (Vec<String>, Vec<String>) {
        let mut changed = Vec::new();
        let mut named = Vec::new();
        for (name, (status, fix)) in &self.checks {
            let known = others
                .iter()
                .any(|o| o.checks.get(name).map_or("ok", |(s, _)| s.as_str()) == status);
            if !known {
                changed.push(format!("{name}: {status}"));
                named.extend(fix.iter().map(|f| format!("{name}: {f}")));
            }
        }
        named.extend(
            self.hints
                .iter()
                .filter(|h| !others.iter().any(|o| o.hints.contains(h)))
                .cloned(),
        );
        (changed, named)
    }
}

/// What a user sees of the store, the project and the mirror, with the
/// test's own paths and port taken out.
fn state(m: &Mirror) -> String {
    let env = &m.env;
    let mut out = String::new();
    for args in [&["list"][..], &["current"], &["global"]] {
        let run = m.gov(args);
        out.push_str(&format!("gov {}: {}", args.join(" "), run_text(&run)));
    }
    let history: serde_json::Value =
        serde_json::from_slice(&m.gov(&["history", "--json"]).stdout).unwrap();
    out.push_str(&format!(
        "last change: {} -> {}\n",
        history[0]["before"], history[0]["after"]
    ));
    out.push_str(&format!("shims: {:?}\n", names(&env.gov_home.join("bin"))));
    out.push_str(&format!(
        "versions: {:?}\n",
        names(&env.gov_home.join("versions"))
    ));
    for file in ["go.mod", ".go-version"] {
        if let Ok(text) = std::fs::read_to_string(env.work.join(file)) {
            out.push_str(&format!("{file}: {text:?}\n"));
        }
    }
    let mirror = env.root.join("mirror");
    if mirror.is_dir() {
        out.push_str(&format!("mirror: {:?}\n", names(&mirror)));
        out.push_str(&format!("mirror index: {:?}\n", mirror_index(&mirror)));
    }
    let root = env.root.display().to_string();
    let port = m.server.base.clone();
    out.replace(&root, "[ROOT]").replace(&port, "[SERVER]/")
}

/// The names in `dir`, sorted; hidden ones (locks, a killed writer's
/// temporaries) left out.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// The archives a mirror's index lists, with their digests.
fn mirror_index(dir: &Path) -> Vec<(String, String)> {
    let Ok(bytes) = std::fs::read(dir.join("index.json")) else {
        return vec![];
    };
    let index: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut files = Vec::new();
    for release in index.as_array().unwrap() {
        for file in release["files"].as_array().unwrap() {
            files.push((
                file["filename"].as_str().unwrap().to_string(),
                file["sha256"].as_str().unwrap().to_string(),
            ));
        }
    }
    files.sort();
    files
}

/// Nothing half-visible: every release in `versions/` is whole, `gov list`
/// works, `gov current` and the `go` shim name and run a whole release or
/// fail with a clear error, and a mirror's index lists only whole archives.
fn assert_whole(m: &Mirror) -> Result<(), String> {
    let env = &m.env;
    let versions = env.gov_home.join("versions");
    let whole = |version: &str| -> Result<(), String> {
        let root = versions.join(version);
        let says = std::fs::read_to_string(root.join("VERSION")).unwrap_or_default();
        let go = root.join("bin/go");
        let runs = std::fs::metadata(&go).is_ok_and(|meta| {
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o111 != 0
        });
        if !says.starts_with(&format!("go{version}\n")) || !runs {
            return Err(format!("`versions/{version}` is not a whole release"));
        }
        Ok(())
    };
    for name in names(&versions) {
        whole(&name)?;
    }
    let list = m.gov(&["list"]);
    if !list.status.success() {
        return Err(format!("gov list failed:\n{}", run_text(&list)));
    }
    let clear = |what: &str, out: &std::process::Output| -> Result<(), String> {
        let err = stderr(out);
        if out.status.code() != Some(1) || !err.starts_with("error: ") || !err.contains("\nhint: ")
        {
            return Err(format!(
                "{what} failed without a clear error:\n{}",
                run_text(out)
            ));
        }
        Ok(())
    };
    // The history tells the truth: its newest change ends where the
    // global default is.
    let history: serde_json::Value =
        serde_json::from_slice(&m.gov(&["history", "--json"]).stdout).unwrap();
    let global = m.gov(&["global"]);
    let global = global
        .status
        .success()
        .then(|| stdout(&global).trim().to_string());
    let newest = history[0]["after"].as_str().map(str::to_string);
    if history[0].is_object() && newest != global {
        return Err(format!(
            "the history ends at {newest:?}, the global default is {global:?}"
        ));
    }
    let current = m.gov(&["current"]);
    if current.status.success() {
        let version = stdout(&current)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        whole(&version).map_err(|e| format!("gov current names {version}: {e}"))?;
    } else {
        clear("gov current", &current)?;
    }
    if env.shim("go").exists() {
        let out = env.command(env.shim("go")).arg("version").output().unwrap();
        if out.status.success() {
            let said = stdout(&out);
            let version = said
                .strip_prefix("go version go")
                .and_then(|rest| rest.split_whitespace().next())
                .unwrap_or_default()
                .to_string();
            whole(&version).map_err(|e| format!("the go shim ran {said:?}: {e}"))?;
        } else {
            clear("the go shim", &out)?;
        }
    }
    let mirror = env.root.join("mirror");
    for (file, digest) in mirror_index(&mirror) {
        let bytes = std::fs::read(mirror.join(&file))
            .map_err(|e| format!("the mirror's index lists `{file}`: {e}"))?;
        if archive::sha256(&bytes) != digest {
            return Err(format!("the mirror's index lists a damaged `{file}`"));
        }
    }
    for file in names(&mirror) {
        let Some(archive) = file.strip_suffix(".sha256") else {
            continue;
        };
        let line = std::fs::read_to_string(mirror.join(&file)).unwrap();
        let bytes = std::fs::read(mirror.join(archive))
            .map_err(|e| format!("the mirror's `{file}` names a missing archive: {e}"))?;
        if line != format!("{}  {archive}\n", archive::sha256(&bytes)) {
            return Err(format!("the mirror's `{file}` is not its archive's digest"));
        }
    }
    Ok(())
}
