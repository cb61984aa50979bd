//! `gov mirror DIR --proxy` against the test proxy and checksum database
//! (`tests/goproxy`): the static GOPROXY it writes, what it refuses, and an
//! air-gapped fleet behind nginx — gov nodes and the real go command (Go
//! 1.22.12 switching to 1.21.13) verifying against the database's key with
//! only the mirror reachable.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use crate::common::goproxy::{self, GoProxy};
use crate::common::*;
use crate::nginx::Nginx;

const PLATFORM: &str = "linux-amd64";

/// `gov mirror DIR --proxy ARGS` with `GOPROXY` and `GOSUMDB` set.
fn mirror_cmd(env: &TestEnv, dir: &Path, args: &[&str], proxy: &str, gosumdb: &str) -> Command {
    let mut cmd = env.gov_cmd(["mirror".as_ref(), dir.as_os_str(), "--proxy".as_ref()]);
    cmd.args(args).env("GOPROXY", proxy).env("GOSUMDB", gosumdb);
    cmd
}

fn mirror(env: &TestEnv, dir: &Path, args: &[&str], proxy: &str, gosumdb: &str) -> Output {
    output_within(
        &mut mirror_cmd(env, dir, args, proxy, gosumdb),
        Duration::from_secs(300),
    )
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// A copy of `from` at `to` whose files are hard links: cheap, and safe as
/// long as files are replaced (gov renames whole files in), never edited.
fn link_copy(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-al")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(
        status.success(),
        "cp -al {} {}",
        from.display(),
        to.display()
    );
}

/// `dir` and every directory above it up to `/` readable by nginx's
/// workers.
fn open_up(dir: &Path) {
    for d in dir.ancestors() {
        if let Ok(m) = std::fs::metadata(d) {
            let mode = m.permissions().mode();
            if mode & 0o005 != 0o005 {
                let _ = std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode | 0o055));
            }
        }
    }
}

