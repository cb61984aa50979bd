//! A small harness: an isolated HOME and GOV_HOME per test, the real gov
//! binary, fake toolchains for speed and the real Debian Go for truth.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub mod archive;
pub mod goproxy;
pub mod mirror;
pub mod podman;
pub mod server;
pub mod vulndb;
pub mod zip;

pub const GOV: &str = env!("CARGO_BIN_EXE_gov");

pub struct TestEnv {
    _tmp: tempfile::TempDir,
    /// Everything lives below here (canonical, so paths compare).
    pub root: PathBuf,
    pub home: PathBuf,
    pub gov_home: PathBuf,
    /// The current directory of commands, unless a test changes it.
    pub work: PathBuf,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        let gov_home = root.join("gov-home");
        let work = root.join("work");
        for d in [&home, &work] {
            std::fs::create_dir_all(d).unwrap();
        }
        TestEnv {
            _tmp: tmp,
            root,
            home,
            gov_home,
            work,
        }
    }

    /// A command with a clean, isolated environment, run in `work`.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GOV_HOME", &self.gov_home)
            .env("NO_COLOR", "1")
            .env("RUST_BACKTRACE", "1")
            .current_dir(&self.work);
        cmd
    }

    pub fn gov_cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.command(GOV);
        cmd.args(args);
        cmd
    }

    /// Runs gov and returns what it did.
    pub fn gov<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.gov_cmd(args).output().unwrap()
    }

    /// Runs gov and insists it succeeds; returns its stdout.
    pub fn gov_ok<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let out = self.gov(args);
        assert_success(&out);
        stdout(&out)
    }

    pub fn shim(&self, program: &str) -> PathBuf {
        self.gov_home.join("bin").join(program)
    }

    /// A fake Go root for `version`: `bin/go` and `bin/gofmt` print what
    /// they were run as, then exit with `$FAKE_EXIT` (default 0);
    /// `bin/vet-extra`, which is not one of Go's programs, does the same.
    pub fn fake_toolchain(&self, version: &str) -> PathBuf {
        let dir = self.root.join("toolchains").join(version);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::create_dir_all(dir.join("pkg/tool")).unwrap();
        std::fs::write(
            dir.join("VERSION"),
            format!("go{version}\ntime 2024-01-01T00:00:00Z\n"),
        )
        .unwrap();
        for program in ["go", "gofmt", "vet-extra"] {
            let script = format!(
                "#!/bin/sh\n\
                 echo \"{program} go{version} GOROOT=$GOROOT GOTOOLCHAIN=$GOTOOLCHAIN GOV_VERSION=$GOV_VERSION\"\n\
                 for a in \"$@\"; do printf 'arg=[%s]\\n' \"$a\"; done\n\
                 if [ -n \"$FAKE_CAT\" ]; then cat; fi\n\
                 exit ${{FAKE_EXIT:-0}}\n"
            );
            write_executable(&dir.join("bin").join(program), &script);
        }
        dir
    }

    /// A Go root at `ROOT/toolchains/NAME` whose `bin/go` is `script` and
    /// whose `VERSION` says `version_line` (none if `None`), not linked.
    pub fn go_root(&self, name: &str, version_line: Option<&str>, script: &str) -> PathBuf {
        let dir = self.root.join("toolchains").join(name);
        write_go_root(&dir, version_line, script);
        dir
    }

    /// Runs `gov link VERSION DIR ARGS` and returns what it did.
    pub fn try_link(&self, version: &str, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = self.gov_cmd(["link".as_ref(), version.as_ref(), dir.as_os_str()]);
        cmd.args(args);
        cmd.output().unwrap()
    }

    /// Links the Go root `dir` into the store as `version`, insisting it
    /// succeeds.
    pub fn link(&self, version: &str, dir: &Path) {
        assert_success(&self.try_link(version, dir, &[]));
    }

    /// Links a Go root under `version` whose `bin/go` is `script`.
    pub fn link_go_script(&self, version: &str, script: &str) -> PathBuf {
        let dir = self.go_root(
            &format!("script-{version}"),
            Some(&format!("go{version}")),
            script,
        );
        self.link(version, &dir);
        dir
    }

    /// A fake toolchain linked into the store.
    pub fn install_fake(&self, version: &str) -> PathBuf {
        let dir = self.fake_toolchain(version);
        self.link(version, &dir);
        dir
    }

    /// `go ARGS` through the shim, in `work` unless the caller changes it.
    pub fn go_cmd(&self, args: &[&str]) -> Command {
        let mut cmd = self.command(self.shim("go"));
        cmd.args(args);
        cmd
    }

    /// Runs `go ARGS` through the shim in `dir` and returns what it did.
    pub fn go(&self, dir: &Path, args: &[&str]) -> Output {
        self.go_cmd(args).current_dir(dir).output().unwrap()
    }

    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.work.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// How long a test waits for what takes milliseconds on an idle machine:
