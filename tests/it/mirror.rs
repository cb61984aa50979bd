//! `gov mirror`: a directory that serves releases for several platforms,
//! verified, fetched once, whole; nodes install from it as from go.dev.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::server::Reply;
use crate::common::*;
use crate::install::sized_index;
use crate::{gov_snapshot, text_snapshot};

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
    let out = node.go(&node.work, &[]);
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
    gov_snapshot!("damaged_fetched_again", up.env, &out);
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
    // stdout lists what the mirror holds; the failure, named, goes to stderr.
    gov_snapshot!(up.env, &out);
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

/// Every name in `dir`, dot files included.
fn everything(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The `.part` files in `dir`: downloads written aside.
fn parts(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".part"))
        .collect()
}

#[test]
fn an_endless_archive_stops_at_its_declared_size_and_leaves_nothing() {
    let up = Mirror::new(&[]);
    let body = archive::fake_release("1.22.4");
    up.server.route(
        "index.json",
        Reply::Body(Arc::new(sized_index("1.22.4", &body))),
    );
    up.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Endless(Arc::new(body.clone())),
    );
    let dir = up.env.root.join("mirror");
    let out = output_within(
        &mut up.gov_cmd(["mirror", dir.to_str().unwrap(), "1.22.4"]),
        Duration::from_secs(60),
    );
    gov_snapshot!("endless", up.env, &out);
    let limit = format!("more than the {} bytes", body.len());
    assert!(stderr(&out).contains(&limit), "the archive's size");
    assert_eq!(
        up.server.hits("go1.22.4.linux-amd64.tar.gz"),
        1,
        "not retried"
    );
    assert_eq!(everything(&dir), [".gov-mirror.lock", "index.json"]);

    // A server that announces more than the index declares is refused
    // before a byte is read.
    let mut longer = body.clone();
    longer.extend_from_slice(&[0; 4096]);
    up.server
        .route("go1.22.4.linux-amd64.tar.gz", Reply::Body(Arc::new(longer)));
    let out = up.gov(&["mirror", dir.to_str().unwrap(), "1.22.4"]);
    gov_snapshot!("announces_more", up.env, &out);
    assert!(stderr(&out).contains(&limit), "the archive's size");
    assert_eq!(
        up.server.hits("go1.22.4.linux-amd64.tar.gz"),
        2,
        "not retried"
    );
    assert_eq!(everything(&dir), [".gov-mirror.lock", "index.json"]);
}

#[test]
fn a_full_disk_is_not_retried() {
    let up = Mirror::new(&[]);
    // Bytes that do not compress, more than the disk holds.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let body: Vec<u8> = (0..1 << 20)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    up.publish("1.22.4", body);
    let disk = SmallDisk::mount(up.env.root.join("small"), "256k");
    let dir = disk.0.join("mirror");
    let out = up.gov(&["mirror", dir.to_str().unwrap(), "1.22.4"]);
    // Not retried: no warning before the error.
    gov_snapshot!(up.env, &out);
    assert_eq!(up.server.hits("go1.22.4.linux-amd64.tar.gz"), 1);
    assert!(parts(&dir).is_empty(), "{:?}", everything(&dir));
}

