//! The shims: which release they pick and how faithfully they run it.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use crate::common::*;
use crate::gov_snapshot;

fn setup() -> TestEnv {
    let env = TestEnv::new();
    for v in ["1.19.8", "1.21.5", "1.22.1", "1.22.4"] {
        env.install_fake(v);
    }
    env.gov_ok(["global", "1.19.8"]);
    env
}

/// Runs the `go` shim in `dir` and returns the first line it printed.
fn go_in(env: &TestEnv, dir: &std::path::Path, args: &[&str]) -> String {
    let out = env.go(dir, args);
    assert_success(&out);
    stdout(&out).lines().next().unwrap().to_string()
}

fn version_of(line: &str) -> &str {
    line.split_whitespace().nth(1).unwrap()
}

#[test]
fn creates_shims_for_go_programs_only() {
    let env = setup();
    // The gov binary itself, unless a sticky directory (`/tmp`) is on its
    // way: then the store's own copy, which nobody else can replace.
    let gov = std::path::Path::new(GOV).canonicalize().unwrap();
    let through_sticky = gov
        .ancestors()
        .any(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o1000 != 0));
    let leads_to = if through_sticky {
        env.gov_home.join("libexec/gov")
    } else {
        gov
    };
    for program in ["go", "gofmt"] {
        let shim = env.shim(program);
        assert_eq!(std::fs::read_link(&shim).unwrap(), leads_to);
    }
    assert!(
        std::fs::symlink_metadata(env.shim("vet-extra")).is_err(),
        "a program Go does not ship gets no shim"
    );
    let out = env.command(env.shim("gofmt")).output().unwrap();
    assert!(stdout(&out).starts_with("gofmt go1.19.8 "));
}

#[test]
fn sets_goroot_and_gotoolchain() {
    let env = setup();
    let line = go_in(&env, &env.work, &["version"]);
    let root = env.gov_home.join("versions/1.19.8");
    assert_eq!(
        line,
        format!(
            "go go1.19.8 GOROOT={} GOTOOLCHAIN=local GOV_VERSION=",
            root.display()
        )
    );
    // A stale GOROOT never wins; a user's GOTOOLCHAIN does.
    let out = env
        .go_cmd(&[])
        .env("GOROOT", "/stale/go")
        .env("GOTOOLCHAIN", "go1.22.4+auto")
        .output()
        .unwrap();
    assert!(stdout(&out).contains(&format!(
        "GOROOT={} GOTOOLCHAIN=go1.22.4+auto ",
        root.display()
    )));
}

#[test]
fn resolution_order_with_the_file_four_levels_up() {
    let env = setup();
    let deep = env.work.join("a/b/c/d");
    std::fs::create_dir_all(&deep).unwrap();
    assert_eq!(version_of(&go_in(&env, &deep, &[])), "go1.19.8");

    env.write("go.mod", "module example.com/m\n\ngo 1.21\n");
    assert_eq!(version_of(&go_in(&env, &deep, &[])), "go1.21.5");

    env.write("a/go.work", "go 1.22.0\n\nuse ./b\n");
    env.write("a/b/go.mod", "module example.com/b\n\ngo 1.21.0\n");
    assert_eq!(
        version_of(&go_in(&env, &deep, &[])),
        "go1.22.4",
        "go.work further up wins"
    );
    let out = env
        .go_cmd(&[])
        .env("GOWORK", "off")
        .current_dir(&deep)
        .output()
        .unwrap();
    assert_eq!(
        version_of(stdout(&out).lines().next().unwrap()),
        "go1.21.5",
        "GOWORK=off"
    );

    env.write(
        "a/b/go.mod",
        "module example.com/b\n\ngo 1.22\ntoolchain go1.22.1\n",
    );
    let out = env
        .go_cmd(&[])
        .env("GOWORK", "off")
        .current_dir(&deep)
        .output()
        .unwrap();
    assert_eq!(
        version_of(stdout(&out).lines().next().unwrap()),
        "go1.22.1",
        "toolchain line"
    );

    env.write("a/b/.tool-versions", "nodejs 20.0.0\ngolang 1.21.5\n");
    assert_eq!(version_of(&go_in(&env, &deep, &[])), "go1.21.5");

    env.write(
        "a/b/c/.go-version",
        "\u{feff}# pinned for the release branch\r\ngo1.22.1\r\n",
    );
    assert_eq!(version_of(&go_in(&env, &deep, &[])), "go1.22.1");

    let out = env
        .go_cmd(&[])
        .env("GOV_VERSION", "1.22")
        .current_dir(&deep)
        .output()
        .unwrap();
    assert_eq!(
        version_of(stdout(&out).lines().next().unwrap()),
        "go1.22.4",
        "GOV_VERSION"
    );

    let out = env
        .go_cmd(&[])
        .env("GOV_VERSION", "1.22")
        .args(["+1.21", "build"])
        .current_dir(&deep)
        .output()
        .unwrap();
    let text = stdout(&out);
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    assert_eq!(version_of(first), "go1.21.5", "+VERSION");
    assert!(
        first.ends_with("GOV_VERSION=1.21.5"),
        "children follow +VERSION: {first}"
    );
    assert_eq!(
        lines.collect::<Vec<_>>(),
        ["arg=[build]"],
        "the +VERSION word is removed"
    );
}