/// generous, so that a busy machine never reaches it and only a broken
/// build does.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Waits until `done` holds, looking every 20 ms; panics after
/// [`PATIENCE`], saying it waited for `what`. Tests wait on events (a
/// file written, a lock taken, a line printed) with it, never on time.
pub fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "waited {PATIENCE:?} for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until someone holds a lock on the file `lock` (an exclusive
/// `flock -n` of it fails).
pub fn wait_until_locked(lock: &Path) {
    wait_until(&format!("a lock on {lock:?}"), || {
        !Command::new("flock")
            .args(["-n", "-x"])
            .arg(lock)
            .arg("true")
            .status()
            .unwrap()
            .success()
    });
}

/// The output of `child` once it ends, waiting at most [`PATIENCE`]: a
/// child that hangs (a broken build) is killed and the test fails.
pub fn wait_output(child: Child) -> Output {
    wait_output_within(child, PATIENCE)
}

/// Runs `cmd`, failing the test if it has not finished within `limit`: a
/// transfer that never ends, a command that opens a planted pipe or reads
/// a link to `/dev/zero` would hang the suite. Its output is read as it
/// comes, so a large one never blocks it.
pub fn output_within(cmd: &mut Command, limit: std::time::Duration) -> Output {
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_output_within(child, limit)
}

fn wait_output_within(child: Child, limit: std::time::Duration) -> Output {
    let pid = child.id() as i32;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output().unwrap()));
    rx.recv_timeout(limit).unwrap_or_else(|_| {
        // SAFETY: a plain kill(2) of the child's pid, not yet reaped.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        panic!("process {pid} did not end within {limit:?}");
    })
}

/// Makes `at` a Go root: `bin/go` is `script`, `src/runtime` exists and
/// `VERSION` holds `version_line` (no `VERSION` if `None`, as in a root
/// built from source).
pub fn write_go_root(at: &Path, version_line: Option<&str>, script: &str) {
    std::fs::create_dir_all(at.join("bin")).unwrap();
    std::fs::create_dir_all(at.join("src/runtime")).unwrap();
    if let Some(line) = version_line {
        std::fs::write(at.join("VERSION"), format!("{line}\n")).unwrap();
    }
    write_executable(&at.join("bin/go"), script);
}

pub fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Every path below `dir` (not `dir` itself), links not followed.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(path.clone());
            }
            found.push(path);
        }
    }
    found
}

/// The check `name` of a `gov doctor --json` report.
pub fn doctor_check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report}"))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// Asserts a failure with `code` whose stderr holds each of `needles`.
pub fn assert_failure(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{err}",
        stdout(out)
    );
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }
}

/// The Go root of Debian's golang-1.19-go, which `.ci/run` installs.
pub fn debian_go_1_19() -> PathBuf {
    let dir = PathBuf::from(
        std::env::var_os("GOV_TEST_GO119").unwrap_or_else(|| "/usr/lib/go-1.19".into()),
    );
    assert!(
        dir.join("bin/go").exists(),
        "these tests need a real Go 1.19 at {}: run `apt-get install -y golang-1.19-go` (or set GOV_TEST_GO119)",
        dir.display()
    );
    dir
}

