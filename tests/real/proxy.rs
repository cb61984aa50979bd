//! gov's own use of Go's channel (`GOV_SOURCE=proxy`) against the real
//! checksum database and GOPROXY of `tests/goproxy` and the real toolchain
//! modules: what it installs is what Go downloads and unpacks itself, what
//! it records is what the database proves, and every attack the server's
//! flags (or a loopback proxy of the test's own) plant is refused before
//! anything reaches the store. The real go command is the oracle
//! throughout.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

use crate::common::goproxy::{self, GoProxy};
use crate::common::server::{Reply, Server};
use crate::common::zip::Entry;
use crate::common::{assert_success, output_within, stderr, stdout, walk, TestEnv};

/// Longer than any honest install or Go download takes on a busy machine.
const LIMIT: Duration = Duration::from_secs(300);

/// `gov ARGS` reading Go's channel: `GOV_SOURCE=proxy`, `GOPROXY` and
/// `GOSUMDB` as given, every exemption empty and no Go settings file.
fn gov(env: &TestEnv, goproxy: &str, gosumdb: &str, args: &[&str]) -> Command {
    let mut cmd = env.gov_cmd(args);
    cmd.env("GOV_SOURCE", "proxy")
        .env("GOENV", "off")
        .env("GOPROXY", goproxy)
        .env("GOSUMDB", gosumdb)
        .env("GONOSUMDB", "")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    output_within(cmd, LIMIT)
}

/// The real go command of the test proxy's newest Go 1.22, in an isolated
/// GOPATH, module cache and build cache below `env`'s root; the module
/// cache is left read-only, as Go leaves it.
fn real_go(env: &TestEnv, goproxy: &str, gosumdb: &str, args: &[&str]) -> Command {
    let mut cmd = goproxy::real_go(env, &env.root.join("gopath"), false, goproxy, gosumdb);
    cmd.args(args);
    cmd
}

fn mod_cache(env: &TestEnv) -> PathBuf {
    env.root.join("gopath/pkg/mod")
}

/// Makes everything Go left read-only writable again, so that the test's
/// temporary directory can go.
struct Writable<'a>(&'a TestEnv);

