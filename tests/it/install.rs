//! `gov install` and `gov list-remote` against a real HTTP server on
//! loopback: good mirrors, lying ones, dead ones, hostile archives.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::archive::{self, Entry};
use crate::common::mirror::Mirror;
use crate::common::server::{Gate, Reply, Server};
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

#[test]
fn installs_the_newest_match_and_runs_it() {
    let m = Mirror::new(&["1.21.5", "1.22.1", "1.22.4", "1.23rc1"]);
    let out = m.gov(&["install", "1.22"]);
    gov_snapshot!("installed", m.env, &out);
    let root = m.env.gov_home.join("versions/1.22.4");
    assert!(root.join("bin/go").is_file());
    assert_eq!(
        std::fs::read_link(root.join("misc/version-link")).unwrap(),
        std::path::Path::new("../VERSION")
    );
    assert_eq!(
        std::fs::read_to_string(root.join("misc/version-copy")).unwrap(),
        std::fs::read_to_string(root.join("VERSION")).unwrap()
    );

    let out = m.env.go(&m.env.work, &["+1.22"]);
    assert_eq!(
        stdout(&out),
        format!(
            "go version go1.22.4 linux/amd64 GOROOT={}\n",
            root.display()
        )
    );

    let out = m.gov(&["install", "go1.22.4"]);
    gov_snapshot!("already_installed", m.env, &out);
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 1);

    assert_eq!(
        stdout(&m.gov(&["list-remote"])),
        "1.22.4  (installed)\n1.22.1\n1.21.5\n"
    );
    assert_eq!(
        stdout(&m.gov(&["list-remote", "1.22", "--all"])),
        "1.22.4  (installed)\n1.22.1\n"
    );
    assert_eq!(
        stdout(&m.gov(&["list-remote", "--all"])).lines().next(),
        Some("1.23rc1")
    );
    let json: serde_json::Value =
        serde_json::from_slice(&m.gov(&["list-remote", "--json"]).stdout).unwrap();
    assert_eq!(json[0]["version"], "1.22.4");
    assert_eq!(json[0]["installed"], true);
    assert_eq!(json[0]["archive"], "go1.22.4.linux-amd64.tar.gz");
    assert_eq!(m.server.hits("index.json"), 1, "the index is cached");
}

#[test]
fn installs_several_and_what_the_directory_selects() {
    let m = Mirror::new(&["1.21.5", "1.22.1", "1.22.4", "1.23rc1"]);
    assert_success(&m.gov(&["install", "1.21", "1.23rc1"]));
    m.env.write("go.mod", "module m\n\ngo 1.22.0\n");
    // 1.23rc1 is not older than the go line: it runs, nothing to install.
    let out = m.gov(&["install"]);
    gov_snapshot!("runs_here", m.env, &out);
    assert_success(&m.gov(&["uninstall", "1.23rc1"]));
    // Now nothing reaches 1.22.0: the newest 1.22 release is installed.
    text_snapshot!(
        "installs_what_selects",
        m.env,
        transcript(&[
            ("gov install", &m.gov(&["install"])),
            ("gov list", &m.gov(&["list"])),
        ])
    );
}

#[test]
fn another_platform_goes_beside_the_store() {
    let m = Mirror::new(&["1.22.4"]);
    let body = archive::fake_release("1.22.4");
    m.server
        .route("go1.22.4.linux-arm64.tar.gz", Reply::Body(Arc::new(body)));
    let out = m.gov(&["install", "1.22.4", "--os", "linux", "--arch", "arm64"]);
    assert_success(&out);
    assert!(m
        .env
        .gov_home
        .join("platforms/linux-arm64/1.22.4/bin/go")
        .is_file());
    assert!(
        !m.env.gov_home.join("versions/1.22.4").exists(),
        "never selected to run here"
    );
}