#[test]
fn arguments_pass_through_untouched() {
    let env = setup();
    let args = [
        "build",
        "",
        "two words",
        "*",
        "-x",
        "--",
        "$HOME",
        "+1.21",
        "ünï",
    ];
    let out = env.go(&env.work, &args);
    let text = stdout(&out);
    let got: Vec<&str> = text.lines().skip(1).collect();
    let want: Vec<String> = args.iter().map(|a| format!("arg=[{a}]")).collect();
    assert_eq!(got, want);
}

#[test]
fn exit_codes_and_stdin_pass_through() {
    let env = setup();
    let out = env.go_cmd(&[]).env("FAKE_EXIT", "7").output().unwrap();
    assert_eq!(out.status.code(), Some(7));

    let mut child = env
        .go_cmd(&[])
        .env("FAKE_CAT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from stdin\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(stdout(&out).ends_with("from stdin\n"));
}

#[test]
fn execs_in_place_so_signals_reach_go() {
    let env = setup();
    env.link_go_script("1.23.0", "#!/bin/sh\necho $$\nexec sleep 30\n");
    let mut child = env
        .go_cmd(&["+1.23.0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim(),
        child.id().to_string(),
        "the shim replaced itself"
    );
    unsafe_kill(child.id(), 15);
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(15));
}

fn unsafe_kill(pid: u32, signal: i32) {
    let ok = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn missing_release_names_its_source_and_the_fix() {
    let env = setup();
    env.write(".go-version", "1.23.2\n");
    let out = env.go(&env.work, &["version"]);
    gov_snapshot!(env, &out);
    let out = env.go_cmd(&[]).env("GOV_VERSION", "1.18").output().unwrap();
    gov_snapshot!(env, &out);
}

#[test]
fn nothing_selected_says_what_was_searched() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let out = env.go(&env.work, &[]);
    gov_snapshot!(env, &out);
}

#[test]
fn malformed_input_is_a_clear_error() {
    let env = setup();
    let out = env.go(&env.work, &["+1.x"]);
    gov_snapshot!(env, &out);

    env.write("go.mod", "module m\n\ngo 1.22.x\n");
    let out = env.go(&env.work, &[]);
    gov_snapshot!(env, &out);
}

#[test]
fn a_link_loop_stops_with_an_error() {
    let env = setup();
    // A "Go root" whose bin/go is gov itself.
    let dir = env.root.join("toolchains/loop");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::create_dir_all(dir.join("pkg/tool")).unwrap();
    std::fs::write(dir.join("VERSION"), "go1.23.0\n").unwrap();
    std::os::unix::fs::symlink(env.shim("go"), dir.join("bin/go")).unwrap();
    env.link("1.23.0", &dir);
    let out = env.go(&env.work, &["+1.23.0"]);
    gov_snapshot!(env, &out);
}

#[test]
fn a_path_loop_stops_with_an_error() {
    let env = setup();
    // A wrapper that calls `go` from PATH, where the shim is first.
    env.link_go_script("1.23.0", "#!/bin/sh\nexec go \"$@\"\n");
    let path = format!(
        "{}:{}",
        env.gov_home.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    let out = env
        .go_cmd(&[])
        .env("PATH", path)
        .env("GOV_VERSION", "1.23.0")
        .output()
        .unwrap();
    gov_snapshot!(env, &out);
}

#[test]
fn a_go1_x_y_command_per_release_runs_exactly_that_release() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.write(".go-version", "1.22.4\n");
    let out = env
        .command(env.shim("go1.21.5"))
        .arg("version")
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).starts_with("go go1.21.5 "), "{}", stdout(&out));
    // A `+VERSION` is just an argument to it.
    let out = env
        .command(env.shim("go1.21.5"))
        .arg("+1.22")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("arg=[+1.22]"), "{}", stdout(&out));
    env.gov_ok(["uninstall", "1.21.5"]);
    assert!(
        std::fs::symlink_metadata(env.shim("go1.21.5")).is_err(),
        "removed with its release"
    );
    assert!(env.shim("go1.22.4").exists());
}
