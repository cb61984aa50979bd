//! Install records: every release in the store says how it came, from
//! where, its digest and size, when and by which gov — and a release from
//! before records were kept says what is unknown, never an invented digest.

use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

/// Each row's record problem, `VERSION: PROBLEM` a line, as a snapshot
/// shows them.
fn problems(rows: &[serde_json::Value]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "{}: {}\n",
                r["version"].as_str().unwrap(),
                r["record_problem"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

fn records(out: &std::process::Output) -> Vec<serde_json::Value> {
    assert_success(out);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(out)).unwrap();
    rows.into_iter().map(|r| r["record"].clone()).collect()
}

#[test]
fn a_download_records_its_archive_digest_size_index_and_time() {
    let m = Mirror::new(&["1.22.4"]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    let out = m.gov_cmd(["list", "--json"]).output().unwrap();
    let record = &records(&out)[0];
    let body = archive::fake_release("1.22.4");
    assert_eq!(record["origin"], "download");
    assert_eq!(record["version"], "1.22.4");
    assert_eq!(record["platform"], "linux-amd64");
    assert_eq!(record["archive"], "go1.22.4.linux-amd64.tar.gz");
    assert_eq!(record["url"], m.server.url("go1.22.4.linux-amd64.tar.gz"));
    assert_eq!(record["sha256"], archive::sha256(&body));
    assert_eq!(record["size"], body.len() as u64);
    assert_eq!(record["verified"], true);
    assert_eq!(record["index_url"], m.server.url("index.json"));
    assert_eq!(record["gov_version"], env!("CARGO_PKG_VERSION"));
    let time = record["time"].as_str().unwrap();
    assert!(time.len() == 20 && time.ends_with('Z'), "{time}");
    // Another platform's release has its own (the fake index lists arm64
    // with the same digest).
    m.server.route(
        "go1.22.4.linux-arm64.tar.gz",
        crate::common::server::Reply::Body(std::sync::Arc::new(body.clone())),
    );
    assert_success(&m.gov(&["install", "1.22.4", "--os", "linux", "--arch", "arm64"]));
    let out = m
        .gov_cmd(["list", "--json", "--all-platforms"])
        .output()
        .unwrap();
    let all = records(&out);
    assert_eq!(all[1]["platform"], "linux-arm64");
    assert_eq!(all[1]["archive"], "go1.22.4.linux-arm64.tar.gz");
    // Uninstalling removes the record with the release.
    assert_success(&m.gov(&["uninstall", "1.22.4", "--os", "linux", "--arch", "arm64"]));
    assert_success(&m.gov(&["uninstall", "1.22.4"]));
    let left: Vec<_> = std::fs::read_dir(m.env.gov_home.join("records"))
        .unwrap()
        .flatten()
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn link_and_import_record_the_root_and_what_its_version_file_said() {
    let env = TestEnv::new();
    let linked = env.install_fake("1.22.4");
    let goenv = env.root.join("goenv");
    let imported = goenv.join("versions/1.21.5");
    std::fs::create_dir_all(imported.parent().unwrap()).unwrap();
    std::fs::rename(env.fake_toolchain("1.21.5"), &imported).unwrap();
    let out = env
        .gov_cmd(["import"])
        .env("GOENV_ROOT", &goenv)
        .output()
        .unwrap();
    assert_success(&out);
    let all = records(&env.gov(["list", "--json"]));
    assert_eq!(all[0]["origin"], "link");
    assert_eq!(all[0]["source_dir"], linked.display().to_string());
    assert_eq!(all[0]["version_file"], "go1.22.4");
    assert!(all[0].get("sha256").is_none());
    assert_eq!(all[0]["verified"], false);
    assert_eq!(all[1]["origin"], "import");
    assert_eq!(all[1]["imported_from"], "goenv");
    assert_eq!(all[1]["source_dir"], imported.display().to_string());
    assert_eq!(all[1]["version_file"], "go1.21.5");
}

#[test]
fn a_release_from_before_records_says_what_is_unknown() {
    let m = Mirror::new(&["1.22.4"]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    std::fs::remove_dir_all(m.env.gov_home.join("records")).unwrap();
    let out = m.gov_cmd(["list", "--json"]).output().unwrap();
    let record = &records(&out)[0];
    assert_eq!(record["origin"], "unknown");
    assert_eq!(record["version"], "1.22.4");
    assert_eq!(record["verified"], false);
    for unknown in ["sha256", "url", "size", "time", "archive"] {
        assert!(record.get(unknown).is_none(), "{unknown}: {record}");
    }
}

/// The record file of `version` in the user's store.
fn record_file(env: &TestEnv, version: &str) -> PathBuf {
    std::fs::read_dir(env.gov_home.join("records"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with(&format!("-{version}.json"))
        })
        .unwrap_or_else(|| panic!("no record of {version}"))
}

/// Rows of `gov list --json`, run under a time limit.
fn list_rows(env: &TestEnv) -> Vec<serde_json::Value> {
    let out = output_within(&mut env.gov_cmd(["list", "--json"]), LIMIT);
    assert_success(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// Both SBOMs of the store, run under a time limit: SPDX's packages and
/// CycloneDX's components, each with its properties as `name: value`
/// lines (SPDX keeps them in the comment).
fn sboms(env: &TestEnv) -> Vec<(serde_json::Value, serde_json::Value, String, String)> {
    let run = |format: &str| {
        let out = output_within(&mut env.gov_cmd(["sbom", "--format", format]), LIMIT);
        assert_success(&out);
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()
    };
    let (spdx, cdx) = (run("spdx"), run("cyclonedx"));
    let packages = spdx["packages"].as_array().unwrap().clone();
    let components = cdx["components"].as_array().unwrap().clone();
    assert_eq!(packages.len(), components.len());
    packages
        .into_iter()
        .zip(components)
        .map(|(p, c)| {
            let spdx_props = format!("{}\n", p["comment"].as_str().unwrap_or(""));
            let cdx_props = c["properties"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    format!(
                        "{}: {}\n",
                        p["name"].as_str().unwrap().trim_start_matches("gov:"),
                        p["value"].as_str().unwrap()
                    )
                })
                .collect();
            (p, c, spdx_props, cdx_props)
        })
        .collect()
}

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn pipes_and_devices_among_records_are_never_opened() {
    let env = TestEnv::new();
    let dir = env.install_fake("1.22.4");
    env.install_fake("1.21.5");
    let fifo = record_file(&env, "1.22.4");
    std::fs::remove_file(&fifo).unwrap();
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let zero = record_file(&env, "1.21.5");
    std::fs::remove_file(&zero).unwrap();
    symlink("/dev/zero", &zero).unwrap();

    let out = output_within(&mut env.gov_cmd(["list"]), LIMIT);
    gov_snapshot!(env, &out);

    let rows = list_rows(&env);
    assert_eq!(rows[0]["record_status"], "ignored");
    text_snapshot!("pipes_and_devices_problems", env, problems(&rows));
    // What gov sees instead: a link, to where it points.
    assert_eq!(rows[0]["record"]["origin"], "link");
    assert_eq!(rows[0]["record"]["source_dir"], dir.display().to_string());
    assert_eq!(rows[1]["record_status"], "ignored");

    for (package, component, spdx, cdx) in sboms(&env) {
        for props in [&spdx, &cdx] {
            assert!(props.contains("record: ignored\n"), "{props}");
            assert!(props.contains("record-problem: "), "{props}");
        }
        assert!(package.get("checksums").is_none());
        assert!(component.get("hashes").is_none());
    }
}

#[test]
fn a_record_whose_claims_do_not_match_its_release_is_unverified() {
    let m = Mirror::new(&["1.20.14", "1.21.5", "1.22.4"]);
    assert_success(&m.gov(&["install", "1.20.14", "1.21.5", "1.22.4"]));
    let env = &m.env;
    // 1.22.4's record is 1.21.5's (a true record of another release);
    // 1.21.5's tree says it is another release than its record says.
    std::fs::copy(record_file(env, "1.21.5"), record_file(env, "1.22.4")).unwrap();
    std::fs::write(
        env.gov_home.join("versions/1.21.5/VERSION"),
        "go1.21.6\ntime 2024-01-01T00:00:00Z\n",
    )
    .unwrap();

    let rows = list_rows(env);
    let statuses: Vec<&str> = rows
        .iter()
        .map(|r| r["record_status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["unverified", "unverified", "trusted"]);
    text_snapshot!("claims_problems", m.env, problems(&rows));

    let described = sboms(env);
    for (package, component, spdx, cdx) in &described[..2] {
        for props in [spdx, cdx] {
            assert!(props.contains("record: unverified\n"), "{props}");
            assert!(props.contains("record-problem: "), "{props}");
            assert!(props.contains("claimed-sha256: "), "{props}");
            assert!(!props.contains("verified: true"), "{props}");
        }
        // Nothing the record claims is stated as fact.
        assert!(package.get("checksums").is_none(), "{package}");
        assert!(package.get("supplier").is_none(), "{package}");
        assert_eq!(package["downloadLocation"], "NOASSERTION");
        assert!(component.get("hashes").is_none(), "{component}");
        assert!(component.get("externalReferences").is_none(), "{component}");
    }
    // The version is the store's, not the record's.
    assert_eq!(described[0].0["versionInfo"], "1.22.4");
    assert_eq!(described[0].1["version"], "1.22.4");
    let (package, component, spdx, cdx) = &described[2];
    assert_eq!(
        package["checksums"][0]["checksumValue"],
        archive::sha256(&archive::fake_release("1.20.14"))
    );
    assert!(component["hashes"].is_array());
    for props in [spdx, cdx] {
        assert!(props.contains("record: trusted\n"), "{props}");
        assert!(props.contains("verified: true\n"), "{props}");
    }
}

#[test]
fn a_record_that_is_not_the_stores_own_is_ignored() {
    let env = TestEnv::new();
    for v in ["1.22.4", "1.21.5", "1.20.14"] {
        env.install_fake(v);
    }
    // Too large to be a record; not JSON; a field out of its range.
    let big = record_file(&env, "1.22.4");
    std::fs::write(&big, vec![b' '; 4 << 20]).unwrap();
    std::fs::write(record_file(&env, "1.21.5"), "{\"version\":").unwrap();
    let text = std::fs::read_to_string(record_file(&env, "1.20.14")).unwrap();
    let mut record: serde_json::Value = serde_json::from_str(&text).unwrap();
    record["time"] = "yesterday".into();
    std::fs::write(record_file(&env, "1.20.14"), record.to_string()).unwrap();
    let rows = list_rows(&env);
    for row in &rows {
        assert_eq!(row["record_status"], "ignored", "{row}");
    }
    text_snapshot!("not_the_stores_own_problems", env, problems(&rows));
    // Someone else's file among the store owner's records.
    // SAFETY: getuid(2) cannot fail.
    if unsafe { libc::getuid() } == 0 {
        std::fs::write(&big, text).unwrap();
        std::os::unix::fs::chown(&big, Some(4242), None).unwrap();
        let rows = list_rows(&env);
        assert_eq!(rows[0]["record_status"], "ignored");
        text_snapshot!("someone_elses_problem", env, problems(&rows[..1]));
    }
}