#[test]
fn auto_install_on_first_use() {
    let m = Mirror::new(&["1.22.4"]);
    m.env.link("1.21.5", &m.env.fake_toolchain("1.21.5"));
    m.env.write(".go-version", "1.22.4\n");
    let out = m.env.go(&m.env.work, &[]);
    gov_snapshot!(m.env, &out);
    let out = m
        .env
        .go_cmd(&[])
        .env("GOV_AUTO_INSTALL", "1")
        .env("GOV_INDEX_URL", m.server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &m.server.base)
        .output()
        .unwrap();
    gov_snapshot!("auto_installed", m.env, &out);
}

#[test]
fn a_wrong_digest_installs_nothing() {
    let m = Mirror::new(&["1.22.4"]);
    let index = archive::index(&[("1.22.4", &"ab".repeat(32))]);
    m.server.route("index.json", Reply::Body(Arc::new(index)));
    let out = m.gov(&["install", "1.22.4"]);
    // The snapshot holds the digest the fake release really has.
    assert!(stderr(&out).contains(&archive::sha256(&archive::fake_release("1.22.4"))));
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();
}

#[test]
fn an_index_digest_that_is_not_one_is_refused_before_any_download() {
    for listed in ["ab", "ab ".repeat(32).trim_end(), &"g".repeat(64)] {
        let m = Mirror::new(&["1.22.4"]);
        let index = archive::index(&[("1.22.4", listed)]);
        m.server.route("index.json", Reply::Body(Arc::new(index)));
        let out = m.gov(&["install", "1.22.4"]);
        assert_failure(
            &out,
            1,
            &[&format!(
                "error: the release index lists sha256 `{listed}` for `go1.22.4.linux-amd64.tar.gz`, which is not 64 hex digits\nhint: nothing was installed;"
            )],
        );
        assert_eq!(m.server.paths_hit(), ["/index.json"]);
        m.assert_nothing_installed();
    }
    // A digest in capitals is a digest.
    let m = Mirror::new(&["1.22.4"]);
    let digest = archive::sha256(&archive::fake_release("1.22.4")).to_ascii_uppercase();
    let index = archive::index(&[("1.22.4", &digest)]);
    m.server.route("index.json", Reply::Body(Arc::new(index)));
    assert_success(&m.gov(&["install", "1.22.4"]));
}

#[test]
fn digests_from_sha256_files_and_the_loud_opt_out() {
    let m = Mirror::new(&["1.22.4"]);
    m.server.route(
        "index.json",
        Reply::Body(Arc::new(archive::index(&[("1.22.4", "")]))),
    );
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();

    let out = m.gov(&["install", "1.22.4", "--skip-checksum"]);
    gov_snapshot!("skip_checksum", m.env, &out);
    assert_success(&m.gov(&["uninstall", "1.22.4"]));

    let digest = archive::sha256(&archive::fake_release("1.22.4"));
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz.sha256",
        Reply::Body(Arc::new(
            format!("{digest}  go1.22.4.linux-amd64.tar.gz\n").into_bytes(),
        )),
    );
    assert_success(&m.gov(&["install", "1.22.4"]));
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz.sha256",
        Reply::Body(Arc::new(format!("{}\n", "0".repeat(64)).into_bytes())),
    );
    assert_success(&m.gov(&["uninstall", "1.22.4"]));
    gov_snapshot!(m.env, &m.gov(&["install", "1.22.4"]));
}

#[test]
fn server_errors_are_retried() {
    let m = Mirror::new(&["1.22.4"]);
    let body = Arc::new(archive::fake_release("1.22.4"));
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::FailThen(500, 2, body.clone()),
    );
    assert_success(&m.gov(&["install", "1.22.4"]));
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 3);

    assert_success(&m.gov(&["uninstall", "1.22.4"]));
    m.server
        .route("go1.22.4.linux-amd64.tar.gz", Reply::Status(503));
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    assert_eq!(
        m.server.hits("go1.22.4.linux-amd64.tar.gz"),
        3 + 4,
        "four tries, then a clear error"
    );
    m.assert_nothing_installed();
}