/// Starts a `gov mirror` of a download that stalls halfway and returns it
/// once its `.part` file holds bytes.
fn stalled_mirror(up: &Mirror, dir: &Path) -> std::process::Child {
    let body = Arc::new(archive::fake_release("1.22.4"));
    up.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Stall(body.clone(), body.len() / 2),
    );
    let child = up
        .gov_cmd(["mirror", dir.to_str().unwrap(), "1.22.4"])
        .env("GOV_HTTP_TIMEOUT", "60")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !parts(dir)
        .iter()
        .any(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
    {
        assert!(
            Instant::now() < deadline,
            "the mirror never started writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn what_a_killed_mirror_left_is_cleared_by_prune_and_by_the_next_run() {
    let up = Mirror::new(&["1.22.4"]);
    let dir = up.env.root.join("mirror");
    let mut child = stalled_mirror(&up, &dir);
    // While a mirror runs, its files are its own.
    let out = up.gov(&["prune", "--dry-run"]);
    gov_snapshot!("prune_while_it_runs", up.env, &out);
    child.kill().unwrap();
    child.wait().unwrap();
    let left = parts(&dir);
    assert_eq!(left.len(), 1, "{:?}", everything(&dir));

    // How much of the stalled download reached the disk before the kill.
    let mut settings = snapshot_settings(&up.env);
    settings.add_filter(r"\b\d+ B\b", "[SIZE]");
    let out = up.gov(&["prune", "--dry-run"]);
    settings.bind(|| insta::assert_snapshot!("prune_dry_run", run_text(&out)));
    assert!(left[0].exists(), "a dry run removes nothing");
    let out = up.gov(&["prune"]);
    settings.bind(|| insta::assert_snapshot!("prune", run_text(&out)));
    assert!(parts(&dir).is_empty());

    // Killed again; this time the next run clears it.
    let mut child = stalled_mirror(&up, &dir);
    child.kill().unwrap();
    child.wait().unwrap();
    let left = parts(&dir);
    assert_eq!(left.len(), 1);
    up.server.route(
        "go1.22.4.linux-amd64.tar.gz",
        Reply::Body(Arc::new(archive::fake_release("1.22.4"))),
    );
    let out = up.gov(&["mirror", dir.to_str().unwrap(), "1.22.4"]);
    settings.bind(|| insta::assert_snapshot!("next_run", run_text(&out)));
    assert_eq!(
        everything(&dir),
        [
            ".gov-mirror.lock",
            "go1.22.4.linux-amd64.tar.gz",
            "go1.22.4.linux-amd64.tar.gz.sha256",
            "index.json"
        ]
    );
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_pipe_or_device_in_the_mirror_directory_is_refused_promptly() {
    let up = Mirror::new(&["1.22.4"]);
    let dir = up.env.root.join("mirror");
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join("go1.22.4.linux-amd64.tar.gz");
    let mirror = |up: &Mirror| {
        output_within(
            &mut up.gov_cmd(["mirror", dir.to_str().unwrap(), "1.22.4"]),
            Duration::from_secs(30),
        )
    };

    mkfifo(&archive);
    let out = mirror(&up);
    gov_snapshot!(up.env, &out);
    assert_eq!(stdout(&out), "");
    assert!(std::fs::symlink_metadata(&archive)
        .unwrap()
        .file_type()
        .is_fifo());
    std::fs::remove_file(&archive).unwrap();

    std::os::unix::fs::symlink("/dev/zero", &archive).unwrap();
    let device = mirror(&up);
    std::fs::remove_file(&archive).unwrap();

    mkfifo(&dir.join("go1.22.4.linux-amd64.tar.gz.sha256"));
    let sha256_pipe = mirror(&up);
    std::fs::remove_file(dir.join("go1.22.4.linux-amd64.tar.gz.sha256")).unwrap();

    std::fs::remove_file(dir.join("index.json")).unwrap();
    mkfifo(&dir.join("index.json"));
    let index_pipe = mirror(&up);
    text_snapshot!(
        "each_is_refused",
        up.env,
        transcript(&[
            ("gov mirror (the archive a link to /dev/zero)", &device),
            ("gov mirror (its .sha256 a pipe)", &sha256_pipe),
            ("gov mirror (index.json a pipe)", &index_pipe),
        ])
    );
    std::fs::remove_file(dir.join("index.json")).unwrap();
    assert_success(&mirror(&up));

    // The same from a shared directory gov downloads from.
    let node = TestEnv::new();
    std::fs::remove_file(&archive).unwrap();
    mkfifo(&archive);
    let out = output_within(
        node.gov_cmd(["install", "1.22.4"])
            .env("GOV_INDEX_URL", dir.join("index.json"))
            .env("GOV_DOWNLOAD_URL", &dir),
        Duration::from_secs(30),
    );
    let mut settings = snapshot_settings(&node);
    settings.add_filter(
        &regex_escape(&up.env.root.display().to_string()),
        "[UPSTREAM]",
    );
    settings.bind(|| insta::assert_snapshot!("from_a_shared_directory", run_text(&out)));
}

/// `dir` as a `file://` URL, its blanks percent-encoded.
fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.to_str().unwrap().replace(' ', "%20"))
}

#[test]
fn a_mirror_named_by_a_file_url_with_an_encoded_blank_serves_nodes_and_other_mirrors() {
    let up = Mirror::new(&["1.22.4"]);
    let dir = up.env.root.join("go mirror");
    assert_success(&up.gov(&["mirror", dir.to_str().unwrap(), "1.22.4"]));
    let url = file_url(&dir);

    // A node reads the archive through the URL, `%20` decoded.
    let node = TestEnv::new();
    let out = node
        .gov_cmd(["install", "1.22.4"])
        .env("GOV_INDEX_URL", format!("{url}/index.json"))
        .env("GOV_DOWNLOAD_URL", format!("{url}/"))
        .output()
        .unwrap();
    assert_success(&out);
    let out = node.gov_cmd(["list", "--json"]).output().unwrap();
    assert_success(&out);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        rows[0]["record"]["url"],
        format!("{url}/go1.22.4.linux-amd64.tar.gz"),
        "the URL as given, joined"
    );

    // Another mirror fetches from it, verified as from any server.
    let second = up.env.root.join("second");
    let hits = up.server.hits("go1.22.4.linux-amd64.tar.gz");
    let out = up
        .gov_cmd(["mirror", second.to_str().unwrap(), "1.22.4"])
        .env("GOV_INDEX_URL", format!("{url}/index.json"))
        .env("GOV_DOWNLOAD_URL", &url)
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), "downloaded go1.22.4.linux-amd64.tar.gz\n");
    assert_eq!(up.server.hits("go1.22.4.linux-amd64.tar.gz"), hits);
    assert_eq!(
        std::fs::read(second.join("go1.22.4.linux-amd64.tar.gz")).unwrap(),
        archive::fake_release("1.22.4")
    );
}

#[test]
fn an_archive_the_index_gives_no_digest_is_not_mirrored() {
    let up = Mirror::new(&["1.22.4"]);
    up.server.route(
        "index.json",
        Reply::Body(Arc::new(archive::index(&[("1.22.4", "")]))),
    );
    let dir = up.env.root.join("mirror");
    let out = up.gov(&["mirror", dir.to_str().unwrap(), "1.22.4"]);
    gov_snapshot!(up.env, &out);
    assert_eq!(up.server.hits("go1.22.4.linux-amd64.tar.gz"), 0);
    assert_eq!(names(&dir), ["index.json"]);
}
