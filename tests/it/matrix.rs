//! `gov matrix` with fake releases: which releases run, each with its own
//! environment and build cache, how many at once, what is reported, and
//! that `--fail-fast`, SIGINT and SIGTERM leave no process behind.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use crate::common::mirror::Mirror;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

fn env_with(versions: &[&str]) -> TestEnv {
    let env = TestEnv::new();
    for v in versions {
        env.install_fake(v);
    }
    env
}

fn json(out: &Output) -> Vec<serde_json::Value> {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

/// The releases a `--json` matrix ran, in its order.
fn versions(out: &Output) -> Vec<String> {
    json(out)
        .iter()
        .map(|r| r["version"].as_str().unwrap().to_string())
        .collect()
}

/// Is `pid` still running? A zombie is dead (its parent, perhaps init,
/// just has not reaped it yet).
pub(crate) fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            let state = stat[stat.rfind(')').unwrap() + 2..].chars().next();
            !matches!(state, Some('Z' | 'X'))
        }
        Err(_) => false,
    }
}

/// Asserts every pid listed in `file` (one a line) dies. Killed, they go
/// in milliseconds; left behind, they would sleep for ten minutes, far
/// past the [`PATIENCE`] this waits.
pub(crate) fn assert_all_dead(file: &Path) {
    let pids: Vec<i32> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert!(!pids.is_empty());
    wait_until(&format!("every one of {pids:?} to die"), || {
        !pids.iter().any(|p| alive(*p))
    });
}

/// Waits until `file` has `lines` lines.
pub(crate) fn wait_for_lines(file: &Path, lines: usize, gov: &mut Child) {
    wait_until(&format!("{lines} lines in {file:?}"), || {
        if let Some(status) = gov.try_wait().unwrap() {
            panic!("gov ended first: {status}");
        }
        std::fs::read_to_string(file).map_or(0, |t| t.lines().count()) >= lines
    });
}