#[test]
fn unknown_releases_and_missing_archives() {
    let m = Mirror::new(&["1.22.4"]);
    let out = m.gov(&["install", "1.30"]);
    gov_snapshot!(m.env, &out);
    m.server
        .route("go1.22.4.linux-amd64.tar.gz", Reply::Status(404));
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    assert_eq!(
        m.server.hits("go1.22.4.linux-amd64.tar.gz"),
        1,
        "a 404 is not retried"
    );
    m.assert_nothing_installed();
}

/// The snapshot settings for a server that drops connections: the HTTP
/// client words that as EOF or reset, by timing.
fn dropped_settings(env: &TestEnv) -> insta::Settings {
    let mut settings = snapshot_settings(env);
    settings.add_filter(
        r"(http://\[SERVER\]/[^ ]*): (Network Error|Connection Failed|Io)[^\n]*?(\); retrying|\n)",
        "$1: [DROPPED]$3",
    );
    settings.add_filter(
        r"(?m)^  caused by: (Unexpected EOF|Connection reset.*)\n",
        "",
    );
    settings
}

#[test]
fn truncated_dropped_and_stalled_downloads() {
    let m = Mirror::new(&["1.22.4"]);
    let body = Arc::new(archive::fake_release("1.22.4"));
    let half = body.len() / 2;
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Truncate(body.clone(), half),
    );
    gov_snapshot!(m.env, &m.gov(&["install", "1.22.4"]));
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 4, "retried");
    m.assert_nothing_installed();

    m.server.route("go1.22.4.linux-amd64.tar.gz", Reply::Drop);
    // The client words a dropped connection as EOF or reset, by timing.
    let out = m.gov(&["install", "1.22.4"]);
    dropped_settings(&m.env).bind(|| insta::assert_snapshot!("dropped", run_text(&out)));
    m.assert_nothing_installed();

    // A stall fails within GOV_HTTP_TIMEOUT, retries included: here 3 s
    // (each attempt waits 0.6 s for a byte, ample for the server to send
    // the first half), checked against 30 s, which only a timeout that
    // does not work reaches (the server stalls for a minute), however
    // busy the machine.
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Stall(body.clone(), half),
    );
    let before = m.server.hits("go1.22.4.linux-amd64.tar.gz");
    let start = Instant::now();
    let out = output_within(
        m.gov_cmd(["install", "1.22.4"])
            .env("GOV_HTTP_TIMEOUT", "3"),
        PATIENCE,
    );
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(30),
        "a stall times out: {took:?}"
    );
    // How many attempts fit in the budget depends on how fast each one
    // gives up: at least two, at most four, each but the last announced.
    let attempts = m.server.hits("go1.22.4.linux-amd64.tar.gz") - before;
    assert!((2..=4).contains(&attempts), "{attempts} attempts");
    let err = stderr(&out);
    assert_eq!(
        err.matches("(timed out reading response); retrying in ")
            .count(),
        attempts - 1,
        "{err}"
    );
    assert!(
        err.contains(&format!("after {attempts} attempts in ")),
        "{err}"
    );
    let mut settings = snapshot_settings(&m.env);
    settings.add_filter(r"(?m)^warning: .*\n", "");
    settings.add_filter(r"after [234] attempts", "after [N] attempts");
    settings.bind(|| insta::assert_snapshot!(run_text(&out)));
    m.assert_nothing_installed();
}

