//! `gov.lock` with real Go releases: the lock of Go 1.22 names the very
//! digests the mirror publishes, `gov install --locked` installs that
//! release and `go` runs, and an archive that is not the locked one is
//! refused with nothing installed and nothing left in the store.

use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use crate::common::goproxy::{self, GoProxy};
use crate::common::server::{Reply, Server};
use crate::common::*;

fn gov_at(env: &TestEnv, mirror: &Server, args: &[&str]) -> Output {
    env.gov_cmd(args)
        .env("GOV_INDEX_URL", mirror.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &mirror.base)
        .env("GOV_RETRY_DELAY_MS", "0")
        .output()
        .unwrap()
}

/// The digest `scripts/go-mirror.sh` wrote beside `file`.
fn published(file: &str) -> String {
    let text = std::fs::read_to_string(real_mirror_dir().join(format!("{file}.sha256"))).unwrap();
    text.split_whitespace().next().unwrap().to_string()
}

fn lock_of(dir: &Path) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(dir.join("gov.lock")).unwrap()).unwrap()
}

#[test]
fn the_lock_of_real_go_names_the_published_digests_and_locked_installs_it() {
    let env = TestEnv::new();
    let (mirror, versions) = serve_real_mirror();
    let go = newest_of(&versions, "1.22");
    env.write(".go-version", "1.22\n");
    let out = gov_at(&env, &mirror, &["lock", "--os", "linux", "--arch", "arm64"]);
    assert_success(&out);
    let lock = lock_of(&env.work);
    assert_eq!(lock["go"]["release"].as_str(), Some(go.as_str()));
    let archives = lock["archive"].as_array().unwrap();
    assert_eq!(archives.len(), 2);
    for a in archives {
        let file = a["file"].as_str().unwrap();
        assert_eq!(a["sha256"].as_str().unwrap(), published(file), "{file}");
        let size = std::fs::metadata(real_mirror_dir().join(file))
            .unwrap()
            .len();
        assert_eq!(a["size"].as_integer(), Some(size as i64), "{file}");
    }
    assert_eq!(
        archives[0]["file"].as_str().unwrap(),
        format!("go{go}.linux-amd64.tar.gz")
    );
    assert_eq!(
        archives[1]["file"].as_str().unwrap(),
        format!("go{go}.linux-arm64.tar.gz")
    );

    let out = gov_at(&env, &mirror, &["install", "--locked"]);
    assert_success(&out);
    let out = env.go(&env.work, &["version"]);
    assert_success(&out);
    assert!(
        stdout(&out).contains(&format!("go version go{go} linux/amd64")),
        "{}",
        stdout(&out)
    );
    // The record says it came from the locked bytes.
    let list = gov_at(&env, &mirror, &["list", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&list)).unwrap();
    assert_eq!(
        rows[0]["record"]["sha256"].as_str(),
        Some(published(&format!("go{go}.linux-amd64.tar.gz")).as_str())
    );
    // Locked again after the install: the same bytes, the file untouched.
    let before = std::fs::read(env.work.join("gov.lock")).unwrap();
    assert_success(&gov_at(&env, &mirror, &["lock"]));
    assert_eq!(std::fs::read(env.work.join("gov.lock")).unwrap(), before);
}

