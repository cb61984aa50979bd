//! `gov upgrade` with fake releases: the target is installed beside the
//! active one, checked, and only then switched in; a failing, missing or
//! interrupted check switches nothing.

use crate::common::mirror::Mirror;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

/// A store with 1.22.4 installed (the global default), a mirror that also
/// has 1.22.12 and 1.23.0.
fn setup() -> Mirror {
    let m = Mirror::new(&["1.22.4", "1.22.12", "1.23.0"]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    m
}

fn global(m: &Mirror) -> String {
    stdout(&m.gov(&["global"]))
}

#[test]
fn a_patch_upgrade_switches_the_global_default_after_its_check() {
    let m = setup();
    let out = m.gov(&["upgrade", "--check", "go version"]);
    // The check ran under the target, its output streamed.
    gov_snapshot!("switched", m.env, &out);
    assert_eq!(global(&m), "1.22.12\n");
    let history: serde_json::Value =
        serde_json::from_str(&stdout(&m.gov(&["history", "--json"]))).unwrap();
    assert_eq!(history[0]["command"], "gov upgrade");
    assert_eq!(history[0]["after"], "1.22.12");
    // Again: already there.
    let out = m.gov(&["upgrade"]);
    gov_snapshot!("already_there", m.env, &out);
}

#[test]
fn a_failing_check_switches_nothing() {
    let m = setup();
    m.env.write(
        ".tool-versions",
        "nodejs 20.1.0\r\ngolang 1.22.4 # pinned\r\n",
    );
    let before = std::fs::read(m.env.work.join(".tool-versions")).unwrap();
    for (name, check) in [
        ("exit_code_3", "echo boom; exit 3"),
        ("not_found", "no-such-check-command"),
    ] {
        let out = m.gov(&["upgrade", "1.23", "--check", check]);
        gov_snapshot!(format!("failing_check_{name}"), m.env, &out);
        assert_eq!(
            std::fs::read(m.env.work.join(".tool-versions")).unwrap(),
            before
        );
        assert_eq!(global(&m), "1.22.4\n");
    }
    assert!(err_tail_is_short(&m));
    // The target stays installed.
    assert!(m.env.gov_home.join("versions/1.23.0").exists());
}

/// A check that prints megabytes: the report keeps only its last lines.
fn err_tail_is_short(m: &Mirror) -> bool {
    let out = m.gov(&[
        "upgrade",
        "1.23",
        "--check",
        "yes line | head -c 3000000; echo LAST; exit 1",
    ]);
    let err = stderr(&out);
    let report = &err[err.rfind("--- the last lines of").unwrap()..];
    report.contains("LAST\n---\nerror: the check") && report.len() < 4000
}

#[test]
fn a_version_file_that_selected_the_release_is_rewritten_keeping_the_rest() {
    let m = setup();
    m.env.write(
        ".tool-versions",
        "nodejs 20.1.0\r\ngolang 1.22.4 1.21.0 # pinned\r\npython 3.12\r\n",
    );
    let out = m.gov(&["upgrade", "--no-check"]);
    assert_success(&out);
    assert_eq!(
        std::fs::read_to_string(m.env.work.join(".tool-versions")).unwrap(),
        "nodejs 20.1.0\r\ngolang 1.22.12 1.21.0 # pinned\r\npython 3.12\r\n"
    );
    assert_eq!(
        global(&m),
        "1.22.4\n",
        "the global default is not what selected it"
    );
    // --local writes this directory's .go-version instead.
    std::fs::create_dir_all(m.env.work.join("sub")).unwrap();
    let out = m
        .gov_cmd(["upgrade", "1.23", "--no-check", "--local"])
        .current_dir(m.env.work.join("sub"))
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        std::fs::read_to_string(m.env.work.join("sub/.go-version")).unwrap(),
        "1.23.0\n"
    );
}