#[test]
fn hostile_archives_are_refused() {
    let cases: Vec<(&str, Vec<Entry>)> = vec![
        (
            "dot-dot",
            vec![
                Entry::file("go/bin/go", b"x", 0o755),
                Entry::file("go/../../evil", b"x", 0o644),
            ],
        ),
        ("absolute", vec![Entry::file("/tmp/gov-evil", b"x", 0o644)]),
        (
            "not under go/",
            vec![Entry::file("evil/bin/go", b"x", 0o755)],
        ),
        (
            "symlink out",
            vec![
                Entry::symlink("go/etc", "../../../etc"),
                Entry::file("go/bin/go", b"x", 0o755),
            ],
        ),
        (
            "absolute symlink",
            vec![Entry::symlink("go/passwd", "/etc/passwd")],
        ),
        (
            "hard link out",
            vec![Entry::hardlink("go/passwd", "/etc/passwd")],
        ),
        (
            "device",
            vec![Entry::special("go/dev", tar::EntryType::Char)],
        ),
        (
            "no go binary",
            vec![Entry::file("go/VERSION", b"go1.22.4\n", 0o644)],
        ),
    ];
    for (what, entries) in cases {
        let m = Mirror::new(&[]);
        let body = archive::tar_gz(&entries);
        m.publish("1.22.4", body);
        let out = m.gov(&["install", "1.22.4"]);
        let name = format!("hostile_archive_{}", what.replace([' ', '/', '-'], "_"));
        gov_snapshot!(name, m.env, &out);
        m.assert_nothing_installed();
        assert!(!std::path::Path::new("/tmp/gov-evil").exists(), "{what}");
        assert!(!m.env.root.join("evil").exists(), "{what}");
    }
}

#[test]
fn concurrent_installs_download_once() {
    let m = Mirror::new(&["1.22.4"]);
    let body = Arc::new(archive::fake_release("1.22.4"));
    // The first download stays in progress until the other two installs
    // say they wait for it: the three overlap by construction.
    let gate = Gate::new();
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Hold(body.clone(), body.len() / 2, gate.clone()),
    );
    // Each install, with what it has said on stderr so far.
    let children: Vec<_> = (0..3)
        .map(|_| {
            let mut child = m
                .gov_cmd(["install", "1.22.4"])
                // The held download waits for the test, not for a timeout.
                .env("GOV_HTTP_TIMEOUT", "600")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut err = child.stderr.take().unwrap();
            let said = Arc::new(std::sync::Mutex::new(String::new()));
            let heard = said.clone();
            let pump = std::thread::spawn(move || {
                let mut buf = [0; 4096];
                while let Ok(n @ 1..) = std::io::Read::read(&mut err, &mut buf) {
                    heard
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
            (child, said, pump)
        })
        .collect();
    wait_until("two installs waiting for the first", || {
        children
            .iter()
            .filter(|(_, said, _)| {
                said.lock()
                    .unwrap()
                    .contains("waiting for another gov installing Go 1.22.4")
            })
            .count()
            == 2
    });
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 1);
    gate.open();
    for (mut child, said, pump) in children {
        let status = child.wait().unwrap();
        pump.join().unwrap();
        assert!(status.success(), "{status}: {}", said.lock().unwrap());
    }
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 1);
    assert!(m.env.gov_home.join("versions/1.22.4/bin/go").is_file());
}

#[test]
fn a_killed_install_leaves_nothing_and_the_next_run_recovers() {
    let m = Mirror::new(&["1.22.4"]);
    let body = Arc::new(archive::fake_release("1.22.4"));
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Stall(body.clone(), body.len() / 2),
    );
    let mut child = m
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_HTTP_TIMEOUT", "60")
        .spawn()
        .unwrap();
    let staging = m.env.gov_home.join("tmp");
    wait_until("the install to start unpacking", || {
        staging.join("linux-amd64-1.22.4/go/VERSION").exists()
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!m.env.gov_home.join("versions/1.22.4").exists());
    assert!(m.env.gov(["list"]).stdout.is_empty(), "nothing visible");

    m.server
        .route("go1.22.4.linux-amd64.tar.gz", Reply::Body(body));
    assert_success(&m.gov(&["install", "1.22.4"]));
    assert!(m.env.gov_home.join("versions/1.22.4/bin/go").is_file());
    assert_eq!(
        std::fs::read_dir(&staging).unwrap().count(),
        0,
        "leftovers cleaned"
    );
}