impl Drop for Writable<'_> {
    fn drop(&mut self) {
        for p in walk(&self.0.root) {
            if p.is_dir() && !p.is_symlink() {
                let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
}

fn module_of(series: &str) -> (String, String) {
    let module = goproxy::toolchain_version(series);
    let version = goproxy::go_version_of(&module);
    (module, version)
}

/// The one record of `version` in `gov list --json`.
fn record(env: &TestEnv, version: &str) -> serde_json::Value {
    let out = env.gov_ok(["list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == version)
        .unwrap_or_else(|| panic!("no {version} in {out}"))["record"]
        .clone()
}

/// Nothing entered the store: no release in `versions/`, no scratch left.
fn assert_nothing_installed(env: &TestEnv) {
    let versions = env.gov_home.join("versions");
    let left: Vec<PathBuf> = std::fs::read_dir(&versions)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.ends_with(".gov-tmp") || std::fs::read_dir(p).unwrap().next().is_some())
        .collect();
    assert!(left.is_empty(), "installed anyway: {left:?}");
    let scratch: Vec<PathBuf> = walk(&env.gov_home.join("tmp"));
    assert!(scratch.is_empty(), "scratch left: {scratch:?}");
}

/// Where gov keeps the newest tree it saw of the database `name`.
fn latest(env: &TestEnv, name: &str) -> PathBuf {
    env.gov_home.join("sumdb").join(name).join("latest")
}

/// Stores the tree `db` signs now as the newest gov saw of it, as an
/// earlier install would have.
fn seed_latest(env: &TestEnv, db: &GoProxy) -> Vec<u8> {
    let (status, note) = db.get("/latest");
    assert_eq!(status, 200);
    let path = latest(env, &db.name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &note).unwrap();
    note
}

/// The exit code and what gov said from its first `error: ` on, with the
/// test's paths and ports, the database's key, hashes and the proxy's
/// releases filtered.
fn assert_refused(name: &str, env: &TestEnv, out: &Output) {
    assert!(
        !out.status.success(),
        "accepted:\nstdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
    let text = format!(
        "exit_code: {}\n{}",
        out.status.code().unwrap_or(-1),
        last_error(out)
    );
    let (_, v121) = module_of("1.21");
    let (_, v122) = module_of("1.22");
    let mut settings =
        crate::common::snapshot_settings_naming(env, &[(&v121, "GO121"), (&v122, "GO122")]);
    settings.add_filter(r"\+[0-9a-f]{8}\+[A-Za-z0-9+/]{43,}=*", "+[KEYHASH]+[KEY]");
    settings.add_filter(r"— (\S+) [A-Za-z0-9+/]{40,}=*", "— $1 [SIGNATURE]");
    settings.add_filter(r"\+[0-9a-f]{8}\b", "+[KEYHASH]");
    settings.add_filter(r"[A-Za-z0-9+/]{43}=", "[HASH]");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// What gov said from the line that starts with `error: ` on (warnings
/// before it may hold `error: ` too).
fn last_error(out: &Output) -> String {
    let err = stderr(out);
    let at = err
        .lines()
        .position(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error in:\n{err}"));
    err.lines().skip(at).map(|l| format!("{l}\n")).collect()
}

/// The toolchain module's files served by a loopback proxy of the test's
/// own, its zip replaced by `zip`.
fn serve_module(server: &Server, module: &str, zip: Vec<u8>) {
    let dir = goproxy::go_proxy_dir().join("golang.org/toolchain/@v");
    let list = std::fs::read(dir.join("list")).unwrap();
    server.route("golang.org/toolchain/@v/list", Reply::Body(Arc::new(list)));
    for ext in ["info", "mod"] {
        let body = std::fs::read(goproxy::toolchain_file(module, ext)).unwrap();
        server.route(
            &format!("golang.org/toolchain/@v/{module}.{ext}"),
            Reply::Body(Arc::new(body)),
        );
    }
    server.route(
        &format!("golang.org/toolchain/@v/{module}.zip"),
        Reply::Body(Arc::new(zip)),
    );
}

fn le16(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn le32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize
}

/// `zip` (a real module zip, no zip64) with one byte of the file `name`
/// changed by `edit`: every other entry copied as it is, that one
/// re-compressed with a true CRC, the offsets moved. A valid zip that
/// unpacks cleanly; only its `h1:` tells.
fn zip_with_one_byte_changed(zip: &[u8], name: &str, edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let end = (0..zip.len() - 21)
        .rev()
        .find(|&i| zip[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])
        .expect("an end record");
    let count = le16(zip, end + 10);
    let cd = le32(zip, end + 16);
    // Each central record: its bytes, its name, its local header's offset.
    let mut records = Vec::new();
    let mut at = cd;
    for _ in 0..count {
        assert_eq!(le32(zip, at), 0x02014b50);
        let len = 46 + le16(zip, at + 28) + le16(zip, at + 30) + le16(zip, at + 32);
        let entry_name = zip[at + 46..at + 46 + le16(zip, at + 28)].to_vec();
        let offset = le32(zip, at + 42);
        assert_ne!(offset, u32::MAX as usize, "zip64 offsets are not handled");
        records.push((zip[at..at + len].to_vec(), entry_name, offset));
        at += len;
    }
    let mut offsets: Vec<usize> = records.iter().map(|r| r.2).collect();
    offsets.sort_unstable();
    let next = |offset: usize| offsets.iter().find(|&&o| o > offset).copied().unwrap_or(cd);
    let (mut out, mut central, mut changed) = (Vec::new(), Vec::new(), false);
    for (mut record, entry_name, offset) in records {
        let new_offset = out.len();
        if entry_name == name.as_bytes() {
            let data_at = offset + 30 + le16(zip, offset + 26) + le16(zip, offset + 28);
            let csize = le32(&record, 20);
            let mut data = Vec::new();
            flate2::read::DeflateDecoder::new(&zip[data_at..data_at + csize])
                .read_to_end(&mut data)
                .unwrap();
            let before = data.clone();
            edit(&mut data);
            assert_eq!(before.len(), data.len());
            assert_eq!(before.iter().zip(&data).filter(|(a, b)| a != b).count(), 1);
            let mode = (le32(&record, 38) >> 16) as u32;
            let entry = Entry {
                unix_mode: if mode == 0 { 0o100644 } else { mode },
                ..Entry::file(name, &data)
            };
            out.extend_from_slice(&entry.local_bytes());
            central.extend_from_slice(&entry.central_bytes(new_offset as u64));
            changed = true;
        } else {
            out.extend_from_slice(&zip[offset..next(offset)]);
            record[42..46].copy_from_slice(&(new_offset as u32).to_le_bytes());
            central.extend_from_slice(&record);
        }
    }
    assert!(changed, "no {name} in the zip");
    let cd_offset = out.len();
    out.extend_from_slice(&central);
    out.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0]);
    out.extend_from_slice(&(count as u16).to_le_bytes());
    out.extend_from_slice(&(count as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&(cd_offset as u32).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// Each file and directory below `root`, relative: is it a directory,
/// is it executable.
fn tree(root: &Path) -> BTreeMap<PathBuf, (bool, bool)> {
    walk(root)
        .into_iter()
        .map(|p| {
            let meta = std::fs::symlink_metadata(&p).unwrap();
            assert!(!meta.file_type().is_symlink(), "{}", p.display());
            let exec = !meta.is_dir() && meta.permissions().mode() & 0o111 != 0;
            (
                p.strip_prefix(root).unwrap().to_path_buf(),
                (meta.is_dir(), exec),
            )
        })
        .collect()
}

#[test]
fn installs_from_the_proxy_what_go_downloads_and_the_database_proves() {
    let env = TestEnv::new();
    let genv = TestEnv::new();
    let _writable = Writable(&genv);
    let db = GoProxy::start(&["-extra", "300"]);
    let (module, version) = module_of("1.22");
    let oracle = goproxy::h1(&goproxy::toolchain_file(&module, "zip"));
    // Go's own download of the same module, meanwhile.
    let go_download = std::thread::scope(|s| {
        let go = s.spawn(|| {
            run(&mut real_go(
                &genv,
                &db.proxy,
                &db.gosumdb(),
                &[
                    "mod",
                    "download",
                    "-json",
                    &format!("golang.org/toolchain@{module}"),
                ],
            ))
        });
        let out = run(&mut gov(
            &env,
            &db.proxy,
            &db.gosumdb(),
            &["install", "1.22"],
        ));
        assert_success(&out);
        go.join().unwrap()
    });
    assert_success(&go_download);
    let json: serde_json::Value = serde_json::from_slice(&go_download.stdout).unwrap();
    assert_eq!(json["Sum"], oracle.as_str());

    let installed = env.gov_home.join("versions").join(&version);
    let out = run(env.command(installed.join("bin/go")).arg("version"));
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("go version go{version} linux/amd64\n")
    );

    let rec = record(&env, &version);
    assert_eq!(rec["module"]["path"], "golang.org/toolchain");
    assert_eq!(rec["module"]["version"], module.as_str());
    assert_eq!(rec["module"]["h1"], oracle.as_str());
    assert_eq!(rec["module"]["proved_by"]["database"], db.name.as_str());
    assert_eq!(rec["module"]["proved_by"]["size"], db.size);
    assert_eq!(rec["verified"], true);
    let (_, note) = db.get("/latest");
    let note = String::from_utf8(note).unwrap();
    let tree_hash = rec["module"]["proved_by"]["hash"].as_str().unwrap();
    assert!(
        note.starts_with(&format!("go.sum database tree\n{}\n{tree_hash}\n", db.size)),
        "{note}"
    );
    assert_eq!(
        std::fs::read_to_string(latest(&env, &db.name)).unwrap(),
        note
    );
    assert_nothing_left_in_scratch(&env);

    let spdx: serde_json::Value =
        serde_json::from_str(&env.gov_ok(["sbom", "--format", "spdx"])).unwrap();
    let comment = spdx["packages"][0]["comment"].as_str().unwrap();
    for line in [
        format!("module: golang.org/toolchain@{module}"),
        format!("module-h1: {oracle}"),
        format!("sumdb: {}", db.name),
        format!("sumdb-tree-size: {}", db.size),
        format!("sumdb-tree-hash: {tree_hash}"),
    ] {
        assert!(
            comment.lines().any(|l| l == line),
            "no {line:?} in {comment}"
        );
    }
    let cdx: serde_json::Value =
        serde_json::from_str(&env.gov_ok(["sbom", "--format", "cyclonedx"])).unwrap();
    let props: BTreeMap<String, String> = cdx["components"][0]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let size = db.size.to_string();
    for (name, value) in [
        (
            "gov:module",
            format!("golang.org/toolchain@{module}").as_str(),
        ),
        ("gov:module-h1", oracle.as_str()),
        ("gov:sumdb", db.name.as_str()),
        ("gov:sumdb-tree-size", size.as_str()),
        ("gov:sumdb-tree-hash", tree_hash),
    ] {
        assert_eq!(
            props.get(name).map(String::as_str),
            Some(value),
            "{props:?}"
        );
    }
}

fn assert_nothing_left_in_scratch(env: &TestEnv) {
    let scratch = walk(&env.gov_home.join("tmp"));
    assert!(scratch.is_empty(), "scratch left: {scratch:?}");
}

/// Go 1.22 switching to Go 1.21 downloads and unpacks the toolchain module
/// into its module cache; gov installs the same module from the same proxy.
/// The two Go roots hold the same files with the same contents and exec
/// bits (only `go.env` differs: gov's GOTOOLCHAIN=local). Then gov imports
/// the one in Go's cache: linked, and copied into another home, from where
/// it can be removed although Go left its cache read-only.
#[test]
fn the_go_root_gov_makes_is_the_one_go_makes_and_gov_imports_gos() {
    let env = TestEnv::new();
    let _writable = Writable(&env);
    let db = GoProxy::start(&["-extra", "300"]);
    let (module, version) = module_of("1.21");
    let switched = std::thread::scope(|s| {
        let go = s.spawn(|| {
            run(real_go(&env, &db.proxy, &db.gosumdb(), &["version"])
                .env("GOTOOLCHAIN", format!("go{version}")))
        });
        let out = run(&mut gov(
            &env,
            &db.proxy,
            &db.gosumdb(),
            &["install", "--source", "proxy", &version],
        ));
        assert_success(&out);
        go.join().unwrap()
    });
    assert_success(&switched);
    assert_eq!(
        stdout(&switched),
        format!("go version go{version} linux/amd64\n")
    );
    let gos = mod_cache(&env).join(format!("golang.org/toolchain@{module}"));
    let ours = env.gov_home.join("versions").join(&version);
    let (go_tree, our_tree) = (tree(&gos), tree(&ours));
    let only_go: Vec<_> = go_tree
        .keys()
        .filter(|k| !our_tree.contains_key(*k))
        .collect();
    let only_ours: Vec<_> = our_tree
        .keys()
        .filter(|k| !go_tree.contains_key(*k))
        .collect();
    assert!(
        only_go.is_empty() && only_ours.is_empty(),
        "only in Go's: {only_go:?}\nonly in gov's: {only_ours:?}"
    );
    let differ: Vec<_> = go_tree
        .iter()
        .filter(|(k, v)| our_tree[*k] != **v)
        .map(|(k, v)| format!("{}: Go {v:?}, gov {:?}", k.display(), our_tree[k]))
        .collect();
    assert!(
        differ.is_empty(),
        "(is dir, exec) differ:\n{}",
        differ.join("\n")
    );
    for exe in ["bin/go", "bin/gofmt", "pkg/tool/linux_amd64/compile"] {
        assert!(our_tree[Path::new(exe)].1, "{exe} is not executable");
    }
    let mut contents = Vec::new();
    for (rel, (is_dir, _)) in &go_tree {
        if *is_dir {
            continue;
        }
        let same = std::fs::read(gos.join(rel)).unwrap() == std::fs::read(ours.join(rel)).unwrap();
        if !same {
            contents.push(rel.display().to_string());
        }
    }
    assert_eq!(contents, ["go.env"], "files whose contents differ");
    let go_env = std::fs::read_to_string(ours.join("go.env")).unwrap();
    assert_eq!(
        go_env.replace("GOTOOLCHAIN=local", "GOTOOLCHAIN=auto"),
        std::fs::read_to_string(gos.join("go.env")).unwrap()
    );

    // Go's cache, as gov import finds it.
    let ziphash = std::fs::read_to_string(mod_cache(&env).join(format!(
        "cache/download/golang.org/toolchain/@v/{module}.ziphash"
    )))
    .unwrap();
    let import = |home: &TestEnv, args: &[&str]| {
        run(home
            .gov_cmd(args)
            .env("GOMODCACHE", mod_cache(&env))
            .env("GOENV", "off"))
    };
    let linked = TestEnv::new();
    let out = import(&linked, &["import", "--dry-run", "--json"]);
    assert_success(&out);
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_go: Vec<&serde_json::Value> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["by"] == "go")
        .collect();
    assert_eq!(by_go.len(), 1, "{found}");
    assert_eq!(by_go[0]["root"], gos.to_str().unwrap());
    assert_eq!(by_go[0]["version"], version.as_str());
    assert_eq!(by_go[0]["action"], "would link");
    assert_success(&import(&linked, &["import"]));
    let rec = record(&linked, &version);
    assert_eq!(rec["module"]["h1"], ziphash.trim());
    assert_eq!(rec["module"]["version"], module.as_str());
    let out = run(linked
        .command(linked.shim("go"))
        .arg("version")
        .env("GOV_VERSION", &version));
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("go version go{version} linux/amd64\n")
    );

    // A copy: Debian's Go, which import also finds, linked first so that
    // only Go's toolchain is copied.
    let copied = TestEnv::new();
    let debian = crate::common::debian_go_1_19();
    let debian_version = std::fs::read_to_string(debian.join("VERSION")).unwrap();
    let debian_version = debian_version
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("go");
    copied.link(debian_version, &debian);
    assert!(
        std::fs::metadata(&gos).unwrap().permissions().mode() & 0o222 == 0,
        "Go's cache is writable: the copy proves nothing"
    );
    let out = import(&copied, &["import", "--copy"]);
    assert_success(&out);
    let rec = record(&copied, &version);
    assert_eq!(rec["module"]["h1"], ziphash.trim());
    let copy = copied.gov_home.join("versions").join(&version);
    assert!(copy.is_dir() && !copy.is_symlink());
    assert_success(&run(&mut copied.gov_cmd(["uninstall", &version])));
    assert!(!copy.exists());
    // Go's own is untouched.
    assert!(gos.join("bin/go").is_file());
}

#[test]
fn list_remote_reads_the_proxys_list() {
    let env = TestEnv::new();
    let db = GoProxy::start(&[]);
    let (_, v121) = module_of("1.21");
    let (_, v122) = module_of("1.22");
    let out = run(&mut gov(&env, &db.proxy, &db.gosumdb(), &["list-remote"]));
    assert_success(&out);
    let text = stdout(&out);
    let p122 = text
        .find(&v122)
        .unwrap_or_else(|| panic!("no {v122} in {text}"));
    let p121 = text
        .find(&v121)
        .unwrap_or_else(|| panic!("no {v121} in {text}"));
    assert!(p122 < p121, "not newest first:\n{text}");
    let out = run(&mut gov(
        &env,
        &db.proxy,
        &db.gosumdb(),
        &["list-remote", "--source", "proxy", "--json"],
    ));
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let versions: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, [v122.as_str(), v121.as_str()]);
    assert!(db
        .paths()
        .contains(&"/proxy/golang.org/toolchain/@v/list".to_string()));
}

#[test]
fn a_proxy_serving_a_modified_zip_is_refused() {
    let env = TestEnv::new();
    let db = GoProxy::start(&["-extra", "300"]);
    let (module, version) = module_of("1.22");
    let real = std::fs::read(goproxy::toolchain_file(&module, "zip")).unwrap();
    let name = format!("golang.org/toolchain@{module}/VERSION");
    let zip = zip_with_one_byte_changed(&real, &name, |data| data[0] ^= 0x20);
    let proxy = Server::start();
    serve_module(&proxy, &module, zip.clone());
    let out = run(&mut gov(
        &env,
        &proxy.base,
        &db.gosumdb(),
        &["install", "1.22"],
    ));
    assert_refused("modified_zip", &env, &out);
    let text = stderr(&out);
    let planted = env.root.join("modified.zip");
    std::fs::write(&planted, &zip).unwrap();
    for needle in [
        "checksum mismatch".to_string(),
        goproxy::h1(&planted),
        goproxy::h1(&goproxy::toolchain_file(&module, "zip")),
        db.name.clone(),
    ] {
        assert!(text.contains(&needle), "no {needle:?} in:\n{text}");
    }
    assert_nothing_installed(&env);
    assert!(proxy.hits(&format!("golang.org/toolchain/@v/{module}.zip")) == 1);
    assert!(!env.gov_home.join("versions").join(&version).exists());
}

#[test]
fn a_database_recording_another_hash_is_refused() {
    let env = TestEnv::new();
    let (module, _) = module_of("1.22");
    let db = GoProxy::start(&[
        "-extra",
        "300",
        "-replace",
        &format!("golang.org/toolchain@{module}=other"),
    ]);
    let out = run(&mut gov(
        &env,
        &db.proxy,
        &db.gosumdb(),
        &["install", "1.22"],
    ));
    assert_refused("replaced_record", &env, &out);
    assert!(stderr(&out).contains(&goproxy::h1(&goproxy::toolchain_file(&module, "zip"))));
    assert_nothing_installed(&env);
}

/// Stores the tree a server started with `seen` signs as the newest gov
/// saw; then, under the same key, installs 1.22 from a server started
/// with `flags`, insists it is refused before a byte of the zip, and that
/// the stored tree did not change.
fn refused_after_a_stored_tree(name: &str, seen: &[&str], flags: &[&str]) -> Output {
    let env = TestEnv::new();
    let key = env.root.join("sumdb.key");
    let key = key.to_str().unwrap();
    let server = |flags: &[&str]| {
        let mut all = vec!["-extra", "300", "-key", key];
        all.extend_from_slice(flags);
        GoProxy::start(&all)
    };
    let stored = seed_latest(&env, &server(seen));
    let db = server(flags);
    let out = run(&mut gov(
        &env,
        &db.proxy,
        &db.gosumdb(),
        &["install", "1.22"],
    ));
    assert_refused(name, &env, &out);
    assert_nothing_installed(&env);
    assert_eq!(std::fs::read(latest(&env, &db.name)).unwrap(), stored);
    assert!(
        !db.paths().iter().any(|p| p.ends_with(".zip")),
        "{:?}",
        db.paths()
    );
    out
}

fn assert_says(out: &Output, needles: &[&str]) {
    let text = stderr(out);
    for n in needles {
        assert!(text.contains(n), "no {n:?} in:\n{text}");
    }
}

#[test]
fn a_lookup_the_log_does_not_hold_is_refused() {
    // The log as gov saw it before: the record is not in it.
    let out = refused_after_a_stored_tree("lie_lookup", &["-lie-lookup"], &["-lie-lookup"]);
    assert_says(
        &out,
        &[
            "SECURITY ERROR",
            "cannot authenticate record data in server response",
        ],
    );
    // An honest log seen before: the lying one, as large, is a fork.
    let out = refused_after_a_stored_tree("lie_lookup_after_honest_tree", &[], &["-lie-lookup"]);
    assert_says(&out, &["SECURITY ERROR", "has forked"]);
}

#[test]
fn a_tree_signed_with_another_key_is_refused() {
    let out = refused_after_a_stored_tree("other_key", &[], &["-sign-with-other-key"]);
    assert_says(&out, &["SECURITY ERROR", "does not verify"]);
}

#[test]
fn truncated_tiles_are_refused() {
    let out = refused_after_a_stored_tree("truncated_tiles", &[], &["-truncate-tiles"]);
    assert_says(&out, &["SECURITY ERROR", "want 32"]);
}

/// gov installs through an honest log (and keeps its tree and tiles); the
/// same key then signs a forked history, at the same size and grown: gov
/// names both trees and keeps the one it saw. Real Go, having seen the same
/// honest tree, refuses both too: the first as misbehaviour, the second as
/// an inconsistent tile (tests/real/goproxy.rs).
#[test]
fn a_forked_log_is_refused_naming_both_trees() {
    let env = TestEnv::new();
    let genv = TestEnv::new();
    let _writable = Writable(&genv);
    let key = env.root.join("sumdb.key");
    let key = key.to_str().unwrap();
    let (m121, _) = module_of("1.21");
    let (m122, _) = module_of("1.22");
    let download = |db: &GoProxy, module: &str| {
        run(&mut real_go(
            &genv,
            &db.proxy,
            &db.gosumdb(),
            &[
                "mod",
                "download",
                "-json",
                &format!("golang.org/toolchain@{module}"),
            ],
        ))
    };
    let honest = GoProxy::start(&["-extra", "300", "-key", key]);
    std::thread::scope(|s| {
        let go = s.spawn(|| download(&honest, &m121));
        assert_success(&run(&mut gov(
            &env,
            &honest.proxy,
            &honest.gosumdb(),
            &["install", "1.21"],
        )));
        assert_success(&go.join().unwrap());
    });
    let seen = std::fs::read(latest(&env, &honest.name)).unwrap();
    assert!(String::from_utf8_lossy(&seen)
        .starts_with(&format!("go.sum database tree\n{}\n", honest.size)));
    drop(honest);
    for (name, flags) in [
        ("fork_same_size", &["-fork", "7"][..]),
        ("fork_grown", &["-append", "10", "-fork", "7"][..]),
    ] {
        let mut all = vec!["-extra", "300", "-key", key];
        all.extend_from_slice(flags);
        let db = GoProxy::start(&all);
        let out = run(&mut gov(
            &env,
            &db.proxy,
            &db.gosumdb(),
            &["install", "1.22"],
        ));
        assert_refused(name, &env, &out);
        let text = stderr(&out);
        for needle in ["SECURITY ERROR", "has forked", "tree #302 ("] {
            assert!(text.contains(needle), "no {needle:?} in:\n{text}");
        }
        assert_eq!(std::fs::read(latest(&env, &db.name)).unwrap(), seen);
        assert!(!env
            .gov_home
            .join("versions")
            .join(goproxy::go_version_of(&m122))
            .exists());
        assert_nothing_left_in_scratch(&env);
        let out = download(&db, &m122);
        assert!(!out.status.success(), "Go accepted the fork");
        let go_text = format!("{}{}", stdout(&out), stderr(&out));
        // Go names a fork only when the tiles it holds settle it; gov
        // fetches the newer tree's own tiles and names it both times.
        let go_says = match name {
            "fork_same_size" => "go.sum database server misbehavior detected!",
            _ => "checking tree#302 against tree#312: downloaded inconsistent tile",
        };
        assert!(go_text.contains(go_says), "{go_text}");
    }
}

/// A proxy that says it serves the database (`GOSUMDB` names no URL)
/// and then serves garbage for it.
#[test]
fn a_proxy_serving_a_garbage_database_is_refused() {
    let env = TestEnv::new();
    let honest = GoProxy::start(&[]);
    let seen = seed_latest(&env, &honest);
    let (module, _) = module_of("1.22");
    let proxy = Server::start();
    serve_module(&proxy, &module, b"not a zip".to_vec());
    let base = format!("sumdb/{}", honest.name);
    let garbage = Arc::new(b"garbage\n\x00\xff not a note".to_vec());
    proxy.route(
        &format!("{base}/supported"),
        Reply::Body(Arc::new(Vec::new())),
    );
    proxy.route(&format!("{base}/latest"), Reply::Body(garbage.clone()));
    proxy.route(
        &format!("{base}/lookup/golang.org/toolchain@{module}"),
        Reply::Body(garbage.clone()),
    );
    let out = run(&mut gov(
        &env,
        &proxy.base,
        &honest.key,
        &["install", "1.22"],
    ));
    assert_refused("garbage_database", &env, &out);
    assert_nothing_installed(&env);
    assert_eq!(std::fs::read(latest(&env, &honest.name)).unwrap(), seen);
    assert_eq!(proxy.hits(&format!("{base}/supported")), 1);
    assert_eq!(
        proxy.hits(&format!("golang.org/toolchain/@v/{module}.zip")),
        0
    );
    assert!(
        honest.paths().iter().all(|p| p == "/latest"),
        "{:?}",
        honest.paths()
    );
}

#[test]
fn toolchains_are_never_exempt_from_the_database() {
    let env = TestEnv::new();
    let (module, _) = module_of("1.22");
    let db = GoProxy::start(&["-replace", &format!("golang.org/toolchain@{module}=other")]);
    let out = run(&mut gov(&env, &db.proxy, "off", &["install", "1.22"]));
    assert_refused("gosumdb_off", &env, &out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("hint: "), "{}", stderr(&out));
    assert_nothing_installed(&env);
    // GONOSUMDB and GOPRIVATE do not apply: the database still refuses.
    let exempt = [
        ("gonosumdb", vec![("GONOSUMDB", "golang.org/toolchain")]),
        ("goprivate", vec![("GOPRIVATE", "golang.org/toolchain")]),
    ];
    let envs: Vec<TestEnv> = exempt.iter().map(|_| TestEnv::new()).collect();
    let outs: Vec<Output> = std::thread::scope(|s| {
        let runs: Vec<_> = exempt
            .iter()
            .zip(&envs)
            .map(|((_, vars), env)| {
                let db = &db;
                s.spawn(move || {
                    let mut cmd = gov(env, &db.proxy, &db.gosumdb(), &["install", "1.22"]);
                    cmd.envs(vars.iter().copied());
                    run(&mut cmd)
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for (((name, _), env), out) in exempt.iter().zip(&envs).zip(&outs) {
        assert_refused(name, env, out);
        assert!(stderr(out).contains("checksum mismatch"), "{}", stderr(out));
        assert_nothing_installed(env);
    }
}

/// Go's one exception: a GOPROXY that is a single file:// URL may go
/// without a database; a list may not, and a database named is checked.
#[test]
fn a_single_file_proxy_may_go_without_a_database() {
    let (module, version) = module_of("1.22");
    let file_proxy = format!("file://{}", goproxy::go_proxy_dir().display());
    let db = GoProxy::start(&["-replace", &format!("golang.org/toolchain@{module}=other")]);
    let (alone, listed, checked) = (TestEnv::new(), TestEnv::new(), TestEnv::new());
    let (out_alone, out_checked) = std::thread::scope(|s| {
        let a = s.spawn(|| run(&mut gov(&alone, &file_proxy, "off", &["install", "1.22"])));
        let c = s.spawn(|| {
            run(&mut gov(
                &checked,
                &file_proxy,
                &db.gosumdb(),
                &["install", "1.22"],
            ))
        });
        (a.join().unwrap(), c.join().unwrap())
    });
    assert_success(&out_alone);
    assert!(
        stderr(&out_alone).contains("is not checked against a checksum database"),
        "{}",
        stderr(&out_alone)
    );
    let rec = record(&alone, &version);
    assert_eq!(rec["verified"], false);
    assert_eq!(rec["module"]["proved_by"], serde_json::Value::Null);
    assert_eq!(
        rec["module"]["h1"],
        goproxy::h1(&goproxy::toolchain_file(&module, "zip")).as_str()
    );
    let out = run(&mut gov(
        &listed,
        &format!("{file_proxy},off"),
        "off",
        &["install", "1.22"],
    ));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut settings = crate::common::snapshot_settings(&listed);
    settings.add_filter(
        &crate::common::regex_escape(&file_proxy),
        "file://[GO_PROXY]",
    );
    settings.bind(|| insta::assert_snapshot!("file_list_gosumdb_off", last_error(&out)));
    assert_nothing_installed(&listed);
    assert_refused("file_with_database", &checked, &out_checked);
    assert!(stderr(&out_checked).contains("checksum mismatch"));
    assert_nothing_installed(&checked);
}

/// `,` falls through on 404 and 410 only, `|` on any error, `off` stops.
#[test]
fn goproxy_lists_fall_through_as_go_says() {
    let db = GoProxy::start(&[]);
    let (module, version) = module_of("1.22");
    // A proxy that hangs up without answering: an error that is no 404.
    // (A closed port would do, but another test may take it meanwhile.)
    let dead = Server::start();
    dead.route("golang.org/toolchain/@v/list", Reply::Drop);
    let missing = Server::start();
    let failing = Server::start();
    for file in [
        "list".to_string(),
        format!("{module}.info"),
        format!("{module}.zip"),
    ] {
        failing.route(
            &format!("golang.org/toolchain/@v/{file}"),
            Reply::Status(500),
        );
    }
    let (comma_404, pipe_500) = (TestEnv::new(), TestEnv::new());
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            let list = format!("{},{}", missing.base, db.proxy);
            run(&mut gov(
                &comma_404,
                &list,
                &db.gosumdb(),
                &["install", "1.22"],
            ))
        });
        let b = s.spawn(|| {
            let list = format!("{}|{}", failing.base, db.proxy);
            run(&mut gov(
                &pipe_500,
                &list,
                &db.gosumdb(),
                &["install", "1.22"],
            ))
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    for (env, out) in [(&comma_404, &a), (&pipe_500, &b)] {
        assert_success(out);
        assert!(env
            .gov_home
            .join("versions")
            .join(&version)
            .join("bin/go")
            .is_file());
    }
    assert!(missing.hits("golang.org/toolchain/@v/list") >= 1);
    assert!(failing.hits("golang.org/toolchain/@v/list") >= 1);

    let env = TestEnv::new();
    let out = run(&mut gov(
        &env,
        &format!("{},{}", dead.base, db.proxy),
        &db.gosumdb(),
        &["install", "1.22"],
    ));
    assert_refused("dead_proxy_then_comma", &env, &out);
    assert_nothing_installed(&env);
    let out = run(&mut gov(&env, "off", &db.gosumdb(), &["install", "1.22"]));
    assert_refused("goproxy_off", &env, &out);
    assert_nothing_installed(&env);
}

#[test]
fn two_installs_at_once_download_once() {
    let env = TestEnv::new();
    let db = GoProxy::start(&[]);
    let (module, version) = module_of("1.22");
    let outs: Vec<Output> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    run(&mut gov(
                        &env,
                        &db.proxy,
                        &db.gosumdb(),
                        &["install", "1.22"],
                    ))
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for out in &outs {
        assert_success(out);
    }
    let zips = db
        .paths()
        .iter()
        .filter(|p| p.ends_with(&format!("{module}.zip")))
        .count();
    assert_eq!(zips, 1, "{:?}", db.requests());
    let rec = record(&env, &version);
    assert_eq!(rec["module"]["version"], module.as_str());
    assert_nothing_left_in_scratch(&env);
}

/// A proxy install killed at each step of its store change (as `kill -9`
/// would: `GOV_TEST_CRASH_AT`) leaves no half release: `gov list` shows
/// nothing or the whole release, doctor has nothing to fix, and the next
/// run completes with a release that runs and a record that proves it.
#[test]
fn a_proxy_install_killed_at_each_step_leaves_nothing_half_done() {
    use std::os::unix::process::ExitStatusExt;
    let db = GoProxy::start(&["-extra", "300"]);
    let (_, version) = module_of("1.22");
    std::thread::scope(|s| {
        for at in ["install-verified", "install-recorded", "install-renamed"] {
            let (db, version) = (&db, &version);
            s.spawn(move || {
                let env = TestEnv::new();
                let killed = run(gov(&env, &db.proxy, &db.gosumdb(), &["install", "1.22"])
                    .env("GOV_TEST_CRASH_AT", at));
                assert_eq!(killed.status.signal(), Some(9), "{at}: {}", stderr(&killed));
                // Nothing half-visible: the release is whole or absent.
                let list = run(&mut env.gov_cmd(["list"]));
                assert_success(&list);
                let listed = stdout(&list);
                let expect_listed = at == "install-renamed";
                assert_eq!(
                    listed.contains(version.as_str()),
                    expect_listed,
                    "{at}: {listed}"
                );
                let doctor = run(&mut env.gov_cmd(["doctor"]));
                assert!(
                    !stdout(&doctor).lines().any(|l| l.starts_with("fail")),
                    "{at}: {}",
                    stdout(&doctor)
                );
                // The next run completes.
                let again = run(&mut gov(
                    &env,
                    &db.proxy,
                    &db.gosumdb(),
                    &["install", "1.22"],
                ));
                assert_success(&again);
                let root = env.gov_home.join("versions").join(version);
                let go = run(Command::new(root.join("bin/go")).arg("version"));
                assert!(
                    stdout(&go).contains(&format!("go{version} ")),
                    "{at}: {}",
                    stdout(&go)
                );
                let list = run(&mut env.gov_cmd(["list", "--json"]));
                let json: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
                assert_eq!(json[0]["record_status"], "trusted", "{at}: {json}");
                assert_eq!(
                    json[0]["record"]["module"]["proved_by"]["size"], db.size,
                    "{at}"
                );
            });
        }
    });
}
