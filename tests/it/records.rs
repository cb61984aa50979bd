//! Install records: every release in the store says how it came, from
//! where, its digest and size, when and by which gov — and a release from
//! before records were kept says what is unknown, never an invented digest.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::*;

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

/// Runs `cmd`, failing the test if it has not finished within `limit`:
/// a command that opens a planted pipe would wait forever, one that reads
/// a link to `/dev/zero` would never end.
pub fn output_within(cmd: &mut std::process::Command, limit: Duration) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained meanwhile, so that a large output never blocks the child.
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let (out, err) = (drain(Box::new(stdout)), drain(Box::new(stderr)));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{cmd:?} still runs after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}
