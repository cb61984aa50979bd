//! `gov history` and `gov rollback`: every change of the global default is
//! recorded, whole, even when two are made at once, and can be undone.

use crate::common::*;
use crate::gov_snapshot;

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env
}

fn history(env: &TestEnv) -> Vec<serde_json::Value> {
    serde_json::from_str::<Vec<serde_json::Value>>(&env.gov_ok(["history", "--json"])).unwrap()
}

#[test]
fn changes_are_recorded_newest_first_and_rolled_back_like_cd_minus() {
    let env = setup();
    env.gov_ok(["global", "1.21.5"]);
    env.gov_ok(["global", "1.22"]);
    let h = history(&env);
    assert_eq!(h.len(), 2);
    assert_eq!(
        (h[0]["before"].as_str(), h[0]["after"].as_str()),
        (Some("1.21.5"), Some("1.22.4"))
    );
    assert_eq!(h[0]["command"], "gov global 1.22");
    assert_eq!(h[1]["before"], serde_json::Value::Null);
    let time = h[0]["time"].as_str().unwrap();
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "{time}"
    );
    let text = env.gov_ok(["history"]);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("  1.21.5 -> 1.22.4  gov global 1.22"),
        "{text}"
    );

    // Setting what is already set records nothing.
    env.gov_ok(["global", "1.22.4"]);
    assert_eq!(history(&env).len(), 2);

    // Two rollbacks return to where they started.
    env.gov_ok(["rollback"]);
    assert_eq!(env.gov_ok(["global"]), "1.21.5\n");
    env.gov_ok(["rollback"]);
    assert_eq!(env.gov_ok(["global"]), "1.22.4\n");
    let h = history(&env);
    assert_eq!(h.len(), 4);
    assert_eq!(h[0]["command"], "gov rollback");
}

#[test]
fn nothing_to_roll_back_to_is_a_clear_error_with_a_fix_that_works() {
    let env = setup();
    gov_snapshot!(env, &env.gov(["rollback"]));
    env.gov_ok(["global", "1.21.5"]);
    gov_snapshot!(env, &env.gov(["rollback"]));

    // The release before was uninstalled since.
    env.gov_ok(["global", "1.22.4"]);
    let dir = env.root.join("toolchains/1.21.5");
    env.gov_ok(["uninstall", "1.21.5"]);
    let out = env.gov(["rollback"]);
    gov_snapshot!(env, &out);
    // The fix, as a link here rather than a download.
    env.link("1.21.5", &dir);
    env.gov_ok(["rollback"]);
    assert_eq!(env.gov_ok(["global"]), "1.21.5\n");
}

#[test]
fn concurrent_changes_are_all_recorded_whole() {
    let env = std::sync::Arc::new(setup());
    let workers: Vec<_> = ["1.21.5", "1.22.4"]
        .into_iter()
        .map(|v| {
            let env = env.clone();
            std::thread::spawn(move || {
                for _ in 0..40 {
                    assert_success(&env.gov(["--quiet", "global", v]));
                    assert_success(&env.gov([
                        "--quiet",
                        "global",
                        if v == "1.21.5" { "1.22.4" } else { "1.21.5" },
                    ]));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    // Every line is a whole record, and each follows from the one before.
    let text = std::fs::read_to_string(env.gov_home.join("history.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(records.len() > 40, "{}", records.len());
    for pair in records.windows(2) {
        assert_eq!(pair[0]["after"], pair[1]["before"], "{pair:?}");
    }
}

#[test]
fn a_torn_or_garbled_history_is_read_around() {
    let env = setup();
    env.gov_ok(["global", "1.21.5"]);
    env.gov_ok(["global", "1.22.4"]);
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(env.gov_home.join("history.jsonl"))
        .unwrap();
    file.write_all(b"\x00\xffnot json\n{\"time\":\"2026-12-01T")
        .unwrap();
    assert_eq!(history(&env).len(), 2);
    env.gov_ok(["rollback"]);
    assert_eq!(env.gov_ok(["global"]), "1.21.5\n");
}

#[test]
fn a_change_that_cannot_be_recorded_is_not_made() {
    let env = setup();
    env.gov_ok(["global", "1.21.5"]);
    // A history that cannot be appended to (here: a directory in its place).
    let history = env.gov_home.join("history.jsonl");
    std::fs::remove_file(&history).unwrap();
    std::fs::create_dir(&history).unwrap();
    let out = env.gov(["global", "1.22.4"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(env.gov_ok(["global"]), "1.21.5\n", "unchanged");
}

#[test]
fn a_record_after_a_torn_line_starts_on_a_line_of_its_own() {
    let env = setup();
    env.gov_ok(["global", "1.21.5"]);
    // A crash in the middle of a write: the last line has no end.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(env.gov_home.join("history.jsonl"))
        .unwrap()
        .write_all(br#"{"time":"2026-12-01T15:20:07Z","before":"1.2"#)
        .unwrap();
    env.gov_ok(["global", "1.22.4"]);
    let h = history(&env);
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(
        (h[0]["before"].as_str(), h[0]["after"].as_str()),
        (Some("1.21.5"), Some("1.22.4"))
    );
    assert_eq!(h[0]["command"], "gov global 1.22.4");
    let text = std::fs::read_to_string(env.gov_home.join("history.jsonl")).unwrap();
    assert!(
        text.ends_with("\"command\":\"gov global 1.22.4\"}\n"),
        "{text}"
    );
    // The torn line stays as it was, on its own line.
    assert_eq!(text.lines().count(), 3, "{text}");
    env.gov_ok(["rollback"]);
    assert_eq!(env.gov_ok(["global"]), "1.21.5\n");
}

#[test]
fn a_garbled_record_is_named_by_file_and_line() {
    let env = setup();
    env.gov_ok(["global", "1.21.5"]);
    env.gov_ok(["global", "1.22.4"]);
    // The newest record names a release that is not one.
    let path = env.gov_home.join("history.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let garbled = text.replacen(
        "\"before\":\"1.21.5\"",
        "\"before\":\"1.21.5\\u001b[2Jx\"",
        1,
    );
    assert_ne!(garbled, text);
    std::fs::write(&path, garbled).unwrap();
    let out = env.gov(["rollback"]);
    gov_snapshot!(env, &out);
    assert_eq!(env.gov_ok(["global"]), "1.22.4\n", "unchanged");
    // The fix the hint gives works, and so does a rollback after it.
    env.gov_ok(["global", "1.21.5"]);
    env.gov_ok(["rollback"]);
    assert_eq!(env.gov_ok(["global"]), "1.22.4\n");
}
