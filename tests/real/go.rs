//! The paths users take most, on a real Go toolchain (Debian's 1.19).

use crate::common::*;

fn with_go_1_19() -> TestEnv {
    let env = TestEnv::new();
    let dir = debian_go_1_19();
    env.link("1.19.8", &dir);
    env
}

/// Go wants a cache and a module path it can write to.
fn go_env(cmd: &mut std::process::Command, env: &TestEnv) {
    cmd.env("GOCACHE", env.root.join("gocache"))
        .env("GOPATH", env.root.join("gopath"))
        .env("GOFLAGS", "-modcacherw");
}

#[test]
fn go_version_through_the_shim() {
    let env = with_go_1_19();
    env.gov_ok(["global", "1.19"]);
    let out = env.go(&env.work, &["version"]);
    assert_success(&out);
    assert!(
        stdout(&out).starts_with("go version go1.19.8 "),
        "{}",
        stdout(&out)
    );

    let mut cmd = env.go_cmd(&["env", "GOROOT", "GOTOOLCHAIN"]);
    cmd.env("GOROOT", "/stale/goroot");
    go_env(&mut cmd, &env);
    let out = cmd.output().unwrap();
    assert_success(&out);
    let root = env.gov_home.join("versions/1.19.8");
    assert_eq!(
        stdout(&out).lines().next().unwrap(),
        root.display().to_string()
    );
}

#[test]
fn go_run_builds_and_runs_a_module() {
    let env = with_go_1_19();
    env.write("hello/go.mod", "module example.com/hello\n\ngo 1.19\n");
    env.write(
        "hello/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"runtime\"\n)\n\nfunc main() {\n\tfmt.Println(\"hello from\", runtime.Version(), os.Args[1:])\n\tos.Exit(4)\n}\n",
    );
    let mut cmd = env.go_cmd(&["run", ".", "a b", ""]);
    cmd.current_dir(env.work.join("hello"));
    go_env(&mut cmd, &env);
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "go run reports a failing program as exit 1"
    );
    crate::gov_snapshot!("go_run_exit_status", env, &out);

    // The built program keeps its own exit code when run through `gov exec`.
    let mut cmd = env.gov_cmd(["exec", "go", "build", "-o", "hello-bin", "."]);
    cmd.current_dir(env.work.join("hello"));
    go_env(&mut cmd, &env);
    assert_success(&cmd.output().unwrap());
    let out = env
        .command(env.work.join("hello/hello-bin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn gov_run_and_which_on_real_go() {
    let env = with_go_1_19();
    let out = env.gov(["run", "1.19", "go", "version"]);
    assert_success(&out);
    assert!(stdout(&out).starts_with("go version go1.19.8 "));
    env.write(".go-version", "1.19.8\n");
    let which = env.gov_ok(["which", "gofmt"]);
    assert_eq!(
        which.trim(),
        env.gov_home
            .join("versions/1.19.8/bin/gofmt")
            .display()
            .to_string()
    );
    let out = env
        .command(env.shim("gofmt"))
        .arg("-l")
        .arg(env.work.join(".go-version"))
        .output()
        .unwrap();
    // gofmt runs (and rejects a file that is not Go).
    crate::gov_snapshot!("gofmt_rejects_what_is_not_go", env, &out);
}