/// `gov matrix ARGS -- sh -c SCRIPT`, sent `signal` once two runs have
/// each written two pids to `ROOT/pids`; its output, and
/// when the signal went.
fn signal_matrix(env: &TestEnv, args: &[&str], script: &str, signal: i32) -> (Output, Instant) {
    let mut gov = env
        .gov_cmd(
            ["matrix"]
                .iter()
                .chain(args)
                .chain(&["--", "sh", "-c", script]),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_lines(&env.root.join("pids"), 4, &mut gov);
    let sent = Instant::now();
    unsafe { libc::kill(gov.id() as i32, signal) };
    (wait_output(gov), sent)
}

/// `gov ARGS`, failing the test if it still runs after [`PATIENCE`].
fn gov_within(env: &TestEnv, args: &[&str]) -> Output {
    output_within(&mut env.gov_cmd(args), PATIENCE)
}

#[test]
fn by_default_every_installed_release_not_older_than_the_go_line() {
    let env = env_with(&["1.20.14", "1.21.0", "1.22.4"]);
    let run = |dir: &str, extra: &[(&str, &str)]| {
        let mut cmd = env.gov_cmd(["matrix", "--json", "--", "go"]);
        cmd.current_dir(env.work.join(dir));
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // Outside a module: all of them, newest first.
    assert_eq!(versions(&run("", &[])), ["1.22.4", "1.21.0", "1.20.14"]);
    // `go 1.21` is a language version: 1.21.0 reaches it, 1.20.14 does not;
    // a .go-version does not change what the code needs.
    env.write("app/go.mod", "module m\n\ngo 1.21\n");
    env.write("app/.go-version", "1.20.14\n");
    std::fs::create_dir_all(env.work.join("app/sub")).unwrap();
    assert_eq!(versions(&run("app/sub", &[])), ["1.22.4", "1.21.0"]);
    env.write("app/go.mod", "module m\n\ngo 1.21.5\n");
    assert_eq!(versions(&run("app", &[])), ["1.22.4"]);
    // A go.work above wins, as in Go; GOWORK=off puts the go.mod back.
    env.write("go.work", "go 1.20\n\nuse ./app\n");
    assert_eq!(versions(&run("app", &[])), ["1.22.4", "1.21.0", "1.20.14"]);
    assert_eq!(versions(&run("app", &[("GOWORK", "off")])), ["1.22.4"]);
    std::fs::remove_file(env.work.join("go.work")).unwrap();

    // Nothing installed reaches the go line: say so, and how to fix it.
    env.write("app/go.mod", "module m\n\ngo 1.23\n");
    let out = run("app", &[]);
    gov_snapshot!("the_go_line_is_newer_than_every_release", env, &out);

    // Nothing installed at all.
    let empty = TestEnv::new();
    let out = empty.gov(["matrix", "--", "go", "version"]);
    gov_snapshot!("nothing_installed", empty, &out);
}

#[test]
fn requests_pick_installed_releases_in_their_order_once_each() {
    let env = env_with(&["1.20.14", "1.21.0", "1.22.4"]);
    let out = env.gov([
        "matrix", "--json", "1.21", "1.22.4", "latest", "1.20", "--", "go",
    ]);
    assert_success(&out);
    assert_eq!(versions(&out), ["1.21.0", "1.22.4", "1.20.14"]);
    for run in json(&out) {
        let v = run["version"].as_str().unwrap();
        assert!(
            run["output"]
                .as_str()
                .unwrap()
                .starts_with(&format!("go go{v} GOROOT=")),
            "{run}"
        );
    }
    // Bad usage: no command, no `--`, no parallelism.
    for args in [
        &["matrix", "1.21"][..],
        &["matrix", "go", "test"],
        &["matrix", "-j", "0", "--", "go"],
    ] {
        assert_eq!(env.gov(args).status.code(), Some(2), "{args:?}");
    }
    let out = env.gov(["matrix", "banana", "--", "go"]);
    gov_snapshot!("banana", env, &out);
}

#[test]
fn a_failing_release_is_tabulated_and_its_output_labelled() {
    let env = env_with(&["1.22.4"]);
    // Stdout and stderr interleaved exactly as written: one pipe.
    env.link_go_script(
        "1.21.0",
        "#!/bin/sh\necho \"=== RUN   TestLoop\"\necho \"    loop_test.go:9: each iteration has its own i\" >&2\necho \"--- FAIL: TestLoop\"\nprintf 'FAIL\\texample.com/m\\t0.01s\\n'\nexit 1\n",
    );
    let out = env.gov(["matrix", "-j", "1", "--", "go", "test", "./..."]);
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(run_text(&out), @r"
        exit_code: 1
        ----- stdout -----
        release  result                time
        1.22.4   passed                [TIME]
        1.21.0   failed (exit code 1)  [TIME]

        --- Go 1.21.0: `go test ./...` failed (exit code 1) ---
        === RUN   TestLoop
            loop_test.go:9: each iteration has its own i
        --- FAIL: TestLoop
        FAIL	example.com/m	[TIME]
        --- end of Go 1.21.0 ---
        ----- stderr -----
        running `go test ./...` under Go 1.22.4, 1.21.0 (1 at a time)
        Go 1.22.4: passed in [TIME]
        Go 1.21.0: failed (exit code 1) in [TIME]
        error: `go test ./...` failed under Go 1.21.0 (1 of 2 releases)
        hint: the output of each failure is above; run it under one release with `gov run 1.21.0 go test ./...`
        ");
    });
    // --quiet: the table and the error, no status lines.
    let out = env.gov(["--quiet", "matrix", "--", "go", "test", "./..."]);
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!("quiet_failure", run_text(&out));
    });
}

/// The most runs that overlapped, from `start`/`end` lines with times in
/// nanoseconds.
fn most_at_once(log: &str) -> usize {
    let mut events: Vec<(u128, i32)> = log
        .lines()
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let at: u128 = words[2].parse().unwrap();
            (at, if words[1] == "start" { 1 } else { -1 })
        })
        .collect();
    // An end before a start at the same instant.
    events.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most as usize
}

