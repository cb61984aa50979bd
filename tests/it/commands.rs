//! The gov commands, run as a user runs them.

use crate::common::*;
use crate::gov_snapshot;

#[test]
fn version_and_usage() {
    let env = TestEnv::new();
    assert_eq!(
        env.gov_ok(["--version"]),
        format!("gov {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = env.gov(["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = env.gov(["global", "1.x"]);
    gov_snapshot!(env, &out);
}

#[test]
fn link_checks_the_directory() {
    let env = TestEnv::new();
    let empty = env.root.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = env.try_link("1.22.4", &empty, &[]);
    gov_snapshot!(env, &out);

    let dir = env.fake_toolchain("1.22.4");
    let out = env.try_link("1.22", &dir, &[]);
    gov_snapshot!(env, &out);

    // A VERSION that names another release is refused, unless --force.
    let out = env.try_link("1.22.3", &dir, &[]);
    gov_snapshot!(env, &out);
    assert!(!env.gov_home.join("versions/1.22.3").exists());
    let out = env.try_link("1.22.3", &dir, &["--force"]);
    gov_snapshot!("forced", env, &out);

    let out = env.try_link("1.22.3", &dir, &[]);
    gov_snapshot!(env, &out);

    let out = env.try_link("1.23.0", &env.gov_home, &[]);
    gov_snapshot!(env, &out);
}

#[test]
fn list_marks_the_active_release() {
    let env = TestEnv::new();
    let out = env.gov(["list"]);
    gov_snapshot!("nothing_installed", env, &out);

    let linked = env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.install_fake("1.20");
    env.gov_ok(["global", "1.21"]);
    let file = env.write(".go-version", "1.22.4\n");
    let text = env.gov_ok(["list"]);
    assert_eq!(
        text,
        format!(
            "* 1.22.4     (set by {}, linked to {})\n  1.21.5     (global, linked to {})\n  1.20       (linked to {})\n",
            file.display(),
            env.root.join("toolchains/1.22.4").display(),
            linked.display(),
            env.root.join("toolchains/1.20").display(),
        )
    );
    let json: serde_json::Value = serde_json::from_str(&env.gov_ok(["list", "--json"])).unwrap();
    assert_eq!(json[0]["version"], "1.22.4");
    assert_eq!(json[0]["active"], true);
    assert_eq!(json[1]["global"], true);
    assert_eq!(
        json[2]["linked_to"],
        env.root.join("toolchains/1.20").display().to_string()
    );
}

#[test]
fn global_shows_and_sets_the_current_link() {
    let env = TestEnv::new();
    let out = env.gov(["global"]);
    gov_snapshot!(env, &out);
    env.install_fake("1.21.5");
    env.install_fake("1.22.1");
    env.install_fake("1.22.4");

    let out = env.gov(["global", "1.22"]);
    assert_success(&out);
    assert_eq!(stderr(&out), "global default is now Go 1.22.4\n");
    assert_eq!(env.gov_ok(["global"]), "1.22.4\n");
    assert_eq!(
        std::fs::read_link(env.gov_home.join("current")).unwrap(),
        std::path::Path::new("versions/1.22.4")
    );
    // current/bin/go is the shim-free way to run the default.
    let out = env
        .command(env.gov_home.join("current/bin/go"))
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("go go1.22.4 "));

    let out = env.gov(["global", "go1.23.0"]);
    gov_snapshot!(env, &out);
    assert_eq!(
        env.gov_ok(["global"]),
        "1.22.4\n",
        "a failed switch changes nothing"
    );
}

#[test]
fn local_writes_and_reads_go_version() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let out = env.gov(["local"]);
    gov_snapshot!(env, &out);

    let out = env.gov(["local", "go1.22.4"]);
    assert_success(&out);
    assert_eq!(
        std::fs::read_to_string(env.work.join(".go-version")).unwrap(),
        "1.22.4\n"
    );
    assert_eq!(env.gov_ok(["local"]), "1.22.4\n");

    // Needles: what comes before depends on whether this machine reaches
    // go.dev.
    let out = env.gov(["local", "1.23"]);
    assert_success(&out);
    assert!(stderr(&out).ends_with("warning: Go 1.23 is not installed; run `gov install 1.23`\n"));

    let out = env.gov(["local", "--unset"]);
    assert_success(&out);
    assert!(!env.work.join(".go-version").exists());
    let out = env.gov(["local", "banana"]);
    gov_snapshot!(env, &out);
    assert!(
        !env.work.join(".go-version").exists(),
        "nothing written on bad input"
    );
}

#[test]
fn shell_prints_code_for_the_shell() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    assert_eq!(
        env.gov_ok(["shell", "1.21", "--shell", "bash"]),
        "export GOV_VERSION=1.21\n"
    );
    assert_eq!(
        env.gov_ok(["shell", "1.21", "--shell", "fish"]),
        "set -gx GOV_VERSION 1.21\n"
    );
    assert_eq!(
        env.gov_ok(["shell", "--unset", "--shell", "zsh"]),
        "unset GOV_VERSION\n"
    );
    assert_eq!(
        env.gov_ok(["shell", "--unset", "--shell", "fish"]),
        "set -e GOV_VERSION\n"
    );
    let out = env
        .gov_cmd(["shell", "1.21.5"])
        .env("SHELL", "/usr/bin/fish")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "set -gx GOV_VERSION 1.21.5\n");

    let out = env.gov(["shell"]);
    gov_snapshot!(env, &out);
    let out = env
        .gov_cmd(["shell"])
        .env("GOV_VERSION", "1.21")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "1.21\n");
    let out = env.gov(["shell", "1.22"]);
    gov_snapshot!(env, &out);
}