#[test]
fn offline_and_stale_index() {
    let m = Mirror::new(&["1.22.4"]);
    let out = m
        .gov_cmd(["list-remote"])
        .env("GOV_OFFLINE", "1")
        .output()
        .unwrap();
    gov_snapshot!(m.env, &out);
    assert_eq!(m.server.hits("index.json"), 0);
    assert_success(&m.gov(&["list-remote"]));
    let out = m
        .gov_cmd(["list-remote"])
        .env("GOV_OFFLINE", "1")
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "1.22.4\n");
    let out = m
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_OFFLINE", "1")
        .output()
        .unwrap();
    gov_snapshot!(m.env, &out);

    // A dead server: the stale copy serves, with a warning.
    m.server.route("index.json", Reply::Drop);
    let out = m.gov(&["list-remote", "--refresh"]);
    // The client words a dropped connection as EOF or reset, by timing.
    dropped_settings(&m.env).bind(|| insta::assert_snapshot!("stale_copy_serves", run_text(&out)));

    // Another mirror's index is never served from this one's cache.
    let other = Mirror::new(&["1.21.5"]);
    let out = m
        .gov_cmd(["list-remote", "--verbose"])
        .env("GOV_INDEX_URL", other.server.url("index.json"))
        .output()
        .unwrap();
    // From the other mirror, its own port.
    assert!(stderr(&out).contains(&other.server.url("index.json")));
    text_snapshot!(
        "verbose_says_where_the_index_came_from",
        m.env,
        transcript(&[
            ("GOV_INDEX_URL=OTHER gov list-remote --verbose", &out),
            (
                "gov list-remote --verbose",
                &m.gov(&["list-remote", "--verbose"]),
            ),
        ])
    );

    m.server
        .route("index.json", Reply::Body(Arc::new(b"<html>".to_vec())));
    let out = m.gov(&["list-remote", "--refresh"]);
    gov_snapshot!(m.env, &out);
}

#[test]
fn file_urls_and_plain_directories() {
    let m = Mirror::new(&[]);
    let dir = m.env.root.join("mirror");
    std::fs::create_dir_all(&dir).unwrap();
    let body = archive::fake_release("1.22.4");
    std::fs::write(dir.join("go1.22.4.linux-amd64.tar.gz"), &body).unwrap();
    std::fs::write(
        dir.join("index.json"),
        archive::index(&[("1.22.4", &archive::sha256(&body))]),
    )
    .unwrap();
    let out = m
        .gov_cmd(["install", "1.22"])
        .env(
            "GOV_INDEX_URL",
            format!("file://{}", dir.join("index.json").display()),
        )
        .env("GOV_DOWNLOAD_URL", &dir)
        .output()
        .unwrap();
    assert_success(&out);
    assert_success(&m.gov(&["uninstall", "1.22.4"]));
    let out = m
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_INDEX_URL", dir.join("index.json"))
        .env("GOV_DOWNLOAD_URL", format!("file://{}/", dir.display()))
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn a_full_disk_is_a_clean_error() {
    let m = Mirror::new(&[]);
    let big = vec![7u8; 1 << 20];
    let body = archive::tar_gz(&[
        Entry::file("go/bin/go", b"#!/bin/sh\n", 0o755),
        Entry::file("go/pkg/big", &big, 0o644),
    ]);
    m.publish("1.22.4", body);
    let disk = SmallDisk::mount(m.env.root.join("small"), "256k");
    let home = disk.0.join("gov");
    let out = m
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_HOME", &home)
        .output()
        .unwrap();
    gov_snapshot!(m.env, &out);
    assert_eq!(
        m.server.hits("go1.22.4.linux-amd64.tar.gz"),
        1,
        "a full disk is not retried"
    );
    assert!(!home.join("versions/1.22.4").exists());
    assert_eq!(
        std::fs::read_dir(home.join("tmp")).unwrap().count(),
        0,
        "scratch cleared"
    );
}

/// go.dev's index listing `body` as `version`'s archives, with its digest
/// and its size declared.
pub(crate) fn sized_index(version: &str, body: &[u8]) -> Vec<u8> {
    let listed = archive::index(&[(version, &archive::sha256(body))]);
    let mut index: serde_json::Value = serde_json::from_slice(&listed).unwrap();
    for file in index[0]["files"].as_array_mut().unwrap() {
        file["size"] = body.len().into();
    }
    serde_json::to_vec(&index).unwrap()
}

#[test]
fn an_archive_followed_by_endless_bytes_is_cut_off_at_its_declared_size() {
    let m = Mirror::new(&[]);
    let body = archive::fake_release("1.22.4");
    m.server.route(
        "index.json",
        Reply::Body(Arc::new(sized_index("1.22.4", &body))),
    );
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Endless(Arc::new(body.clone())),
    );
    let out = output_within(&mut m.gov_cmd(["install", "1.22.4"]), PATIENCE);
    gov_snapshot!(m.env, &out);
    let limit = format!("more than the {} bytes", body.len());
    assert!(stderr(&out).contains(&limit), "the archive's size");
    assert_eq!(
        m.server.hits("go1.22.4.linux-amd64.tar.gz"),
        1,
        "a refusal, not retried"
    );
    m.assert_nothing_installed();
}

