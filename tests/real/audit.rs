//! `gov audit` on real Go releases installed from the real mirror, checked
//! against real entries of the Go vulnerability database
//! (tests/data/vulndb) served on loopback: the release the audit names for
//! a project is the one `go version` reports there; exit codes 3, 0 and 1;
//! the offline copy and its age; `gov mirror --vulndb` as the only source;
//! `gov list`'s mark; SBOMs with the vulnerabilities, validated.

use std::sync::Arc;

use crate::common::server::{Reply, Server};
use crate::common::vulndb::{serve_vulndb, vulndb_files};
use crate::common::*;

fn install_real(env: &TestEnv, server: &server::Server, versions: &[&str]) {
    let out = env
        .gov_cmd(["install"].iter().chain(versions))
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
}

fn ids(report: &serde_json::Value, version: &str) -> Vec<String> {
    report["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == version)
        .unwrap_or_else(|| panic!("no {version} in {report:#}"))["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

/// Serves only the entries `keep` of the real database (its indexes
/// filtered to them), under `prefix`.
fn serve_subset(server: &Server, prefix: &str, keep: &[&str]) -> String {
    for (path, bytes) in vulndb_files() {
        let body = match path.as_str() {
            "index/modules.json" => {
                let mut modules: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
                for m in &mut modules {
                    m["vulns"]
                        .as_array_mut()
                        .unwrap()
                        .retain(|v| keep.contains(&v["id"].as_str().unwrap()));
                }
                serde_json::to_vec(&modules).unwrap()
            }
            p if p.starts_with("ID/") && !keep.iter().any(|k| p == format!("ID/{k}.json")) => {
                continue
            }
            _ => bytes,
        };
        server.route(&format!("{prefix}/{path}"), Reply::Body(Arc::new(body)));
    }
    server.url(prefix)
}

#[test]
fn real_releases_in_use_are_audited_as_go_itself_selects_them() {
    let env = TestEnv::new();
    let (mirror, versions) = serve_real_mirror();
    let go121 = newest_of(&versions, "1.21");
    let go122 = newest_of(&versions, "1.22");
    assert_eq!((go121.as_str(), go122.as_str()), ("1.21.13", "1.22.12"));
    install_real(&env, &mirror, &[&go121, &go122]);
    env.gov_ok(["global", &go122]);
    let db = Server::start();
    let url = serve_vulndb(&db, "vulndb", true, true);

    // A project whose go.mod asks for 1.21: Go runs 1.21.13 there.
    let project = env.work.join("svc");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("go.mod"), "module svc\n\ngo 1.21\n").unwrap();
    let out = env
        .command(env.shim("go"))
        .arg("version")
        .current_dir(&project)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).starts_with("go version go1.21.13 "),
        "{}",
        run_text(&out)
    );

    let audit = |args: &[&str]| {
        env.gov_cmd(["audit"].iter().chain(args))
            .env("GOVULNDB", &url)
            .output()
            .unwrap()
    };
    let out = audit(&["--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // By hand from the ranges: GO-2024-3105 (fixed 1.22.7) and the others
    // fixed only after Go 1.21 ended affect 1.21.13; 1.22.12 is past
    // GO-2025-3447's fix (1.22.12 itself) but not GO-2025-3563's (1.23.8).
    assert_eq!(
        ids(&report, "1.21.13"),
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
    assert_eq!(
        ids(&report, "1.22.12"),
        [
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ]
    );
    let uses = &report["releases"][1]["uses"];
    assert_eq!(report["releases"][1]["version"], "1.21.13");
    assert_eq!(
        uses[1],
        serde_json::json!({"kind": "file", "path": project.join("go.mod"), "request": "1.21 or newer", "by": "installed"})
    );

    // gov list marks both, from the copy now cached.
    let out = env
        .gov_cmd(["list"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("affected by 4 known vulnerabilities"),
        "{text}"
    );
    assert!(
        text.contains("affected by 7 known vulnerabilities"),
        "{text}"
    );

    // Offline: the cached copy, its age said, and no request.
    let hits = db.hits("vulndb/index/db.json");
    let out = env
        .gov_cmd(["audit"])
        .env("GOVULNDB", &url)
        .env("GOV_OFFLINE", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    assert!(
        stderr(&out).contains("the cached copy (GOV_OFFLINE), checked"),
        "{}",
        run_text(&out)
    );
    assert_eq!(
        db.hits("vulndb/index/db.json"),
        hits,
        "offline asked the server"
    );
    // Online with the server failing: the stale copy, with a warning.
    db.route("vulndb/index/db.json", Reply::Status(503));
    let out = env
        .gov_cmd(["audit"])
        .env("GOVULNDB", &url)
        .env("GOV_RETRY_DELAY_MS", "0")
        .env("GOV_HTTP_TIMEOUT", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    assert!(
        stderr(&out).contains("cannot refresh the Go vulnerability database"),
        "{}",
        run_text(&out)
    );
    // Another database, never fetched, not there: the audit failed (1).
    let out = env
        .gov_cmd(["audit"])
        .env("GOVULNDB", format!("{url}-elsewhere"))
        .env("GOV_RETRY_DELAY_MS", "0")
        .output()
        .unwrap();
    assert_failure(&out, 1, &["cannot fetch", "vulndb-elsewhere/index/db.json"]);
    assert!(!stdout(&out).contains("affected"));

    // A database that lists nothing affecting these releases: exit 0.
    let clean = Server::start();
    let clean_url = serve_subset(
        &clean,
        "db",
        &["GO-2023-1702", "GO-2024-2824", "GO-2024-2887"],
    );
    let out = env
        .gov_cmd(["audit"])
        .env("GOVULNDB", &clean_url)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("Go 1.22.12: not affected"),
        "{}",
        run_text(&out)
    );
    assert!(
        stdout(&out).contains("Go 1.21.13: not affected"),
        "{}",
        run_text(&out)
    );
    drop(mirror);
}

#[test]
fn a_mirrored_database_is_the_only_source_an_air_gapped_node_needs() {
    let (mirror, versions) = serve_real_mirror();
    let go119 = newest_of(&versions, "1.19");
    // The connected side: gov mirror --vulndb from the database's server.
    let connected = TestEnv::new();
    let db = Server::start();
    let url = serve_vulndb(&db, "vulndb", true, true);
    let site = connected.root.join("site");
    let out = connected
        .gov_cmd(["mirror", site.to_str().unwrap(), "--vulndb"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    assert_success(&out);
    let hits = db.hits("vulndb/index/db.json");

    // The air-gapped side: a real Go 1.19.8 and the copy, served by
    // another static server, nothing else.
    let node = TestEnv::new();
    install_real(&node, &mirror, &[&go119]);
    let served = Server::start();
    for path in walk(&site.join("vulndb"))
        .into_iter()
        .filter(|p| p.is_file())
    {
        let rel = path
            .strip_prefix(&site)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        served.route(&rel, Reply::Body(Arc::new(std::fs::read(&path).unwrap())));
    }
    let out = node
        .gov_cmd(["audit", "--json"])
        .env("GOVULNDB", served.url("vulndb"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // Not GO-2023-1702 (fixed in 1.19.8 itself); GO-2023-1751 (fixed in
    // 1.19.9) and the toolchain's GO-2023-1839 (1.19.10) are.
    let found = ids(&report, "1.19.8");
    assert!(!found.contains(&"GO-2023-1702".to_string()), "{found:?}");
    assert_eq!(found.len(), 13, "{found:?}");
    let f = &report["releases"][0]["vulnerabilities"][0];
    assert_eq!(f["id"], "GO-2023-1751");
    assert_eq!(
        f["fixed"],
        serde_json::json!({"version": "1.19.9", "in_series": true})
    );
    assert_eq!(
        db.hits("vulndb/index/db.json"),
        hits,
        "the node asked the upstream database"
    );
    drop(mirror);
}

#[test]
fn sboms_carry_the_vulnerabilities_and_pass_the_official_validators() {
    let env = TestEnv::new();
    let (mirror, versions) = serve_real_mirror();
    let go122 = newest_of(&versions, "1.22");
    install_real(&env, &mirror, &[&go122]);
    let db = Server::start();
    let url = serve_vulndb(&db, "vulndb", true, false);
    // Nothing cached yet: no vulnerabilities, and no request for them.
    let sbom = |format: &str| {
        let file = env.root.join(format!("sbom.{format}.json"));
        let out = env
            .gov_cmd([
                "sbom",
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
            ])
            .env("GOVULNDB", &url)
            .output()
            .unwrap();
        assert_success(&out);
        if let Err(e) = crate::sbom::validate(&file) {
            panic!("{format}: {e}\n{}", std::fs::read_to_string(&file).unwrap());
        }
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&file).unwrap()).unwrap()
    };
    assert!(sbom("cyclonedx").get("vulnerabilities").is_none());
    assert!(db.paths_hit().is_empty());

    let out = env
        .gov_cmd(["audit"])
        .env("GOVULNDB", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", run_text(&out));
    let doc = sbom("cyclonedx");
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    let names: Vec<&str> = vulns.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "GO-2025-3563",
            "GO-2025-3849",
            "GO-2026-4337",
            "GO-2026-5026"
        ]
    );
    let v = &vulns[0];
    assert_eq!(v["references"][0]["id"], "CVE-2025-22871");
    assert_eq!(v["affects"][0]["ref"], doc["components"][0]["bom-ref"]);
    assert_eq!(v["recommendation"], "upgrade: Go 1.22.12 to 1.23.8");
    let doc = sbom("spdx");
    let refs = doc["packages"][0]["externalRefs"].as_array().unwrap();
    let advisories: Vec<&str> = refs
        .iter()
        .filter(|r| r["referenceCategory"] == "SECURITY")
        .map(|r| r["referenceLocator"].as_str().unwrap())
        .collect();
    assert_eq!(
        advisories,
        [
            "https://pkg.go.dev/vuln/GO-2025-3563",
            "https://pkg.go.dev/vuln/GO-2025-3849",
            "https://pkg.go.dev/vuln/GO-2026-4337",
            "https://pkg.go.dev/vuln/GO-2026-5026"
        ]
    );
    drop(mirror);
}