/// Replaces the toolchain zip at `zip` (module version `module`) with a
/// valid zip holding one file more: another `h1:`, a new inode (hard
/// links to the old one keep it).
fn tamper(zip: &Path, module: &str) {
    let scratch = tempfile::tempdir().unwrap();
    let extra = scratch
        .path()
        .join(format!("golang.org/toolchain@{module}/TAMPERED"));
    std::fs::create_dir_all(extra.parent().unwrap()).unwrap();
    std::fs::write(&extra, "not what the database logged\n").unwrap();
    let copy = scratch.path().join("tampered.zip");
    std::fs::copy(zip, &copy).unwrap();
    let status = Command::new("zip")
        .arg("-q")
        .arg(&copy)
        .arg(format!("golang.org/toolchain@{module}/TAMPERED"))
        .current_dir(scratch.path())
        .status()
        .unwrap();
    assert!(status.success(), "zip -q {}", copy.display());
    let aside = zip.with_extension("zip.tampered");
    std::fs::copy(&copy, &aside).unwrap();
    std::fs::set_permissions(&aside, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::rename(&aside, zip).unwrap();
}

fn module_of(series: &str) -> String {
    goproxy::toolchain_version(series)
}

fn version_of(series: &str) -> String {
    goproxy::go_version_of(&module_of(series))
}

/// The proxy files of a module version under a mirror directory.
fn module_file(dir: &Path, module: &str, ext: &str) -> PathBuf {
    dir.join(format!("golang.org/toolchain/@v/{module}.{ext}"))
}

/// The real go command (Go 1.22 of the test mirror) with its own GOPATH,
/// module and build caches, nothing from the host's settings.
fn real_go(env: &TestEnv, gopath: &Path, proxy: &str, gosumdb: &str, args: &[&str]) -> Command {
    let mut cmd = goproxy::real_go(env, gopath, true, proxy, gosumdb);
    cmd.args(args);
    cmd
}

/// Go leaves its module cache read-only without -modcacherw's help for
/// directories: make it removable.
fn writable(dir: &Path) {
    for p in walk(dir) {
        if p.is_dir() && !p.is_symlink() {
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
        }
    }
}

/// The mirror of Go 1.22 and 1.21 this file's tests share, made once per
/// test process by `gov mirror DIR --proxy 1.22 1.21` from a database of
/// 300 fake records and the two toolchains, whose key is kept in `key` so
/// that a later server signs the same log.
struct Built {
    dir: PathBuf,
    key_file: PathBuf,
    key: String,
    name: String,
    /// The database's signed tree note (`/latest`).
    latest: Vec<u8>,
    /// What the first `gov mirror` printed.
    first: String,
    /// The paths the database and the proxy served to it.
    served: Vec<String>,
}

/// The flags of the fixture's database.
fn built_flags(key_file: &Path) -> Vec<String> {
    ["-extra", "300", "-proxy-sumdb", "-key"]
        .iter()
        .map(|s| s.to_string())
        .chain([key_file.to_string_lossy().into_owned()])
        .collect()
}

fn start_built_server(key_file: &Path) -> GoProxy {
    let flags = built_flags(key_file);
    GoProxy::start(&flags.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Under `target/proxy-mirror/<pid>` (nginx's workers must read it); the
/// directories of test processes that are gone are removed first.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let parent = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/proxy-mirror");
        std::fs::create_dir_all(&parent).unwrap();
        for e in std::fs::read_dir(&parent).unwrap().flatten() {
            let gone = e
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
                .is_some_and(|pid| unsafe { libc::kill(pid, 0) } != 0);
            if gone {
                writable(&e.path());
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let root = parent.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        open_up(&root);
        let key_file = root.join("sumdb.key");
        let db = start_built_server(&key_file);
        let dir = root.join("www");
        let admin = TestEnv::new();
        let out = mirror(&admin, &dir, &["1.22", "1.21"], &db.proxy, &db.gosumdb());
        assert_success(&out);
        let (status, latest) = db.get("/latest");
        assert_eq!(status, 200);
        Built {
            dir,
            key_file,
            key: db.key.clone(),
            name: db.name.clone(),
            latest,
            first: stdout(&out),
            served: db.paths(),
        }
        // The database stops here: nothing but the mirror is left to reach.
    })
}

#[test]
fn mirror_proxy_writes_the_modules_and_the_proof_and_fetches_only_what_is_missing() {
    let b = built();
    let (m21, m22) = (module_of("1.21"), module_of("1.22"));
    let (v21, v22) = (version_of("1.21"), version_of("1.22"));
    assert_eq!(
        b.first,
        format!("downloaded {v22} for {PLATFORM}\ndownloaded {v21} for {PLATFORM}\n")
    );
    // Exactly the proxy's files and the database material, nothing else.
    let all = files(&b.dir);
    let sumdb = format!("sumdb/{}/", b.name);
    let mut want = vec![".gov-mirror.lock".to_string()];
    for m in [&m21, &m22] {
        for ext in ["info", "mod", "zip"] {
            want.push(format!("golang.org/toolchain/@v/{m}.{ext}"));
        }
        want.push(format!("{sumdb}lookup/golang.org/toolchain@{m}"));
    }
    want.push("golang.org/toolchain/@v/list".into());
    want.push(format!("{sumdb}latest"));
    want.push(format!("{sumdb}supported"));
    let tiles: Vec<&String> = all
        .iter()
        .filter(|f| f.starts_with(&format!("{sumdb}tile/8/")))
        .collect();
    let rest: Vec<&String> = all
        .iter()
        .filter(|f| !f.starts_with(&format!("{sumdb}tile/8/")))
        .collect();
    want.sort();
    assert_eq!(rest, want.iter().collect::<Vec<_>>(), "{all:#?}");
    // 300 fake records first: the proof climbs to the second tile level;
    // every tile is one the database served.
    assert!(tiles.iter().any(|t| t.contains("tile/8/1/")), "{tiles:?}");
    for t in &tiles {
        let path = format!("/{}", t.strip_prefix(&sumdb).unwrap());
        assert!(b.served.contains(&path), "{t} was never served");
    }
    assert_eq!(
        std::fs::read_to_string(b.dir.join("golang.org/toolchain/@v/list")).unwrap(),
        format!("{m21}\n{m22}\n")
    );
    assert_eq!(
        std::fs::read(b.dir.join(format!("{sumdb}latest"))).unwrap(),
        b.latest
    );
    for m in [&m21, &m22] {
        for ext in ["zip", "mod", "info"] {
            assert!(
                std::fs::read(module_file(&b.dir, m, ext)).unwrap()
                    == std::fs::read(goproxy::toolchain_file(m, ext)).unwrap(),
                "{m}.{ext} differs from the proxy's"
            );
        }
    }

    // Again, from the same database (the same key signs the same log): all
    // kept, no zip fetched.
    let env = TestEnv::new();
    let dir = env.root.join("www");
    link_copy(&b.dir, &dir);
    let db = start_built_server(&b.key_file);
    let out = mirror(
        &env,
        &dir,
        &["1.22", "1.21", "--json"],
        &db.proxy,
        &db.gosumdb(),
    );
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"file": format!("{v22} for {PLATFORM}"), "action": "kept", "error": null},
            {"file": format!("{v21} for {PLATFORM}"), "action": "kept", "error": null},
        ])
    );
    let zips: Vec<String> = db
        .paths()
        .into_iter()
        .filter(|p| p.ends_with(".zip"))
        .collect();
    assert!(zips.is_empty(), "{zips:?}");
    assert_eq!(files(&dir), all);

    // A damaged zip is fetched again; the other is kept.
    let zip21 = module_file(&dir, &m21, "zip");
    std::fs::remove_file(&zip21).unwrap();
    std::fs::write(&zip21, b"PK\x03\x04 not a zip any more").unwrap();
    let out = mirror(&env, &dir, &["1.22", "1.21"], &db.proxy, &db.gosumdb());
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("kept {v22} for {PLATFORM}\ndownloaded {v21} for {PLATFORM}\n")
    );
    let zips: Vec<String> = db
        .paths()
        .into_iter()
        .filter(|p| p.ends_with(".zip"))
        .collect();
    assert_eq!(
        zips,
        [format!("/proxy/golang.org/toolchain/@v/{m21}.zip")],
        "{zips:?}"
    );
    assert!(
        std::fs::read(&zip21).unwrap()
            == std::fs::read(goproxy::toolchain_file(&m21, "zip")).unwrap()
    );
    assert_eq!(files(&dir), all);
    drop(db);

    // The database through the proxy (GOSUMDB is the key alone): the same
    // tree, every database path read through `<proxy>/sumdb/<name>/`.
    let db = start_built_server(&b.key_file);
    let fresh = env.root.join("www-key-only");
    let out = mirror(&env, &fresh, &["1.22", "1.21"], &db.proxy, &b.key);
    assert_success(&out);
    assert_eq!(files(&fresh), all);
    let paths = db.paths();
    assert!(
        paths.contains(&format!("/proxy/sumdb/{}/supported", b.name)),
        "{paths:?}"
    );
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("/lookup/") || p.starts_with("/tile/")),
        "{paths:?}"
    );
}

