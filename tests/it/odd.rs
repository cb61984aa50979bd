//! Odd homes and hostile file systems: no HOME, a relative or strangely
//! named GOV_HOME, a read-only one. Each gets a clear message and exit 1,
//! and leaves nothing half-written.

use crate::common::mirror::Mirror;
use crate::common::*;
use crate::gov_snapshot;

#[test]
fn no_home_and_relative_homes_are_clear_errors() {
    let env = TestEnv::new();
    let out = env
        .gov_cmd(["list"])
        .env_remove("HOME")
        .env_remove("GOV_HOME")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: cannot find a home for gov: neither GOV_HOME, XDG_DATA_HOME nor HOME is set\nhint: set GOV_HOME to the directory gov should use\n"
    );

    let out = env
        .gov_cmd(["list"])
        .env("GOV_HOME", "rel/gov")
        .output()
        .unwrap();
    gov_snapshot!("gov", env, &out);
    assert!(!env.work.join("rel").exists(), "nothing made");
    // The same for a shim.
    let shim = env.root.join("go");
    std::os::unix::fs::symlink(GOV, &shim).unwrap();
    let out = env
        .command(&shim)
        .env("GOV_HOME", "rel/gov")
        .output()
        .unwrap();
    gov_snapshot!("shim", env, &out);
}

#[test]
fn a_home_with_spaces_quotes_and_a_newline_works() {
    let m = Mirror::new(&["1.22.4"]);
    let odd = m.env.root.join("my gov's\nhome");
    let out = m
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_HOME", &odd)
        .output()
        .unwrap();
    assert_success(&out);
    let out = m
        .env
        .command(odd.join("bin/go"))
        .env("GOV_HOME", &odd)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).starts_with("go version go1.22.4 "),
        "{}",
        stdout(&out)
    );
    // The shell code quotes it: sh evaluates it back to the same path.
    let code = m.gov_cmd(["env"]).env("GOV_HOME", &odd).output().unwrap();
    assert_success(&code);
    let script = format!("{}printf %s \"$GOROOT\"", stdout(&code));
    let out = m.env.command("sh").args(["-c", &script]).output().unwrap();
    assert_eq!(
        stdout(&out),
        odd.join("versions/1.22.4").display().to_string()
    );
}

#[test]
fn a_read_only_home_is_a_clear_error_and_nothing_is_half_written() {
    let m = Mirror::new(&["1.22.4"]);
    let home = m.env.root.join("ro-home");
    std::fs::create_dir_all(&home).unwrap();
    let status = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
        .arg(&home)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "this test mounts a read-only tmpfs: run it as root"
    );
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(home.clone());
    for args in [
        &["install", "1.22.4"][..],
        &["link", "1.22.4", "/nonexistent"],
        &["global", "1.22.4"],
    ] {
        let out = m.gov_cmd(args).env("GOV_HOME", &home).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        if args[0] == "install" {
            assert!(err.contains("Read-only file system"), "{err}");
            assert!(
                err.contains(
                    "hint: it is on a read-only file system: set GOV_HOME to a writable directory"
                ),
                "{err}"
            );
        }
    }
    assert_eq!(
        std::fs::read_dir(&home).unwrap().count(),
        0,
        "nothing written"
    );
}
