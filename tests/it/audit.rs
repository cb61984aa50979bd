//! `gov audit`: fake toolchains named as real releases, checked against
//! real entries of the Go vulnerability database (tests/data/vulndb)
//! served on loopback. Which entries affect which release is worked out by
//! hand from the entries' ranges (see src/vulndb/tests.rs for the
//! boundaries, one by one).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::server::{Reply, Server};
use crate::common::vulndb::serve_vulndb;
use crate::common::*;

struct Audit {
    env: TestEnv,
    server: Server,
    url: String,
}

impl Audit {
    fn new(installed: &[&str]) -> Audit {
        let env = TestEnv::new();
        let server = Server::start();
        let url = serve_vulndb(&server, "vulndb", true, false);
        for v in installed {
            env.install_fake(v);
        }
        Audit { env, server, url }
    }

    fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.env.gov_cmd(["audit"].iter().chain(args));
        cmd.env("GOVULNDB", &self.url)
            .env("GOV_RETRY_DELAY_MS", "0")
            .env("GOV_INDEX_URL", self.server.url("index.json"));
        cmd
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd(args).output().unwrap()
    }

    fn json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let out = self.run(&[&["--json"], args].concat());
        let code = out.status.code().unwrap();
        assert!(code == 0 || code == 3, "{}", run_text(&out));
        (code, serde_json::from_str(&stdout(&out)).expect("JSON"))
    }
}

fn release<'a>(report: &'a serde_json::Value, version: &str) -> &'a serde_json::Value {
    report["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == version)
        .unwrap_or_else(|| panic!("no {version} in {report:#}"))
}