/// `-j N`: never more than N at once, and N at once indeed. Each run logs
/// its start and end (a run's end is logged before it exits, so before
/// gov starts the next: the log bounds how many overlapped); and the
/// first N releases each wait until all N have started, so they overlap
/// by construction, however slowly the machine starts them.
#[test]
fn j_bounds_how_many_run_at_once() {
    let env = env_with(&["1.19.8", "1.20.14", "1.21.0", "1.22.4"]);
    let log = env.root.join("times.log");
    let started = env.root.join("started");
    let order = ["1.22.4", "1.21.0", "1.20.14", "1.19.8"];
    for jobs in [1, 2, 4] {
        let _ = std::fs::remove_file(&log);
        let _ = std::fs::remove_dir_all(&started);
        std::fs::create_dir_all(&started).unwrap();
        let together = order[..jobs].join(" ");
        // The wait gives up after a minute: a gov that runs fewer at once
        // fails the test instead of hanging it.
        let script = format!(
            "echo \"$GOV_VERSION start $(date +%s%N)\" >> {log}; touch {started}/$GOV_VERSION; \
             case ' {together} ' in *\" $GOV_VERSION \"*) for v in {together}; do n=0; \
               while [ ! -e {started}/$v ]; do n=$((n+1)); [ $n -lt 1200 ] || exit 9; sleep 0.05; done; \
             done;; esac; \
             echo \"$GOV_VERSION end $(date +%s%N)\" >> {log}",
            log = log.display(),
            started = started.display(),
        );
        let out = gov_within(
            &env,
            &["matrix", "-j", &jobs.to_string(), "--", "sh", "-c", &script],
        );
        assert_success(&out);
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 8, "{text}");
        assert_eq!(most_at_once(&text), jobs, "-j {jobs}:\n{text}");
    }
}

#[test]
fn each_run_has_its_release_its_own_build_cache_and_gotoolchain_local() {
    let env = env_with(&["1.21.0", "1.22.4"]);
    let out = env
        .gov_cmd([
            "matrix",
            "--json",
            "--",
            "sh",
            "-c",
            "echo \"GOROOT=$GOROOT\"; echo \"GOCACHE=$GOCACHE\"; echo \"GOMODCACHE=$GOMODCACHE\"; echo \"GOTOOLCHAIN=$GOTOOLCHAIN\"; echo \"GOV_VERSION=$GOV_VERSION\"; echo \"go=$(command -v go)\"",
        ])
        // The caller's choices that would make a run test something else.
        .env("GOTOOLCHAIN", "go1.22.4+auto")
        .env("GOCACHE", env.root.join("shared-cache"))
        .env("GOMODCACHE", env.root.join("modules"))
        .output()
        .unwrap();
    assert_success(&out);
    let home = env.gov_home.display().to_string();
    let mut caches = Vec::new();
    for run in json(&out) {
        let v = run["version"].as_str().unwrap();
        let cache = format!("{home}/cache/go/{v}/build");
        assert_eq!(
            run["output"].as_str().unwrap(),
            format!(
                "GOROOT={home}/versions/{v}\nGOCACHE={cache}\nGOMODCACHE={}/modules\nGOTOOLCHAIN=local\nGOV_VERSION={v}\ngo={home}/versions/{v}/bin/go\n",
                env.root.display()
            )
        );
        assert!(
            Path::new(&cache).parent().unwrap().is_dir(),
            "created for Go"
        );
        caches.push(cache);
    }
    assert_eq!(caches.len(), 2);
    assert_ne!(caches[0], caches[1]);
    // The same directory `gov env --isolate version` gives the release.
    let isolated = env
        .gov_cmd(["env", "GOCACHE", "--isolate", "version"])
        .env("GOV_VERSION", "1.22.4")
        .output()
        .unwrap();
    assert_eq!(stdout(&isolated), format!("{home}/cache/go/1.22.4/build\n"));
}

