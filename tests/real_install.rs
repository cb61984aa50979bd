//! The path users take most, for real: install real Go releases from a
//! mirror over HTTP on loopback, then build and run a program with each.
//! The mirror is made by `scripts/go-mirror.sh target/go-mirror` from
//! Debian's packages (`.ci/run` does it).

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::server::{Reply, Server};
use common::*;

fn mirror_dir() -> PathBuf {
    let dir = std::env::var_os("GOV_TEST_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/go-mirror"));
    assert!(
        dir.join("index.json").is_file(),
        "these tests need a mirror of real Go releases at {}: run `scripts/go-mirror.sh {}` (or set GOV_TEST_MIRROR)",
        dir.display(),
        dir.display()
    );
    dir
}

#[test]
fn installs_real_releases_and_builds_with_each() {
    let dir = mirror_dir();
    let server = Server::start();
    let index = std::fs::read(dir.join("index.json")).unwrap();
    let releases: Vec<serde_json::Value> = serde_json::from_slice(&index).unwrap();
    assert!(
        releases.len() >= 2,
        "the mirror should hold at least two releases"
    );
    server.route("index.json", Reply::Body(Arc::new(index)));
    let mut versions = Vec::new();
    for r in &releases {
        let file = r["files"][0]["filename"].as_str().unwrap();
        server.route(
            file,
            Reply::Body(Arc::new(std::fs::read(dir.join(file)).unwrap())),
        );
        versions.push(
            r["version"]
                .as_str()
                .unwrap()
                .trim_start_matches("go")
                .to_string(),
        );
    }

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
        let mut build = env.command(env.shim("go"));
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