/// The mirror of real Go releases `scripts/go-mirror.sh` builds.
pub fn real_mirror_dir() -> PathBuf {
    let dir = std::env::var_os("GOV_TEST_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/go-mirror"));
    assert!(
        dir.join("index.json").is_file(),
        "these tests need a mirror of real Go releases at {}: run `scripts/go-mirror.sh {}` (or set GOV_TEST_MIRROR)",
        dir.display(),
        dir.display()
    );
    dir
}

/// The newest release of `series` (`1.22`) among the mirror's `versions`.
pub fn newest_of(versions: &[String], series: &str) -> String {
    versions
        .iter()
        .find(|v| v.starts_with(&format!("{series}.")))
        .unwrap_or_else(|| panic!("the mirror holds no Go {series}: run `scripts/go-mirror.sh target/go-mirror 1.19 1.21 1.22 1.22/arm64`"))
        .clone()
}

/// Serves the real mirror over HTTP on loopback; returns the server and
/// the versions it holds, newest first as listed.
pub fn serve_real_mirror() -> (server::Server, Vec<String>) {
    use std::sync::Arc;
    let dir = real_mirror_dir();
    let server = server::Server::start();
    let index = std::fs::read(dir.join("index.json")).unwrap();
    let releases: Vec<serde_json::Value> = serde_json::from_slice(&index).unwrap();
    server.route("index.json", server::Reply::Body(Arc::new(index)));
    let mut versions = Vec::new();
    for r in &releases {
        for f in r["files"].as_array().unwrap() {
            let file = f["filename"].as_str().unwrap();
            let body = std::fs::read(dir.join(file)).unwrap();
            server.route(file, server::Reply::Body(Arc::new(body)));
        }
        versions.push(
            r["version"]
                .as_str()
                .unwrap()
                .trim_start_matches("go")
                .to_string(),
        );
    }
    (server, versions)
}

/// A run as a snapshot shows it: exit code, stdout and stderr.
pub fn run_text(out: &Output) -> String {
    format!(
        "exit_code: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        out.status
            .code()
            .map_or_else(|| "signal".to_string(), |c| c.to_string()),
        stdout(out),
        stderr(out)
    )
}