#[test]
fn json_has_one_object_per_release_in_order() {
    let env = env_with(&["1.20.14", "1.21.0", "1.22.4"]);
    let out = env.gov([
        "matrix",
        "--json",
        "-j",
        "1",
        "--fail-fast",
        "--",
        "sh",
        "-c",
        "echo \"on $GOV_VERSION\"; [ $GOV_VERSION != 1.21.0 ]",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!("json_failure_stderr", stderr(&out));
    });
    let runs = json(&out);
    let keys: Vec<Vec<&str>> = runs
        .iter()
        .map(|r| r.as_object().unwrap().keys().map(|k| k.as_str()).collect())
        .collect();
    for k in &keys {
        assert_eq!(
            *k,
            [
                "duration_ms",
                "error",
                "exit_code",
                "output",
                "signal",
                "status",
                "version"
            ]
        );
    }
    let pick = |i: usize, key: &str| runs[i][key].clone();
    assert_eq!(pick(0, "version"), "1.22.4");
    assert_eq!(pick(0, "status"), "passed");
    assert_eq!(pick(0, "exit_code"), 0);
    assert_eq!(pick(0, "output"), "on 1.22.4\n");
    assert!(pick(0, "duration_ms").is_u64());
    assert_eq!(pick(1, "status"), "failed");
    assert_eq!(pick(1, "exit_code"), 1);
    assert_eq!(pick(1, "signal"), serde_json::Value::Null);
    assert_eq!(pick(1, "output"), "on 1.21.0\n");
    // --fail-fast: the third never started.
    assert_eq!(pick(2, "status"), "skipped");
    for key in ["exit_code", "signal", "duration_ms", "output", "error"] {
        assert_eq!(pick(2, key), serde_json::Value::Null, "{key}");
    }

    // A command that cannot start.
    let out = env.gov(["matrix", "--json", "1.22", "--", "no-such-program-here"]);
    assert_eq!(out.status.code(), Some(1));
    let runs = json(&out);
    assert_eq!(runs[0]["status"], "error");
    assert_eq!(runs[0]["error"], "command not found");
    assert_eq!(runs[0]["output"], serde_json::Value::Null);
}

#[test]
fn a_command_that_cannot_start_is_an_error_per_release() {
    let env = env_with(&["1.21.0", "1.22.4"]);
    let out = env.gov(["matrix", "-j", "1", "--", "no-such-program-here", "x"]);
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(run_text(&out), @r"
        exit_code: 1
        ----- stdout -----
        release  result                            time
        1.22.4   cannot start (command not found)  -
        1.21.0   cannot start (command not found)  -
        ----- stderr -----
        running `no-such-program-here x` under Go 1.22.4, 1.21.0 (1 at a time)
        Go 1.22.4: cannot start (command not found)
        Go 1.21.0: cannot start (command not found)
        error: cannot run `no-such-program-here` under Go 1.22.4, 1.21.0: command not found
        hint: check the command's name: each run has its release's bin/ first on PATH, then yours
        ");
    });
    // A file that is not executable.
    env.write("not-a-program", "echo\n");
    let out = env.gov(["matrix", "--", "./not-a-program"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(
            "not_executable",
            format!("{}----- error -----\n{}", stdout(&out), error_text(&out))
        );
    });
}

