//! The path users take most, for real: install real Go releases from a
//! mirror over HTTP on loopback, then build and run a program with each.
//! The mirror is made by `scripts/go-mirror.sh target/go-mirror` from
//! Debian's packages (`.ci/run` does it).

use crate::common::*;

#[test]
fn installs_real_releases_and_builds_with_each() {
    let (server, versions) = serve_real_mirror();
    assert!(
        versions.len() >= 2,
        "the mirror should hold at least two releases"
    );
    let env = TestEnv::new();
    let mut install = env.gov_cmd(
        ["install".to_string()]
            .into_iter()
            .chain(versions.iter().cloned()),
    );
    install
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base);
    let out = install.output().unwrap();
    assert_success(&out);

    env.write("hello/go.mod", "module example.com/hello\n\ngo 1.19\n");
    env.write(
        "hello/main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime\"\n)\n\nfunc main() { fmt.Println(\"built with\", runtime.Version()) }\n",
    );
    for v in &versions {
        let mut build = env.go_cmd(&[]);
        build
            .args([
                format!("+{v}"),
                "build".into(),
                "-o".into(),
                format!("hello-{v}"),
            ])
            .current_dir(env.work.join("hello"))
            .env("GOCACHE", env.root.join("gocache"))
            .env("GOPATH", env.root.join("gopath"));
        assert_success(&build.output().unwrap());
        let out = env
            .command(env.work.join(format!("hello/hello-{v}")))
            .output()
            .unwrap();
        assert_eq!(stdout(&out), format!("built with go{v}\n"));
    }
    let listed = env.gov_ok(["list"]);
    for v in &versions {
        assert!(listed.contains(v.as_str()), "{listed}");
    }
}

/// A mirror that stops sending: with the default GOV_HTTP_TIMEOUT (30 s,
/// retries included), gov says each retry as it happens and gives up,
/// naming the URL, what it tried and the fix.
///
/// The time is the point, so it is bounded, generously: each attempt waits
/// a fifth of the 30 s for a byte, with 3.5 s of back-off in all, about
/// 28 s on an idle machine; a gov that let each attempt wait the whole
/// 30 s would take two minutes. 90 s (three times the setting) tells the
/// two apart however busy the machine.
#[test]
fn a_stalled_mirror_fails_within_thirty_seconds_by_default() {
    use crate::common::archive;
    use crate::common::mirror::Mirror;
    use crate::common::server::Reply;
    let m = Mirror::new(&["1.22.4"]);
    let body = std::sync::Arc::new(archive::fake_release("1.22.4"));
    let half = body.len() / 2;
    m.server
        .route("go1.22.4.linux-amd64.tar.gz", Reply::Stall(body, half));
    let start = std::time::Instant::now();
    let out = m
        .gov_cmd(["install", "1.22.4"])
        .env_remove("GOV_HTTP_TIMEOUT")
        .env_remove("GOV_RETRY_DELAY_MS")
        .output()
        .unwrap();
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(took < std::time::Duration::from_secs(90), "took {took:?}");
    let err = stderr(&out);
    // Four attempts fit in the budget with 8 s to spare; a machine slow
    // enough to eat that leaves room for three.
    let attempts = m.server.hits("go1.22.4.linux-amd64.tar.gz");
    assert!((3..=4).contains(&attempts), "{attempts} attempts: {err}");
    assert_eq!(err.matches("; retrying in ").count(), attempts - 1, "{err}");
    assert!(err.contains(&format!("after {attempts} attempts")), "{err}");
    let mut settings = snapshot_settings(&m.env);
    settings.add_filter(r"after [34] attempts", "after [N] attempts");
    settings.bind(|| insta::assert_snapshot!(error_text(&out)));
}
