//! The system store with fake releases: `--link` flips atomically under
//! readers and refuses what gov did not make; `--system` writes 0755/0644
//! whatever the umask.

use std::os::unix::fs::PermissionsExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

fn system_env() -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    let system = env.root.join("opt-gov");
    (env, system)
}

fn as_admin(env: &TestEnv, system: &std::path::Path, args: &[&str]) -> std::process::Output {
    env.gov_cmd(["--system"].iter().chain(args))
        .env("GOV_SYSTEM_HOME", system)
        .output()
        .unwrap()
}

#[test]
fn the_fixed_path_link_flips_atomically_under_readers() {
    let (env, system) = system_env();
    for v in ["1.21.5", "1.22.4"] {
        let dir = env.fake_toolchain(v);
        assert_success(&as_admin(
            &env,
            &system,
            &["link", v, dir.to_str().unwrap()],
        ));
    }
    let fixed = env.root.join("usr-local-go");
    assert_success(&as_admin(
        &env,
        &system,
        &["global", "1.21.5", "--link", fixed.to_str().unwrap()],
    ));
    let done = Arc::new(AtomicBool::new(false));
    let runs = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (fixed, done, runs) = (fixed.clone(), done.clone(), runs.clone());
            std::thread::spawn(move || {
                let mut failures = 0;
                while !done.load(Ordering::Relaxed) {
                    let out = std::process::Command::new(fixed.join("bin/go")).output();
                    match out {
                        Ok(o) if o.status.success() => {}
                        _ => failures += 1,
                    }
                    runs.fetch_add(1, Ordering::Relaxed);
                }
                failures
            })
        })
        .collect();
    for i in 0..200 {
        let v = if i % 2 == 0 { "1.22.4" } else { "1.21.5" };
        assert_success(&as_admin(
            &env,
            &system,
            &["--quiet", "global", v, "--link", fixed.to_str().unwrap()],
        ));
    }
    done.store(true, Ordering::Relaxed);
    let failures: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert_eq!(failures, 0, "of {} runs", runs.load(Ordering::Relaxed));
    assert!(runs.load(Ordering::Relaxed) > 100);

    // A fixed path gov did not make is left alone.
    let theirs = env.root.join("their-go");
    std::fs::create_dir_all(&theirs).unwrap();
    let out = as_admin(
        &env,
        &system,
        &["global", "1.22.4", "--link", theirs.to_str().unwrap()],
    );
    gov_snapshot!("refusing_to_replace", env, &out);
    assert!(theirs.is_dir());
}

#[test]
fn the_system_store_is_0755_0644_whatever_the_umask() {
    let (env, system) = system_env();
    let dir = env.fake_toolchain("1.22.4");
    let out = env
        .command("sh")
        .args([
            "-c",
            &format!(
                "umask 077; '{GOV}' --system link 1.22.4 '{}' && '{GOV}' --system global 1.22.4",
                dir.display()
            ),
        ])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    assert_success(&out);
    for path in std::iter::once(system.clone()).chain(walk(&system)) {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.file_type().is_symlink() {
            continue;
        }
        let mode = meta.permissions().mode() & 0o777;
        // Locks are the owner's alone: nobody else may hold them.
        if path.starts_with(system.join("locks")) {
            assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
            continue;
        }
        assert_eq!(mode & 0o022, 0, "{} is {mode:o}", path.display());
        assert_eq!(
            mode & 0o044,
            0o044,
            "{} is {mode:o}: every user must read it",
            path.display()
        );
    }
    // A user sees it: listed as the system's, and its default applies.
    let listed = env
        .gov_cmd(["list"])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    assert!(
        stdout(&listed).contains("1.22.4") && stdout(&listed).contains("system"),
        "{}",
        stdout(&listed)
    );
    let current = env
        .gov_cmd(["current"])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    assert_eq!(stdout(&current), "1.22.4 (set by global)\n");
}

#[test]
fn doctor_fails_a_system_store_others_can_write_and_never_hands_it_to_one_user() {
    let (env, system) = system_env();
    let dir = env.fake_toolchain("1.22.4");
    assert_success(&as_admin(
        &env,
        &system,
        &["link", "1.22.4", dir.to_str().unwrap()],
    ));
    std::fs::set_permissions(
        system.join("versions"),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let out = env
        .gov_cmd(["doctor", "--json"])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ownership")
        .unwrap();
    assert_eq!(check["status"], "fail", "{check}");
    text_snapshot!("the_fix", env, check["fix"].as_str().unwrap());
    // And the shims refuse to run from it.
    let out = env
        .gov_cmd(["exec", "true"])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// A gov killed while it put a shim or its own copy in place left a
/// temporary file: the next change of the store removes it.
#[test]
fn what_a_killed_shim_refresh_left_goes_with_the_next_change() {
    let (env, system) = system_env();
    let dir = env.fake_toolchain("1.22.4");
    assert_success(&as_admin(
        &env,
        &system,
        &["link", "1.22.4", dir.to_str().unwrap()],
    ));
    let half_link = system.join("bin/.go.x7Kq2p.tmp");
    std::os::unix::fs::symlink("/nowhere", &half_link).unwrap();
    let half_copy = system.join("libexec/.gov.x7Kq2p.tmp");
    std::fs::write(&half_copy, "half a gov").unwrap();
    assert_success(&as_admin(&env, &system, &["global", "1.22.4"]));
    assert!(
        std::fs::symlink_metadata(&half_link).is_err(),
        "{half_link:?}"
    );
    assert!(!half_copy.exists(), "{half_copy:?}");
    assert!(system.join("libexec/gov").is_file());
}