/// Several runs as one snapshot shows them: each `$ LABEL` (the command
/// as typed) above its [`run_text`].
pub fn transcript(runs: &[(&str, &Output)]) -> String {
    runs.iter()
        .map(|(label, out)| format!("$ {label}\n{}", run_text(out)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The end of a run's stderr from its first `error: ` line on: what gov
/// says last, without the status lines before it, whose order a busy
/// machine may change.
pub fn error_text(out: &Output) -> String {
    let err = stderr(out);
    match err.find("error: ") {
        Some(at) => err[at..].to_string(),
        None => panic!("no error in:\n{err}"),
    }
}

/// Filters that make a run's output the same on every machine and run:
/// the test's temporary root, the loopback server's port, timings and
/// process ids.
pub fn filters(env: &TestEnv) -> Vec<(String, String)> {
    let root = regex_escape(&env.root.display().to_string());
    vec![
        (format!("{root}/gov-home"), "[GOV_HOME]".into()),
        (root, "[ROOT]".into()),
        (r"127\.0\.0\.1:\d+".into(), "[SERVER]".into()),
        (r"in \d+\.\d+ ?s".into(), "in [TIME]".into()),
        (r"\bpid \d+".into(), "pid [PID]".into()),
        // A download written aside under a random name (`tempfile`'s).
        (
            r"(\.[\w.-]+)\.[A-Za-z0-9]{6}\.part\b".into(),
            "$1.[RANDOM].part".into(),
        ),
        // A duration `go test` prints.
        (r"\t\d+\.\d+s\b".into(), "\t[TIME]".into()),
        // A duration in a table (`gov matrix`).
        (r"\b\d+\.\d\ds\b".into(), "[TIME]".into()),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ".into(), "[DATE]".into()),
        // The index cache is named by a hash of its URL, port included.
        (
            r"index-[0-9a-f]{16}\.json".into(),
            "index-[HASH].json".into(),
        ),
        // The gov under test, wherever Cargo built it.
        (regex_escape(GOV), "[GOV]".into()),
        (
            regex_escape(&std::env::current_dir().unwrap().display().to_string()),
            "[REPO]".into(),
        ),
    ]
}

/// `text` as a regular expression that matches it literally.
pub fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}

/// insta's settings with the [`filters`] of `env`.
pub fn snapshot_settings(env: &TestEnv) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (pattern, replacement) in filters(env) {
        settings.add_filter(&pattern, replacement);
    }
    settings
}

/// [`snapshot_settings`] that also write each `(text, name)` of `names`
/// as `[name]`: the releases of a mirror whose patch versions change as
/// it is rebuilt.
pub fn snapshot_settings_naming(env: &TestEnv, names: &[(&str, &str)]) -> insta::Settings {
    let mut settings = snapshot_settings(env);
    for (text, name) in names {
        let text = regex_escape(text);
        // In a table, its column is as wide as the longest name there.
        settings.add_filter(&format!(r"(?m)^{text} {{2,}}"), format!("[{name}]  "));
        // Anywhere else, `go1.22.12` included, but not within `1.22.123`.
        settings.add_filter(
            &format!(r"(?m)(^|[^0-9.]){text}([^0-9]|\.[^0-9]|\.?$)"),
            format!("${{1}}[{name}]${{2}}"),
        );
    }
    settings
}

/// Snapshots any text under `snapshots/`, with the paths and ports of
/// `env` filtered; a name is optional.
#[macro_export]
macro_rules! text_snapshot {
    ($name:expr, $env:expr, $text:expr) => {
        $crate::common::snapshot_settings(&$env).bind(|| {
            insta::assert_snapshot!($name, $text);
        })
    };
    ($env:expr, $text:expr) => {
        $crate::common::snapshot_settings(&$env).bind(|| {
            insta::assert_snapshot!($text);
        })
    };
}

/// Snapshots a gov run (exit code, stdout, stderr) under `snapshots/`,
/// with the paths and ports of `env` filtered; a name is optional.
#[macro_export]
macro_rules! gov_snapshot {
    ($name:expr, $env:expr, $out:expr) => {
        $crate::common::snapshot_settings(&$env).bind(|| {
            insta::assert_snapshot!($name, $crate::common::run_text($out));
        })
    };
    ($env:expr, $out:expr) => {
        $crate::common::snapshot_settings(&$env).bind(|| {
            insta::assert_snapshot!($crate::common::run_text($out));
        })
    };
}

/// A small tmpfs, unmounted when dropped. Needs root (as CI has).
pub struct SmallDisk(pub PathBuf);

impl SmallDisk {
    pub fn mount(at: PathBuf, size: &str) -> SmallDisk {
        std::fs::create_dir_all(&at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "this test mounts a small tmpfs: run it as root"
        );
        SmallDisk(at)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// `bin/go` of a release whose `go mod edit -go=V FILE` rewrites FILE's go
/// line in place (through a link, as Go does) and whose `go version` says
/// what it is, followed by `tail` (a shell word list such as
/// ` GOROOT=$GOROOT`).
pub fn editing_go(version: &str, tail: &str) -> String {
    format!(
        "#!/bin/sh\n\
         if [ \"$1 $2\" = 'mod edit' ]; then\n\
           case \"$3\" in -go=*) t=$(sed \"s/^go .*/go ${{3#-go=}}/\" \"$4\") && printf '%s\\n' \"$t\" > \"$4\" ;; esac\n\
           exit 0\n\
         fi\n\
         echo \"go version go{version} linux/amd64{tail}\"\n"
    )
}

/// The entries of a GitHub workflow job's matrix (`strategy.matrix.include`),
/// each as its keys and values, booleans written as `true`/`false`.
pub fn matrix_entries(job: &yaml_rust2::Yaml) -> Vec<std::collections::BTreeMap<String, String>> {
    use yaml_rust2::Yaml;
    job["strategy"]["matrix"]["include"]
        .as_vec()
        .expect("a matrix")
        .iter()
        .map(|entry| {
            entry
                .as_hash()
                .expect("an entry is a map")
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Yaml::Boolean(b) => b.to_string(),
                        v => v.as_str().expect("a string value").to_string(),
                    };
                    (k.as_str().expect("a string key").to_string(), v)
                })
                .collect()
        })
        .collect()
}
