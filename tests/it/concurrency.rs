//! Store changes that can run at the same time, run at the same time: for
//! each pair, both commands start together, round after round, and after
//! every round the store is whole (`assert_consistent`) and each command
//! either did what it was asked or lost with exit 1 and a clear error
//! (`won_or_lost`). No sleeps: the rounds alone make the interleavings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::mirror::Mirror;
use crate::common::*;

/// Rounds per pair: 40, or `GOV_TEST_ROUNDS` for a longer soak.
fn rounds() -> usize {
    std::env::var("GOV_TEST_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// How an uninstall loses: another change removed the release first.
const UNINSTALL_LOST: &str = "error: cannot uninstall Go 1.22.4: it is not installed";
/// How a switch of the global default loses: the release went first
/// (before the switch looked, or while it waited for the lock).
const GLOBAL_LOST: [&str; 2] = [
    "error: Go 1.22.4 is not installed",
    "error: cannot make Go 1.22.4 the global default: it is not installed",
];

/// Runs `a` and `b` at once and returns what each did.
fn together(mut a: Command, mut b: Command) -> (Output, Output) {
    std::thread::scope(|scope| {
        let a = scope.spawn(move || a.output().unwrap());
        let b = scope.spawn(move || b.output().unwrap());
        (a.join().unwrap(), b.join().unwrap())
    })
}

/// `what` either succeeded (`true`) or lost (`false`): exit 1 and an
/// `error:` line holding one of `losses`. Anything else — a panic, a
/// signal, another exit code, another error — fails the test.
fn won_or_lost(out: &Output, what: &str, losses: &[&str]) -> bool {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "`{what}` panicked:\n{err}");
    match out.status.code() {
        Some(0) => true,
        Some(1) => {
            let error = err
                .lines()
                .find(|l| l.starts_with("error: "))
                .unwrap_or_else(|| panic!("`{what}` failed without an error line:\n{err}"));
            assert!(
                losses.iter().any(|l| error.contains(l)),
                "`{what}` lost without a clear message (expected one of {losses:?}):\n{err}"
            );
            false
        }
        code => panic!("`{what}` ended with {code:?}:\n{err}"),
    }
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// One record of `history.jsonl`.
#[derive(Debug)]
struct Record {
    before: Option<String>,
    after: Option<String>,
    command: String,
}

fn history(home: &Path) -> Vec<Record> {
    let text = std::fs::read_to_string(home.join("history.jsonl")).unwrap_or_default();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "history.jsonl ends in a partial line:\n{text}"
    );
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("history.jsonl holds a damaged line ({e}): {line}"));
            Record {
                before: v["before"].as_str().map(String::from),
                after: v["after"].as_str().map(String::from),
                command: v["command"].as_str().unwrap().to_string(),
            }
        })
        .collect()
}

