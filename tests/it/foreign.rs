//! Another machine's Go root where gov runs releases from, with fake
//! programs that are only an ELF header: each way it can come there gets
//! its own fix, and nothing is run. (tests/real/arm64.rs does it with a
//! real arm64 Go.) Written for the x86-64 Linux machines the tests run on.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::path::{Path, PathBuf};

use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

/// The first bytes of an ELF executable for `e_machine` (little-endian,
/// 64-bit unless `class` says 1), then zeros.
fn elf(class: u8, machine: u16) -> Vec<u8> {
    let mut header = vec![0x7f, b'E', b'L', b'F', class, 1, 1, 0];
    header.resize(16, 0);
    header.extend_from_slice(&2u16.to_le_bytes());
    header.extend_from_slice(&machine.to_le_bytes());
    header.resize(64, 0);
    header
}

const EM_AARCH64: u16 = 183;
const EM_386: u16 = 3;

/// A Go root at `at` whose `bin/go` is `header`; `bin/gofmt` is a script.
fn root_with(at: &Path, version: &str, header: &[u8]) -> PathBuf {
    write_go_root(at, Some(&format!("go{version}")), "");
    std::fs::write(at.join("bin/go"), header).unwrap();
    write_executable(&at.join("bin/gofmt"), "#!/bin/sh\necho gofmt ran\n");
    at.to_path_buf()
}

#[test]
fn a_linked_root_of_another_machine_is_refused_by_every_way_of_running_it() {
    let env = TestEnv::new();
    let dir = root_with(&env.root.join("arm64-go"), "1.22.4", &elf(2, EM_AARCH64));
    env.link("1.22.4", &dir);
    env.gov_ok(["global", "1.22.4"]);
    let run = env.gov(["run", "1.22", "go", "version"]);
    gov_snapshot!("linked", env, &run);
    let runs = [
        env.gov(["exec", "go", "version"]),
        env.command(env.shim("go")).arg("version").output().unwrap(),
        env.command(env.shim("go1.22.4"))
            .arg("version")
            .output()
            .unwrap(),
        env.command(env.shim("go"))
            .args(["+1.22.4", "version"])
            .output()
            .unwrap(),
        // A script of the release: its `go` is another machine's all the same.
        env.gov(["exec", "gofmt", "-l"]),
        env.gov(["exec", "sh", "-c", "echo ran"]),
        env.gov(["matrix", "1.22.4", "--", "go", "version"]),
    ];
    for out in &runs {
        assert_eq!(error_text(out), error_text(&run));
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stdout(out), "", "nothing ran");
    }
}

#[test]
fn in_the_system_store_the_fix_is_your_own_release_and_the_administrator_s() {
    let env = TestEnv::new();
    let system = env.root.join("opt-gov");
    let dir = root_with(&env.root.join("arm64-go"), "1.22.4", &elf(2, EM_AARCH64));
    let out = env
        .gov_cmd(["--system", "link", "1.22.4"])
        .arg(&dir)
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    assert_success(&out);
    let out = env
        .gov_cmd(["run", "1.22.4", "go", "version"])
        .env("GOV_SYSTEM_HOME", &system)
        .output()
        .unwrap();
    gov_snapshot!(env, &out);
}

#[test]
fn in_the_store_itself_the_fix_is_a_reinstall_or_a_store_per_platform() {
    // A GOV_HOME shared with arm64 machines: their install is a directory
    // in `versions/` like any other.
    let env = TestEnv::new();
    root_with(
        &env.gov_home.join("versions/1.22.4"),
        "1.22.4",
        &elf(2, EM_AARCH64),
    );
    let out = env.gov(["run", "1.22.4", "go", "version"]);
    gov_snapshot!("in_store", env, &out);
    let out = env.gov(["doctor"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains(" machine "))
        .take(3)
        .collect();
    text_snapshot!("in_store_doctor", env, lines.join("\n"));
}

#[test]
fn what_is_not_clearly_another_machine_s_is_run_as_before() {
    let env = TestEnv::new();
    // 32-bit x86 runs natively here: exec is tried (and this fake fails:
    // the kernel refuses it, and the C library hands it to `sh`).
    let dir = root_with(&env.root.join("i386-go"), "1.22.4", &elf(1, EM_386));
    env.link("1.22.4", &dir);
    let tried = |out: &std::process::Output| {
        assert!(!out.status.success());
        assert!(!stderr(out).contains("is built for"), "{}", stderr(out));
    };
    tried(&env.gov(["run", "1.22.4", "go", "version"]));
    tried(&env.command(env.shim("go")).arg("version").output().unwrap());
    // A script is not refused.
    let out = env.gov(["run", "1.22.4", "gofmt"]);
    assert_success(&out);
    assert_eq!(stdout(&out), "gofmt ran\n");
    // Nor a program cut short.
    std::fs::write(dir.join("bin/go"), &elf(2, EM_AARCH64)[..18]).unwrap();
    tried(&env.gov(["run", "1.22.4", "go", "version"]));
}
