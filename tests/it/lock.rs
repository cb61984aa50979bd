//! `gov.lock`: `gov lock` writes it beside the version file, stable and
//! untouched on a re-run; `gov install --locked` (or `GOV_LOCKED=1`)
//! installs exactly the locked archive or fails naming both sides; without
//! it a disagreeing lock is a warning. A lock is read as a hostile file.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::server::Reply;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

fn lock_text(m: &Mirror) -> String {
    std::fs::read_to_string(m.env.work.join("gov.lock")).unwrap()
}

fn mtime(path: &std::path::Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

/// Sets the lock's time an hour back, so a rewrite would show.
fn age(path: &std::path::Path) -> SystemTime {
    let old = SystemTime::now() - Duration::from_secs(3600);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(old).unwrap();
    mtime(path)
}

fn installed(m: &Mirror) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(m.env.gov_home.join("versions"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_lock_is_written_beside_the_version_file_and_a_rerun_leaves_it_alone() {
    let m = Mirror::new(&["1.22.4", "1.22.5"]);
    m.env.write(".go-version", "1.22\n");
    let out = m.gov(&["lock"]);
    gov_snapshot!("lock_written", m.env, &out);
    text_snapshot!("lock_one_platform", m.env, lock_text(&m));
    let path = m.env.work.join("gov.lock");
    let before = std::fs::read(&path).unwrap();
    let when = age(&path);
    let out = m.gov(&["lock"]);
    gov_snapshot!("lock_up_to_date", m.env, &out);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(mtime(&path), when, "an unchanged lock was rewritten");

    // Two platforms; a later run keeps them both.
    let out = m.gov(&["lock", "--os", "linux", "--arch", "arm64"]);
    assert_success(&out);
    text_snapshot!("lock_two_platforms", m.env, lock_text(&m));
    let two = std::fs::read(&path).unwrap();
    let when = age(&path);
    let out = m.gov(&["lock", "--json"]);
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["written"], false);
    assert_eq!(json["release"], "1.22.5");
    assert_eq!(
        json["platforms"],
        serde_json::json!(["linux-amd64", "linux-arm64"])
    );
    assert_eq!(std::fs::read(&path).unwrap(), two);
    assert_eq!(mtime(&path), when);

    // From a subdirectory, the lock still goes beside the version file.
    std::fs::create_dir_all(m.env.work.join("sub/dir")).unwrap();
    let out = m
        .gov_cmd(["lock"])
        .current_dir(m.env.work.join("sub/dir"))
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!m.env.work.join("sub/dir/gov.lock").exists());
    assert_eq!(std::fs::read(&path).unwrap(), two);
}

#[test]
fn the_lock_pins_what_runs_here_and_locked_installs_exactly_that() {
    let m = Mirror::new(&["1.22.4", "1.22.5"]);
    m.env.write(".go-version", "1.22\n");
    assert_success(&m.gov(&["install", "1.22.4"]));
    assert_success(&m.gov(&["lock"]));
    assert!(lock_text(&m).contains("release = \"1.22.4\""));
    // Installed from a download, the record gives the size the fake index
    // does not list.
    let size = archive::fake_release("1.22.4").len();
    assert!(
        lock_text(&m).contains(&format!("size = {size}")),
        "{}",
        lock_text(&m)
    );
    assert_success(&m.gov(&["uninstall", "1.22.4"]));

    let out = m.gov(&["install", "--locked"]);
    assert_success(&out);
    assert_eq!(installed(&m), ["1.22.4"]);
    // Already there, and from the locked bytes: nothing to do.
    let out = m.gov(&["install", "--locked"]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("already installed"),
        "{}",
        stderr(&out)
    );

    // GOV_LOCKED=1 is --locked; a request the lock satisfies is fine.
    assert_success(&m.gov(&["uninstall", "1.22.4"]));
    let out = m
        .gov_cmd(["install", "1.22"])
        .env("GOV_LOCKED", "1")
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(installed(&m), ["1.22.4"]);
    // One it does not is refused.
    let out = m
        .gov_cmd(["install", "1.22.5"])
        .env("GOV_LOCKED", "1")
        .output()
        .unwrap();
    assert_failure(&out, 1, &[]);
    text_snapshot!("locked_other_request", m.env, error_text(&out));
    assert_eq!(installed(&m), ["1.22.4"]);
}

#[test]
fn a_lock_the_version_file_outgrew_warns_without_locked_and_fails_with_it() {
    let m = Mirror::new(&["1.21.13", "1.22.4"]);
    m.env.write(".go-version", "1.22\n");
    assert_success(&m.gov(&["lock"]));
    m.env.write(".go-version", "1.21\n");
    let out = m.gov(&["install", "--locked"]);
    assert_failure(&out, 1, &[]);
    text_snapshot!("locked_version_file_disagrees", m.env, error_text(&out));
    m.assert_nothing_installed();

    let out = m.gov(&["install"]);
    gov_snapshot!("unlocked_version_file_disagrees", m.env, &out);
    assert_eq!(installed(&m), ["1.21.13"]);
}

#[test]
fn a_platform_the_lock_lacks_is_an_error_under_locked() {
    let m = Mirror::new(&["1.22.4"]);
    m.env.write(".go-version", "1.22.4\n");
    assert_success(&m.gov(&["lock"]));
    let out = m.gov(&["install", "--locked", "--os", "linux", "--arch", "arm64"]);
    assert_failure(&out, 1, &[]);
    text_snapshot!("locked_platform_missing", m.env, error_text(&out));
    // Added, it installs.
    assert_success(&m.gov(&["lock", "--os", "linux", "--arch", "arm64"]));
    m.server.route(
        "go1.22.4.linux-arm64.tar.gz",
        Reply::Body(Arc::new(archive::fake_release("1.22.4"))),
    );
    let out = m.gov(&["install", "--locked", "--os", "linux", "--arch", "arm64"]);
    assert_success(&out);
}

#[test]
fn an_index_that_now_lists_another_digest_is_refused_under_locked() {
    let m = Mirror::new(&["1.22.4"]);
    m.env.write(".go-version", "1.22.4\n");
    assert_success(&m.gov(&["lock"]));
    // The release is republished: other bytes, and the index says so.
    let mut other = archive::fake_release("1.22.4");
    other.extend_from_slice(&[0; 512]);
    let other_sha = archive::sha256(&other);
    m.publish("1.22.4", other);
    let out = m.gov(&["install", "--locked", "--refresh"]);
    assert_failure(&out, 1, &[&other_sha]);
    text_snapshot!("locked_index_digest_differs", m.env, error_text(&out));
    m.assert_nothing_installed();
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 0);

    // Without --locked: a warning, and the index's bytes.
    let out = m.gov(&["install", "--refresh"]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("warning: `go1.22.4.linux-amd64.tar.gz`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(installed(&m), ["1.22.4"]);
}

#[test]
fn bytes_that_hash_to_another_digest_are_refused_before_anything_is_installed() {
    let m = Mirror::new(&["1.22.4"]);
    m.env.write(".go-version", "1.22.4\n");
    assert_success(&m.gov(&["lock"]));
    // The index still lists the locked digest; the archive served is not it.
    let mut tampered = archive::fake_release("1.22.4");
    tampered.extend_from_slice(&[0; 512]);
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Body(Arc::new(tampered)),
    );
    let out = m.gov(&["install", "--locked"]);
    assert_failure(&out, 1, &[]);
    text_snapshot!("locked_download_differs", m.env, error_text(&out));
    m.assert_nothing_installed();
}

#[test]
fn a_hostile_lock_is_refused_with_a_clear_error() {
    let m = Mirror::new(&["1.22.4"]);
    m.env.write(".go-version", "1.22.4\n");
    assert_success(&m.gov(&["lock"]));
    let good = lock_text(&m);
    let sha = archive::sha256(&archive::fake_release("1.22.4"));
    let cases: Vec<(&str, String)> = vec![
        ("huge", format!("{good}{}", "# padding\n".repeat(8000))),
        ("malformed", good.replace("[go]", "[go")),
        ("bad_hex", good.replace(&sha, &format!("{}zz", &sha[..62]))),
        (
            "path_in_file",
            good.replace(
                "file = \"go1.22.4.linux-amd64.tar.gz\"",
                "file = \"../../etc/go1.22.4.linux-amd64.tar.gz\"",
            ),
        ),
        ("future_format", good.replace("version = 1", "version = 2")),
        ("unknown_field", good.replace("[go]", "[go]\nextra = true")),
    ];
    for (name, text) in cases {
        m.env.write("gov.lock", &text);
        let out = m.gov(&["install", "--locked"]);
        assert_failure(&out, 1, &[]);
        text_snapshot!(format!("hostile_{name}"), m.env, error_text(&out));
        m.assert_nothing_installed();
    }
    // A lock that is not a file.
    std::fs::remove_file(m.env.work.join("gov.lock")).unwrap();
    std::fs::create_dir(m.env.work.join("gov.lock")).unwrap();
    let out = m.gov(&["install", "--locked"]);
    assert_failure(&out, 1, &["no gov.lock beside"]);
}

#[test]
fn lock_needs_a_version_file_and_locked_needs_a_lock() {
    let m = Mirror::new(&["1.22.4"]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    // Only the global default selects here.
    let out = m.gov(&["lock"]);
    gov_snapshot!("lock_global_only", m.env, &out);
    let out = m
        .gov_cmd(["lock"])
        .env("GOV_VERSION", "1.22.4")
        .output()
        .unwrap();
    assert_failure(&out, 1, &[]);
    text_snapshot!("lock_gov_version", m.env, error_text(&out));
    let out = m.gov(&["install", "--locked"]);
    assert_failure(&out, 1, &[]);
    text_snapshot!("locked_no_version_file", m.env, error_text(&out));
    m.env.write(".go-version", "1.22.4\n");
    let out = m.gov(&["install", "--locked"]);
    assert_failure(&out, 1, &[]);
    text_snapshot!("locked_no_lock", m.env, error_text(&out));
    assert!(!m.env.work.join("gov.lock").exists());
}

#[test]
fn export_pins_the_locked_release_and_ci_jobs_install_locked() {
    let m = Mirror::new(&["1.22.4", "1.22.5"]);
    m.env.write(".go-version", "1.22\n");
    assert_success(&m.gov(&["install", "1.22.4"]));
    assert_success(&m.gov(&["lock"]));
    // A newer 1.22 installed here does not move what is exported.
    assert_success(&m.gov(&["install", "1.22.5"]));
    for kind in ["github", "gitlab"] {
        let out = m.gov(&["export", kind]);
        assert_success(&out);
        let text = stdout(&out);
        assert!(text.contains("GOV_LOCKED: \"1\""), "{text}");
        assert!(text.contains("GOV_VERSION: \"1.22.4\""), "{text}");
        assert!(text.contains("locked in gov.lock"), "{text}");
    }
    // Without a lock, as before.
    std::fs::remove_file(m.env.work.join("gov.lock")).unwrap();
    let text = stdout(&m.gov(&["export", "github"]));
    assert!(!text.contains("GOV_LOCKED"), "{text}");
    assert!(text.contains("GOV_VERSION: \"1.22.5\""), "{text}");
}

#[test]
fn matrix_installs_the_locked_release_from_its_digest() {
    let m = Mirror::new(&["1.22.4", "1.22.5"]);
    m.env.write(".go-version", "1.22.4\n");
    assert_success(&m.gov(&["lock"]));
    // Republished with another digest: the matrix installs it only
    // without GOV_LOCKED, with a warning.
    let mut other = archive::fake_release("1.22.4");
    other.extend_from_slice(&[0; 512]);
    m.publish("1.22.4", other);
    std::fs::remove_dir_all(m.env.gov_home.join("cache")).unwrap();
    let out = m
        .gov_cmd(["matrix", "1.22.4", "--", "true"])
        .env("GOV_LOCKED", "1")
        .output()
        .unwrap();
    assert_failure(&out, 1, &["locks sha256"]);
    m.assert_nothing_installed();
    let out = m.gov(&["matrix", "1.22.4", "--", "true"]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("warning: `go1.22.4.linux-amd64.tar.gz`"),
        "{}",
        stderr(&out)
    );
}
