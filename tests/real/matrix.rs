//! `gov matrix` on real Go 1.21 and 1.22 from the mirror: a module whose
//! code needs an API new in Go 1.22 passes under 1.22 and fails to build
//! under 1.21, side by side, each run with its own build cache; Ctrl-C
//! during real `go test` runs stops both, test binaries included, and so
//! does a SIGKILL of gov.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::server::Server;
use crate::common::*;

/// `go 1.21`, so both releases are "not older" and run by default; but
/// `slices.Concat` is new in Go 1.22.
const GO_MOD: &str = "module example.com/mx\n\ngo 1.21\n";
const CONCAT: &str = "package mx\n\nimport \"slices\"\n\n// Join is a then b.\nfunc Join(a, b []int) []int { return slices.Concat(a, b) }\n";
const CONCAT_TEST: &str = "package mx\n\nimport \"testing\"\n\nfunc TestJoin(t *testing.T) {\n\tif got := Join([]int{1}, []int{2, 3}); len(got) != 3 || got[2] != 3 {\n\t\tt.Fatalf(\"Join: %v\", got)\n\t}\n}\n";

/// A test that says who runs it (the test binary and the `go` that
/// started it), then sleeps.
const SLEEP_TEST: &str = "package mx\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"path/filepath\"\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestSleep(t *testing.T) {\n\tfile := filepath.Join(os.Getenv(\"MATRIX_PIDS\"), os.Getenv(\"GOV_VERSION\"))\n\tpids := fmt.Sprintf(\"%d\\n%d\\n\", os.Getpid(), os.Getppid())\n\tif err := os.WriteFile(file+\".tmp\", []byte(pids), 0o644); err != nil {\n\t\tt.Fatal(err)\n\t}\n\tif err := os.Rename(file+\".tmp\", file); err != nil {\n\t\tt.Fatal(err)\n\t}\n\ttime.Sleep(5 * time.Minute)\n}\n";

/// A store with the newest 1.21 and 1.22 of the mirror installed.
fn setup() -> (TestEnv, Server, String, String) {
    let (server, versions) = serve_real_mirror();
    let (v21, v22) = (newest_of(&versions, "1.21"), newest_of(&versions, "1.22"));
    let env = TestEnv::new();
    let out = env
        .gov_cmd(["install", v21.as_str(), v22.as_str()])
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
    (env, server, v21, v22)
}

/// `gov matrix ARGS` in `dir`, offline for modules.
fn matrix(env: &TestEnv, dir: &Path, args: &[&str]) -> Command {
    let mut cmd = env.gov_cmd(["matrix"].iter().chain(args));
    cmd.current_dir(dir).env("GOPROXY", "off");
    cmd
}