#[test]
fn a_total_deadline_fires_while_bytes_keep_coming() {
    let m = Mirror::new(&[]);
    // An archive followed by padding, 16 bytes every 100 ms: never a
    // stall, yet minutes for the whole.
    let mut body = archive::fake_release("1.22.4");
    body.resize(32 << 10, 0);
    m.publish("1.22.4", body.clone());
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Slow(Arc::new(body), 16, Duration::from_millis(100)),
    );
    // The deadline is 1 s; 30 s is reached only if it does not fire
    // (the drip takes over three minutes), however busy the machine.
    let start = Instant::now();
    let out = output_within(
        m.gov_cmd(["install", "1.22.4"])
            .env("GOV_DOWNLOAD_DEADLINE", "1"),
        PATIENCE,
    );
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
    gov_snapshot!(m.env, &out);
    assert_eq!(
        m.server.hits("go1.22.4.linux-amd64.tar.gz"),
        1,
        "the deadline is for all attempts together"
    );
    m.assert_nothing_installed();
}

#[test]
fn an_archive_of_unknown_size_meets_the_deadline_too() {
    let m = Mirror::new(&["1.22.4"]);
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Endless(Arc::new(archive::fake_release("1.22.4"))),
    );
    let out = output_within(
        m.gov_cmd(["install", "1.22.4"])
            .env("GOV_DOWNLOAD_DEADLINE", "1"),
        PATIENCE,
    );
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();
}

