//! The test proxy and checksum database (`tests/goproxy`, the toolchain
//! modules of `scripts/go-proxy.sh`) checked against the real go command
//! (Go 1.22 from the mirror): it switches toolchains through them, its
//! `h1:` is the server's record and the harness's, and it refuses every
//! attack the server's flags plant. These check the test infrastructure
//! itself, independently of gov, so that gov's tests against it mean what
//! they say.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

use crate::common::goproxy::{self, GoProxy};
use crate::common::{stderr, stdout, walk, TestEnv};

/// The go.mod h1: of every toolchain module (`module golang.org/toolchain\n`),
/// as sum.golang.org records it.
const TOOLCHAIN_GO_MOD_H1: &str = "h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=";

/// An isolated environment for the real go command: its own GOPATH,
/// module cache and build cache; nothing from the host's Go settings.
struct GoEnv {
    env: TestEnv,
}

impl GoEnv {
    fn new() -> GoEnv {
        GoEnv {
            env: TestEnv::new(),
        }
    }

    fn gopath(&self) -> PathBuf {
        self.env.root.join("gopath")
    }

    /// The real go command with GOPROXY and GOSUMDB set, every exemption
    /// (GONOSUMDB, GOPRIVATE, GONOPROXY) empty, and the local toolchain
    /// unless the test says otherwise.
    fn go(&self, proxy: &str, gosumdb: &str, args: &[&str]) -> Command {
        let mut cmd = goproxy::real_go(&self.env, &self.gopath(), true, proxy, gosumdb);
        cmd.args(args);
        cmd
    }

    /// `go mod download -json MODULE@VERSION`: its JSON (which holds
    /// `Error` when it fails) and what it did.
    fn download(&self, cmd: &mut Command) -> (serde_json::Value, Output) {
        let out = crate::common::output_within(cmd, std::time::Duration::from_secs(300));
        let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (json, out)
    }
}

impl Drop for GoEnv {
    fn drop(&mut self) {
        // Whatever Go left read-only, the temporary directory must go.
        for p in walk(&self.env.root) {
            if p.is_dir() && !p.is_symlink() {
                let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
}

fn download_args(module_version: &str) -> Vec<String> {
    ["mod", "download", "-json"]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("golang.org/toolchain@{module_version}")])
        .collect()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn go_switches_to_the_toolchain_module_the_database_proves() {
    let genv = GoEnv::new();
    let db = GoProxy::start(&["-extra", "300"]);
    let module = goproxy::toolchain_version("1.21");
    let version = goproxy::go_version_of(&module);
    let out = crate::common::output_within(
        genv.go(&db.proxy, &db.gosumdb(), &["version"])
            .env("GOTOOLCHAIN", format!("go{version}")),
        std::time::Duration::from_secs(300),
    );
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{}\nserver:\n{}",
        stdout(&out),
        stderr(&out),
        db.requests().join("\n")
    );
    assert_eq!(
        stdout(&out),
        format!("go version go{version} linux/amd64\n")
    );
    assert!(
        stderr(&out).contains(&format!("go: downloading go{version} (linux/amd64)")),
        "{}",
        stderr(&out)
    );
    let paths = db.paths();
    for want in [
        format!("/proxy/golang.org/toolchain/@v/{module}.zip"),
        format!("/lookup/golang.org/toolchain@{module}"),
    ] {
        assert!(paths.contains(&want), "no {want} in {paths:?}");
    }
    // 300 fake records first: the proof climbs to the second tile level.
    assert!(
        paths.iter().any(|p| p.starts_with("/tile/8/1/")),
        "{paths:?}"
    );
    // What Go made of the module: exec bits on bin/ and pkg/tool/ (set by
    // the switch, not by the download), each _go.mod copied to go.mod.
    let root = genv
        .gopath()
        .join(format!("pkg/mod/golang.org/toolchain@{module}"));
    for exe in ["bin/go", "bin/gofmt", "pkg/tool/linux_amd64/compile"] {
        let mode = std::fs::metadata(root.join(exe))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "{exe}: {mode:o}");
    }
    assert!(root.join("src/go.mod").is_file() && root.join("src/_go.mod").is_file());
    assert!(!root.join("api").exists() && !root.join("test").exists());
}

#[test]
fn go_mod_download_sum_is_the_database_record_and_the_harness_h1() {
    let genv = GoEnv::new();
    let db = GoProxy::start(&["-extra", "300"]);
    let module = goproxy::toolchain_version("1.21");
    let (json, out) =
        genv.download(&mut genv.go(&db.proxy, &db.gosumdb(), &args(&download_args(&module))));
    assert!(out.status.success(), "{json}\n{}", stderr(&out));
    let sum = json["Sum"].as_str().unwrap();
    assert_eq!(json["GoModSum"], TOOLCHAIN_GO_MOD_H1);
    assert_eq!(sum, goproxy::h1(&goproxy::toolchain_file(&module, "zip")));
    assert_eq!(
        db.lookup(&format!("golang.org/toolchain@{module}")),
        format!("golang.org/toolchain {module} {sum}\ngolang.org/toolchain {module}/go.mod {TOOLCHAIN_GO_MOD_H1}\n")
    );
    assert_eq!(db.index[&format!("golang.org/toolchain@{module}")], 300);
    // `go mod download` leaves the files as the zip says: no exec bits.
    let go = PathBuf::from(json["Dir"].as_str().unwrap()).join("bin/go");
    let mode = std::fs::metadata(go).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0, "{mode:o}");
}