/// Mirrors Go 1.22 and 1.21 from `db` into a fresh directory: 1.21 must
/// fail and leave nothing behind, 1.22 must be mirrored.
fn assert_refuses_121(db: &GoProxy, needles: &[&str]) {
    let env = TestEnv::new();
    let dir = env.root.join("www");
    let (m21, m22) = (module_of("1.21"), module_of("1.22"));
    let out = mirror(&env, &dir, &["1.22", "1.21"], &db.proxy, &db.gosumdb());
    let mut all = vec![
        format!("cannot mirror `Go 1.21 for {PLATFORM}`"),
        m21.clone(),
    ];
    all.extend(needles.iter().map(|n| n.to_string()));
    assert_failure(&out, 1, &all.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        stdout(&out),
        format!("downloaded {} for {PLATFORM}\n", version_of("1.22"))
    );
    let left: Vec<String> = files(&dir)
        .into_iter()
        .filter(|f| f.contains("1.21") || f.ends_with(".part"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("golang.org/toolchain/@v/list")).unwrap(),
        format!("{m22}\n")
    );
    assert!(module_file(&dir, &m22, "zip").is_file());
}

#[test]
fn mirror_proxy_keeps_nothing_the_database_does_not_prove() {
    let m21 = module_of("1.21");
    std::thread::scope(|scope| {
        // The database records another hash for 1.21.
        scope.spawn(|| {
            let replace = format!("golang.org/toolchain@{m21}=other");
            let db = GoProxy::start(&["-extra", "20", "-replace", &replace]);
            assert_refuses_121(&db, &["checksum mismatch", "SECURITY ERROR"]);
        });
        // The proxy serves a 1.21 zip other than the one the log holds.
        scope.spawn(|| {
            let scratch = tempfile::tempdir().unwrap();
            let upstream = scratch.path().join("proxy");
            link_copy(&goproxy::go_proxy_dir(), &upstream);
            let db = GoProxy::start_args(&["-dir".as_ref(), upstream.as_os_str()]);
            tamper(&module_file(&upstream, &m21, "zip"), &m21);
            assert_refuses_121(&db, &["checksum mismatch", "SECURITY ERROR"]);
        });
    });
}

