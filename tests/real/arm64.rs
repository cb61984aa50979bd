//! A real arm64 Go (Debian's build of Go 1.22, from the real mirror over
//! loopback) on this x86-64 machine: installed apart, it works under
//! `qemu-aarch64-static` (called by name: no binfmt handler is registered)
//! and every tool that handles other platforms sees it for what it is;
//! put where gov runs releases from, it is refused, never run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use crate::common::*;

const QEMU: &str = "/usr/bin/qemu-aarch64-static";

fn qemu() -> &'static str {
    assert!(
        Path::new(QEMU).is_file(),
        "these tests need {QEMU}: run `apt-get install -y qemu-user-static`"
    );
    QEMU
}

/// `gov install --os linux --arch arm64 1.22` from the real mirror; the
/// release and its root.
fn install_arm64(env: &TestEnv, server: &server::Server, versions: &[String]) -> (String, PathBuf) {
    let go122 = newest_of(versions, "1.22");
    let out = env
        .gov_cmd(["install", "--os", "linux", "--arch", "arm64", "1.22"])
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
    let root = env.gov_home.join("platforms/linux-arm64").join(&go122);
    assert!(root.join("bin/go").is_file(), "{}", stderr(&out));
    (go122, root)
}

/// The sha256 the mirror publishes beside `archive`.
fn published_digest(archive: &str) -> String {
    let text =
        std::fs::read_to_string(real_mirror_dir().join(format!("{archive}.sha256"))).unwrap();
    text.split_whitespace().next().unwrap().to_string()
}

/// An arm64 program of `root` run under qemu with the root's environment
/// and a build cache of the test's own.
fn under_qemu(env: &TestEnv, root: &Path, program: &Path, args: &[&str]) -> Command {
    let mut cmd = env.command(qemu());
    cmd.arg(program)
        .args(args)
        .env("GOROOT", root)
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .env("GOCACHE", env.root.join("gocache"))
        .env("GOPATH", env.root.join("gopath"))
        .env("GOFLAGS", "-mod=mod");
    cmd
}

#[test]
fn the_real_arm64_go_installs_apart_and_builds_a_program_under_qemu() {
    let (server, versions) = serve_real_mirror();
    let env = TestEnv::new();
    let (go122, root) = install_arm64(&env, &server, &versions);
    assert!(
        !env.gov_home.join("versions").join(&go122).exists(),
        "not among this machine's releases"
    );

    let out = under_qemu(&env, &root, &root.join("bin/go"), &["version"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), format!("go version go{go122} linux/arm64\n"));

    // Go forks its arm64 compiler, assembler and linker: -toolexec runs
    // each through qemu.
    env.write("hello/go.mod", "module example.com/hello\n\ngo 1.22\n");
    env.write(
        "hello/main.go",
        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from arm64\") }\n",
    );
    let program = env.work.join("hello/hello");
    let started = Instant::now();
    let out = under_qemu(
        &env,
        &root,
        &root.join("bin/go"),
        &["build", "-toolexec", QEMU, "-o", "hello", "."],
    )
    .current_dir(env.work.join("hello"))
    .output()
    .unwrap();
    assert_success(&out);
    eprintln!(
        "go build under qemu took {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let header = std::fs::read(&program).unwrap();
    assert_eq!(&header[..4], b"\x7fELF");
    // e_machine, little-endian: EM_AARCH64 (183).
    assert_eq!(u16::from_le_bytes([header[18], header[19]]), 183);
    let out = env.command(qemu()).arg(&program).output().unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), "hello from arm64\n");
    drop(server);
}

#[test]
fn list_mirror_sbom_and_export_see_the_real_arm64_release() {
    let (server, versions) = serve_real_mirror();
    let env = TestEnv::new();
    let (go122, _root) = install_arm64(&env, &server, &versions);
    let archive = format!("go{go122}.linux-arm64.tar.gz");
    let digest = published_digest(&archive);

    let listed = env.gov_ok(["list", "--all-platforms"]);
    assert!(
        listed
            .lines()
            .any(|l| l.contains(&go122) && l.contains("(linux-arm64, for another machine)")),
        "{listed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.gov_ok(["list", "--all-platforms", "--json"])).unwrap();
    let entry = json
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["platform"] == "linux-arm64")
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(entry["version"], go122.as_str(), "{json:#}");
    assert_eq!(env.gov_ok(["list", "--bare"]), "", "none of this machine's");

    // A mirror for arm64 nodes: the real archive, its true digest.
    let dir = env.root.join("mirror");
    let out = env
        .gov_cmd(["mirror"])
        .arg(&dir)
        .args(["--os", "linux", "--arch", "arm64", "1.22"])
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
    let body = std::fs::read(dir.join(&archive)).unwrap();
    assert_eq!(archive::sha256(&body), digest);
    let beside = std::fs::read_to_string(dir.join(format!("{archive}.sha256"))).unwrap();
    assert_eq!(beside.split_whitespace().next(), Some(digest.as_str()));
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let file = &index[0]["files"][0];
    assert_eq!(
        (file["filename"].as_str(), file["arch"].as_str()),
        (Some(archive.as_str()), Some("arm64")),
        "{index:#}"
    );
    assert_eq!(file["sha256"], digest.as_str());
    assert!(
        !dir.join(format!("go{go122}.linux-amd64.tar.gz")).exists(),
        "only what was asked"
    );

    // The SBOM of the store: the arm64 toolchain, with its platform and the
    // archive's digest.
    let sbom = env.root.join("store.cdx.json");
    let out = env
        .gov_cmd(["sbom", "--format", "cyclonedx", "--output"])
        .arg(&sbom)
        .output()
        .unwrap();
    assert_success(&out);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    let components = doc["components"].as_array().unwrap();
    assert_eq!(components.len(), 1, "{doc:#}");
    let go = &components[0];
    assert_eq!(go["version"], go122.as_str());
    let has =
        |name: &str, value: &str| {
            go["properties"].as_array().unwrap().iter().any(|p| {
                p["name"].as_str().is_some_and(|n| n.ends_with(name)) && p["value"] == value
            })
        };
    assert!(has("platform", "linux-arm64"), "{go:#}");
    assert!(
        go["hashes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["content"] == digest.as_str()),
        "{go:#}"
    );
    let spdx = env.root.join("store.spdx.json");
    let out = env
        .gov_cmd(["sbom", "--format", "spdx", "--output"])
        .arg(&spdx)
        .output()
        .unwrap();
    assert_success(&out);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).unwrap()).unwrap();
    let p = &doc["packages"][0];
    assert_eq!(p["versionInfo"], go122.as_str());
    assert_eq!(p["checksums"][0]["checksumValue"], digest.as_str());
    // SPDX wants a domain name there, which a loopback address is not;
    // the comment names the archive it came from.
    assert_eq!(p["downloadLocation"], "NOASSERTION");
    assert!(
        p["comment"]
            .as_str()
            .unwrap()
            .contains(&format!("downloaded from {}", server.url(&archive))),
        "{p:#}"
    );

    // A Dockerfile for arm64 images fetches that archive and checks it.
    env.write("app/go.mod", "module example.com/hello\n\ngo 1.22\n");
    env.write("app/go.sum", "");
    env.write("app/.go-version", "1.22\n");
    let out = env
        .gov_cmd([
            "export",
            "dockerfile",
            "--add",
            "--os",
            "linux",
            "--arch",
            "arm64",
        ])
        .current_dir(env.work.join("app"))
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
    let add = format!(
        "ADD --checksum=sha256:{digest} {} /tmp/go.tar.gz",
        server.url(&archive)
    );
    assert!(
        stdout(&out).lines().any(|l| l == add),
        "{add}\nin:\n{}",
        stdout(&out)
    );
    drop(server);
}

