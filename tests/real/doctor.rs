//! `gov doctor` on real broken set-ups, with Debian's real Go 1.19.

use crate::common::*;

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.link("1.19.8", &debian_go_1_19());
    env.gov_ok(["global", "1.19.8"]);
    env
}

fn doctor(
    env: &TestEnv,
    tweak: impl FnOnce(&mut std::process::Command),
) -> (Option<i32>, serde_json::Value) {
    let mut cmd = env.gov_cmd(["doctor", "--json"]);
    let path = format!(
        "{}:{}",
        env.gov_home.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    cmd.env("PATH", path).env("GOENV", env.root.join("goenv"));
    tweak(&mut cmd);
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

/// The check `name` of a report as a snapshot shows it: its status, detail
/// and fix.
fn check(report: &serde_json::Value, name: &str) -> String {
    serde_json::to_string_pretty(doctor_check(report, name)).unwrap()
}

fn status<'a>(report: &'a serde_json::Value, name: &str) -> (&'a str, &'a str) {
    let c = doctor_check(report, name);
    (c["status"].as_str().unwrap(), c["detail"].as_str().unwrap())
}

#[test]
fn a_healthy_set_up_passes() {
    let env = setup();
    let (code, report) = doctor(&env, |_| {});
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(status(&report, "toolchain").0, "ok");
    assert!(status(&report, "side-by-side").1.contains("1.19.8"));
    let human = env
        .gov_cmd(["doctor"])
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", env.gov_home.join("bin").display()),
        )
        .output()
        .unwrap();
    assert!(
        stdout(&human).contains("ok   selection     Go 1.19.8 (set by global)"),
        "{}",
        stdout(&human)
    );
}

#[test]
fn names_a_stale_goroot() {
    let env = setup();
    let (code, report) = doctor(&env, |c| {
        c.env("GOROOT", "/usr/local/go-old");
    });
    assert_eq!(code, Some(1));
    crate::text_snapshot!(env, check(&report, "goroot"));
}

#[test]
fn names_another_go_first_on_path() {
    let env = setup();
    let other = env.root.join("other-bin");
    std::fs::create_dir_all(&other).unwrap();
    write_executable(&other.join("go"), "#!/bin/sh\necho fake\n");
    let (code, report) = doctor(&env, |c| {
        c.env(
            "PATH",
            format!("{}:{}", other.display(), env.gov_home.join("bin").display()),
        );
    });
    assert_eq!(code, Some(1));
    crate::text_snapshot!(env, check(&report, "path"));
}

#[test]
fn names_gotoolchain_written_with_go_env_w() {
    let env = setup();
    std::fs::write(env.root.join("goenv"), "GOTOOLCHAIN=go1.21.0+auto\n").unwrap();
    let (code, report) = doctor(&env, |_| {});
    assert_eq!(code, Some(1));
    crate::text_snapshot!(env, check(&report, "gotoolchain"));
}

#[test]
fn names_a_module_that_needs_a_newer_go() {
    let env = setup();
    env.write("m/go.mod", "module m\n\ngo 1.19\ntoolchain go1.21.3\n");
    env.write("m/.go-version", "1.19.8\n");
    let (code, report) = doctor(&env, |c| {
        c.current_dir(env.work.join("m"));
    });
    assert_eq!(code, Some(1));
    crate::text_snapshot!(env, check(&report, "module"));
}

#[test]
fn names_broken_releases_leftovers_and_stale_shims() {
    let env = setup();
    let gone = env.fake_toolchain("1.21.5");
    env.link("1.21.5", &gone);
    std::fs::remove_dir_all(&gone).unwrap();
    std::fs::create_dir_all(env.gov_home.join("tmp/linux-amd64-1.22.4/go")).unwrap();
    std::fs::remove_file(env.shim("gofmt")).unwrap();
    let (code, report) = doctor(&env, |_| {});
    assert_eq!(code, Some(1));
    assert_eq!(
        status(&report, "releases"),
        (
            "fail",
            "broken (no executable bin/go, or a link to a removed directory): 1.21.5"
        )
    );
    assert_eq!(status(&report, "leftovers").0, "warn");
    assert_eq!(status(&report, "shims").0, "warn");
}

#[test]
fn names_inconsistent_vendoring() {
    let env = setup();
    env.write(
        "v/go.mod",
        "module m\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n",
    );
    env.write("v/vendor/modules.txt", "");
    let (code, report) = doctor(&env, |c| {
        c.current_dir(env.work.join("v"))
            .env("GOCACHE", env.root.join("gocache"));
    });
    assert_eq!(code, Some(1));
    crate::text_snapshot!(env, check(&report, "vendoring"));
    assert_eq!(status(&report, "module").0, "ok");
}

#[test]
fn names_gotoolchain_written_by_a_real_go_env_w() {
    let (server, versions) = serve_real_mirror();
    let parse = |v: &str| gov::version::Version::parse(v).unwrap();
    let newest = versions
        .iter()
        .filter(|v| parse(v) >= parse("1.21.0"))
        .max_by_key(|v| parse(v))
        .expect("the mirror holds a Go that knows GOTOOLCHAIN (1.21 or newer)")
        .clone();
    let env = TestEnv::new();
    let out = env
        .gov_cmd(["install", newest.as_str()])
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
    env.gov_ok(["global", newest.as_str()]);
    let goenv = env.root.join("goenv");
    let out = env
        .go_cmd(&["env", "-w", "GOTOOLCHAIN=go1.99.0+auto"])
        .env("GOENV", &goenv)
        .output()
        .unwrap();
    assert_success(&out);
    let (code, report) = doctor(&env, |_| {});
    assert_eq!(code, Some(1));
    crate::text_snapshot!(env, check(&report, "gotoolchain"));
}
