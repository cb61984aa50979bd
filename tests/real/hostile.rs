//! A hostile second account (`useradd`) against root's stores: it plants
//! a gov binary where root once ran one, owns the system store and plants
//! links in it, holds root's locks, and leaves links in a toolchain root
//! copies. CI runs as root and creates the account.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::accounts::{other_gid, other_uid};
use crate::common::*;

/// A sticky, world-writable directory like /tmp inside the test's, which
/// the other account can reach.
fn shared_tmp(env: &TestEnv) -> PathBuf {
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tmp = env.root.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    tmp
}

/// `sh -c script` as the other account.
fn as_other(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]).uid(other_uid()).gid(other_gid());
    cmd
}

fn chown_other(path: &Path) {
    assert!(Command::new("chown")
        .args(["-R", &format!("{}:{}", other_uid(), other_gid())])
        .arg(path)
        .status()
        .unwrap()
        .success());
}

/// Root once ran gov from /tmp; the file is gone and the other account
/// puts its own program at that name. Nobody's `go` runs it: the system
/// store's shims lead to the store's own copy of gov.
/// The other account's uid and a process id vary by machine and run.
fn hostile_settings(env: &TestEnv) -> insta::Settings {
    let mut settings = snapshot_settings(env);
    settings.add_filter(r"\(uid \d+\)", "(uid [UID])");
    settings.add_filter(r"(process|kill) \d+", "$1 [PID]");
    settings
}

#[test]
fn a_system_store_never_runs_a_gov_another_account_planted() {
    let env = TestEnv::new();
    let tmp = shared_tmp(&env);
    let system = env.root.join("opt-gov");
    let gov_in_tmp = tmp.join("gov");
    // (cp, not std::fs::copy: a test thread forking meanwhile would keep
    // our descriptor open for writing, and running it would fail with
    // "text file busy".)
    assert!(Command::new("cp")
        .arg(GOV)
        .arg(&gov_in_tmp)
        .status()
        .unwrap()
        .success());
    let go = env.fake_toolchain("1.22.4");
    for args in [
        vec![
            "--system".as_ref(),
            "link".as_ref(),
            "1.22.4".as_ref(),
            go.as_os_str(),
        ],
        vec!["--system".as_ref(), "global".as_ref(), "1.22.4".as_ref()],
    ] {
        let out = env
            .command(&gov_in_tmp)
            .args(args)
            .env("GOV_SYSTEM_HOME", &system)
            .output()
            .unwrap();
        assert_success(&out);
    }
    let own = system.join("libexec/gov");
    for shim in ["go", "gofmt", "go1.22.4"] {
        assert_eq!(
            std::fs::read_link(system.join("bin").join(shim)).unwrap(),
            own,
            "{shim}"
        );
    }
    let meta = std::fs::metadata(&own).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (0, 0o755));

    // The file root ran is gone; the other account takes its name.
    std::fs::remove_file(&gov_in_tmp).unwrap();
    let marker = tmp.join("ran-as-root");
    let planted = format!(
        "printf '#!/bin/sh\\ntouch {}\\n' > {} && chmod 755 {}",
        marker.display(),
        gov_in_tmp.display(),
        gov_in_tmp.display()
    );
    assert_success(&as_other(&planted).output().unwrap());
    let out = env
        .command(system.join("bin/go"))
        .arg("version")
        .env("GOV_SYSTEM_HOME", &system)
        .env("GOV_HOME", env.root.join("roots-own-store"))
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).starts_with("go go1.22.4 "), "{}", stdout(&out));
    assert!(!marker.exists(), "the planted program ran as root");

    // A store from before, whose shims lead into /tmp: doctor fails it,
    // naming the step, and its fix re-points them.
    std::fs::remove_file(system.join("bin/go")).unwrap();
    std::os::unix::fs::symlink(&gov_in_tmp, system.join("bin/go")).unwrap();
    let doctor = || {
        let out = env
            .gov_cmd(["doctor", "--json"])
            .env("GOV_SYSTEM_HOME", &system)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doctor_check(&report, "ownership").clone()
    };
    let ownership = doctor();
    assert_eq!(ownership["status"], "fail", "{ownership}");
    let detail = ownership["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!(
            "`{}` leads through",
            system.join("bin/go").display()
        )),
        "{detail}"
    );
    assert!(
        ownership["fix"]
            .as_str()
            .unwrap()
            .contains("sudo gov --system init bash"),
        "{ownership}"
    );
    let out = env
        .gov_cmd(["--system", "init", "bash"])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(std::fs::read_link(system.join("bin/go")).unwrap(), own);
    assert_eq!(doctor()["status"], "ok");
}