#[test]
fn out_of_range_timeouts_are_errors_naming_the_variable() {
    let m = Mirror::new(&["1.22.4"]);
    let cases = [
        ("GOV_HTTP_TIMEOUT", "abc"),
        ("GOV_HTTP_TIMEOUT", "NaN"),
        // Milliseconds that Duration arithmetic would overflow.
        ("GOV_RETRY_DELAY_MS", "18446744073709551616000"),
        ("GOV_DOWNLOAD_DEADLINE", "-1"),
        ("GOV_DOWNLOAD_DEADLINE", "1e9"),
        ("GOV_DOWNLOAD_URL", "ftp://mirror/go"),
    ];
    let runs: Vec<(String, std::process::Output)> = cases
        .iter()
        .map(|(var, value)| {
            let out = m
                .gov_cmd(["install", "1.22.4"])
                .env(var, value)
                .output()
                .unwrap();
            (format!("{var}='{value}' gov install 1.22.4"), out)
        })
        .collect();
    let runs: Vec<(&str, &std::process::Output)> =
        runs.iter().map(|(l, o)| (l.as_str(), o)).collect();
    text_snapshot!("each_names_its_variable", m.env, transcript(&runs));
    let out = m
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_HTTP_TIMEOUT", "abc")
        .output()
        .unwrap();
    gov_snapshot!(m.env, &out);
    assert_eq!(m.server.hits("index.json"), 0, "nothing downloaded");
    // What downloads nothing is not stopped by it.
    let out = m
        .env
        .gov_cmd(["list"])
        .env("GOV_HTTP_TIMEOUT", "abc")
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn proxies_from_the_environment_and_no_proxy() {
    let m = Mirror::new(&["1.22.4"]);
    let proxy = Server::start();
    for var in ["HTTPS_PROXY", "HTTP_PROXY"] {
        let out = m
            .gov_cmd(["list-remote", "--refresh"])
            .env(var, &proxy.base)
            .output()
            .unwrap();
        gov_snapshot!(m.env, &out);
        assert!(proxy.proxied() > 0, "{var} is honoured");
    }
    let before = proxy.proxied();
    let out = m
        .gov_cmd(["list-remote", "--refresh"])
        .env("HTTPS_PROXY", &proxy.base)
        .env("NO_PROXY", "localhost,127.0.0.1")
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(proxy.proxied(), before, "NO_PROXY bypasses the proxy");
}

#[test]
fn a_release_the_cached_index_lacks_asks_the_server_again() {
    let m = Mirror::new(&["1.22.4"]);
    assert_eq!(stdout(&m.gov(&["list-remote"])), "1.22.4\n");
    let body = archive::fake_release("1.22.5");
    let digest = archive::sha256(&body);
    let old = archive::sha256(&archive::fake_release("1.22.4"));
    m.server.route(
        "index.json",
        Reply::Body(Arc::new(archive::index(&[
            ("1.22.5", &digest),
            ("1.22.4", &old),
        ]))),
    );
    m.server
        .route("go1.22.5.linux-amd64.tar.gz", Reply::Body(Arc::new(body)));
    // Fresh but stale cache: the newest 1.22 it knows is still 1.22.4.
    assert_success(&m.gov(&["install", "1.22"]));
    assert!(m.env.gov_home.join("versions/1.22.4").exists());
    // An exact release it does not list makes gov fetch the index again.
    assert_success(&m.gov(&["install", "1.22.5"]));
    assert!(m.env.gov_home.join("versions/1.22.5/bin/go").is_file());
    assert_eq!(m.server.hits("index.json"), 2);
}

#[test]
fn the_first_release_installed_becomes_the_global_default() {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    let out = m.gov(&["install", "1.21"]);
    gov_snapshot!("first", m.env, &out);
    // So `go` runs at once, anywhere.
    assert_eq!(stdout(&m.gov(&["global"])), "1.21.5\n");
    let out = m.env.go(&m.env.work, &[]);
    assert!(stdout(&out).starts_with("go version go1.21.5 "));
    // Later installs leave the default alone.
    let out = m.gov(&["install", "1.22"]);
    gov_snapshot!("later", m.env, &out);
    assert_eq!(stdout(&m.gov(&["global"])), "1.21.5\n");
}

#[test]
fn other_platforms_are_listed_and_uninstalled_apart() {
    let m = Mirror::new(&["1.22.4"]);
    m.server.route(
        "go1.22.4.linux-arm64.tar.gz",
        Reply::Body(Arc::new(archive::fake_release("1.22.4"))),
    );
    assert_success(&m.gov(&["install", "1.22.4", "--os", "linux", "--arch", "arm64"]));
    assert_eq!(
        stdout(&m.gov(&["list", "--bare"])),
        "",
        "not a release of this machine"
    );
    gov_snapshot!(m.env, &m.gov(&["list", "--all-platforms"]));
    let json: serde_json::Value =
        serde_json::from_slice(&m.gov(&["list", "--all-platforms", "--json"]).stdout).unwrap();
    assert_eq!(json[0]["platform"], "linux-arm64");
    let out = m.gov(&["uninstall", "1.22.4", "--os", "linux", "--arch", "arm64"]);
    assert_success(&out);
    assert!(!m.env.gov_home.join("platforms/linux-arm64/1.22.4").exists());
    assert_eq!(stdout(&m.gov(&["list", "--all-platforms"])), "");
    let out = m.gov(&["uninstall", "1.22.4", "--os", "linux", "--arch", "arm64"]);
    assert_eq!(out.status.code(), Some(1));
}