#[test]
fn a_module_passes_under_1_22_and_fails_under_1_21_side_by_side() {
    let (env, _server, v21, v22) = setup();
    let app = env.work.join("app");
    env.write("app/go.mod", GO_MOD);
    env.write("app/concat.go", CONCAT);
    env.write("app/concat_test.go", CONCAT_TEST);
    env.write(
        "app/util/util.go",
        "package util\n\n// Two is 2.\nfunc Two() int { return 2 }\n",
    );
    let out = matrix(&env, &app, &["--", "go", "test", "./..."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", run_text(&out));
    // The table, 1.21's compiler error and nothing of 1.22, which passed;
    // the error after the status lines, whose order varies. Go tests the
    // two packages in parallel, so their lines come in either order: the
    // failure's lines are shown sorted.
    let names = [(v21.as_str(), "GO1.21"), (v22.as_str(), "GO1.22")];
    snapshot_settings_naming(&env, &names).bind(|| {
        insta::assert_snapshot!(format!(
            "{}----- error -----\n{}",
            go_output_sorted(&stdout(&out)),
            error_text(&out)
        ));
    });
    // Each release built into its own cache.
    for v in [&v21, &v22] {
        let cache = env.gov_home.join("cache/go").join(v).join("build");
        assert!(
            cache.join("README").is_file(),
            "{} is Go's cache",
            cache.display()
        );
    }

    // JSON: the same, with every run's output.
    let out = matrix(&env, &app, &["--json", "--", "go", "test", "./..."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let runs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let by = |v: &str| runs.iter().find(|r| r["version"] == v).unwrap().clone();
    assert_eq!(by(&v22)["status"], "passed");
    assert!(by(&v22)["output"]
        .as_str()
        .unwrap()
        .contains("ok  \texample.com/mx"));
    assert_eq!(by(&v21)["status"], "failed");
}

/// Is `pid` running? A zombie is not.
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat[stat.rfind(')').unwrap() + 2..].chars().next();
        !matches!(state, Some('Z' | 'X'))
    })
}

/// `gov matrix -- go test` of a module whose test sleeps, under 1.21 and
/// 1.22, once both test binaries run; with the pids of the test binaries
/// and of the go commands that started them.
fn sleeping_go_tests(env: &TestEnv, v21: &str, v22: &str) -> (std::process::Child, Vec<i32>) {
    let app = env.work.join("app");
    env.write("app/go.mod", GO_MOD);
    env.write("app/sleep_test.go", SLEEP_TEST);
    let pids = env.root.join("pids");
    std::fs::create_dir_all(&pids).unwrap();
    let mut gov = matrix(env, &app, &["--", "go", "test", "-count=1", "./..."])
        .env("MATRIX_PIDS", &pids)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both test binaries running (after building, in cold caches).
    let deadline = Instant::now() + Duration::from_secs(600);
    while !(pids.join(v21).exists() && pids.join(v22).exists()) {
        if let Some(status) = gov.try_wait().unwrap() {
            panic!(
                "gov ended first: {status}: {}",
                run_text(&gov.wait_with_output().unwrap())
            );
        }
        assert!(Instant::now() < deadline, "the tests never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    let running: Vec<i32> = [v21, v22]
        .iter()
        .flat_map(|v| {
            std::fs::read_to_string(pids.join(v))
                .unwrap()
                .lines()
                .map(|l| l.parse().unwrap())
                .collect::<Vec<i32>>()
        })
        .collect();
    assert!(running.iter().all(|p| alive(*p)), "{running:?}");
    (gov, running)
}

/// Not one of `running` is left. Killed, they go in milliseconds; left
/// behind, the test binaries would sleep five minutes, far past the
/// [`PATIENCE`] this waits.
fn assert_gone(running: &[i32]) {
    wait_until(&format!("every one of {running:?} to end"), || {
        !running.iter().any(|p| alive(*p))
    });
}

#[test]
fn ctrl_c_during_real_go_test_stops_both_releases_test_binaries_included() {
    let (env, _server, v21, v22) = setup();
    let (gov, running) = sleeping_go_tests(&env, &v21, &v22);
    unsafe { libc::kill(gov.id() as i32, libc::SIGINT) };
    // Stopped, not waited for: the tests sleep five minutes, and gov has
    // [`PATIENCE`] to end.
    let out: Output = wait_output(gov);
    assert_eq!(out.status.code(), Some(130), "{}", run_text(&out));
    // The table's rows and the error. How each run ended varies: `go
    // test` may exit on the signal or be ended by it; and so does what it
    // printed as it stopped.
    let text = stdout(&out);
    let rows = text.split("\n\n").next().unwrap();
    let names = [(v21.as_str(), "GO1.21"), (v22.as_str(), "GO1.22")];
    let mut settings = snapshot_settings_naming(&env, &names);
    settings.add_filter(r"stopped \([^)]*\) +", "stopped ([HOW])  ");
    settings.add_filter(
        r"(?m)^release  result +time$",
        "release   result           time",
    );
    settings.bind(|| {
        insta::assert_snapshot!(format!("{rows}\n----- error -----\n{}", error_text(&out)));
    });
    // Not one of them is left: the test binaries, nor the go commands.
    assert_gone(&running);
}

#[test]
fn a_sigkill_of_gov_during_real_go_test_leaves_no_test_binary() {
    let (env, _server, v21, v22) = setup();
    let (mut gov, running) = sleeping_go_tests(&env, &v21, &v22);
    unsafe { libc::kill(gov.id() as i32, libc::SIGKILL) };
    gov.wait().unwrap();
    // go dies of its parent-death signal; the test binary it started, of
    // the guard of its process group.
    assert_gone(&running);
}

/// `text` with the lines of each release's output block (between `--- Go`
/// and `--- end of Go`) sorted: Go prints its packages' results in the
/// order they finish.
fn go_output_sorted(text: &str) -> String {
    let mut out = String::new();
    let mut block: Vec<&str> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if inside && line.starts_with("--- end of Go") {
            block.sort_unstable();
            for l in block.drain(..) {
                out.push_str(l);
                out.push('\n');
            }
            inside = false;
        }
        if inside {
            block.push(line);
            continue;
        }
        out.push_str(line);
        out.push('\n');
        inside = line.starts_with("--- Go ");
    }
    out.extend(block.iter().map(|l| format!("{l}\n")));
    out
}