fn ids(release: &serde_json::Value) -> Vec<String> {
    release["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn finding<'a>(release: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    release["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
}

#[test]
fn each_release_in_use_with_the_entries_worked_out_by_hand() {
    let a = Audit::new(&["1.19.8", "1.21.13", "1.22.12", "1.26.6"]);
    a.env.gov_ok(["global", "1.22.12"]);
    let (code, report) = a.json(&[]);
    assert_eq!(code, 3, "an affected release in use exits 3");
    assert_eq!(report["affected"], 3);
    assert_eq!(report["database"]["entries"], 17);
    assert_eq!(report["database"]["modified"], "2026-08-21T20:38:00Z");
    assert_eq!(report["database"]["source"], "fetched");

    let r = release(&report, "1.19.8");
    assert_eq!(r["affected"], true);
    assert_eq!(r["uses"], serde_json::json!([{"kind": "installed"}]));
    // Every entry whose ranges hold 1.19.8; not GO-2023-1702 (fixed in
    // 1.19.8 itself), nor those introduced in 1.21, 1.22 or 1.25.
    assert_eq!(
        ids(r),
        [
            "GO-2023-1751",
            "GO-2023-1839",
            "GO-2023-1987",
            "GO-2023-2185",
            "GO-2024-2887",
            "GO-2024-2962",
            "GO-2024-3105",
            "GO-2025-3373",
            "GO-2025-3447",
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ]
    );
    let f = finding(r, "GO-2023-1751");
    assert_eq!(f["aliases"], serde_json::json!(["CVE-2023-24539"]));
    assert_eq!(f["packages"], serde_json::json!(["html/template"]));
    assert_eq!(f["modules"], serde_json::json!(["stdlib"]));
    assert_eq!(
        f["fixed"],
        serde_json::json!({"version": "1.19.9", "in_series": true})
    );
    assert_eq!(f["url"], "https://pkg.go.dev/vuln/GO-2023-1751");
    let toolchain = finding(r, "GO-2023-1839");
    assert_eq!(toolchain["modules"], serde_json::json!(["toolchain"]));
    assert_eq!(toolchain["packages"], serde_json::json!(["cmd/go"]));

    let r = release(&report, "1.21.13");
    assert_eq!(
        ids(r),
        [
            "GO-2024-3105",
            "GO-2025-3373",
            "GO-2025-3447",
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ]
    );
    // Go 1.21 ended (1.21.13) before the fix of GO-2024-3105: 1.22.7 has it.
    assert_eq!(
        finding(r, "GO-2024-3105")["fixed"],
        serde_json::json!({"version": "1.22.7", "in_series": false})
    );

    let r = release(&report, "1.22.12");
    assert_eq!(
        r["uses"],
        serde_json::json!([{"kind": "installed"}, {"kind": "global"}])
    );
    // 1.22.12 is GO-2025-3447's fix; GO-2025-3563 came after 1.22 ended.
    assert_eq!(
        ids(r),
        [
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ]
    );
    assert_eq!(
        finding(r, "GO-2025-3563")["fixed"],
        serde_json::json!({"version": "1.23.8", "in_series": false})
    );

    let r = release(&report, "1.26.6");
    assert_eq!(r["affected"], false);
    assert_eq!(ids(r), Vec::<String>::new());

    // For people: the same, and the summary line on stderr.
    let out = a.run(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    let text = stdout(&out);
    assert!(text.contains("Go 1.22.12: affected by 4"), "{text}");
    assert!(
        text.contains("  in use: installed, the global default"),
        "{text}"
    );
    assert!(
        text.contains("  GO-2025-3563 (CVE-2025-22871): Request smuggling due to acceptance of invalid chunked data in net/http"),
        "{text}"
    );
    assert!(
        text.contains("    fixed in 1.23.8 (Go 1.22.x ended without the fix); https://pkg.go.dev/vuln/GO-2025-3563"),
        "{text}"
    );
    assert!(text.contains("Go 1.26.6: not affected"), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains("3 of 4 Go release(s) in use are affected by known vulnerabilities"),
        "{err}"
    );
    assert!(!err.contains("error:"), "{err}");
}

#[test]
fn no_affected_release_exits_zero() {
    let a = Audit::new(&["1.26.6"]);
    let out = a.run(&[]);
    assert_success(&out);
    assert!(stdout(&out).contains("Go 1.26.6: not affected"));
    let (code, report) = a.json(&[]);
    assert_eq!((code, report["affected"].clone()), (0, 0.into()));
}

#[test]
fn version_files_under_the_paths_resolve_as_selection_would() {
    let a = Audit::new(&["1.21.13", "1.26.6"]);
    // The release index, cached by one `gov list-remote`, knows 1.22.12.
    let zero = "0".repeat(64);
    let index = archive::index(&[("1.22.12", &zero), ("1.22.11", &zero), ("1.19.8", &zero)]);
    a.server.route("index.json", Reply::Body(Arc::new(index)));
    let mut list = a.env.gov_cmd(["list-remote"]);
    list.env("GOV_INDEX_URL", a.server.url("index.json"));
    assert_success(&list.output().unwrap());

    let tree = a.env.root.join("tree");
    let w = |rel: &str, text: &str| {
        let p = tree.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w("svc/go.mod", "module svc\n\ngo 1.21\n");
    w("svc/internal/x.go", "package x\n");
    w("web/.go-version", "1.22\n");
    w("old/.tool-versions", "golang 1.19.8\n");
    w("future/.go-version", "1.31.2\n");
    // Never read: vendored copies, test inputs, hidden directories.
    w("svc/vendor/dep/.go-version", "1.17.1\n");
    w("svc/testdata/mod/go.mod", "module t\n\ngo 1.16\n");
    w(".cache/x/.go-version", "1.18.1\n");
    // Nor links: a linked directory, a linked version file.
    w("../elsewhere/.go-version", "1.20.1\n");
    std::os::unix::fs::symlink(a.env.root.join("elsewhere"), tree.join("linked")).unwrap();
    std::fs::create_dir_all(tree.join("lnfile")).unwrap();
    std::os::unix::fs::symlink(
        a.env.root.join("elsewhere/.go-version"),
        tree.join("lnfile/.go-version"),
    )
    .unwrap();

    let (code, report) = a.json(&[tree.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert_eq!(report["walk"]["version_files"], 4, "{report:#}");
    assert_eq!(report["walk"]["truncated"], serde_json::Value::Null);
    let versions: Vec<&str> = report["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    // go 1.21 runs the installed 1.21.13; `1.22` is not installed: the
    // release `gov install` would fetch; 1.19.8 is named exactly.
    assert_eq!(versions, ["1.26.6", "1.22.12", "1.21.13", "1.19.8"]);
    let svc = tree.join("svc/go.mod");
    assert_eq!(
        release(&report, "1.21.13")["uses"],
        serde_json::json!([
            {"kind": "installed"},
            {"kind": "file", "path": svc, "request": "1.21 or newer", "by": "installed"}
        ])
    );
    assert_eq!(
        release(&report, "1.22.12")["uses"],
        serde_json::json!([{"kind": "file", "path": tree.join("web/.go-version"), "request": "1.22", "by": "index"}])
    );
    assert_eq!(
        release(&report, "1.26.6")["newest_patch"],
        serde_json::Value::Null
    );
    assert_eq!(
        report["unresolved"],
        serde_json::json!([{
            "path": tree.join("future/.go-version"),
            "request": "1.31.2",
            "reason": "no installed release matches, nor any in the cached release index"
        }])
    );
    // People see the unresolved one, and a warning.
    let out = a.run(&[tree.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("Not checked: `"),
        "{}",
        run_text(&out)
    );
    assert!(stderr(&out).contains("1 version file(s) select a release gov cannot name"));
}

#[test]
fn a_path_that_is_no_directory_fails() {
    let a = Audit::new(&["1.26.6"]);
    assert_failure(&a.run(&["missing"]), 1, &["it is not a directory", "hint:"]);
}

#[test]
fn the_walk_is_bounded_and_says_so() {
    let a = Audit::new(&["1.26.6"]);
    let mut deep = a.env.work.join("deep");
    for i in 0..70 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join(".go-version"), "1.19.8\n").unwrap();
    let out = a.run(&[]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("the walk was cut short: not looking deeper than 64 directories"),
        "{}",
        run_text(&out)
    );
}

/// A database broken one way: gov fails (exit 1) and names it; it never
/// reads as clean (0) or affected (3).
fn assert_broken(a: &Audit, needles: &[&str]) {
    let out = a.run(&[]);
    assert_failure(&out, 1, needles);
    assert!(!stdout(&out).contains("affected"), "{}", run_text(&out));
}

fn route(a: &Audit, path: &str, body: impl Into<Vec<u8>>) {
    a.server.route(
        &format!("vulndb/{path}"),
        Reply::Body(Arc::new(body.into())),
    );
}

#[test]
fn a_broken_database_fails_the_audit() {
    let entry =
        std::fs::read_to_string(crate::common::vulndb::vulndb_dir().join("ID/GO-2024-2887.json"))
            .unwrap();
    let modules =
        std::fs::read_to_string(crate::common::vulndb::vulndb_dir().join("index/modules.json"))
            .unwrap();

    let a = Audit::new(&["1.22.12"]);
    route(&a, "index/db.json", "<html>not json</html>");
    assert_broken(
        &a,
        &["index/db.json` is not what the Go vulnerability database serves"],
    );

    let a = Audit::new(&["1.22.12"]);
    route(&a, "index/db.json", r#"{"modified": "yesterday"}"#);
    assert_broken(&a, &["`modified` is `yesterday`, not a time"]);

    let a = Audit::new(&["1.22.12"]);
    route(
        &a,
        "ID/GO-2024-2887.json",
        entry.replacen("\"fixed\": \"1.21.11\"", "\"fixed\": \"1.21.x\"", 1),
    );
    assert_broken(
        &a,
        &[
            "has a bad entry",
            "the stdlib range has the version `1.21.x`, which is not a semantic version",
        ],
    );

    let a = Audit::new(&["1.22.12"]);
    route(
        &a,
        "index/modules.json",
        modules.replacen("\"GO-2024-2887\"", "\"../../../etc/passwd\"", 1),
    );
    assert_broken(&a, &["`../../../etc/passwd` is not an ID"]);
    assert!(a.server.paths_hit().iter().all(|p| !p.contains("passwd")));

    let a = Audit::new(&["1.22.12"]);
    route(
        &a,
        "ID/GO-2024-2887.json",
        entry.replacen("\"id\": \"GO-2024-2887\"", "\"id\": \"GO-2024-2888\"", 1),
    );
    assert_broken(
        &a,
        &["serves entry `GO-2024-2888` where `GO-2024-2887` should be"],
    );

    let a = Audit::new(&["1.22.12"]);
    a.server
        .route("vulndb/ID/GO-2024-2887.json", Reply::Status(404));
    assert_broken(&a, &["GO-2024-2887.json.gz", "404"]);

    // A 100 MB modules.json: refused at the cap, not read to the end.
    let a = Audit::new(&["1.22.12"]);
    a.server.route(
        "vulndb/index/modules.json",
        Reply::Endless(Arc::new(b"[".to_vec())),
    );
    let started = Instant::now();
    assert_broken(&a, &["sends more than the 33554432 bytes gov accepts"]);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_stalled_server_times_out() {
    let a = Audit::new(&["1.22.12"]);
    a.server.route(
        "vulndb/index/db.json",
        Reply::Stall(Arc::new(b"{\"modified\"".to_vec()), 5),
    );
    let started = Instant::now();
    let mut cmd = a.cmd(&[]);
    cmd.env("GOV_HTTP_TIMEOUT", "1");
    let out = output_within(&mut cmd, Duration::from_secs(30));
    assert_failure(&out, 1, &["index/db.json", "GOV_HTTP_TIMEOUT"]);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn offline_the_cached_copy_serves_with_its_age() {
    let a = Audit::new(&["1.22.12"]);
    let mut offline = a.cmd(&[]);
    offline.env("GOV_OFFLINE", "1");
    // No copy yet: offline, nothing to read.
    assert_failure(
        &offline.output().unwrap(),
        1,
        &[
            "no copy of the Go vulnerability database",
            "is cached and GOV_OFFLINE is set",
            "gov mirror DIR --vulndb",
        ],
    );
    assert_eq!(a.run(&[]).status.code(), Some(3));
    let hits = a.server.hits("vulndb/index/db.json");
    let out = offline.output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    assert!(
        stderr(&out).contains("the cached copy (GOV_OFFLINE), checked"),
        "{}",
        run_text(&out)
    );
    assert!(stderr(&out).contains("seconds ago"), "{}", run_text(&out));
    let (_, report) = {
        let out = a.cmd(&["--json"]).env("GOV_OFFLINE", "1").output().unwrap();
        (
            0,
            serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap(),
        )
    };
    assert_eq!(report["database"]["source"], "offline");
    assert!(report["database"]["age_seconds"].as_u64().unwrap() < 600);
    assert_eq!(
        a.server.hits("vulndb/index/db.json"),
        hits,
        "offline asked the server"
    );

    // The server down: the cached copy, with a warning.
    a.server.route("vulndb/index/db.json", Reply::Status(503));
    let out = a.run(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    assert!(
        stderr(&out).contains("cannot refresh the Go vulnerability database from"),
        "{}",
        run_text(&out)
    );
}

#[test]
fn refreshed_when_db_json_changes_fetching_only_changed_entries() {
    let a = Audit::new(&["1.22.12"]);
    assert_eq!(a.run(&[]).status.code(), Some(3));
    assert_eq!(a.server.hits("vulndb/ID/GO-2024-2887.json"), 1);
    assert_eq!(a.server.hits("vulndb/index/modules.json"), 1);
    // Unchanged: one request for db.json, nothing else.
    let (_, report) = a.json(&[]);
    assert_eq!(report["database"]["source"], "unchanged");
    assert_eq!(a.server.hits("vulndb/index/db.json"), 2);
    assert_eq!(a.server.hits("vulndb/index/modules.json"), 1);

    // GO-2024-2887 changes: it now says 1.22.12 is affected.
    let dir = crate::common::vulndb::vulndb_dir();
    let entry = std::fs::read_to_string(dir.join("ID/GO-2024-2887.json"))
        .unwrap()
        .replace("2024-06-04T22:48:55Z", "2026-12-01T00:00:00Z")
        .replacen("\"fixed\": \"1.22.4\"", "\"fixed\": \"1.22.13\"", 1);
    let modules = std::fs::read_to_string(dir.join("index/modules.json"))
        .unwrap()
        .replace("2024-06-04T22:48:55Z", "2026-12-01T00:00:00Z");
    route(&a, "ID/GO-2024-2887.json", entry);
    route(&a, "index/modules.json", modules);
    route(
        &a,
        "index/db.json",
        r#"{"modified": "2026-12-01T00:00:00Z"}"#,
    );
    let (_, report) = a.json(&[]);
    assert_eq!(report["database"]["source"], "fetched");
    assert_eq!(report["database"]["modified"], "2026-12-01T00:00:00Z");
    assert!(ids(release(&report, "1.22.12")).contains(&"GO-2024-2887".to_string()));
    assert_eq!(a.server.hits("vulndb/ID/GO-2024-2887.json"), 2);
    assert_eq!(
        a.server.hits("vulndb/ID/GO-2024-3105.json"),
        1,
        "unchanged entries are reused"
    );
}

#[test]
fn a_server_with_only_gzip_files_serves_as_well() {
    let env = TestEnv::new();
    let server = Server::start();
    let url = serve_vulndb(&server, "gz", false, true);
    env.install_fake("1.22.12");
    let out = env
        .gov_cmd(["audit", "--json"])
        .env("GOVULNDB", &url)
        .env("GOV_RETRY_DELAY_MS", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["database"]["entries"], 17);
    assert_eq!(server.hits("gz/index/db.json.gz"), 1);
    assert_eq!(server.hits("gz/index/db.json"), 1, "asked first, then .gz");
}

#[test]
fn gov_list_marks_affected_releases_from_the_cache_only() {
    let a = Audit::new(&["1.22.12", "1.26.6"]);
    let list = |args: &[&str]| {
        let out = a
            .env
            .gov_cmd(["list"].iter().chain(args))
            .env("GOVULNDB", &a.url)
            .output()
            .unwrap();
        assert_success(&out);
        stdout(&out)
    };
    // No copy cached: nothing marked, and nothing asked.
    assert!(!list(&[]).contains("affected"));
    let rows: serde_json::Value = serde_json::from_str(&list(&["--json"])).unwrap();
    assert_eq!(rows[0]["vulnerabilities"], serde_json::Value::Null);
    assert!(
        a.server.paths_hit().is_empty(),
        "gov list asked the network"
    );

    assert_eq!(a.run(&[]).status.code(), Some(3));
    let hits = a.server.hits("vulndb/index/db.json");
    let text = list(&[]);
    assert!(
        text.lines().any(|l| l.starts_with("  1.22.12 ")
            && l.ends_with(", affected by 4 known vulnerabilities (`gov audit`))")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("  1.26.6 ") && !l.contains("affected")),
        "{text}"
    );
    let rows: serde_json::Value = serde_json::from_str(&list(&["--json"])).unwrap();
    assert_eq!(
        rows[1]["vulnerabilities"],
        serde_json::json!([
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ])
    );
    assert_eq!(rows[0]["vulnerabilities"], serde_json::json!([]));
    assert_eq!(
        a.server.hits("vulndb/index/db.json"),
        hits,
        "gov list asked the network"
    );
}

#[test]
fn gov_mirror_vulndb_copies_the_database_for_sites_without_network() {
    let a = Audit::new(&["1.22.12"]);
    let dir = a.env.root.join("site");
    let mirror = |args: &[&str]| {
        let out = a
            .env
            .gov_cmd(
                ["mirror", dir.to_str().unwrap(), "--vulndb"]
                    .iter()
                    .chain(args),
            )
            .env("GOVULNDB", &a.url)
            .env("GOV_RETRY_DELAY_MS", "0")
            .output()
            .unwrap();
        assert_success(&out);
        out
    };
    let out = mirror(&[]);
    assert!(
        stdout(&out).contains("(modified 2026-08-21T20:38:00Z): 17 entries, 17 fetched now"),
        "{}",
        run_text(&out)
    );
    // The v1 layout, as .json and .json.gz, each file as served.
    let copy = dir.join("vulndb");
    for (path, bytes) in crate::common::vulndb::vulndb_files() {
        if path != "index/db.json" {
            assert_eq!(std::fs::read(copy.join(&path)).unwrap(), bytes, "{path}");
        }
        assert!(copy.join(format!("{path}.gz")).is_file(), "{path}.gz");
    }
    // Again: nothing changed, nothing fetched.
    let out = mirror(&["--json"]);
    let copied: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (copied["entries"].clone(), copied["fetched"].clone()),
        (17.into(), 0.into())
    );

    // Served by another static server, the only one the audit may reach.
    let site = Server::start();
    for path in crate::common::walk(&copy)
        .into_iter()
        .filter(|p| p.is_file())
    {
        let rel = path
            .strip_prefix(&copy)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        site.route(
            &format!("vulndb/{rel}"),
            Reply::Body(Arc::new(std::fs::read(&path).unwrap())),
        );
    }
    let hits = a.server.hits("vulndb/index/db.json");
    let out = a
        .env
        .gov_cmd(["audit", "--json"])
        .env("GOVULNDB", site.url("vulndb"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        ids(release(&report, "1.22.12")),
        [
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ]
    );
    assert_eq!(a.server.hits("vulndb/index/db.json"), hits);
    // And as a plain directory.
    let out = a
        .env
        .gov_cmd(["audit"])
        .env("GOVULNDB", &copy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
}

#[test]
fn gov_upgrade_says_which_entries_the_upgrade_fixes() {
    let m = crate::common::mirror::Mirror::new(&["1.21.10", "1.21.11"]);
    let url = serve_vulndb(&m.server, "vulndb", true, false);
    assert_success(&m.gov(&["install", "1.21.10"]));
    assert_success(&m.gov(&["global", "1.21.10"]));
    // No copy of the database: nothing said, nothing asked.
    let out = m
        .gov_cmd(["upgrade", "--dry-run"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!stdout(&out).contains("vulnerab"), "{}", run_text(&out));
    assert_eq!(m.server.hits("vulndb/index/db.json"), 0);

    let out = m.gov_cmd(["audit"]).env("GOVULNDB", &url).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    // GO-2024-2887 is fixed in 1.21.11; the rest only after Go 1.21.
    assert!(
        stdout(&out).contains("  newest 1.21.x: 1.21.11"),
        "{}",
        run_text(&out)
    );
    let out = m
        .gov_cmd(["upgrade", "--dry-run"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("  fixes 1 known vulnerability (GO-2024-2887)\n"),
        "{}",
        run_text(&out)
    );
    let out = m
        .gov_cmd(["upgrade", "--dry-run", "--json"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(plan["fixes"], serde_json::json!(["GO-2024-2887"]));
    let out = m
        .gov_cmd(["upgrade", "--no-check"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("(was Go 1.21.10); it fixes 1 known vulnerability (GO-2024-2887)"),
        "{}",
        run_text(&out)
    );
}

#[test]
fn nothing_in_use_needs_no_database() {
    let a = Audit::new(&[]);
    let out = a.run(&[]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("No Go release is in use"),
        "{}",
        run_text(&out)
    );
    assert_eq!(a.server.hits("vulndb/index/db.json"), 0);
}

#[test]
fn a_database_on_this_machine_is_read_even_offline() {
    let a = Audit::new(&["1.22.12"]);
    let dir = crate::common::vulndb::vulndb_dir();
    for url in [
        dir.display().to_string(),
        format!("file://{}", dir.display()),
    ] {
        let out = a
            .env
            .gov_cmd(["audit", "--json"])
            .env("GOVULNDB", &url)
            .env("GOV_OFFLINE", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
        let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(report["database"]["entries"], 17, "{url}");
    }
}
