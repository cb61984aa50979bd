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
