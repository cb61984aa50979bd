//! Go's module proxy and checksum database on loopback, built from Go's
//! reference implementation (golang.org/x/mod's sumdb, tlog, note and
//! dirhash): the program `tests/goproxy` (`target/goproxy-server`), serving
//! the static GOPROXY of real toolchain modules `scripts/go-proxy.sh` makes
//! (`target/go-proxy`) and a signed transparency log of their `h1:` hashes.
//!
//! ```text
//! let db = GoProxy::start(&["-extra", "300"]);
//! // GOPROXY=db.proxy  GOSUMDB=db.gosumdb()
//! ```
//!
//! The flags of `goproxy-server serve` (the server adds `-dir` and `-log`):
//! `-extra N` fake records first (`example.com/fake/mNNN v1.0.0` at index
//! NNN), `-append N` fake records last (`example.com/fake/late/mNNN`: the
//! same log grown), `-key FILE` the signer key (written there if absent, so a second
//! server can sign a different history under the same key), `-name NAME`,
//! `-fork N` (record N differs: a forked log), `-replace MOD@VER=h1:…`
//! (or `=other`: the log records another zip hash), `-lie-lookup` (lookups
//! answer the true record, which the log does not hold), `-truncate-tiles`,
//! `-sign-with-other-key`, `-proxy-sumdb` (`<proxy>/sumdb/<name>/supported`
//! and the database through the proxy).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};

const BUILD_HINT: &str = "run `scripts/go-proxy.sh target/go-proxy` (after `scripts/go-mirror.sh target/go-mirror 1.19 1.21 1.22`)";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The static GOPROXY tree of real toolchain modules (`GOV_TEST_GO_PROXY`,
/// default `target/go-proxy`).
pub fn go_proxy_dir() -> PathBuf {
    let dir = std::env::var_os("GOV_TEST_GO_PROXY")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/go-proxy"));
    assert!(
        dir.join("golang.org/toolchain/@v/list").is_file(),
        "these tests need a GOPROXY of real toolchain modules at {}: {BUILD_HINT} (or set GOV_TEST_GO_PROXY)",
        dir.display()
    );
    dir
}

/// The toolchain module versions of [`go_proxy_dir`], oldest first
/// (`v0.0.1-go1.21.13.linux-amd64`).
pub fn toolchain_versions() -> Vec<String> {
    let list =
        std::fs::read_to_string(go_proxy_dir().join("golang.org/toolchain/@v/list")).unwrap();
    list.lines().map(str::to_string).collect()
}

/// The module version of the newest Go `series` (`1.21`) in the proxy tree.
pub fn toolchain_version(series: &str) -> String {
    toolchain_versions()
        .into_iter()
        .rev()
        .find(|v| v.starts_with(&format!("v0.0.1-go{series}.")))
        .unwrap_or_else(|| panic!("the proxy tree holds no Go {series}: {BUILD_HINT}"))
}

/// The Go version (`1.21.13`) of a toolchain module version.
pub fn go_version_of(module_version: &str) -> String {
    module_version
        .trim_start_matches("v0.0.1-go")
        .trim_end_matches(".linux-amd64")
        .to_string()
}

/// The file `EXT` (`zip`, `mod`, `info`) of a toolchain module version.
pub fn toolchain_file(module_version: &str, ext: &str) -> PathBuf {
    go_proxy_dir().join(format!("golang.org/toolchain/@v/{module_version}.{ext}"))
}

/// `target/goproxy-server`, built from `tests/goproxy` with Debian's Go 1.19
/// when missing or older than a source.
pub fn goproxy_server() -> PathBuf {
    let bin = repo().join("target/goproxy-server");
    let src = repo().join("tests/goproxy");
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    let stale = std::fs::read_dir(&src).unwrap().flatten().any(|e| {
        let newer = e
            .metadata()
            .and_then(|m| m.modified())
            .map(|t| built.is_none_or(|b| t > b));
        newer.unwrap_or(true)
    });
    if !stale {
        return bin;
    }
    let go = std::env::var_os("GOV_TEST_GO119")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/usr/lib/go-1.19".into())
        .join("bin/go");
    let xmod = Path::new("/usr/share/gocode/src/golang.org/x/mod/sumdb");
    assert!(
        go.exists() && xmod.is_dir(),
        "{} is missing or stale and cannot be built here (needs {} and golang-golang-x-mod-dev): {BUILD_HINT}",
        bin.display(),
        go.display()
    );
    // Built beside and renamed: tests in other processes may build at once.
    let tmp = bin.with_extension(format!("tmp{}", std::process::id()));
    let out = Command::new(&go)
        .args(["build", "-o"])
        .arg(&tmp)
        .arg("./tests/goproxy")
        .current_dir(repo())
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOFLAGS", "")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "building tests/goproxy failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, &bin).unwrap();
    bin
}