/// A node: its own GOV_HOME, only nginx to reach, the database known by
/// its key alone.
fn node_cmd(node: &TestEnv, base: &str, key: &str, args: &[&str]) -> Command {
    let mut cmd = node.gov_cmd(args);
    cmd.env("GOV_SOURCE", "proxy")
        .env("GOPROXY", base)
        .env("GOSUMDB", key)
        // Anything else would be a way out: point it nowhere.
        .env("GOV_INDEX_URL", "http://127.0.0.1:9/index.json")
        .env("GOV_DOWNLOAD_URL", "http://127.0.0.1:9/");
    cmd
}

#[test]
fn an_air_gapped_fleet_installs_and_switches_through_nginx_and_refuses_tampering() {
    let b = built();
    let (m21, m22) = (module_of("1.21"), module_of("1.22"));
    let (v21, v22) = (version_of("1.21"), version_of("1.22"));
    let admin = TestEnv::new();
    open_up(&admin.root);
    let www = admin.root.join("www");
    link_copy(&b.dir, &www);

    // The same directory also serves go.dev/dl's layout.
    {
        let upstream = Nginx::start(&real_mirror_dir(), &admin.root.join("nginx-upstream"));
        let out = admin
            .gov_cmd(["mirror".as_ref(), www.as_os_str(), v22.as_ref()])
            .env("GOV_INDEX_URL", format!("{}/index.json", upstream.base))
            .env("GOV_DOWNLOAD_URL", format!("{}/", upstream.base))
            .output()
            .unwrap();
        assert_success(&out);
    }
    let nginx = Nginx::start(&www, &admin.root.join("nginx"));
    let base = nginx.base.clone();

    let go_version = |node: &TestEnv, base: &str| {
        let out = node_cmd(node, base, &b.key, &["run", &v22, "go", "version"])
            .output()
            .unwrap();
        assert_success(&out);
        stdout(&out)
    };
    std::thread::scope(|scope| {
        let nodes: Vec<_> = (0..3)
            .map(|_| {
                let (base, go_version, v22) = (base.clone(), &go_version, &v22);
                scope.spawn(move || {
                    let node = TestEnv::new();
                    let out = output_within(
                        &mut node_cmd(&node, &base, &b.key, &["install", "1.22"]),
                        Duration::from_secs(300),
                    );
                    assert_success(&out);
                    assert_eq!(
                        go_version(&node, &base),
                        format!("go version go{v22} linux/amd64\n")
                    );
                })
            })
            .collect();
        // A node of the go.dev/dl kind, from the same directory.
        let dl = scope.spawn(|| {
            let node = TestEnv::new();
            let out = node
                .gov_cmd(["install", "1.22"])
                .env("GOV_INDEX_URL", format!("{base}/index.json"))
                .env("GOV_DOWNLOAD_URL", format!("{base}/"))
                .output()
                .unwrap();
            assert_success(&out);
        });
        // Go's own switch, its only database material the mirror's.
        let go = scope.spawn(|| {
            let env = TestEnv::new();
            let gopath = env.root.join("gopath");
            let out = output_within(
                real_go(&env, &gopath, &base, &b.key, &["version"])
                    .env("GOTOOLCHAIN", format!("go{v21}")),
                Duration::from_secs(300),
            );
            writable(&env.root);
            assert_success(&out);
            eprintln!("real Go through nginx: {}{}", stdout(&out), stderr(&out));
            assert_eq!(stdout(&out), format!("go version go{v21} linux/amd64\n"));
        });
        for n in nodes {
            n.join().unwrap();
        }
        dl.join().unwrap();
        go.join().unwrap();
    });

    // Someone changes the zips nginx serves: gov and Go both refuse them.
    tamper(&module_file(&www, &m22, "zip"), &m22);
    tamper(&module_file(&www, &m21, "zip"), &m21);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let node = TestEnv::new();
            let out = output_within(
                &mut node_cmd(&node, &base, &b.key, &["install", "1.22"]),
                Duration::from_secs(300),
            );
            assert_failure(&out, 1, &["SECURITY", "checksum mismatch", &m22]);
            // Nothing installed, nothing of the zip left.
            assert!(!node.gov_home.join("versions").join(&v22).exists());
            let left: Vec<String> = files(&node.gov_home)
                .into_iter()
                .filter(|f| f.ends_with(".zip") || f.starts_with("versions/"))
                .collect();
            assert!(left.is_empty(), "{left:?}");
        });
        scope.spawn(|| {
            let env = TestEnv::new();
            let gopath = env.root.join("gopath");
            let out = output_within(
                real_go(&env, &gopath, &base, &b.key, &["version"])
                    .env("GOTOOLCHAIN", format!("go{v21}")),
                Duration::from_secs(300),
            );
            writable(&env.root);
            assert!(!out.status.success(), "Go accepted it: {}", stdout(&out));
            eprintln!("real Go, tampered zip: {}", stderr(&out));
            assert!(stderr(&out).contains("SECURITY ERROR"), "{}", stderr(&out));
        });
    });
}

