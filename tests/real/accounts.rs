//! Another local account tries to choose our `go`: it plants the per-shell
//! directory before us, races its creation, owns a linked root, or finds
//! gov's directories writable. A real second account (`useradd`; CI runs
//! as root and creates it).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::common::*;

const OTHER: &str = "govtest-other";

/// The uid of a second account, created on first use (once: tests run in
/// parallel, and useradd locks /etc/passwd).
pub(crate) fn other_uid() -> u32 {
    static UID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *UID.get_or_init(create_other)
}

fn create_other() -> u32 {
    assert!(
        is_root(),
        "these tests create a second account with useradd: run them as root (CI does)"
    );
    let status = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            OTHER,
        ])
        .output()
        .expect("useradd (passwd) is installed");
    // 9: the account exists already.
    assert!(
        status.status.success() || status.status.code() == Some(9),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let out = Command::new("id").args(["-u", OTHER]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        == 0
}

/// Runs `sh -c script` as the other account.
fn as_other(uid: u32, script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]).uid(uid).gid(other_gid());
    cmd
}

pub(crate) fn other_gid() -> u32 {
    let out = Command::new("id").args(["-g", OTHER]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// Snapshot settings that write the other account's uid, which varies by
/// machine, as `[OTHER]`.
fn naming_other(env: &TestEnv, uid: u32) -> insta::Settings {
    let mut settings = snapshot_settings(env);
    settings.add_filter(&format!(r"\buid {uid}\b"), "uid [OTHER]");
    settings
}

/// A sticky, world-writable temp directory like /tmp, inside the test's.
fn shared_tmp(env: &TestEnv) -> std::path::PathBuf {
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tmp = env.root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    tmp
}

fn init_no_shims(env: &TestEnv, tmp: &Path) -> std::process::Output {
    env.gov_cmd(["init", "bash", "--no-shims"])
        .env("TMPDIR", tmp)
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap()
}

#[test]
fn a_per_shell_directory_planted_by_another_user_is_refused() {
    let uid = other_uid();
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let tmp = shared_tmp(&env);
    let base = tmp.join(format!("gov-{}", fsx_uid()));

    // Planted as a directory of theirs…
    assert!(as_other(uid, &format!("mkdir -m 777 '{}'", base.display()))
        .status()
        .unwrap()
        .success());
    let out = init_no_shims(&env, &tmp);
    naming_other(&env, uid)
        .bind(|| insta::assert_snapshot!("a_directory_of_theirs", run_text(&out)));
    std::fs::remove_dir(&base).unwrap();

    // …or as a link to one of theirs.
    let theirs = tmp.join("theirs");
    let script = format!(
        "mkdir '{}' && ln -s '{}' '{}'",
        theirs.display(),
        theirs.display(),
        base.display()
    );
    assert!(as_other(uid, &script).status().unwrap().success());
    let out = init_no_shims(&env, &tmp);
    naming_other(&env, uid).bind(|| insta::assert_snapshot!("a_link", run_text(&out)));
    std::fs::remove_file(&base).unwrap();

    // Made by us, it is ours alone.
    let out = init_no_shims(&env, &tmp);
    assert_success(&out);
    let meta = std::fs::symlink_metadata(&base).unwrap();
    assert!(meta.is_dir() && meta.uid() == fsx_uid() && meta.mode() & 0o777 == 0o700);

    // The prompt hook will not repoint a per-shell directory of theirs.
    let planted = tmp.join("planted");
    assert!(
        as_other(uid, &format!("mkdir -p '{}/shell'", planted.display()))
            .status()
            .unwrap()
            .success()
    );
    let out = env
        .gov_cmd(["env", "--hook", "bash", "--link-dir"])
        .arg(planted.join("shell"))
        .output()
        .unwrap();
    naming_other(&env, uid).bind(|| insta::assert_snapshot!("hook", run_text(&out)));
    assert!(
        std::fs::symlink_metadata(planted.join("shell/bin")).is_err(),
        "no link made"
    );
}

#[test]
fn a_race_for_the_per_shell_directory_never_hands_it_to_another_user() {
    let uid = other_uid();
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let tmp = shared_tmp(&env);
    let base = tmp.join(format!("gov-{}", fsx_uid()));
    for _ in 0..8 {
        // They try to create it, over and over, while we start a shell.
        let mut racer = as_other(
            uid,
            &format!(
                "for i in $(seq 300); do mkdir '{0}' 2>/dev/null && rmdir '{0}'; done",
                base.display()
            ),
        )
        .spawn()
        .unwrap();
        let out = init_no_shims(&env, &tmp);
        racer.wait().unwrap();
        if out.status.success() {
            let meta = std::fs::symlink_metadata(&base).unwrap();
            assert_eq!(meta.uid(), fsx_uid(), "init succeeded with their directory");
            std::fs::remove_dir_all(&base).unwrap();
        } else {
            assert!(
                stderr(&out).contains("refusing to run Go from"),
                "{}",
                stderr(&out)
            );
            let _ = std::fs::remove_dir(&base);
        }
    }
}

#[test]
fn releases_another_user_can_change_are_never_run() {
    let uid = other_uid();
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    let versions = env.gov_home.join("versions");

    // A versions/ writable by the group.
    std::fs::set_permissions(&versions, std::fs::Permissions::from_mode(0o775)).unwrap();
    let out = env.go(&env.work, &["version"]);
    naming_other(&env, uid).bind(|| insta::assert_snapshot!("group_writable", run_text(&out)));
    let out = env.gov(["doctor", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ownership = doctor_check(&report, "ownership");
    assert_eq!(ownership["status"], "fail", "{ownership}");
    // The fix it names works.
    assert!(Command::new("chmod")
        .args(["go-w"])
        .arg(&versions)
        .status()
        .unwrap()
        .success());
    assert_success(&env.go(&env.work, &["version"]));

    // A linked root that belongs to the other account.
    let theirs = env.root.join("their-go");
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let fake = env.fake_toolchain("1.21.5");
    assert!(Command::new("cp")
        .arg("-r")
        .arg(&fake)
        .arg(&theirs)
        .status()
        .unwrap()
        .success());
    assert!(Command::new("chown")
        .args(["-R", &uid.to_string()])
        .arg(&theirs)
        .status()
        .unwrap()
        .success());
    env.link("1.21.5", &theirs);
    let out = env.go(&env.work, &["+1.21.5"]);
    naming_other(&env, uid).bind(|| insta::assert_snapshot!("a_release_of_theirs", run_text(&out)));
    let out = env.gov(["exec", "true"]);
    assert_success(&out); // the global default, 1.22.4, is ours
    let out = env.gov(["run", "1.21.5", "true"]);
    assert_eq!(out.status.code(), Some(1));
}

fn fsx_uid() -> u32 {
    std::fs::metadata("/proc/self").unwrap().uid()
}

#[test]
fn a_home_another_user_cannot_write_is_a_clear_error() {
    use crate::common::mirror::Mirror;
    let uid = other_uid();
    let m = Mirror::new(&["1.22.4"]);
    std::fs::set_permissions(&m.env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = m.env.root.join("roots-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut install = m.gov_cmd(["install", "1.22.4"]);
    install
        .env("GOV_HOME", &home)
        .env("HOME", &m.env.root)
        .current_dir(&m.env.root)
        .uid(uid)
        .gid(other_gid());
    let out = install.output().unwrap();
    // It names the store and its owner.
    naming_other(&m.env, uid).bind(|| insta::assert_snapshot!(run_text(&out)));
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        0,
        "nothing written"
    );
}
