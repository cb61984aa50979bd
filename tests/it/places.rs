//! Where gov runs: a current directory that was removed, `go -C DIR`, and
//! a store whose `versions/` is a link to another file system.

use std::os::unix::fs::symlink;
use std::path::Path;

use crate::common::mirror::Mirror;
use crate::common::*;
use crate::gov_snapshot;

/// `gov`/a shim run from a directory removed just before.
fn in_removed_dir(env: &TestEnv, program: &Path, args: &str) -> std::process::Output {
    let dir = env.root.join("removed");
    std::fs::create_dir_all(&dir).unwrap();
    env.command("sh")
        .arg("-c")
        .arg(format!(
            "cd '{d}' && rmdir '{d}' && exec '{p}' {args}",
            d = dir.display(),
            p = program.display()
        ))
        .output()
        .unwrap()
}

#[test]
fn a_removed_current_directory_falls_back_to_the_global_default() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    env.install_fake("1.21.5");
    env.gov_ok(["global", "1.21.5"]);
    const GONE: &str =
        "warning: the current directory no longer exists: no version file applies here\n";

    let out = in_removed_dir(&env, Path::new(GOV), "current");
    assert_success(&out);
    assert_eq!(stdout(&out), "1.21.5 (set by global)\n");
    assert_eq!(stderr(&out), GONE);
    for args in ["list", "history", "global 1.22.4", "uninstall 1.21.5"] {
        let out = in_removed_dir(&env, Path::new(GOV), args);
        assert_success(&out);
    }
    // The shim runs the global default, quietly.
    let out = in_removed_dir(&env, &env.shim("go"), "version");
    assert_success(&out);
    assert!(stdout(&out).starts_with("go go1.22.4 "), "{}", stdout(&out));
    // (The fake Go, a shell script, complains; gov says nothing.)
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));

    // What needs the directory says so.
    for args in [
        "local 1.22.4",
        "export dockerfile",
        "matrix -- true",
        "upgrade --no-check",
    ] {
        let out = in_removed_dir(&env, Path::new(GOV), args);
        assert_eq!(out.status.code(), Some(1), "{args}");
        assert_eq!(
            stderr(&out),
            format!("{GONE}error: the current directory no longer exists: it was removed\nhint: `cd` to a directory that exists, then run the command again\n"),
            "{args}"
        );
    }
    // What does not, works; doctor says what is odd.
    let out = in_removed_dir(&env, Path::new(GOV), "export github");
    assert_success(&out);
    let out = in_removed_dir(&env, Path::new(GOV), "doctor --json");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doctor_check(&report, "directory")["status"], "warn");
    // (The fake Go cannot answer `go env`: the checks that run it are
    // tested on real Go.)
    for name in ["store", "releases", "leftovers", "selection", "ownership"] {
        assert_eq!(doctor_check(&report, name)["status"], "ok", "{name}");
    }
    // And with no default, the error says what to do.
    env.gov_ok(["uninstall", "1.22.4"]);
    env.install_fake("1.19.8");
    let out = in_removed_dir(&env, &env.shim("go"), "version");
    gov_snapshot!("nothing_selected", env, &out);
}

#[test]
fn go_dash_c_selects_by_that_directory_as_go_does() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    env.install_fake("1.21.5");
    env.gov_ok(["global", "1.22.4"]);
    env.write("sub/module/go.mod", "module example.com/m\n\ngo 1.21.5\n");
    std::fs::create_dir_all(env.work.join("sub/module/pkg")).unwrap();
    let go = |args: &[&str]| {
        let out = env.go(&env.work, args);
        assert_success(&out);
        stdout(&out).lines().next().unwrap().to_string()
    };
    for args in [
        &["-C", "sub/module", "build"][..],
        &["build", "-C", "sub/module/pkg"],
        &["-C=sub/module", "vet"],
        &["--C", "sub/module/../module", "test"],
    ] {
        assert!(go(args).starts_with("go go1.21.5 "), "{args:?}");
    }
    let abs = env.work.join("sub/module");
    assert!(go(&["-C", abs.to_str().unwrap(), "build"]).starts_with("go go1.21.5 "));
    // Not Go's -C when it comes later: selection stays here.
    assert!(go(&["test", "-n", "-C", "sub/module"]).starts_with("go go1.22.4 "));
    assert!(go(&["build"]).starts_with("go go1.22.4 "));
}