#[test]
fn go_reads_the_database_through_the_proxy_when_it_says_it_supports_it() {
    let genv = GoEnv::new();
    let db = GoProxy::start(&["-proxy-sumdb"]);
    let module = goproxy::toolchain_version("1.22");
    // The key alone: no URL, so the database is reached through the proxy.
    let (json, out) =
        genv.download(&mut genv.go(&db.proxy, &db.key, &args(&download_args(&module))));
    assert!(out.status.success(), "{json}\n{}", stderr(&out));
    let paths = db.paths();
    let base = format!("/proxy/sumdb/{}", db.name);
    assert!(paths.contains(&format!("{base}/supported")), "{paths:?}");
    assert!(
        paths.contains(&format!("{base}/lookup/golang.org/toolchain@{module}")),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("/lookup/")),
        "{paths:?}"
    );
}

/// Downloads the 1.21 toolchain module from a server started with `flags`;
/// insists Go fails and returns its error text (the JSON `Error`, or stderr
/// when Go stops at once).
fn refused(genv: &GoEnv, flags: &[&str], env: &[(&str, &str)]) -> String {
    let db = GoProxy::start(flags);
    let module = goproxy::toolchain_version("1.21");
    let mut cmd = genv.go(&db.proxy, &db.gosumdb(), &args(&download_args(&module)));
    cmd.envs(env.iter().copied());
    let (json, out) = genv.download(&mut cmd);
    assert!(
        !out.status.success(),
        "Go accepted it:\n{json}\n{}",
        stderr(&out)
    );
    let text = format!(
        "{}{}",
        json["Error"].as_str().unwrap_or_default(),
        stderr(&out)
    );
    assert!(!genv
        .gopath()
        .join(format!("pkg/mod/golang.org/toolchain@{module}"))
        .exists());
    text
}

fn assert_holds(text: &str, needles: &[&str]) {
    for n in needles {
        assert!(text.contains(n), "no {n:?} in:\n{text}");
    }
}

#[test]
fn go_refuses_a_zip_whose_hash_the_database_does_not_record() {
    let genv = GoEnv::new();
    let module = goproxy::toolchain_version("1.21");
    let replace = format!("golang.org/toolchain@{module}=other");
    let text = refused(&genv, &["-extra", "20", "-replace", &replace], &[]);
    assert_holds(
        &text,
        &[
            "verifying module: checksum mismatch",
            "SECURITY ERROR",
            "This download does NOT match the one reported by the checksum server.",
        ],
    );
}

#[test]
fn go_never_exempts_toolchains_from_the_database() {
    let genv = GoEnv::new();
    let module = goproxy::toolchain_version("1.21");
    let replace = format!("golang.org/toolchain@{module}=other");
    // GOPRIVATE would also turn the proxy off for the module: GONOPROXY
    // keeps it on, so only the database's exemption is tested.
    let text = refused(
        &genv,
        &["-replace", &replace],
        &[
            ("GONOSUMDB", "golang.org/toolchain"),
            ("GOPRIVATE", "golang.org/toolchain"),
            ("GONOPROXY", "none"),
        ],
    );
    assert_holds(&text, &["checksum mismatch", "SECURITY ERROR"]);
    let text = refused(&genv, &[], &[("GOSUMDB", "off")]);
    assert_holds(&text, &["checksum database disabled by GOSUMDB=off"]);
}

#[test]
fn go_takes_an_unverified_toolchain_only_from_a_single_file_proxy() {
    let genv = GoEnv::new();
    let module = goproxy::toolchain_version("1.21");
    let file_proxy = format!("file://{}", goproxy::go_proxy_dir().display());
    let (json, out) =
        genv.download(&mut genv.go(&file_proxy, "off", &args(&download_args(&module))));
    assert!(out.status.success(), "{json}\n{}", stderr(&out));
    assert_eq!(
        json["Sum"].as_str().unwrap(),
        goproxy::h1(&goproxy::toolchain_file(&module, "zip"))
    );
    // With a database named, it is still checked.
    let genv = GoEnv::new();
    let replace = format!("golang.org/toolchain@{module}=other");
    let db = GoProxy::start(&["-replace", &replace]);
    let (json, out) =
        genv.download(&mut genv.go(&file_proxy, &db.gosumdb(), &args(&download_args(&module))));
    assert!(!out.status.success(), "{json}");
    assert_holds(
        json["Error"].as_str().unwrap_or_default(),
        &["checksum mismatch", "SECURITY ERROR"],
    );
}

#[test]
fn go_refuses_a_lookup_the_log_does_not_hold() {
    let genv = GoEnv::new();
    let text = refused(&genv, &["-extra", "300", "-lie-lookup"], &[]);
    assert_holds(
        &text,
        &["cannot authenticate record data in server response"],
    );
}

