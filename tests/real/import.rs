//! `gov import` over the layouts goenv, gvm, g, golang.org/dl, asdf and
//! mise leave in a home, built here around real Go roots from the mirror
//! (and small stand-ins where one real root is enough).

use std::path::Path;

use crate::common::*;

/// Unpacks the mirror's archive of `version` so that its root is `at`.
fn real_root(version: &str, at: &Path) {
    let archive = real_mirror_dir().join(format!("go{version}.linux-amd64.tar.gz"));
    let tmp = at.with_extension("unpack");
    std::fs::create_dir_all(&tmp).unwrap();
    let ok = std::process::Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&tmp)
        .status()
        .unwrap();
    assert!(ok.success());
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::fs::rename(tmp.join("go"), at).unwrap();
    std::fs::remove_dir(&tmp).unwrap();
}

/// A stand-in Go root saying it is `version`.
fn stand_in(version: &str, at: &Path) {
    write_go_root(
        at,
        Some(&format!("go{version}\ntime 2024-01-01T00:00:00Z")),
        &format!("#!/bin/sh\necho go version go{version}\n"),
    );
}

#[test]
fn finds_what_other_managers_installed_and_registers_each_once() {
    let (_server, versions) = serve_real_mirror();
    let newest = |s: &str| newest_of(&versions, s);
    let (v21, v22) = (newest("1.21"), newest("1.22"));
    let env = TestEnv::new();
    let home = &env.home;
    real_root(&v22, &home.join(format!(".goenv/versions/{v22}")));
    real_root(&v21, &home.join(format!(".asdf/installs/golang/{v21}/go")));
    stand_in("1.20.14", &home.join(".gvm/gos/go1.20.14"));
    stand_in("1.18.10", &home.join(".g/versions/1.18.10"));
    stand_in("1.17.13", &home.join("sdk/go1.17.13"));
    stand_in(
        "1.16.15",
        &home.join(".local/share/mise/installs/go/1.16.15"),
    );
    // Not Go roots, or not saying which: reported, skipped.
    std::fs::create_dir_all(home.join(".goenv/versions/broken")).unwrap();
    let no_version = home.join("sdk/go1.15");
    stand_in("1.15.15", &no_version);
    std::fs::remove_file(no_version.join("VERSION")).unwrap();

    let import = |args: &[&str]| env.gov_cmd(["import"].iter().chain(args)).output().unwrap();
    let out = import(&["--dry-run"]);
    assert_success(&out);
    let said = stdout(&out);
    for (v, by) in [
        (&v22, "goenv"),
        (&v21, "asdf"),
        (&"1.20.14".to_string(), "gvm"),
        (&"1.18.10".to_string(), "g"),
        (&"1.17.13".to_string(), "golang.org/dl"),
        (&"1.16.15".to_string(), "mise"),
    ] {
        assert!(
            said.contains(&format!("would link Go {v}  ")) && said.contains(&format!("({by})")),
            "{v} {by}:\n{said}"
        );
    }
    assert!(said.contains("skipped: not a Go root"), "{said}");
    assert!(
        said.contains("skipped: no VERSION names a release"),
        "{said}"
    );
    assert!(
        !env.gov_home.join("versions").exists(),
        "a dry run changes nothing"
    );

    let out = import(&[]);
    assert_success(&out);
    let listed = env.gov_ok(["list", "--bare"]);
    for v in [&v22, &v21, "1.20.14", "1.18.10", "1.17.13", "1.16.15"] {
        assert!(listed.lines().any(|l| l == v), "{v}: {listed}");
    }
    // The real ones run, through their go1.X.Y commands too.
    let out = env
        .command(env.shim(&format!("go{v22}")))
        .arg("version")
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with(&format!("go version go{v22} ")),
        "{}",
        stdout(&out)
    );

    // Again: nothing to do.
    let out = import(&[]);
    assert_success(&out);
    let said = stdout(&out);
    assert!(!said.contains("linked Go"), "{said}");
    assert!(
        said.contains(&format!("skipped: Go {v22} is already there")),
        "{said}"
    );

    // --copy: into the store, a directory of its own.
    let other = TestEnv::new();
    let out = other
        .gov_cmd([
            "import".as_ref(),
            "--copy".as_ref(),
            home.join(format!(".goenv/versions/{v22}")).as_os_str(),
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let root = other.gov_home.join(format!("versions/{v22}"));
    let meta = std::fs::symlink_metadata(&root).unwrap();
    assert!(meta.is_dir(), "copied, not linked");
    let out = other
        .command(root.join("bin/go"))
        .arg("version")
        .env("GOROOT", &root)
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with(&format!("go version go{v22} ")));
}

/// (Here, not with the fast tests: `--copy` copies every root it finds,
/// Debian's /usr/lib/go-1.19 too.) A link that leads out of the root, as
/// Debian's `src` does, is copied as a link to the same place, never read
/// through: the copy runs as the original does.
#[test]
fn import_copy_keeps_a_link_out_of_the_root_as_a_link() {
    let env = TestEnv::new();
    let root = env.fake_toolchain("1.20.14");
    let shared = env.root.join("share/go-1.20/src");
    std::fs::create_dir_all(shared.join("runtime")).unwrap();
    std::fs::write(shared.join("runtime/extern.go"), "package runtime\n").unwrap();
    std::os::unix::fs::symlink("../../share/go-1.20/src", root.join("src")).unwrap();
    let out = env.gov(["import".as_ref(), "--copy".as_ref(), root.as_os_str()]);
    assert_success(&out);
    let copied = env.gov_home.join("versions/1.20.14");
    assert_eq!(std::fs::read_link(copied.join("src")).unwrap(), shared);
    assert!(copied.join("src/runtime/extern.go").is_file());
    // Debian's own root, copied the same way, runs.
    let debian = env.gov_home.join("versions/1.19.8");
    assert!(std::fs::symlink_metadata(&debian).unwrap().is_dir());
    let out = env.go_cmd(&["+1.19.8", "version"]).output().unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).starts_with("go version go1.19.8 "),
        "{}",
        stdout(&out)
    );
}