#[test]
fn fail_fast_stops_the_others_and_skips_the_rest() {
    let env = env_with(&["1.19.8", "1.20.14", "1.21.0", "1.22.4"]);
    let pids = env.root.join("pids");
    // 1.21.0 fails once the other two runs wrote their pids (five lines
    // in all); theirs would sleep ten minutes, unless stopped.
    let script = format!(
        "echo $$ >> {pids}; if [ $GOV_VERSION = 1.21.0 ]; then \
           while [ $(wc -l < {pids}) -lt 5 ]; do sleep 0.05; done; echo broken; exit 3; \
         fi; sleep 600 & echo $! >> {pids}; wait",
        pids = pids.display()
    );
    let out = gov_within(
        &env,
        &[
            "matrix",
            "-j",
            "3",
            "--fail-fast",
            "--",
            "sh",
            "-c",
            &script,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // The table, the failure's output and no other (collateral stops are
    // not failures); the error after the status lines, whose order varies.
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(format!(
            "{}----- error -----\n{}",
            stdout(&out),
            error_text(&out)
        ));
    });
    assert_eq!(std::fs::read_to_string(&pids).unwrap().lines().count(), 5);
    assert_all_dead(&pids);
}

#[test]
fn sigint_stops_every_run_and_its_children_then_reports() {
    let env = env_with(&["1.20.14", "1.21.0", "1.22.4"]);
    let pids = env.root.join("pids");
    // A background child of a non-interactive shell ignores SIGINT: it
    // dies only because gov kills what a run leaves in its group.
    // Its output written before its pids, so before the signal.
    let script = format!(
        "echo \"working on $GOV_VERSION\"; echo $$ >> {pids}; sleep 600 & echo $! >> {pids}; wait",
        pids = pids.display()
    );
    let (out, _) = signal_matrix(&env, &["-j", "2"], &script, libc::SIGINT);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    text_snapshot!("sigint_error", env, error_text(&out));
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(stdout(&out), @r#"
        release  result            time
        1.22.4   stopped (SIGINT)  [TIME]
        1.21.0   stopped (SIGINT)  [TIME]
        1.20.14  skipped           -

        --- Go 1.22.4: `sh -c 'echo "working on $GOV_VERSION"; echo $$ >> [ROOT]/pids; sleep 600 & echo $! >> [ROOT]/pids; wait'` stopped (SIGINT) ---
        working on 1.22.4
        --- end of Go 1.22.4 ---

        --- Go 1.21.0: `sh -c 'echo "working on $GOV_VERSION"; echo $$ >> [ROOT]/pids; sleep 600 & echo $! >> [ROOT]/pids; wait'` stopped (SIGINT) ---
        working on 1.21.0
        --- end of Go 1.21.0 ---
        "#);
    });
    assert_all_dead(&pids);
}

#[test]
fn a_closed_terminal_or_ctrl_backslash_stops_every_run_too() {
    for (signal, code) in [(libc::SIGHUP, 129), (libc::SIGQUIT, 131)] {
        let env = env_with(&["1.21.0", "1.22.4"]);
        let pids = env.root.join("pids");
        let script = format!(
            "echo $$ >> {pids}; sleep 600 & echo $! >> {pids}; wait",
            pids = pids.display()
        );
        let (out, _) = signal_matrix(&env, &[], &script, signal);
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        snapshot_settings(&env).bind(|| {
            insta::assert_snapshot!(
                format!("stopped_by_signal_{signal}"),
                format!("{}----- error -----\n{}", stdout(&out), error_text(&out))
            );
        });
        assert_all_dead(&pids);
    }
}

#[test]
fn sigterm_is_passed_on_and_a_run_that_ignores_it_is_killed() {
    let env = env_with(&["1.21.0", "1.22.4"]);
    let pids = env.root.join("pids");
    // 1.21.0's run ignores SIGTERM: SIGKILL after the grace period.
    let script = format!(
        "if [ $GOV_VERSION = 1.21.0 ]; then trap '' TERM; fi; echo $$ >> {pids}; sleep 600 & echo $! >> {pids}; wait",
        pids = pids.display()
    );
    let (out, sent) = signal_matrix(&env, &[], &script, libc::SIGTERM);
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    // A lower bound: gov waited its grace period (5 s) before SIGKILL. A
    // busy machine only makes it longer.
    assert!(sent.elapsed() >= Duration::from_secs(4), "the grace period");
    snapshot_settings(&env).bind(|| {
        insta::assert_snapshot!(format!(
            "{}----- error -----\n{}",
            stdout(&out),
            error_text(&out)
        ));
    });
    assert_all_dead(&pids);
}