#[test]
fn a_dry_run_changes_nothing_and_json_says_plan_and_outcome() {
    let m = setup();
    let out = m.gov(&["upgrade", "1.23", "--dry-run"]);
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        "upgrade Go 1.22.4 -> Go 1.23.0\n  install Go 1.23.0 (verified)\n  run no checks\n  then switch the global default (recorded in gov history)\n"
    );
    assert_eq!(
        m.server.hits("go1.23.0.linux-amd64.tar.gz"),
        0,
        "nothing downloaded"
    );
    assert_eq!(global(&m), "1.22.4\n");

    let out = m.gov(&["upgrade", "1.23", "--check", "true", "--json"]);
    assert_success(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "switched");
    assert_eq!(report["target"], "1.23.0");
    assert_eq!(report["install"], true);
    assert_eq!(report["runs"][0]["command"], "true");
    assert_eq!(report["runs"][0]["passed"], true);
    // What a configuration tool reads: whether it changed, and the time
    // spent in all and on the install and each check.
    assert_eq!(report["changed"], true);
    for key in [
        &report["seconds"],
        &report["install_seconds"],
        &report["runs"][0]["seconds"],
    ] {
        assert!(key.as_f64().is_some_and(|s| s >= 0.0), "{report}");
    }
    let out = m.gov(&["upgrade", "1.23", "--check", "true", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["outcome"], "already");
    assert_eq!(report["changed"], false);
    // With --global too: the default is the target already.
    let out = m.gov(&["upgrade", "1.23", "--global", "--check", "true", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (&report["outcome"], &report["changed"]),
        (&"already".into(), &false.into())
    );
    assert_eq!(report["runs"], serde_json::json!([]), "no check ran");

    let out = m.gov(&["upgrade", "1.99"]);
    gov_snapshot!("no_release_matches", m.env, &out);
}

#[test]
fn an_interrupted_check_restores_and_exits_like_the_signal() {
    let m = setup();
    let started = m.env.root.join("started");
    let child = m
        .gov_cmd([
            "upgrade",
            "--check",
            &format!("touch {}; sleep 600", started.display()),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // SIGTERM once the check runs, whatever the install before it took.
    wait_until("the check to start", || started.exists());
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = wait_output(child);
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    assert_eq!(global(&m), "1.22.4\n");
}

#[test]
fn an_upgrade_racing_gov_global_ends_with_the_later_switch_both_recorded() {
    let m = setup();
    assert_success(&m.gov(&["install", "1.23"]));
    let (started, go_on) = (m.env.root.join("started"), m.env.root.join("go-on"));
    let check = format!(
        "touch {}; while [ ! -e {} ]; do sleep 0.05; done",
        started.display(),
        go_on.display()
    );
    let upgrade = m
        .gov_cmd(["upgrade", "1.22.12", "--check", &check])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Another shell switches while the check runs, which then ends.
    wait_until("the check to start", || started.exists());
    assert_success(&m.gov(&["global", "1.23.0"]));
    std::fs::write(&go_on, "").unwrap();
    assert_success(&wait_output(upgrade));
    assert_eq!(global(&m), "1.22.12\n", "the upgrade switched last");
    let history: Vec<serde_json::Value> =
        serde_json::from_str(&stdout(&m.gov(&["history", "--json"]))).unwrap();
    assert_eq!(history[0]["command"], "gov upgrade 1.22.12");
    assert_eq!(history[0]["before"], "1.23.0");
    assert_eq!(history[1]["command"], "gov global 1.23.0");
}

#[test]
fn go_mod_is_refused_when_a_workspace_selects_the_release() {
    let m = setup();
    m.env.write("go.work", "go 1.22.4\n\nuse ./app\n");
    m.env.write("app/go.mod", "module m\n\ngo 1.22.4\n");
    let out = m
        .gov_cmd(["upgrade", "--go-mod", "--no-check"])
        .current_dir(m.env.work.join("app"))
        .output()
        .unwrap();
    gov_snapshot!(m.env, &out);
    assert_eq!(
        std::fs::read_to_string(m.env.work.join("app/go.mod")).unwrap(),
        "module m\n\ngo 1.22.4\n"
    );
}

/// A store with 1.22.4 installed (the global default) and 1.22.12, the
/// newest of its series, linked with [`editing_go`]; a module in `work`.
fn module_setup(go_mod: &str) -> Mirror {
    let m = setup();
    m.env.link_go_script("1.22.12", &editing_go("1.22.12", ""));
    m.env.write("go.mod", go_mod);
    m
}

fn is_link(path: &std::path::Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

#[test]
fn a_linked_go_mod_and_version_file_are_edited_and_restored_through_their_targets() {
    let m = setup();
    m.env.link_go_script("1.22.12", &editing_go("1.22.12", ""));
    let shared = m.env.root.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let go_mod = "module m\r\n\r\ngo 1.22.4 // keep\r\n";
    std::fs::write(shared.join("go.mod"), go_mod).unwrap();
    std::fs::write(shared.join("go-version"), "1.22.4\n").unwrap();
    std::os::unix::fs::symlink("../shared/go.mod", m.env.work.join("go.mod")).unwrap();
    std::os::unix::fs::symlink(shared.join("go-version"), m.env.work.join(".go-version")).unwrap();
    let unchanged = |m: &Mirror| {
        assert!(
            is_link(&m.env.work.join("go.mod")),
            "go.mod is still a link"
        );
        assert!(is_link(&m.env.work.join(".go-version")));
        assert_eq!(
            std::fs::read_to_string(shared.join("go.mod")).unwrap(),
            go_mod
        );
        assert_eq!(
            std::fs::read_to_string(shared.join("go-version")).unwrap(),
            "1.22.4\n"
        );
    };

    // A check that sees the edit, then fails: both targets are put back.
    let out = m.gov(&[
        "upgrade",
        "--go-mod",
        "--check",
        "grep -q 'go 1.22.12' go.mod && exit 1",
    ]);
    gov_snapshot!("check_failed", m.env, &out);
    unchanged(&m);

    // One that passes: the targets are changed, the links kept.
    let out = m.gov(&[
        "upgrade",
        "--go-mod",
        "--check",
        "grep -q 'go 1.22.12' go.mod",
    ]);
    assert_success(&out);
    assert!(is_link(&m.env.work.join("go.mod")));
    assert!(is_link(&m.env.work.join(".go-version")));
    assert!(std::fs::read_to_string(shared.join("go.mod"))
        .unwrap()
        .contains("go 1.22.12"));
    assert_eq!(
        std::fs::read_to_string(shared.join("go-version")).unwrap(),
        "1.22.12\n"
    );
}

fn read(m: &Mirror, relative: &str) -> String {
    std::fs::read_to_string(m.env.work.join(relative)).unwrap()
}

/// The check of [`upgrade_in_check`]: two pids written, its shell's and a
/// background sleep's.
const SLEEPING_CHECK: &str = "echo $$ >> PIDS; sleep 600 & echo $! >> PIDS; wait";

/// `gov upgrade ARGS --check CHECK` spawned, once the check has written two
/// lines to `ROOT/pids` (named `PIDS` in `check`).
fn upgrade_in_check(m: &Mirror, args: &[&str], check: &str) -> std::process::Child {
    let pids = m.env.root.join("pids");
    let check = check.replace("PIDS", &pids.display().to_string());
    let mut gov = m
        .gov_cmd(["upgrade"].iter().chain(args).chain(&["--check", &check]))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    crate::matrix::wait_for_lines(&pids, 2, &mut gov);
    gov
}

fn journals(m: &Mirror) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(m.env.gov_home.join("journal"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[test]
fn a_sigkill_during_the_check_kills_it_and_recover_restores_every_file() {
    let go_mod = "module m\r\n\r\ngo 1.22.4 // keep\r\n";
    let m = module_setup(go_mod);
    m.env.write(".go-version", "1.22.4\n");
    let mut gov = upgrade_in_check(&m, &["--go-mod"], SLEEPING_CHECK);
    unsafe { libc::kill(gov.id() as i32, libc::SIGKILL) };
    gov.wait().unwrap();
    crate::matrix::assert_all_dead(&m.env.root.join("pids"));
    // Left as the killed gov made it, with what it kept on disk.
    assert!(read(&m, "go.mod").contains("go 1.22.12"));
    assert_eq!(journals(&m).len(), 1, "one journal");

    // Any other command says what to do.
    text_snapshot!(
        "others_say_what_to_do",
        m.env,
        transcript(&[
            ("gov matrix -- true", &m.env.gov(["matrix", "--", "true"])),
            ("gov list", &m.env.gov(["list"])),
        ])
    );

    let out = m.gov(&["upgrade", "--recover"]);
    gov_snapshot!("recovered", m.env, &out);
    assert_eq!(read(&m, "go.mod"), go_mod);
    assert_eq!(read(&m, ".go-version"), "1.22.4\n");
    assert!(journals(&m).is_empty());
    // Again: nothing left to do.
    let out = m.gov(&["upgrade", "--recover"]);
    gov_snapshot!("nothing_to_recover", m.env, &out);
    assert_eq!(read(&m, "go.mod"), go_mod);
}

#[test]
fn the_next_upgrade_here_restores_what_a_killed_one_left() {
    let go_mod = "module m\n\ngo 1.22.4\n";
    let m = module_setup(go_mod);
    let mut gov = upgrade_in_check(&m, &["--go-mod"], SLEEPING_CHECK);
    unsafe { libc::kill(gov.id() as i32, libc::SIGKILL) };
    gov.wait().unwrap();
    assert!(read(&m, "go.mod").contains("go 1.22.12"));
    // The check sees the go.mod as it was before this upgrade's own edit.
    let out = m.gov(&["upgrade", "--go-mod", "--check", "exit 1"]);
    gov_snapshot!(m.env, &out);
    assert_eq!(read(&m, "go.mod"), go_mod);
    assert!(journals(&m).is_empty());
}

#[test]
fn two_upgrades_of_one_module_at_once_one_wins_the_other_fails_at_once() {
    let m = module_setup("module m\n\ngo 1.22.4\n");
    let first = upgrade_in_check(
        &m,
        &["--go-mod"],
        "echo $$ >> PIDS; echo $$ >> PIDS; while [ ! -e go-on ]; do sleep 0.05; done",
    );
    // At once, not after waiting: the first one's check waits for
    // `go-on`, written only after this returns.
    let out = output_within(
        &mut m.gov_cmd(["upgrade", "--go-mod", "--check", "true"]),
        PATIENCE,
    );
    gov_snapshot!(m.env, &out);
    // The first one's edit is untouched; it ends as it would alone.
    assert!(read(&m, "go.mod").contains("go 1.22.12"));
    std::fs::write(m.env.work.join("go-on"), "").unwrap();
    assert_success(&wait_output(first));
    assert_eq!(read(&m, "go.mod"), "module m\n\ngo 1.22.12\n");
    assert!(journals(&m).is_empty());
}

#[test]
fn help_says_how_a_killed_upgrade_is_recovered() {
    let env = TestEnv::new();
    let out = env.gov(["upgrade", "--help"]);
    crate::gov_snapshot!("upgrade_help", env, &out);
    let out = env.gov(["upgrade", "--recover", "--go-mod"]);
    crate::gov_snapshot!("recover_with_go_mod", env, &out);
}

#[test]
fn two_projects_sharing_a_version_file_by_links_are_not_upgraded_at_once() {
    let m = setup();
    m.env.link_go_script("1.22.12", &editing_go("1.22.12", ""));
    let shared = m.env.write("shared/go-version", "1.22.4\n");
    for project in ["a", "b"] {
        std::fs::create_dir_all(m.env.work.join(project)).unwrap();
        std::os::unix::fs::symlink(&shared, m.env.work.join(project).join(".go-version")).unwrap();
    }
    let pids = m.env.root.join("pids");
    let check = format!(
        "echo $$ >> {p}; echo $$ >> {p}; while [ ! -e ../go-on ]; do sleep 0.05; done",
        p = pids.display()
    );
    let mut first = m
        .gov_cmd(["upgrade", "--check", &check])
        .current_dir(m.env.work.join("a"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    crate::matrix::wait_for_lines(&pids, 2, &mut first);
    let out = m
        .gov_cmd(["upgrade", "--check", "true"])
        .current_dir(m.env.work.join("b"))
        .output()
        .unwrap();
    gov_snapshot!(m.env, &out);
    std::fs::write(m.env.work.join("go-on"), "").unwrap();
    assert_success(&wait_output(first));
    assert_eq!(std::fs::read_to_string(&shared).unwrap(), "1.22.12\n");
    assert!(is_link(&m.env.work.join("b/.go-version")));
}