/// What the store under `home` must be whenever no command runs: every
/// release whole, `current` absent or at one of them, no scratch left, a
/// `go1.X.Y` shim and a record exactly for each release, the history whole
/// and chained (each record's `before` the previous one's `after`, the last
/// one's `after` what `current` is) and an uninstall's record starting from
/// the release it removed.
fn assert_consistent(home: &Path, round: usize) {
    let installed = names(&home.join("versions"));
    for name in &installed {
        assert!(
            home.join("versions").join(name).join("bin/go").is_file(),
            "round {round}: versions/{name} is not a whole release"
        );
    }
    let current = match std::fs::read_link(home.join("current")) {
        Ok(target) => {
            let name = target.file_name().unwrap().to_str().unwrap().to_string();
            assert!(
                installed.contains(&name),
                "round {round}: current -> {} but {installed:?} are installed",
                target.display()
            );
            Some(name)
        }
        Err(_) => {
            assert!(
                std::fs::symlink_metadata(home.join("current")).is_err(),
                "round {round}: current is not a link"
            );
            None
        }
    };
    let tmp = names(&home.join("tmp"));
    assert!(tmp.is_empty(), "round {round}: tmp/ holds {tmp:?}");
    let shims: BTreeSet<String> = names(&home.join("bin"))
        .into_iter()
        .filter(|n| n.starts_with("go1"))
        .collect();
    let want: BTreeSet<String> = installed.iter().map(|v| format!("go{v}")).collect();
    assert_eq!(
        shims, want,
        "round {round}: the go1.X.Y shims are not those of the releases"
    );
    let mut records = BTreeSet::new();
    for name in names(&home.join("records")) {
        let path = home.join("records").join(&name);
        let text = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str::<serde_json::Value>(&text)
            .unwrap_or_else(|e| panic!("round {round}: records/{name} is damaged ({e}): {text}"));
        let key = name.strip_suffix(".json").unwrap();
        records.insert(key.rsplit_once('-').unwrap().1.to_string());
    }
    assert_eq!(
        records, installed,
        "round {round}: the records are not those of the releases"
    );
    let history = history(home);
    for pair in history.windows(2) {
        assert_eq!(
            pair[1].before, pair[0].after,
            "round {round}: the history is not chained: {pair:?}"
        );
    }
    if let Some(last) = history.last() {
        assert_eq!(
            last.after, current,
            "round {round}: the history ends at {:?}, current is {current:?}",
            last.after
        );
    }
    for record in &history {
        if let Some(v) = record.command.strip_prefix("gov uninstall ") {
            assert_eq!(
                record.before.as_deref(),
                Some(v),
                "round {round}: `{}` changed a default it did not remove",
                record.command
            );
        }
    }
}

fn is_installed(home: &Path, version: &str) -> bool {
    std::fs::symlink_metadata(home.join("versions").join(version)).is_ok()
}

/// A fake toolchain per version, linked.
fn linked(env: &TestEnv, versions: &[&str]) -> Vec<PathBuf> {
    versions.iter().map(|v| env.install_fake(v)).collect()
}

fn ensure_linked(env: &TestEnv, version: &str, dir: &Path) {
    if !is_installed(&env.gov_home, version) {
        env.link(version, dir);
    }
}

fn ensure_absent(env: &TestEnv, version: &str) {
    if is_installed(&env.gov_home, version) {
        env.gov_ok(["uninstall", version]);
    }
}

#[test]
fn global_vs_uninstall() {
    let env = TestEnv::new();
    let dirs = linked(&env, &["1.21.0", "1.22.4"]);
    for round in 0..rounds() {
        ensure_linked(&env, "1.22.4", &dirs[1]);
        // Half the rounds switch to the release being removed, half away
        // from it while it is the default.
        let (from, to) = if round % 2 == 0 {
            ("1.21.0", "1.22.4")
        } else {
            ("1.22.4", "1.21.0")
        };
        env.gov_ok(["global", from]);
        let (global, uninstall) = together(
            env.gov_cmd(["global", to]),
            env.gov_cmd(["uninstall", "1.22.4"]),
        );
        won_or_lost(&global, "gov global", &GLOBAL_LOST);
        assert!(won_or_lost(&uninstall, "gov uninstall", &[]));
        assert_consistent(&env.gov_home, round);
    }
}

/// `gov global V --link PATH` against `gov uninstall V`: the fixed path
/// never names a removed release once both are done.
#[test]
fn global_with_a_fixed_path_vs_uninstall() {
    let env = TestEnv::new();
    let dirs = linked(&env, &["1.21.0", "1.22.4"]);
    let fixed = env.root.join("usr-local-go");
    for round in 0..rounds() {
        ensure_linked(&env, "1.22.4", &dirs[1]);
        env.gov_ok([
            "global".as_ref(),
            "1.21.0".as_ref(),
            "--link".as_ref(),
            fixed.as_os_str(),
        ]);
        let (global, uninstall) = together(
            env.gov_cmd([
                "global".as_ref(),
                "1.22.4".as_ref(),
                "--link".as_ref(),
                fixed.as_os_str(),
            ]),
            env.gov_cmd(["uninstall", "1.22.4"]),
        );
        let won = won_or_lost(&global, "gov global --link", &GLOBAL_LOST);
        assert!(won_or_lost(&uninstall, "gov uninstall", &[]));
        assert_consistent(&env.gov_home, round);
        // A switch that lost changed nothing, the fixed path included.
        if !won {
            assert_eq!(
                std::fs::read_link(&fixed).unwrap(),
                env.gov_home.join("versions/1.21.0"),
                "round {round}"
            );
            assert!(
                fixed.join("bin/go").is_file(),
                "round {round}: `{}` leads nowhere",
                fixed.display()
            );
        }
    }
}