#[test]
fn a_sigkill_of_gov_kills_every_run_and_what_it_started() {
    let env = env_with(&["1.21.0", "1.22.4"]);
    let pids = env.root.join("pids");
    // Nothing can catch SIGKILL: each run dies with gov (the shell by its
    // parent-death signal, the background sleep by the guard of its group).
    let script = format!(
        "echo $$ >> {pids}; sleep 600 & echo $! >> {pids}; wait",
        pids = pids.display()
    );
    let (out, _) = signal_matrix(&env, &[], &script, libc::SIGKILL);
    assert_eq!(out.status.signal(), Some(libc::SIGKILL));
    assert_eq!(std::fs::read_to_string(&pids).unwrap().lines().count(), 4);
    assert_all_dead(&pids);
}

/// gov killed the moment a run has started something: the guard of the
/// run's group exists before the run does, so nothing is ever left.
#[test]
fn a_sigkill_as_soon_as_a_run_starts_leaves_nothing() {
    let env = env_with(&["1.22.4"]);
    for round in 0..30 {
        let pids = env.root.join(format!("pids-{round}"));
        let script = format!("sleep 600 & echo $! >> {}; wait", pids.display());
        let mut gov = env
            .gov_cmd(["matrix", "--", "sh", "-c", &script])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        wait_for_lines(&pids, 1, &mut gov);
        unsafe { libc::kill(gov.id() as i32, libc::SIGKILL) };
        gov.wait().unwrap();
        assert_all_dead(&pids);
    }
}

#[test]
fn what_a_run_leaves_behind_in_its_group_is_killed_when_it_ends() {
    let env = env_with(&["1.22.4"]);
    let pids = env.root.join("pids");
    // The background sleep holds the output pipe open: without the kill
    // gov would wait for it, ten minutes, far past the patience of
    // `gov_within`.
    let script = format!("sleep 600 & echo $! >> {}; echo done", pids.display());
    let out = gov_within(&env, &["matrix", "--json", "--", "sh", "-c", &script]);
    assert_success(&out);
    assert_eq!(json(&out)[0]["output"], "done\n");
    assert_all_dead(&pids);
}

#[test]
fn a_request_not_installed_is_installed_from_the_mirror_then_run() {
    let m = Mirror::new(&["1.21.13", "1.22.4", "1.22.12"]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    let out = m.gov(&[
        "matrix", "--json", "-j", "1", "1.21", "1.22", "--", "go", "version",
    ]);
    assert_success(&out);
    // 1.21.13 is installed; 1.22.4 was already.
    snapshot_settings(&m.env).bind(|| {
        insta::assert_snapshot!("installs_then_runs", stderr(&out));
    });
    let runs = json(&out);
    assert_eq!(versions(&out), ["1.21.13", "1.22.4"]);
    for run in &runs {
        let v = run["version"].as_str().unwrap();
        assert!(
            run["output"]
                .as_str()
                .unwrap()
                .starts_with(&format!("go version go{v} linux/amd64 GOROOT=")),
            "{run}"
        );
    }
    assert_eq!(m.server.hits("go1.21.13.linux-amd64.tar.gz"), 1);

    // Several at once, quietly: no status lines, the table only.
    let out = m.gov(&[
        "--quiet", "matrix", "1.22.12", "latest", "--", "go", "version",
    ]);
    snapshot_settings(&m.env).bind(|| {
        insta::assert_snapshot!("quiet_installs_then_runs", run_text(&out));
    });
    assert!(m.env.gov_home.join("versions/1.22.12").is_dir());

    // A request no release matches: nothing runs.
    let out = m.gov(&["matrix", "1.22", "1.99", "--", "go", "version"]);
    gov_snapshot!("no_release_matches", m.env, &out);
}
