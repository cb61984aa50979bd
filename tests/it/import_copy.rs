//! `gov import --copy` of roots that are not what they seem: a copy that
//! fails fails the command and leaves nothing; links are never read
//! through; a link cycle is refused.

use crate::common::*;
use crate::text_snapshot;

/// Everything a copy could leave: releases, records, scratch.
fn store_state(home: &std::path::Path) -> Vec<std::path::PathBuf> {
    ["versions", "records", "tmp"]
        .iter()
        .flat_map(|dir| walk(&home.join(dir)))
        // Scratch space beside releases on another disk, as tmp/ itself.
        .filter(|p| !p.ends_with(".gov-tmp"))
        .collect()
}

/// A store where the roots `gov import` always finds (the system's
/// `/usr/lib/go-*`, `/usr/local/go`) are already linked, so that a copy
/// concerns only the root a test gives.
fn store_with_system_roots_linked(
    env: &TestEnv,
    home: &std::path::Path,
) -> Vec<std::path::PathBuf> {
    assert_success(
        &env.gov_cmd(["import"])
            .env("GOV_HOME", home)
            .output()
            .unwrap(),
    );
    store_state(home)
}

#[test]
fn a_copy_that_fails_exits_1_and_leaves_nothing() {
    let env = TestEnv::new();
    let before = store_with_system_roots_linked(&env, &env.gov_home);
    let root = env.fake_toolchain("1.21.5");
    std::fs::create_dir_all(root.join("src")).unwrap();
    let fifo = root.join("src/pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let out = env.gov(["import".as_ref(), "--copy".as_ref(), root.as_os_str()]);
    // What stdout lists depends on the Go roots this machine has.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stdout(&out).contains("copied"), "{}", stdout(&out));
    text_snapshot!("a_named_pipe", env, stderr(&out));
    assert_eq!(store_state(&env.gov_home), before, "nothing left");

    // --json says which failed, and the command still fails.
    let out = env.gov([
        "import".as_ref(),
        "--copy".as_ref(),
        "--json".as_ref(),
        root.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let outcomes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ours = outcomes
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["root"] == root.to_str().unwrap())
        .unwrap();
    assert_eq!(ours["action"], "failed", "{outcomes}");
}

#[test]
fn a_full_disk_fails_the_copy_and_leaves_nothing() {
    let env = TestEnv::new();
    let root = env.fake_toolchain("1.21.5");
    std::fs::write(root.join("pkg/big"), vec![7u8; 1 << 20]).unwrap();
    // The releases on a small disk (the rest of the store, the gov binary
    // its shims lead to among it, wherever the tests run from, elsewhere).
    let disk = SmallDisk::mount(env.root.join("small"), "256k");
    let home = env.gov_home.clone();
    std::fs::create_dir_all(&home).unwrap();
    std::os::unix::fs::symlink(&disk.0, home.join("versions")).unwrap();
    let before = store_with_system_roots_linked(&env, &home);
    let out = env
        .gov_cmd(["import".as_ref(), "--copy".as_ref(), root.as_os_str()])
        .env("GOV_HOME", &home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Which file filled the disk depends on the order the copy took.
    let mut settings = snapshot_settings(&env);
    settings.add_filter(r"\(os error 28\): `[^`]*`", "(os error 28): `[FILE]`");
    settings.bind(|| insta::assert_snapshot!(stderr(&out)));
    assert_eq!(store_state(&home), before, "nothing left");
}

#[test]
fn links_are_copied_as_links_and_a_cycle_is_refused() {
    let env = TestEnv::new();
    let before = store_with_system_roots_linked(&env, &env.gov_home);
    let root = env.fake_toolchain("1.21.5");
    // Debian's roots lead out of themselves (`src -> ../../share/…`).
    let shared = env.root.join("share/go-1.21/src");
    std::fs::create_dir_all(shared.join("runtime")).unwrap();
    std::fs::write(shared.join("runtime/extern.go"), "package runtime\n").unwrap();
    std::os::unix::fs::symlink("../../share/go-1.21/src", root.join("src")).unwrap();
    std::os::unix::fs::symlink("go", root.join("bin/go-again")).unwrap();
    env.gov_ok(["import".as_ref(), "--copy".as_ref(), root.as_os_str()]);
    let copied = env.gov_home.join("versions/1.21.5");
    assert_eq!(std::fs::read_link(copied.join("src")).unwrap(), shared);
    assert_eq!(
        std::fs::read_link(copied.join("bin/go-again")).unwrap(),
        std::path::Path::new("go")
    );
    assert!(copied.join("src/runtime/extern.go").is_file());
    env.gov_ok(["uninstall", "1.21.5"]);

    // A link back up: copying what it leads to would never end.
    let up = root.join("pkg/tool/up");
    std::os::unix::fs::symlink("../..", &up).unwrap();
    let out = env.gov(["import".as_ref(), "--copy".as_ref(), root.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    text_snapshot!("a_link_cycle", env, stderr(&out));
    assert_eq!(store_state(&env.gov_home), before, "nothing left");
}