/// The `h1:` hash of a module zip, as Go computes it (dirhash.HashZip):
/// the oracle for gov's own.
pub fn h1(zip: &Path) -> String {
    let out = Command::new(goproxy_server())
        .arg("h1")
        .arg(zip)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "goproxy-server h1 {}: {}",
        zip.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A running `goproxy-server serve`: a checksum database at `url` and a
/// GOPROXY at `proxy`. Killed when dropped; it also ends by itself when
/// its stdin closes, so a test that dies leaves no server behind.
pub struct GoProxy {
    /// The database (`/lookup/…`, `/tile/…`, `/latest`).
    pub url: String,
    /// The GOPROXY serving [`go_proxy_dir`].
    pub proxy: String,
    /// The database's name, the first field of `key`.
    pub name: String,
    /// The verifier key, `name+hash+keydata`, as `GOSUMDB` takes it.
    pub key: String,
    /// The number of records in the log.
    pub size: u64,
    /// The index in the log of each module version of the proxy tree
    /// (`golang.org/toolchain@v0.0.1-go1.21.13.linux-amd64`).
    pub index: BTreeMap<String, u64>,
    child: Child,
    _stdin: ChildStdin,
    log: Arc<Mutex<Vec<String>>>,
}

impl GoProxy {
    /// Serves the real toolchain modules with `flags` added.
    pub fn start(flags: &[&str]) -> GoProxy {
        let dir = go_proxy_dir();
        let mut args = vec![OsStr::new("-dir"), dir.as_os_str()];
        args.extend(flags.iter().map(OsStr::new));
        GoProxy::start_args(&args)
    }

    /// `goproxy-server serve -log ARGS`, nothing else added.
    pub fn start_args(args: &[&OsStr]) -> GoProxy {
        let mut child = Command::new(goproxy_server())
            .args(["serve", "-log"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let mut ready = String::new();
        stdout.read_line(&mut ready).unwrap();
        if ready.is_empty() {
            let status = child.wait().unwrap();
            // The reader thread holds what the server said; give it a moment.
            std::thread::sleep(std::time::Duration::from_millis(100));
            panic!(
                "goproxy-server serve {args:?} exited ({status}) before it was ready:\n{}",
                log.lock().unwrap().join("\n")
            );
        }
        let v: serde_json::Value = serde_json::from_str(&ready)
            .unwrap_or_else(|e| panic!("goproxy-server's ready line {ready:?}: {e}"));
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let index = v["index"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, i)| (k.clone(), i.as_u64().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        GoProxy {
            url: text("url"),
            proxy: text("proxy"),
            name: text("name"),
            key: text("key"),
            size: v["size"].as_u64().unwrap(),
            index,
            child,
            _stdin: stdin,
            log,
        }
    }

    /// `GOSUMDB` naming this database at its own URL: `key url`.
    pub fn gosumdb(&self) -> String {
        format!("{} {}", self.key, self.url)
    }

    /// The requests served so far: `METHOD PATH STATUS TIMEms`.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The paths requested so far.
    pub fn paths(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter_map(|l| l.split(' ').nth(1).map(str::to_string))
            .collect()
    }

    /// GETs `path` (`/lookup/…`, `/proxy/…`) from the server: status, body.
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        let url = format!("{}{path}", self.url);
        let reply = match ureq::get(&url).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {url}: {e}"),
        };
        let status = reply.status();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut reply.into_reader(), &mut body).unwrap();
        (status, body)
    }

    /// The go.sum lines the database serves for `module@version`.
    pub fn lookup(&self, module_version: &str) -> String {
        let (status, body) = self.get(&format!("/lookup/{module_version}"));
        let text = String::from_utf8(body).unwrap();
        assert_eq!(status, 200, "lookup {module_version}: {text}");
        // The record id, the record's lines, a blank line, the signed tree.
        let mut lines = text.lines().skip(1);
        let record: Vec<&str> = lines.by_ref().take_while(|l| !l.is_empty()).collect();
        record.join("\n") + "\n"
    }
}

impl Drop for GoProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A build cache the tests' builds with the unpacked Go share
/// (`target/goproxy-go/gocache`).
pub fn go_build_cache() -> PathBuf {
    repo().join("target/goproxy-go/gocache")
}

/// A Go root of the mirror's release `version` (`1.22.12`), unpacked once
/// into `target/goproxy-go/<version>` (Go's toolchain switching needs a Go
/// of 1.21 or later, which Debian's 1.19 is not).
pub fn unpacked_go(version: &str) -> PathBuf {
    let root = repo().join("target/goproxy-go");
    let dir = root.join(format!("go{version}"));
    if dir.join("bin/go").exists() {
        return dir;
    }
    let tarball = super::real_mirror_dir().join(format!("go{version}.linux-amd64.tar.gz"));
    assert!(
        tarball.is_file(),
        "no {}: run `scripts/go-mirror.sh target/go-mirror 1.19 1.21 1.22`",
        tarball.display()
    );
    std::fs::create_dir_all(&root).unwrap();
    let tmp = tempfile::tempdir_in(&root).unwrap();
    let status = Command::new("tar")
        .arg("-C")
        .arg(tmp.path())
        .arg("-xzf")
        .arg(&tarball)
        .status()
        .unwrap();
    assert!(status.success(), "tar -xzf {}", tarball.display());
    // Another test may have unpacked it meanwhile: either copy will do.
    if std::fs::rename(tmp.path().join("go"), &dir).is_err() {
        assert!(
            dir.join("bin/go").exists(),
            "could not unpack {}",
            tarball.display()
        );
    }
    dir
}

/// The real go command of the test proxy's Go 1.22 under `env`, with its
/// own GOPATH (`gopath`, the module cache below it) and build cache,
/// `GOPROXY` and `GOSUMDB` set, every exemption (GONOSUMDB, GOPRIVATE,
/// GONOPROXY) empty, nothing from the host's settings and the local
/// toolchain unless the test sets GOTOOLCHAIN. `writable_cache`: Go's
/// `-modcacherw`, so that the test can remove what Go downloaded (without
/// it the module cache is read-only, as Go leaves it).
pub fn real_go(
    env: &super::TestEnv,
    gopath: &Path,
    writable_cache: bool,
    proxy: &str,
    gosumdb: &str,
) -> Command {
    let go122 = go_version_of(&toolchain_version("1.22"));
    let mut cmd = env.command(unpacked_go(&go122).join("bin/go"));
    cmd.env("GOPATH", gopath)
        .env("GOMODCACHE", gopath.join("pkg/mod"))
        .env("GOCACHE", gopath.join("gocache"))
        .env("GOENV", "off")
        .env("GOFLAGS", if writable_cache { "-modcacherw" } else { "" })
        .env("GOPROXY", proxy)
        .env("GOSUMDB", gosumdb)
        .env("GONOSUMDB", "")
        .env("GOPRIVATE", "")
        .env("GONOPROXY", "")
        .env("GOTOOLCHAIN", "local");
    cmd
}