/// A store where the real arm64 Go root sits where gov runs releases
/// from: its archive unpacked by hand, as on a shared disk, and linked.
/// Also the same release kept properly, for another machine.
fn arm64_linked(env: &TestEnv) -> String {
    let (server, versions) = serve_real_mirror();
    let (go122, _) = install_arm64(env, &server, &versions);
    let unpacked = env.root.join("nfs");
    std::fs::create_dir_all(&unpacked).unwrap();
    let archive = real_mirror_dir().join(format!("go{go122}.linux-arm64.tar.gz"));
    let out = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .output()
        .unwrap();
    assert_success(&out);
    env.link(&go122, &unpacked.join("go"));
    env.gov_ok(["global", &go122]);
    go122
}

fn refused(out: &Output, go122: &str) {
    assert_eq!(out.status.code(), Some(1), "{}", run_text(out));
    let err = stderr(out);
    assert!(
        err.starts_with(&format!(
            "error: Go {go122} is built for linux-arm64, not for this machine (linux-amd64): "
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "is a Go root for linux-arm64: run `gov uninstall {go122}`"
        )),
        "{err}"
    );
    // Had it been run, the kernel would have said so (no binfmt handler).
    assert!(!err.contains("format error"), "{err}");
    assert_eq!(stdout(out), "");
}

#[test]
fn the_real_arm64_go_where_gov_runs_releases_is_refused_not_run() {
    let env = TestEnv::new();
    let go122 = arm64_linked(&env);

    let run = env.gov(["run", &go122, "go", "version"]);
    refused(&run, &go122);
    let exec = env.gov(["exec", "go", "version"]);
    refused(&exec, &go122);
    let shim = env.command(env.shim("go")).arg("version").output().unwrap();
    refused(&shim, &go122);
    // A program of the release other than `go`, and one from elsewhere
    // that would run this release's `go`.
    refused(
        &env.command(env.shim("gofmt")).arg("-l").output().unwrap(),
        &go122,
    );
    refused(&env.gov(["exec", "sh", "-c", "go version"]), &go122);
    let names = [(go122.as_str(), "go1.22")];
    snapshot_settings_naming(&env, &names).bind(|| {
        insta::assert_snapshot!(transcript(&[
            ("gov run 1.22.x go version", &run),
            ("go version", &shim),
        ]));
    });

    let out = env.gov(["doctor", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let machine = doctor_check(&report, "machine");
    assert_eq!(machine["status"], "fail", "{machine:#}");
    assert!(
        machine["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("Go {go122} is built for linux-arm64")),
        "{machine:#}"
    );
    assert!(
        machine["fix"]
            .as_str()
            .unwrap()
            .contains(&format!("gov uninstall {go122}")),
        "{machine:#}"
    );
    let platforms = doctor_check(&report, "platforms");
    assert_eq!(platforms["status"], "ok", "kept apart is no problem");
    assert!(
        platforms["detail"]
            .as_str()
            .unwrap()
            .ends_with(&format!("never run here: linux-arm64: {go122}")),
        "{platforms:#}"
    );
    assert_eq!(doctor_check(&report, "toolchain")["status"], "fail");
    let human = stdout(&env.gov(["doctor"]));
    assert!(
        human.contains(&format!(
            "FAIL machine       Go {go122} is built for linux-arm64"
        )),
        "{human}"
    );

    // The fix the hint gives: the link goes, the directory stays, and
    // the kept release still is kept.
    env.gov_ok(["uninstall", &go122]);
    assert!(env.root.join("nfs/go/bin/go").is_file());
    let out = env.gov(["doctor", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doctor_check(&report, "machine")["status"], "ok");
}