#[test]
fn current_names_the_source() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.21.5"]);
    assert_eq!(env.gov_ok(["current"]), "1.21.5 (set by global)\n");

    let out = env
        .gov_cmd(["current"])
        .env("GOV_VERSION", "1.22")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "1.22.4 (set by GOV_VERSION)\n");

    let file = env.write("sub/go.mod", "module m\ngo 1.22.2\n");
    let out = env
        .gov_cmd(["current", "--json"])
        .current_dir(env.work.join("sub"))
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "1.22.4");
    assert_eq!(json["source"], "file");
    assert_eq!(json["file"], file.display().to_string());
    assert_eq!(
        json["root"],
        env.gov_home.join("versions/1.22.4").display().to_string()
    );

    env.write("sub/go.mod", "module m\ngo 1.23.0\n");
    let out = env
        .gov_cmd(["current"])
        .current_dir(env.work.join("sub"))
        .output()
        .unwrap();
    gov_snapshot!(env, &out);
}

#[test]
fn which_exec_and_run() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.21.5"]);
    let root = env.gov_home.join("versions/1.21.5");
    assert_eq!(
        env.gov_ok(["which"]),
        format!("{}\n", root.join("bin/go").display())
    );
    assert_eq!(
        env.gov_ok(["which", "gofmt"]),
        format!("{}\n", root.join("bin/gofmt").display())
    );
    let out = env.gov(["which", "gopls"]);
    gov_snapshot!(env, &out);

    // exec: the release's bin/ comes first on PATH, its GOROOT is set.
    let out = env
        .gov_cmd(["exec", "sh", "-c", "go; echo \"GOROOT=$GOROOT\"; exit 3"])
        .env("GOROOT", "/stale")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(text.starts_with("go go1.21.5 "), "{text}");
    assert!(text.ends_with(&format!("GOROOT={}\n", root.display())));

    let out = env.gov(["run", "1.22", "go", "--flag", "x"]);
    gov_snapshot!("run_passes_arguments", env, &out);

    let out = env.gov(["run", "1.23", "go"]);
    gov_snapshot!(env, &out);
    let out = env.gov(["exec", "no-such-program-here"]);
    gov_snapshot!(env, &out);
}

#[test]
fn uninstall_removes_links_never_their_directories() {
    let env = TestEnv::new();
    let dir = env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.21.5"]);
    let out = env.gov(["uninstall", "1.21.5"]);
    gov_snapshot!("unlinked", env, &out);
    assert!(dir.join("bin/go").exists());
    assert!(!env.gov_home.join("versions/1.21.5").exists());
    assert!(std::fs::symlink_metadata(env.gov_home.join("current")).is_err());

    let out = env.gov(["uninstall", "1.21.5"]);
    gov_snapshot!(env, &out);
}

#[test]
fn uninstall_checks_every_version_before_removing_any() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let out = env.gov(["uninstall", "1.22.4", "1.23.0"]);
    gov_snapshot!(env, &out);
    assert!(env.gov_home.join("versions/1.22.4").exists());
}

#[test]
fn shims_follow_the_store() {
    let env = TestEnv::new();
    // Go releases before 1.13 ship `godoc` too.
    let old = env.fake_toolchain("1.12.17");
    write_executable(&old.join("bin/godoc"), "#!/bin/sh\necho godoc\n");
    env.link("1.12.17", &old);
    assert!(env.shim("godoc").exists());
    env.gov_ok(["uninstall", "1.12.17"]);
    assert!(
        std::fs::symlink_metadata(env.shim("godoc")).is_err(),
        "stale shim removed"
    );
    assert!(env.shim("go").exists() || std::fs::symlink_metadata(env.shim("go")).is_ok());
}

#[test]
fn verbose_says_which_release_runs() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.gov_ok(["global", "1.21.5"]);
    let out = env.gov(["--verbose", "exec", "true"]);
    assert_success(&out);
    assert_eq!(stderr(&out), "gov: Go 1.21.5 (set by global)\n");
    let out = env.gov(["--verbose", "run", "1.21", "true"]);
    assert_eq!(stderr(&out), "gov: Go 1.21.5 for `1.21`\n");
    let out = env.gov(["--quiet", "global", "1.21.5"]);
    assert_eq!(stderr(&out), "", "--quiet drops status lines");
}

#[test]
fn help_and_json_output() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    env.write(".go-version", "1.21.5\n");
    gov_snapshot!("help", env, &env.gov(["--help"]));
    gov_snapshot!("install_help", env, &env.gov(["install", "--help"]));
    gov_snapshot!("env_help", env, &env.gov(["env", "--help"]));
    gov_snapshot!("usage_error", env, &env.gov(["env", "--shell", "tcsh"]));
    gov_snapshot!("list_json", env, &env.gov(["list", "--json"]));
    gov_snapshot!("current_json", env, &env.gov(["current", "--json"]));
    let out = env
        .gov_cmd(["env", "--json"])
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    gov_snapshot!("env_json", env, &out);
}
