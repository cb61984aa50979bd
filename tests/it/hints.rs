//! Every hint is a command that works: each test makes gov fail, runs the
//! command the hint names exactly as printed, and checks that it succeeds
//! and fixes what failed.

use crate::common::mirror::Mirror;
use crate::common::*;
use crate::gov_snapshot;

/// The first `gov …` command in backquotes on the `hint:` line.
fn hinted(out: &std::process::Output) -> Vec<String> {
    let err = stderr(out);
    let hint = err
        .lines()
        .find(|l| l.starts_with("hint: "))
        .unwrap_or_else(|| panic!("no hint in:\n{err}"));
    let command = hint
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|c| c.starts_with("gov "))
        .unwrap_or_else(|| panic!("no gov command in: {hint}"));
    command
        .split_whitespace()
        .skip(1)
        .map(String::from)
        .collect()
}

/// Runs the hint of `out`, insisting it succeeds.
fn run_hint(m: &Mirror, out: &std::process::Output) -> std::process::Output {
    let args = hinted(out);
    let fixed = m.gov_cmd(&args).output().unwrap();
    assert_success(&fixed);
    fixed
}

#[test]
fn the_hints_of_missing_releases_install_them() {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    assert_success(&m.gov(&["list-remote"])); // the index is cached

    // Selected by a go.mod that nothing installed reaches.
    assert_success(&m.gov(&["install", "1.21"]));
    m.env.write("go.mod", "module m\n\ngo 1.22.0\n");
    let out = m.gov(&["current"]);
    assert_eq!(out.status.code(), Some(1));
    run_hint(&m, &out);
    assert!(stdout(&m.gov(&["current"])).starts_with("1.22.4 "));
    std::fs::remove_file(m.env.work.join("go.mod")).unwrap();

    // Asked for by name.
    assert_success(&m.gov(&["uninstall", "1.21.5"]));
    let out = m.gov(&["global", "1.21"]);
    assert_eq!(
        stderr(&out).lines().next(),
        Some("error: Go 1.21 is not installed")
    );
    run_hint(&m, &out);
    assert_success(&m.gov(&["global", "1.21"]));
}

#[test]
fn versions_that_exist_nowhere_are_refused_with_the_nearest_real_ones() {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    assert_success(&m.gov(&["install", "1.22"]));
    let out = m.gov(&["run", "1.222", "true"]);
    gov_snapshot!("run", m.env, &out);

    let out = m.gov(&["local", "1.21.99"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!m.env.work.join(".go-version").exists(), "nothing written");
    run_hint(&m, &out);
    assert_eq!(stdout(&m.gov(&["local"])), "1.21.5\n");

    let out = m.gov(&["install", "1.222"]);
    gov_snapshot!("install", m.env, &out);
    run_hint(&m, &out);

    // Offline with no index cached: gov cannot tell, so it warns and writes.
    let m = Mirror::new(&[]);
    let out = m
        .gov_cmd(["local", "1.21.99"])
        .env("GOV_OFFLINE", "1")
        .output()
        .unwrap();
    gov_snapshot!("offline", m.env, &out);
}

#[test]
fn requests_work_where_a_user_expects_them() {
    let m = Mirror::new(&["1.21.5", "1.22.1", "1.22.4"]);
    assert_success(&m.gov(&["install", "1.21", "1.22.1", "1.22.4"]));
    // Blanks around a version are no error.
    assert_success(&m.gov(&["local", " 1.21 "]));
    assert_eq!(stdout(&m.gov(&["local"])), "1.21\n");
    // A request that names one installed release uninstalls it…
    assert_success(&m.gov(&["uninstall", "1.21"]));
    // …and one that names several says which.
    let out = m.gov(&["uninstall", "1.22"]);
    gov_snapshot!(m.env, &out);
    run_hint(&m, &out);
    assert_eq!(stdout(&m.gov(&["list", "--bare"])), "1.22.1\n");
    // `gov env NAME` prints the value, as `go env NAME` does.
    m.env.write(".go-version", "1.22.1\n");
    let root = m.env.gov_home.join("versions/1.22.1");
    assert_eq!(
        stdout(&m.gov(&["env", "GOROOT", "GOTOOLCHAIN", "NOT_SET"])),
        format!("{}\nlocal\n\n", root.display())
    );
}

#[test]
fn with_nothing_selected_the_hint_names_a_real_release() {
    let m = Mirror::new(&["1.22.4"]);
    let out = m.gov(&["current"]);
    gov_snapshot!(m.env, &out);
    run_hint(&m, &out);
    // The first install became the default: now something is selected.
    assert_success(&m.gov(&["current"]));
    assert_success(&m.gov(&["global", "--help"]));
    std::fs::remove_file(m.env.gov_home.join("current")).unwrap();
    let out = m.gov(&["current"]);
    run_hint(&m, &out);
    assert!(stdout(&m.gov(&["current"])).starts_with("1.22.4 (set by global)"));
}