#[test]
fn install_vs_prune() {
    let m = Mirror::new(&["1.22.4"]);
    for round in 0..rounds() {
        if is_installed(&m.env.gov_home, "1.22.4") {
            assert_success(&m.gov(&["uninstall", "1.22.4"]));
        }
        let (install, prune) = together(
            m.gov_cmd(["install", "1.22.4"]),
            m.gov_cmd(["prune", "--older-than", "0s"]),
        );
        assert!(won_or_lost(&install, "gov install", &[]));
        assert!(won_or_lost(&prune, "gov prune", &[]));
        assert!(is_installed(&m.env.gov_home, "1.22.4"));
        assert_consistent(&m.env.gov_home, round);
    }
}

#[test]
fn uninstall_vs_prune() {
    let m = Mirror::new(&["1.22.4"]);
    for round in 0..rounds() {
        if !is_installed(&m.env.gov_home, "1.22.4") {
            assert_success(&m.gov(&["install", "1.22.4"]));
        }
        let (uninstall, prune) = together(
            m.gov_cmd(["uninstall", "1.22.4"]),
            m.gov_cmd(["prune", "--older-than", "0s"]),
        );
        assert!(won_or_lost(&uninstall, "gov uninstall", &[]));
        assert!(won_or_lost(&prune, "gov prune", &[]));
        assert!(!is_installed(&m.env.gov_home, "1.22.4"));
        assert_consistent(&m.env.gov_home, round);
    }
}

#[test]
fn link_vs_uninstall() {
    let env = TestEnv::new();
    let dirs = linked(&env, &["1.21.0", "1.22.4"]);
    for round in 0..rounds() {
        // From either state; sometimes as the global default.
        if round % 2 == 0 {
            ensure_linked(&env, "1.22.4", &dirs[1]);
            if round % 4 == 0 {
                env.gov_ok(["global", "1.22.4"]);
            }
        } else {
            ensure_absent(&env, "1.22.4");
        }
        let (link, uninstall) = together(
            env.gov_cmd(["link".as_ref(), "1.22.4".as_ref(), dirs[1].as_os_str()]),
            env.gov_cmd(["uninstall", "1.22.4"]),
        );
        won_or_lost(&link, "gov link", &["release 1.22.4 is already installed"]);
        won_or_lost(&uninstall, "gov uninstall", &[UNINSTALL_LOST]);
        assert_consistent(&env.gov_home, round);
    }
}

#[test]
fn uninstall_vs_uninstall() {
    let m = Mirror::new(&["1.22.4"]);
    for round in 0..rounds() {
        // A downloaded release (a tree, moved aside) and a linked one.
        if round % 2 == 0 {
            if !is_installed(&m.env.gov_home, "1.22.4") {
                assert_success(&m.gov(&["install", "1.22.4"]));
            }
        } else {
            let dir = m.env.fake_toolchain("1.22.4");
            ensure_linked(&m.env, "1.22.4", &dir);
        }
        let (a, b) = together(
            m.gov_cmd(["uninstall", "1.22.4"]),
            m.gov_cmd(["uninstall", "1.22.4"]),
        );
        let won = [&a, &b]
            .iter()
            .filter(|out| won_or_lost(out, "gov uninstall", &[UNINSTALL_LOST]))
            .count();
        assert_eq!(won, 1, "round {round}: exactly one uninstall wins");
        assert_consistent(&m.env.gov_home, round);
    }
}

