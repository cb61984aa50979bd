//! Every way gov runs Go, with real Go 1.19, 1.21 and 1.22 from the
//! mirror: shims, `GOV_HOME/current/bin`, the shim-free shell mode in
//! bash, zsh and fish, `gov exec` and `gov run`. Each gives `go` the
//! selected release, its own GOROOT and `GOTOOLCHAIN=local`, and a module
//! no installed release can build fails with gov's error, never a download.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;
use crate::shells::{feed, interactive};

/// A home with every release of the mirror installed, and projects that
/// select each: `p19` by .go-version, `p21` and `p22` by go.mod minimums,
/// `p30` by a go line nothing installed reaches.
fn setup() -> (TestEnv, BTreeMap<&'static str, String>) {
    let (server, versions) = serve_real_mirror();
    let env = TestEnv::new();
    let mut install = env.gov_cmd(["install", "1.19", "1.21", "1.22"]);
    install
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base);
    assert_success(&install.output().unwrap());
    let newest = |series: &str| newest_of(&versions, series);
    let releases = BTreeMap::from([
        ("p19", newest("1.19")),
        ("p21", newest("1.21")),
        ("p22", newest("1.22")),
    ]);
    env.write("p19/.go-version", &format!("{}\n", releases["p19"]));
    env.write("p21/go.mod", "module example.com/p21\n\ngo 1.21\n");
    env.write("p22/go.mod", "module example.com/p22\n\ngo 1.22.0\n");
    env.write("p30/go.mod", "module example.com/p30\n\ngo 1.30\n");
    (env, releases)
}

/// A PATH with `first` ahead of the system's, and no other Go.
fn path_with(first: &Path) -> String {
    format!("{}:/usr/local/bin:/usr/bin:/bin", first.display())
}

const GO_ENV: &str = "go env GOVERSION GOROOT GOTOOLCHAIN";

/// `go env GOVERSION GOROOT GOTOOLCHAIN` as printed, for release `v`.
fn expected(env: &TestEnv, v: &str) -> String {
    // Go 1.19 knows no GOTOOLCHAIN: it prints an empty line for it.
    let toolchain = if v.starts_with("1.19") { "" } else { "local" };
    format!(
        "go{v}\n{}\n{toolchain}\n",
        env.gov_home.join("versions").join(v).display()
    )
}

fn run_in(
    env: &TestEnv,
    dir: &str,
    path: &str,
    program: &str,
    args: &[&str],
) -> std::process::Output {
    env.command(program)
        .args(args)
        .current_dir(env.work.join(dir))
        .env("PATH", path)
        .env("GOFLAGS", "-modcacherw")
        .env("GOPROXY", "off")
        .output()
        .unwrap()
}

#[test]
fn every_mode_runs_the_selected_release_with_its_own_environment() {
    let (env, releases) = setup();
    let go_env: Vec<&str> = GO_ENV.split(' ').skip(1).collect();

    // gov's one change to a release it installed is recorded.
    let record = env
        .gov_home
        .join(format!("records/linux-amd64-{}.json", releases["p22"]));
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(record).unwrap()).unwrap();
    assert_eq!(
        record["edits"],
        serde_json::json!([{"path": "go.env", "was": "GOTOOLCHAIN=auto", "now": "GOTOOLCHAIN=local"}])
    );
    assert_eq!(record["verified"], true);

    // Shims.
    let shims = path_with(&env.gov_home.join("bin"));
    for (dir, v) in &releases {
        let out = run_in(&env, dir, &shims, "go", &go_env);
        assert_success(&out);
        assert_eq!(stdout(&out), expected(&env, v), "shims in {dir}");
    }
    let out = run_in(&env, "p30", &shims, "go", &["build", "./..."]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("needs Go 1.30 or newer"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("downloading"), "{}", stderr(&out));

    // gov exec and gov run.
    for (dir, v) in &releases {
        let out = run_in(
            &env,
            dir,
            &shims,
            GOV,
            &["exec", "go", "env", "GOVERSION", "GOROOT", "GOTOOLCHAIN"],
        );
        assert_eq!(stdout(&out), expected(&env, v), "exec in {dir}");
        let series = &v[..4];
        let out = run_in(
            &env,
            "p30",
            &shims,
            GOV,
            &[
                "run",
                series,
                "go",
                "env",
                "GOVERSION",
                "GOROOT",
                "GOTOOLCHAIN",
            ],
        );
        assert_eq!(stdout(&out), expected(&env, v), "run {series}");
    }

    // GOV_HOME/current/bin: the global default with no shim at all; its
    // go.env keeps it from fetching the toolchain p30 asks for.
    let current = path_with(&env.gov_home.join("current/bin"));
    for v in releases.values() {
        env.gov_ok(["global", v.as_str()]);
        let out = run_in(&env, ".", &current, "go", &go_env);
        let (got, want) = (stdout(&out), expected(&env, v));
        let (got, want): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
        assert_eq!(got[0], want[0], "current/bin");
        // Go may name its root by the link it was run through.
        assert!(
            same_dir(got[1], Path::new(want[1])),
            "current/bin root {}",
            got[1]
        );
        assert_eq!(got[2], want[2], "current/bin GOTOOLCHAIN for {v}");
    }
    let out = run_in(&env, "p30", &current, "go", &["build", "./..."]);
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("downloading"), "{}", stderr(&out));
}

fn same_dir(a: &str, b: &Path) -> bool {
    Path::new(a).canonicalize().ok() == b.canonicalize().ok()
}

#[test]
fn shim_free_shells_run_the_selected_release_with_its_own_environment() {
    let (env, releases) = setup();
    let mut script = String::new();
    for dir in ["p19", "p21", "p22", "p30"] {
        script.push_str(&format!(
            "cd {}\necho \"== {dir}\"\n{GO_ENV}\n",
            env.work.join(dir).display()
        ));
    }
    for shell in ["bash", "zsh", "fish"] {
        let mut cmd = interactive(&env, shell, "--no-shims");
        cmd.env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("GOPROXY", "off");
        let out = feed(cmd, &script);
        let text = stdout(&out);
        let section = |name: &str| -> String {
            text.split(&format!("== {name}\n"))
                .nth(1)
                .map(|rest| rest.split("== ").next().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        for (dir, v) in &releases {
            let got = section(dir);
            // The prompt may share a line with the output (bash, zsh).
            let got: String = got
                .lines()
                .map(|l| l.rsplit("$ ").next().unwrap_or(l))
                .take(3)
                .map(|l| format!("{l}\n"))
                .collect();
            assert_eq!(
                got,
                expected(&env, v),
                "{shell} in {dir}:\n{text}\n{}",
                stderr(&out)
            );
        }
        // Nothing reaches 1.30: gov says so and leaves no Go on PATH.
        assert!(
            stderr(&out).contains("needs Go 1.30 or newer"),
            "{shell}: {}",
            stderr(&out)
        );
        assert!(
            !stderr(&out).contains("downloading"),
            "{shell}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn go_itself_finds_gov_s_go1_x_y_for_gotoolchain() {
    let (env, releases) = setup();
    let shims = path_with(&env.gov_home.join("bin"));
    // In p22 Go 1.22 runs; asked for 1.19 by GOTOOLCHAIN, Go 1.22 looks for
    // a `go1.19.x` on PATH and runs it: gov's, never a download.
    let v19 = &releases["p19"];
    let out = env
        .command("go")
        .arg("version")
        .current_dir(env.work.join("p22"))
        .env("PATH", &shims)
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", format!("go{v19}"))
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).starts_with(&format!("go version go{v19} ")),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(!stderr(&out).contains("downloading"), "{}", stderr(&out));
}