#[test]
fn go_refuses_truncated_tiles() {
    let genv = GoEnv::new();
    let text = refused(&genv, &["-extra", "300", "-truncate-tiles"], &[]);
    assert_holds(&text, &["TileReader returned bad result slice", "want 32"]);
}

#[test]
fn go_refuses_a_tree_signed_with_another_key() {
    let genv = GoEnv::new();
    let text = refused(&genv, &["-sign-with-other-key"], &[]);
    assert_holds(
        &text,
        &["reading tree note: note has no verifiable signatures"],
    );
}

#[test]
fn go_accepts_a_grown_log_and_detects_a_forked_one_under_the_same_key() {
    let genv = GoEnv::new();
    let key = genv.env.root.join("sumdb.key");
    let key = key.to_str().unwrap();
    let (m121, m122) = (
        goproxy::toolchain_version("1.21"),
        goproxy::toolchain_version("1.22"),
    );
    // GOPATH/pkg/sumdb keeps the newest tree Go has seen; the module cache
    // (a fresh one makes Go ask the database again) keeps the tiles.
    let step = |flags: &[&str], cache: &str, module: &str| {
        let mut all = vec!["-extra", "300", "-key", key];
        all.extend_from_slice(flags);
        let db = GoProxy::start(&all);
        let mut cmd = genv.go(&db.proxy, &db.gosumdb(), &args(&download_args(module)));
        cmd.env("GOMODCACHE", genv.env.root.join(cache));
        let (json, out) = genv.download(&mut cmd);
        let text = format!("{json}\n{}", stderr(&out));
        (db.size, out.status.success(), text)
    };
    let (size, ok, text) = step(&[], "mod-1", &m121);
    assert!(ok && size == 302, "{text}");
    // The same log, grown by ten records: consistent, accepted.
    let (size, ok, text) = step(&["-append", "10"], "mod-2", &m121);
    assert!(ok && size == 312, "{text}");
    // The same size, one record different, the honest tiles cached.
    let (_, ok, text) = step(&["-append", "10", "-fork", "7"], "mod-2", &m122);
    assert!(!ok, "{text}");
    assert_holds(
        &text,
        &[
            "SECURITY ERROR",
            "go.sum database server misbehavior detected!",
            "old database:",
            "new database:",
            "proof of misbehavior:",
        ],
    );
    // The same, with no tiles cached.
    let (_, ok, text) = step(&["-append", "10", "-fork", "7"], "mod-3", &m121);
    assert!(!ok, "{text}");
    assert_holds(&text, &["checking tree#312: downloaded inconsistent tile"]);
    // Grown again, but from a different history: with no tiles cached,
    // then with the honest ones.
    let (_, ok, text) = step(&["-append", "20", "-fork", "7"], "mod-4", &m121);
    assert!(!ok, "{text}");
    assert_holds(&text, &["checking tree#312: downloaded inconsistent tile"]);
    let (_, ok, text) = step(&["-append", "20", "-fork", "7"], "mod-2", &m122);
    assert!(!ok, "{text}");
    assert_holds(
        &text,
        &["checking tree#312 against tree#322: downloaded inconsistent tile"],
    );
}

/// The proxy tree's zip, .mod and .info are byte for byte what Go 1.22's
/// own cmd/distpack writes from the same Go root.
#[test]
fn the_toolchain_module_is_what_go_distpack_writes() {
    let genv = GoEnv::new();
    let module = goproxy::toolchain_version("1.22");
    let version = goproxy::go_version_of(&module);
    let tarball = crate::common::real_mirror_dir().join(format!("go{version}.linux-amd64.tar.gz"));
    let root = genv.env.root.join("distpack");
    std::fs::create_dir_all(&root).unwrap();
    let status = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-xzf")
        .arg(&tarball)
        .status()
        .unwrap();
    assert!(status.success());
    let goroot = root.join("go");
    let distpack = root.join("distpack-bin");
    let out = crate::common::output_within(
        genv.env
            .command(goroot.join("bin/go"))
            .args(["build", "-o"])
            .arg(&distpack)
            .arg("cmd/distpack")
            .env("GOROOT", &goroot)
            .env("GOTOOLCHAIN", "local")
            .env("GOFLAGS", "")
            .env("GOENV", "off")
            .env("GOCACHE", goproxy::go_build_cache()),
        std::time::Duration::from_secs(600),
    );
    crate::common::assert_success(&out);
    let out = crate::common::output_within(
        genv.env.command(&distpack).env("GOROOT", &goroot),
        std::time::Duration::from_secs(900),
    );
    crate::common::assert_success(&out);
    for ext in ["zip", "mod", "info"] {
        let theirs = std::fs::read(goroot.join(format!("pkg/distpack/{module}.{ext}"))).unwrap();
        let ours = std::fs::read(goproxy::toolchain_file(&module, ext)).unwrap();
        assert!(theirs == ours, "{module}.{ext} differs from distpack's");
    }
}
