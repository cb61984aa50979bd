//! The prebuilt way in, end to end: `scripts/release.sh` builds the
//! binary, a loopback server serves it as a release would, and the
//! installer (`curl … | sh`) installs it into a clean HOME with no Rust
//! anywhere on PATH; a wrong digest installs nothing.

use std::sync::Arc;

use crate::common::server::{Reply, Server};
use crate::common::*;

#[test]
fn the_installer_installs_a_verified_prebuilt_gov_without_rust() {
    let env = TestEnv::new();
    let dist = env.root.join("dist");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let built = std::process::Command::new(repo.join("scripts/release.sh"))
        .arg(&dist)
        .current_dir(repo)
        .output()
        .unwrap();
    assert_success(&built);
    let server = Server::start();
    for entry in std::fs::read_dir(&dist).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        server.route(
            &name,
            Reply::Body(Arc::new(std::fs::read(entry.path()).unwrap())),
        );
    }
    let install = |prefix: &std::path::Path| {
        env.command("sh")
            .args([
                "-c",
                &format!(
                    "curl -fsSL '{}' | sh -s -- --prefix '{}'",
                    server.url("get-gov.sh"),
                    prefix.display()
                ),
            ])
            // No cargo, no rustc: only the system's programs.
            .env("PATH", "/usr/bin:/bin")
            .env("GOV_RELEASE_URL", &server.base)
            .output()
            .unwrap()
    };
    let prefix = env.root.join("prefix");
    let out = install(&prefix);
    assert_success(&out);
    assert!(
        stdout(&out).contains("get-gov: installed gov "),
        "{}",
        stdout(&out)
    );
    let version = env
        .command(prefix.join("bin/gov"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        stdout(&version),
        format!("gov {}\n", env!("CARGO_PKG_VERSION"))
    );

    // A digest that does not match: refused, nothing installed.
    let name = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".sha256"))
        .unwrap();
    server.route(
        &name,
        Reply::Body(Arc::new(format!("{}  x\n", "0".repeat(64)).into_bytes())),
    );
    let other = env.root.join("other-prefix");
    let out = install(&other);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("checksum mismatch"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("nothing was installed"),
        "{}",
        stderr(&out)
    );
    assert!(!other.join("bin/gov").exists());
}