/// `versions/` is a link to another disk: installs, copies and uninstalls
/// stage beside it, never across file systems.
#[test]
fn versions_on_another_file_system_work() {
    let m = Mirror::new(&["1.22.4", "1.21.5"]);
    let disk = SmallDisk::mount(m.env.root.join("other-disk"), "64m");
    std::fs::create_dir_all(&m.env.gov_home).unwrap();
    symlink(&disk.0, m.env.gov_home.join("versions")).unwrap();
    let out = m.gov_cmd(["install", "1.22.4"]).output().unwrap();
    assert_success(&out);
    assert!(disk.0.join("1.22.4/bin/go").is_file());
    let out = m.gov_cmd(["install", "1.21.5"]).output().unwrap();
    assert_success(&out);
    // (The system's own Go roots, which import always finds, linked first.)
    m.env.gov_ok(["import"]);
    let root = m.env.fake_toolchain("1.18.10");
    m.env
        .gov_ok(["import".as_ref(), "--copy".as_ref(), root.as_os_str()]);
    assert!(disk.0.join("1.18.10/bin/go").is_file());
    for v in ["1.22.4", "1.21.5", "1.18.10"] {
        m.env.gov_ok(["uninstall", v]);
        assert!(!disk.0.join(v).exists());
    }
    let left: Vec<_> = walk(&disk.0)
        .into_iter()
        .filter(|p| {
            !std::fs::symlink_metadata(p)
                .unwrap()
                .file_type()
                .is_symlink()
        })
        .collect();
    assert_eq!(left, [disk.0.join(".gov-tmp")], "no scratch left");
}

/// A new account: no store yet. doctor says the first install makes it,
/// not that it cannot be written.
#[test]
fn doctor_on_a_new_account_says_the_first_install_makes_the_store() {
    let env = TestEnv::new();
    let out = env.gov(["doctor", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let store = doctor_check(&report, "store");
    assert_eq!(store["status"], "ok", "{store}");
    assert_eq!(
        store["detail"],
        format!(
            "`{}` does not exist yet: the first `gov install` (or `gov link`) creates it",
            env.gov_home.display()
        )
    );
    assert!(!env.gov_home.exists(), "doctor creates nothing");
}

/// Doctor reads the module as selection does: a go.mod without a `go`
/// line is still the module (its vendor/ is checked), and a GOWORK naming
/// no file, which Go would refuse here, is a failed check with its fix
/// even where a .go-version chose the release.
#[test]
fn doctor_reads_the_module_as_selection_does() {
    let env = TestEnv::new();
    env.link_go_script(
        "1.22.4",
        "#!/bin/sh\necho \"go version go1.22.4 linux/amd64\"\n",
    );
    assert!(env.gov(["global", "1.22.4"]).status.success());
    env.write("go.mod", "module m\n");
    std::fs::create_dir_all(env.work.join("vendor")).unwrap();
    let report = |gowork: Option<&str>| -> serde_json::Value {
        let mut cmd = env.gov_cmd(["doctor", "--json"]);
        if let Some(w) = gowork {
            cmd.env("GOWORK", w);
        }
        serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap()
    };
    let r = report(None);
    let module = doctor_check(&r, "module");
    assert_eq!(module["status"], "ok", "{module}");
    assert_eq!(
        module["detail"],
        format!(
            "Go 1.22.4 satisfies `{}`",
            env.work.join("go.mod").display()
        )
    );
    doctor_check(&r, "vendoring");

    env.write("go.mod", "module m\n\ngo 1.21\n");
    env.write(".go-version", "1.22.4\n");
    let r = report(Some("/nonexistent/go.work"));
    let module = doctor_check(&r, "module");
    assert_eq!(module["status"], "fail", "{module}");
    assert_eq!(
        module["detail"],
        "GOWORK names a file that does not exist: `/nonexistent/go.work`"
    );
    assert_eq!(
        module["fix"],
        "unset GOWORK, or set it to `off` or to an existing go.work"
    );
}
