//! `gov mirror`: a directory that serves releases for several platforms,
//! verified, fetched once, whole; nodes install from it as from go.dev.

use std::sync::Arc;

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::server::Reply;
use crate::common::*;

fn upstream() -> Mirror {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    // The fake index lists an arm64 archive with the same bytes.
    for v in ["1.21.5", "1.22.4"] {
        m.server.route(
            &format!("go{v}.linux-arm64.tar.gz"),
            Reply::Body(Arc::new(archive::fake_release(v))),
        );
    }
    m
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".gov-mirror"))
        .collect();
    names.sort();
    names
}

#[test]
fn mirrors_several_platforms_once_and_nodes_install_from_it() {
    let up = upstream();
    let dir = up.env.root.join("mirror");
    let platforms = [
        "--os", "linux", "--arch", "amd64", "--os", "linux", "--arch", "arm64",
    ];
    let mut args = vec!["mirror", dir.to_str().unwrap(), "1.22", "1.21"];
    args.extend(platforms);
    let out = up.gov(&args);
    assert_success(&out);
    assert_eq!(
        stdout(&out).matches("downloaded ").count(),
        4,
        "{}",
        stdout(&out)
    );
    assert_eq!(
        names(&dir),
        [
            "go1.21.5.linux-amd64.tar.gz",
            "go1.21.5.linux-amd64.tar.gz.sha256",
            "go1.21.5.linux-arm64.tar.gz",
            "go1.21.5.linux-arm64.tar.gz.sha256",
            "go1.22.4.linux-amd64.tar.gz",
            "go1.22.4.linux-amd64.tar.gz.sha256",
            "go1.22.4.linux-arm64.tar.gz",
            "go1.22.4.linux-arm64.tar.gz.sha256",
            "index.json",
        ]
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index[0]["version"], "go1.22.4");
    assert_eq!(index[0]["files"].as_array().unwrap().len(), 2);
    let sha = std::fs::read_to_string(dir.join("go1.22.4.linux-amd64.tar.gz.sha256")).unwrap();
    assert_eq!(
        sha,
        format!(
            "{}  go1.22.4.linux-amd64.tar.gz\n",
            archive::sha256(&archive::fake_release("1.22.4"))
        )
    );

    // A node on an air-gapped site: the directory as it is.
    let node = TestEnv::new();
    let out = node
        .gov_cmd(["install", "1.22"])
        .env("GOV_INDEX_URL", dir.join("index.json"))
        .env("GOV_DOWNLOAD_URL", &dir)
        .output()
        .unwrap();
    assert_success(&out);
    let out = node.command(node.shim("go")).output().unwrap();
    assert!(
        stdout(&out).starts_with("go version go1.22.4 "),
        "{}",
        stdout(&out)
    );

    // Again: nothing fetched. A damaged archive: fetched again.
    let hits = up.server.hits("go1.22.4.linux-amd64.tar.gz");
    let out = up.gov(&args);
    assert_success(&out);
    assert_eq!(stdout(&out).matches("kept ").count(), 4, "{}", stdout(&out));
    assert_eq!(up.server.hits("go1.22.4.linux-amd64.tar.gz"), hits);
    std::fs::write(dir.join("go1.22.4.linux-amd64.tar.gz"), b"damaged").unwrap();
    let out = up.gov(&args);
    assert_success(&out);
    assert!(
        stdout(&out).contains("downloaded go1.22.4.linux-amd64.tar.gz"),
        "{}",
        stdout(&out)
    );
    assert_eq!(up.server.hits("go1.22.4.linux-amd64.tar.gz"), hits + 1);
}

#[test]
fn a_release_whose_digest_is_wrong_is_refused_and_the_rest_kept() {
    let up = Mirror::new(&["1.22.4"]);
    let good = archive::sha256(&archive::fake_release("1.22.4"));
    let index = archive::index(&[("1.23.0", &"ab".repeat(32)), ("1.22.4", &good)]);
    up.server.route("index.json", Reply::Body(Arc::new(index)));
    up.server.route(
        "go1.23.0.linux-amd64.tar.gz",
        Reply::Body(Arc::new(archive::fake_release("1.23.0"))),
    );
    let dir = up.env.root.join("mirror");
    let out = up.gov(&["mirror", dir.to_str().unwrap(), "1.23", "1.22"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("failed: `go1.23.0.linux-amd64.tar.gz` from"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("downloaded go1.22.4.linux-amd64.tar.gz"));
    assert!(
        stderr(&out).contains("1 of 2 archive(s) could not be mirrored"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        names(&dir),
        [
            "go1.22.4.linux-amd64.tar.gz",
            "go1.22.4.linux-amd64.tar.gz.sha256",
            "index.json"
        ],
        "nothing of the refused one, no partial file"
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index.as_array().unwrap().len(), 1);
}