/// The log grows between two mirror runs: 1.21 is proven in the older
/// tree, 1.22 in the newer. A node that sees 1.22 first keeps the newer
/// tree and must then prove 1.21 in it, from the mirror alone.
fn grown_log_case(same_admin: bool) {
    let env = TestEnv::new();
    let key_file = env.root.join("sumdb.key");
    let key_file = key_file.to_str().unwrap();
    let dir = env.root.join("www");
    let (m21, m22) = (module_of("1.21"), module_of("1.22"));
    let admin = TestEnv::new();
    let a = GoProxy::start(&["-extra", "300", "-append", "300", "-key", key_file]);
    assert_success(&mirror(&admin, &dir, &["1.21"], &a.proxy, &a.gosumdb()));
    drop(a);
    let b = GoProxy::start(&["-extra", "300", "-append", "600", "-key", key_file]);
    let other = TestEnv::new();
    let admin = if same_admin { &admin } else { &other };
    assert_success(&mirror(admin, &dir, &["1.22"], &b.proxy, &b.gosumdb()));
    let key = b.key.clone();
    drop(b);

    let proxy = format!("file://{}", dir.display());
    let gopath = env.root.join("gopath");
    let mut texts = Vec::new();
    for m in [&m22, &m21] {
        let out = output_within(
            &mut real_go(
                &env,
                &gopath,
                &proxy,
                &key,
                &[
                    "mod",
                    "download",
                    "-json",
                    &format!("golang.org/toolchain@{m}"),
                ],
            ),
            Duration::from_secs(300),
        );
        texts.push(format!("{m}: {}{}", stdout(&out), stderr(&out)));
        if !out.status.success() {
            writable(&env.root);
            panic!(
                "Go could not prove {m} from the mirror:\n{}",
                texts.join("\n")
            );
        }
    }
    writable(&env.root);
    // And a gov node, in the same order.
    let node = TestEnv::new();
    for v in [version_of("1.22"), version_of("1.21")] {
        let out = output_within(
            node.gov_cmd(["install", &v])
                .env("GOV_SOURCE", "proxy")
                .env("GOPROXY", &proxy)
                .env("GOSUMDB", &key),
            Duration::from_secs(300),
        );
        assert_success(&out);
    }
}

#[test]
fn a_mirror_made_while_the_log_grew_proves_old_records_in_the_newest_tree() {
    grown_log_case(true);
}

#[test]
fn a_mirror_updated_from_another_home_while_the_log_grew_proves_old_records_in_the_newest_tree() {
    grown_log_case(false);
}