/// Nothing of Go 1.22 in the store, and doctor finds it clean.
fn assert_store_clean(env: &TestEnv, mirror: &Server) {
    let versions: Vec<_> = std::fs::read_dir(env.gov_home.join("versions"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(versions.is_empty(), "versions/ holds {versions:?}");
    let tmp: Vec<_> = std::fs::read_dir(env.gov_home.join("tmp"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(tmp.is_empty(), "tmp/ holds {tmp:?}");
    let records: Vec<_> = std::fs::read_dir(env.gov_home.join("records"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(records.is_empty(), "records/ holds {records:?}");
    let out = gov_at(env, mirror, &["doctor", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for check in ["store", "ownership"] {
        assert_eq!(doctor_check(&report, check)["status"], "ok", "{report:#}");
    }
}

#[test]
fn an_archive_that_is_not_the_locked_one_is_refused_before_anything_is_installed() {
    let env = TestEnv::new();
    let (mirror, versions) = serve_real_mirror();
    let go = newest_of(&versions, "1.22");
    let older = newest_of(&versions, "1.21");
    env.write(".go-version", &format!("{go}\n"));
    assert_success(&gov_at(&env, &mirror, &["lock"]));
    let name = format!("go{go}.linux-amd64.tar.gz");
    let real = std::fs::read(real_mirror_dir().join(&name)).unwrap();

    // A whole valid Go release, but another one, served under the name.
    let other =
        std::fs::read(real_mirror_dir().join(format!("go{older}.linux-amd64.tar.gz"))).unwrap();
    // The real archive with its last byte (in gzip's trailer) changed:
    // the same size, and it unpacks as the real one does.
    let mut flipped = real.clone();
    *flipped.last_mut().unwrap() ^= 0xff;
    // The real archive with a tail: more bytes than the lock's size.
    let mut tail = real.clone();
    tail.extend_from_slice(b"a few bytes more");
    let digest = format!("locks {}", published(&name));
    let longer = format!("sends more than the {} bytes", real.len());
    for (what, body, needles) in [
        (
            "another release",
            other,
            vec![digest.as_str(), "nothing was installed"],
        ),
        (
            "a changed byte",
            flipped,
            vec![digest.as_str(), "nothing was installed"],
        ),
        ("a tail", tail, vec![longer.as_str()]),
    ] {
        mirror.route(&name, Reply::Body(Arc::new(body)));
        let out = gov_at(&env, &mirror, &["install", "--locked"]);
        assert_failure(&out, 1, &[]);
        let err = error_text(&out);
        for needle in needles {
            assert!(err.contains(needle), "{what}: {err}");
        }
        assert_store_clean(&env, &mirror);
        // No `go` to run, through a shim or otherwise.
        assert!(!env.shim("go").exists(), "{what}: a shim was made");
    }

    // The true bytes again: installed.
    mirror.route(&name, Reply::Body(Arc::new(real)));
    assert_success(&gov_at(&env, &mirror, &["install", "--locked"]));
    let out = env.go(&env.work, &["version"]);
    assert!(
        stdout(&out).contains(&format!("go{go}")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_release_from_the_module_proxy_is_locked_with_its_h1_and_checked_by_it() {
    let env = TestEnv::new();
    let (mirror, versions) = serve_real_mirror();
    let db = GoProxy::start(&[]);
    let module = goproxy::toolchain_version("1.22");
    let go = goproxy::go_version_of(&module);
    assert_eq!(
        go,
        newest_of(&versions, "1.22"),
        "the mirror and the proxy tree hold other 1.22s"
    );
    let oracle = goproxy::h1(&goproxy::toolchain_file(&module, "zip"));
    env.write(".go-version", &format!("{go}\n"));
    // Go's channel, with the mirror's index still at hand for `gov lock`.
    let proxy = |args: &[&str]| {
        output_within(
            env.gov_cmd(args)
                .env("GOV_INDEX_URL", mirror.url("index.json"))
                .env("GOV_DOWNLOAD_URL", &mirror.base)
                .env("GOV_SOURCE", "proxy")
                .env("GOENV", "off")
                .env("GOPROXY", &db.proxy)
                .env("GOSUMDB", db.gosumdb())
                .env("GONOSUMDB", "")
                .env("GOPRIVATE", ""),
            std::time::Duration::from_secs(300),
        )
    };
    assert_success(&proxy(&["install", &go]));
    assert_success(&proxy(&["lock"]));
    let lock = lock_of(&env.work);
    let host = &lock["archive"].as_array().unwrap()[0];
    assert_eq!(host["h1"].as_str(), Some(oracle.as_str()));
    // The archive's digest is still go.dev's (the mirror's), not the zip's.
    assert_eq!(
        host["sha256"].as_str().unwrap(),
        published(&format!("go{go}.linux-amd64.tar.gz"))
    );
    assert_success(&proxy(&["uninstall", &go]));

    // A lock naming another module hash: refused before the store is touched.
    let text = std::fs::read_to_string(env.work.join("gov.lock")).unwrap();
    let other = format!("h1:{}=", "A".repeat(43));
    std::fs::write(env.work.join("gov.lock"), text.replace(&oracle, &other)).unwrap();
    let out = proxy(&["install", "--locked"]);
    assert_failure(
        &out,
        1,
        &[&format!("locks the module hash {other}"), &oracle],
    );
    assert!(!env.gov_home.join("versions").join(&go).exists());

    // A lock without one cannot prove a module: refused too, with the fix.
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("h1 = "))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(env.work.join("gov.lock"), without).unwrap();
    let out = proxy(&["install", "--locked"]);
    assert_failure(&out, 1, &["has no module hash (h1:) for linux-amd64"]);

    // The true lock: installed, and `go` runs.
    std::fs::write(env.work.join("gov.lock"), &text).unwrap();
    assert_success(&proxy(&["install", "--locked"]));
    let out = env.go(&env.work, &["version"]);
    assert!(
        stdout(&out).contains(&format!("go{go}")),
        "{}",
        stdout(&out)
    );
}