/// The other account owns the system store and plants links in it that
/// lead to a directory only root can write. Root refuses the store up
/// front and writes nothing anywhere.
#[test]
fn root_never_writes_to_a_store_another_account_owns() {
    let env = TestEnv::new();
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let system = env.root.join("opt-gov");
    let roots_only = env.root.join("roots-only");
    std::fs::create_dir_all(&roots_only).unwrap();
    std::fs::create_dir_all(system.join("versions")).unwrap();
    for planted in ["locks", "records", "tmp", "bin"] {
        std::os::unix::fs::symlink(&roots_only, system.join(planted)).unwrap();
    }
    chown_other(&system);
    let go = env.fake_toolchain("1.22.4");
    for args in [
        vec!["--system", "link", "1.22.4", go.to_str().unwrap()],
        vec!["--system", "global", "1.22.4"],
        vec!["--system", "uninstall", "1.22.4"],
    ] {
        let out = env
            .gov_cmd(&args)
            .env("GOV_SYSTEM_HOME", &system)
            .output()
            .unwrap();
        hostile_settings(&env).bind(|| {
            insta::assert_snapshot!(format!("refused_{}", args[1]), run_text(&out));
        });
    }
    assert_eq!(std::fs::read_dir(&roots_only).unwrap().count(), 0);
    assert_eq!(
        std::fs::read_dir(system.join("versions")).unwrap().count(),
        0
    );

    // Root's own store with a link planted where gov keeps a directory of
    // its own: refused, nothing written through it.
    env.install_fake("1.21.5");
    for planted in ["locks", "records", "tmp"] {
        let dir = env.gov_home.join(planted);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::os::unix::fs::symlink(&roots_only, &dir).unwrap();
        // (tmp/ is where a copy is staged.)
        let args: Vec<&std::ffi::OsStr> = match planted {
            "tmp" => vec!["import".as_ref(), "--copy".as_ref(), go.as_os_str()],
            _ => vec!["link".as_ref(), "1.22.4".as_ref(), go.as_os_str()],
        };
        let out = env.gov(&args);
        if planted == "tmp" {
            // An import names every Go root it found, this machine's own too.
            assert_eq!(out.status.code(), Some(1), "{planted}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("a symbolic link is where gov keeps a directory of its own")
                    && stderr(&out).contains("hint: something else is where gov keeps a directory"),
                "{planted}: {}",
                stderr(&out)
            );
        } else {
            crate::gov_snapshot!(format!("planted_{planted}"), env, &out);
        }
        assert_eq!(std::fs::read_dir(&roots_only).unwrap().count(), 0);
        std::fs::remove_file(&dir).unwrap();
    }
}