#[test]
fn import_copy_vs_install() {
    let m = Mirror::new(&["1.22.4"]);
    let root = m.env.fake_toolchain("1.22.4");
    // What `gov import` always finds (the system's Go roots) is there
    // before the rounds, so that each round concerns `root` only.
    assert_success(&m.gov(&["import"]));
    for round in 0..rounds() {
        if is_installed(&m.env.gov_home, "1.22.4") {
            assert_success(&m.gov(&["uninstall", "1.22.4"]));
        }
        let (import, install) = together(
            m.gov_cmd(["import".as_ref(), "--copy".as_ref(), root.as_os_str()]),
            m.gov_cmd(["install", "1.22.4"]),
        );
        won_or_lost(
            &import,
            "gov import --copy",
            &["release 1.22.4 is already installed"],
        );
        assert!(won_or_lost(&install, "gov install", &[]));
        assert!(is_installed(&m.env.gov_home, "1.22.4"));
        assert_consistent(&m.env.gov_home, round);
    }
}

#[test]
fn install_vs_uninstall() {
    let m = Mirror::new(&["1.22.4"]);
    for round in 0..rounds() {
        // From either state; from nothing, the install also makes it the
        // global default (the first release).
        if round % 2 == 0 {
            if !is_installed(&m.env.gov_home, "1.22.4") {
                assert_success(&m.gov(&["install", "1.22.4"]));
            }
        } else if is_installed(&m.env.gov_home, "1.22.4") {
            assert_success(&m.gov(&["uninstall", "1.22.4"]));
        }
        let (install, uninstall) = together(
            m.gov_cmd(["install", "1.22.4"]),
            m.gov_cmd(["uninstall", "1.22.4"]),
        );
        // An install never loses: a release uninstalled before it could be
        // made the default is simply not made it.
        assert!(won_or_lost(&install, "gov install", &[]));
        won_or_lost(&uninstall, "gov uninstall", &[UNINSTALL_LOST]);
        assert_consistent(&m.env.gov_home, round);
    }
}

#[test]
fn rollback_vs_uninstall() {
    let env = TestEnv::new();
    let dirs = linked(&env, &["1.21.0", "1.22.4"]);
    for round in 0..rounds() {
        ensure_linked(&env, "1.22.4", &dirs[1]);
        env.gov_ok(["global", "1.22.4"]);
        env.gov_ok(["global", "1.21.0"]);
        let (rollback, uninstall) = together(
            env.gov_cmd(["rollback"]),
            env.gov_cmd(["uninstall", "1.22.4"]),
        );
        won_or_lost(
            &rollback,
            "gov rollback",
            &[
                "cannot roll back to Go 1.22.4: it is not installed any more",
                GLOBAL_LOST[1],
            ],
        );
        assert!(won_or_lost(&uninstall, "gov uninstall", &[]));
        assert_consistent(&env.gov_home, round);
    }
}

#[test]
fn shims_vs_uninstall_of_another_release() {
    let env = TestEnv::new();
    let dirs = linked(&env, &["1.22.4"]);
    let other = env.fake_toolchain("1.21.0");
    // Each round links one release and removes the other, so that each
    // change brings the shims in line while the other changes the store.
    for round in 0..rounds() {
        let (add, add_dir, remove) = if round % 2 == 0 {
            ("1.21.0", &other, "1.22.4")
        } else {
            ("1.22.4", &dirs[0], "1.21.0")
        };
        let (link, uninstall) = together(
            env.gov_cmd(["link".as_ref(), add.as_ref(), add_dir.as_os_str()]),
            env.gov_cmd(["uninstall", remove]),
        );
        assert!(won_or_lost(&link, "gov link", &[]));
        assert!(won_or_lost(&uninstall, "gov uninstall", &[]));
        assert_consistent(&env.gov_home, round);
    }
}

#[test]
fn global_vs_global() {
    let env = TestEnv::new();
    linked(&env, &["1.21.0", "1.22.4"]);
    for round in 0..rounds() {
        let (a, b) = together(
            env.gov_cmd(["global", "1.21.0"]),
            env.gov_cmd(["global", "1.22.4"]),
        );
        assert!(won_or_lost(&a, "gov global 1.21.0", &[]));
        assert!(won_or_lost(&b, "gov global 1.22.4", &[]));
        assert_consistent(&env.gov_home, round);
    }
}