/// The other account holds root's `global` lock (opened while `locks/`
/// was readable, as stores from before were): root's command fails at once
/// naming the process, instead of waiting 15 minutes; a store's locks are
/// now the owner's alone.
#[test]
fn a_lock_another_account_holds_is_reported_at_once() {
    let env = TestEnv::new();
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.install_fake("1.22.4");
    env.install_fake("1.21.5");
    env.gov_ok(["global", "1.22.4"]);
    let locks = env.gov_home.join("locks");
    let lock = locks.join("global.lock");
    assert_eq!(
        std::fs::metadata(&locks).unwrap().mode() & 0o777,
        0o700,
        "nobody else can open a lock"
    );
    assert!(as_other(&format!("cat {}", lock.display()))
        .output()
        .unwrap()
        .status
        .code()
        .is_some_and(|c| c != 0));

    // A store from before: readable locks.
    std::fs::set_permissions(&locks, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut holder = as_other(&format!("exec flock -s -o {} sleep 60", lock.display()))
        .spawn()
        .unwrap();
    // Until the other account holds it, nothing else.
    wait_until_locked(&lock);
    let out = env.gov(["global", "1.21.5"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    // At once: it never waited (no "waiting for another gov").
    hostile_settings(&env).bind(|| insta::assert_snapshot!(run_text(&out)));
    // Taking the lock made it private again.
    assert_eq!(std::fs::metadata(&locks).unwrap().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(&lock).unwrap().mode() & 0o777, 0o600);
    env.gov_ok(["global", "1.21.5"]);
}

/// Root copies the other account's toolchain into the system store. Its
/// link to a file only root can read is copied as a link, never read; a
/// file the other account kept private is refused (every user could read
/// the copy); and under umask 077 the copy is still 0755/0644.
#[test]
fn a_system_copy_never_reads_through_links_nor_shares_what_was_private() {
    let env = TestEnv::new();
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let system = env.root.join("opt-gov");
    let gov = |args: &[&std::ffi::OsStr]| {
        env.command("sh")
            .arg("-c")
            .arg(format!("umask 077; exec '{GOV}' \"$@\""))
            .arg("sh")
            .args(args)
            .env("GOV_SYSTEM_HOME", &system)
            .output()
            .unwrap()
    };
    // What gov always finds (Debian's Go) is linked first, so that the
    // copies below concern only the other account's toolchain.
    assert_success(&gov(&["--system".as_ref(), "import".as_ref()]));

    let secret = env.root.join("roots-secret");
    std::fs::write(&secret, "only root reads this\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let theirs = env.root.join("their-go");
    assert!(Command::new("cp")
        .arg("-r")
        .arg(env.fake_toolchain("1.21.5"))
        .arg(&theirs)
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(&secret, theirs.join("pkg/notes")).unwrap();
    chown_other(&theirs);
    let out = gov(&[
        "--system".as_ref(),
        "import".as_ref(),
        "--copy".as_ref(),
        theirs.as_os_str(),
    ]);
    assert_success(&out);
    let copied = system.join("versions/1.21.5");
    assert_eq!(
        std::fs::read_link(copied.join("pkg/notes")).unwrap(),
        secret
    );
    for path in std::iter::once(copied.clone()).chain(walk(&copied)) {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        let want = if meta.is_dir() || meta.mode() & 0o100 != 0 {
            0o755
        } else {
            0o644
        };
        assert_eq!(meta.mode() & 0o777, want, "{}", path.display());
        assert_eq!(meta.uid(), 0, "{}", path.display());
    }
    // Another user reads the copy, and runs it.
    let out = as_other(&format!(
        "cat {}/VERSION && {}/bin/go",
        copied.display(),
        copied.display()
    ))
    .output()
    .unwrap();
    assert_success(&out);
    assert_success(&gov(&[
        "--system".as_ref(),
        "uninstall".as_ref(),
        "1.21.5".as_ref(),
    ]));

    // A file the other account kept to itself.
    let private = theirs.join("pkg/tool/private.key");
    assert_success(
        &as_other(&format!("umask 077; echo key > {}", private.display()))
            .output()
            .unwrap(),
    );
    let before = walk(&system);
    let out = gov(&[
        "--system".as_ref(),
        "import".as_ref(),
        "--copy".as_ref(),
        theirs.as_os_str(),
    ]);
    // (What stdout lists depends on the Go roots this machine has.)
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    hostile_settings(&env).bind(|| insta::assert_snapshot!(stderr(&out)));
    assert_eq!(walk(&system), before, "nothing left");
}
