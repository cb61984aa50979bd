//! `gov export`'s snippets, run for real: the GitHub and GitLab jobs'
//! shell steps in a clean HOME, with gov from a loopback release server
//! and real Go from the loopback mirror; the Dockerfile built with podman
//! (two builds: the second, after an edit and with the mirror gone, reuses
//! the cache mounts).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, OnceLock};

use yaml_rust2::{Yaml, YamlLoader};

use crate::common::podman;
use crate::common::server::{Reply, Server};
use crate::common::*;

/// gov's release files (`scripts/release.sh`), built once per run.
fn dist() -> &'static Path {
    static DIST: OnceLock<PathBuf> = OnceLock::new();
    DIST.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = repo.join("target/export-dist");
        let built = std::process::Command::new(repo.join("scripts/release.sh"))
            .arg(&dir)
            .current_dir(repo)
            .output()
            .unwrap();
        assert_success(&built);
        dir
    })
}

/// A loopback server holding gov's release as GitHub would.
fn release_server() -> Server {
    let server = Server::start();
    for entry in std::fs::read_dir(dist()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let body = std::fs::read(entry.path()).unwrap();
        server.route(&name, Reply::Body(Arc::new(body)));
    }
    server
}

/// A module with a program and a test, pinned to 1.22 by .go-version.
fn hello_module(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let files = [
        ("go.mod", "module example.com/hello\n\ngo 1.22\n"),
        (".go-version", "1.22\n"),
        (
            "main.go",
            "package main\n\nimport \"fmt\"\n\nfunc greeting() string { return \"hello from a pinned Go\" }\n\nfunc main() { fmt.Println(greeting()) }\n",
        ),
        (
            "main_test.go",
            "package main\n\nimport \"testing\"\n\nfunc TestGreeting(t *testing.T) {\n\tif greeting() == \"\" {\n\t\tt.Fatal(\"no greeting\")\n\t}\n}\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// `gov export KIND` in `dir`, pointed at the mirror and release server.
fn export(env: &TestEnv, dir: &Path, kind: &[&str], mirror: &Server, releases: &Server) -> String {
    let out = env
        .gov_cmd(["export"].iter().chain(kind))
        .current_dir(dir)
        .env("GOV_INDEX_URL", mirror.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &mirror.base)
        .env("GOV_RELEASE_URL", &releases.base)
        .output()
        .unwrap();
    assert_success(&out);
    stdout(&out)
}

fn yaml(text: &str) -> Yaml {
    YamlLoader::load_from_str(text)
        .expect("valid YAML")
        .remove(0)
}

fn str_map(yaml: &Yaml) -> BTreeMap<String, String> {
    yaml.as_hash()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                v.as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Only the system's programs: no cargo, no Go, no gov.
const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// `${{ matrix.KEY }}` in `text` replaced by the matrix entry's value, as
/// GitHub does (a missing key is empty).
fn expand_matrix(text: &str, matrix: &BTreeMap<String, String>) -> String {
    let mut out = text.to_string();
    while let Some(start) = out.find("${{ matrix.") {
        let end = start + out[start..].find("}}").unwrap() + 2;
        let key = out[start + "${{ matrix.".len()..end - 2].trim();
        let value = matrix.get(key).cloned().unwrap_or_default();
        out.replace_range(start..end, &value);
    }
    out
}

/// Whether a step whose `if:` is `condition` runs: the only forms the
/// workflows gov writes use, `${{ matrix.KEY }}` and `${{ !matrix.KEY }}`.
fn step_runs(condition: Option<&str>, matrix: &BTreeMap<String, String>) -> bool {
    let Some(condition) = condition else {
        return true;
    };
    let inner = condition
        .strip_prefix("${{ ")
        .and_then(|c| c.strip_suffix(" }}"))
        .unwrap_or_else(|| panic!("an `if:` this runner cannot read: {condition}"));
    let (negate, key) = match inner.strip_prefix('!') {
        Some(key) => (true, key),
        None => (false, inner),
    };
    let key = key.strip_prefix("matrix.").expect("a matrix key");
    let value = matrix.get(key).map(String::as_str).unwrap_or("");
    let truthy = !value.is_empty() && value != "false";
    truthy != negate
}

/// Runs a GitHub job's `run` steps as a runner does: each in
/// `bash -eo pipefail`, with the job's env, and what earlier steps wrote to
/// `$GITHUB_ENV` and `$GITHUB_PATH`. `uses` steps are the runner's own.
fn run_github_job(job: &Yaml, home: &Path, workspace: &Path) -> Vec<Output> {
    run_github_matrix_job(job, &BTreeMap::new(), home, workspace)
}

/// The same for one entry of the job's matrix: its values in the steps'
/// `env` and `if`.
fn run_github_matrix_job(
    job: &Yaml,
    matrix: &BTreeMap<String, String>,
    home: &Path,
    workspace: &Path,
) -> Vec<Output> {
    let files = home.parent().unwrap().join("runner");
    std::fs::create_dir_all(&files).unwrap();
    let github_env = files.join("env");
    let github_path = files.join("path");
    let mut outputs = Vec::new();
    for (n, step) in job["steps"].as_vec().unwrap().iter().enumerate() {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        if !step_runs(step["if"].as_str(), matrix) {
            continue;
        }
        std::fs::write(&github_env, "").unwrap();
        std::fs::write(&github_path, "").unwrap();
        let mut env = str_map(&job["env"]);
        for line in std::fs::read_to_string(files.join("all-env"))
            .unwrap_or_default()
            .lines()
        {
            let (k, v) = line.split_once('=').unwrap();
            env.insert(k.into(), v.into());
        }
        if !step["env"].is_badvalue() {
            for (k, v) in str_map(&step["env"]) {
                env.insert(k, expand_matrix(&v, matrix));
            }
        }
        let mut path = SYSTEM_PATH.to_string();
        for dir in std::fs::read_to_string(files.join("all-path"))
            .unwrap_or_default()
            .lines()
        {
            path = format!("{dir}:{path}");
        }
        let script_file = files.join(format!("step-{n}.sh"));
        std::fs::write(&script_file, script).unwrap();
        let out = std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script_file)
            .env_clear()
            .envs(&env)
            .env("PATH", path)
            .env("HOME", home)
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_RUN_ID", "1")
            .env("GITHUB_RUN_ATTEMPT", "1")
            .env("GITHUB_JOB", "test")
            .env("GITHUB_ENV", &github_env)
            .env("GITHUB_PATH", &github_path)
            .current_dir(workspace)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "step {script:?} failed: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        for (from, to) in [(&github_env, "all-env"), (&github_path, "all-path")] {
            let mut all = std::fs::read_to_string(files.join(to)).unwrap_or_default();
            all.push_str(&std::fs::read_to_string(from).unwrap());
            std::fs::write(files.join(to), all).unwrap();
        }
        outputs.push(out);
    }
    outputs
}

fn copy_dir(from: &Path, to: &Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

/// What the CI jobs run against: the real mirror, gov's release server,
/// the hello module, and the newest Go 1.22 the mirror has.
struct CiSetup {
    env: TestEnv,
    mirror: Server,
    releases: Server,
    go: String,
    module: PathBuf,
}

impl CiSetup {
    fn new() -> CiSetup {
        let env = TestEnv::new();
        let (mirror, versions) = serve_real_mirror();
        let module = env.work.join("hello");
        hello_module(&module);
        CiSetup {
            go: newest_of(&versions, "1.22"),
            releases: release_server(),
            env,
            mirror,
            module,
        }
    }

    fn export(&self, kind: &str) -> String {
        self.export_with(&[kind])
    }

    fn export_with(&self, args: &[&str]) -> String {
        export(&self.env, &self.module, args, &self.mirror, &self.releases)
    }
}

#[test]
fn the_github_job_installs_gov_and_go_and_its_cache_spares_the_download() {
    let ci = CiSetup::new();
    let (env, mirror, go, workspace) = (&ci.env, &ci.mirror, &ci.go, &ci.module);
    let workflow = yaml(&ci.export("github"));
    let job = &workflow["jobs"]["test"];
    assert_eq!(job["env"]["GOV_VERSION"].as_str(), Some(go.as_str()));

    // A first run on a fresh runner: gov and Go are downloaded.
    let home = env.root.join("runner-1/home");
    std::fs::create_dir_all(&home).unwrap();
    let outputs = run_github_job(job, &home, workspace);
    let last = outputs.last().unwrap();
    assert!(
        stdout(last).contains("ok  \texample.com/hello"),
        "{}",
        stdout(last)
    );
    let archive = format!("go{go}.linux-amd64.tar.gz");
    assert_eq!(mirror.hits(&archive), 1);
    assert!(home.join(".local/bin/gov").is_file());

    // The cache step's path, restored on a second runner before anything
    // is installed: Go comes from it, not from the mirror.
    let cached = job["steps"]
        .as_vec()
        .unwrap()
        .iter()
        .find_map(|s| s["with"]["path"].as_str())
        .unwrap();
    let cached = cached.strip_prefix("~/").expect("a path under HOME");
    assert!(home.join(cached).join("versions").join(go).is_dir());
    let home2 = env.root.join("runner-2/home");
    std::fs::create_dir_all(home2.join(cached).parent().unwrap()).unwrap();
    copy_dir(&home.join(cached), &home2.join(cached));
    let outputs = run_github_job(job, &home2, workspace);
    assert!(stdout(outputs.last().unwrap()).contains("ok  \texample.com/hello"));
    assert_eq!(mirror.hits(&archive), 1, "the restored cache served Go");
}

/// Runs a GitLab job as the runner does: one script, variables exported
/// first (GitLab expands `$VAR` in them), then before_script and script.
fn run_gitlab_job(job: &Yaml, home: &Path, project: &Path) -> Output {
    let mut script = String::from("set -eo pipefail\n");
    for (k, v) in str_map(&job["variables"]) {
        script.push_str(&format!("export {k}=\"{v}\"\n"));
    }
    for part in ["before_script", "script"] {
        for line in job[part].as_vec().unwrap() {
            script.push_str(line.as_str().unwrap());
            script.push('\n');
        }
    }
    std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &script])
        .env_clear()
        .env("PATH", SYSTEM_PATH)
        .env("HOME", home)
        .env("CI", "true")
        .env("GITLAB_CI", "true")
        .env("CI_JOB_ID", "7")
        .env("CI_PROJECT_DIR", project)
        .current_dir(project)
        .output()
        .unwrap()
}

/// A job with what it `extends` merged in, as GitLab does: maps merged key
/// by key (the job's own win), everything else the job's.
fn gitlab_extended(doc: &Yaml, name: &str) -> Yaml {
    fn merge(base: &Yaml, own: &Yaml) -> Yaml {
        match (base, own) {
            (Yaml::Hash(base), Yaml::Hash(own)) => {
                let mut merged = base.clone();
                for (k, v) in own {
                    let value = match base.get(k) {
                        Some(b) => merge(b, v),
                        None => v.clone(),
                    };
                    merged.insert(k.clone(), value);
                }
                Yaml::Hash(merged)
            }
            (_, own) => own.clone(),
        }
    }
    let job = &doc[name];
    match job["extends"].as_str() {
        Some(parent) => merge(&gitlab_extended(doc, parent), job),
        None => job.clone(),
    }
}

#[test]
fn the_github_matrix_tests_on_amd64_and_cross_compiles_for_arm64() {
    let ci = CiSetup::new();
    let workflow =
        yaml(&ci.export_with(&["github", "--platform", "linux/amd64,linux/arm64", "--cross"]));
    let job = &workflow["jobs"]["test"];
    let entries = matrix_entries(job);
    assert_eq!(entries.len(), 2);
    for (n, entry) in entries.iter().enumerate() {
        let home = ci.env.root.join(format!("runner-{n}/home"));
        std::fs::create_dir_all(&home).unwrap();
        let outputs = run_github_matrix_job(job, entry, &home, &ci.module);
        let last = stdout(outputs.last().unwrap());
        match entry["platform"].as_str() {
            "linux/amd64" => assert!(last.contains("ok  \texample.com/hello"), "{last}"),
            // The cross-compiling step: `go env GOOS GOARCH`, vet, build.
            "linux/arm64" => assert_eq!(last, "linux\narm64\n"),
            other => panic!("a job for {other}"),
        }
    }
}

#[test]
fn the_gitlab_jobs_test_on_amd64_and_cross_compile_for_arm64() {
    let ci = CiSetup::new();
    let doc =
        yaml(&ci.export_with(&["gitlab", "--platform", "linux/amd64,linux/arm64", "--cross"]));
    for (name, expected) in [
        ("test linux/amd64", "ok  \texample.com/hello"),
        ("build linux/arm64", "linux\narm64\n"),
    ] {
        let job = gitlab_extended(&doc, name);
        let home = ci.env.root.join(format!("runner-{}/home", name.len()));
        std::fs::create_dir_all(&home).unwrap();
        let out = run_gitlab_job(&job, &home, &ci.module);
        assert!(
            out.status.success(),
            "{name}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(stdout(&out).contains(expected), "{name}: {}", stdout(&out));
    }
}

#[test]
fn the_gitlab_job_installs_gov_and_go_into_the_project_and_passes() {
    let ci = CiSetup::new();
    let (env, go, project) = (&ci.env, &ci.go, &ci.module);
    let doc = yaml(&ci.export("gitlab"));
    let job = &doc["test"];

    let home = env.root.join("runner/home");
    std::fs::create_dir_all(&home).unwrap();
    let out = run_gitlab_job(job, &home, project);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("ok  \texample.com/hello"),
        "{}",
        stdout(&out)
    );
    // Everything the cache keeps is inside the project, as GitLab needs.
    let cached = job["cache"]["paths"][0].as_str().unwrap();
    assert!(project.join(cached).join("versions").join(go).is_dir());
}

/// A Dockerfile exported for the hello module, against the real mirror
/// reached by name inside the build (as a fleet's would be), on the tests'
/// base image.
struct DockerSetup {
    server: Server,
    go: String,
    /// `http://localhost:PORT`
    mirror: String,
    env: TestEnv,
    module: PathBuf,
    dockerfile: String,
}

impl DockerSetup {
    fn export(args: &[&str]) -> DockerSetup {
        let (server, versions) = serve_real_mirror();
        let port = server.base.rsplit(':').next().unwrap().to_string();
        let mirror = format!("http://localhost:{port}");
        let base = podman::base_image();
        let env = TestEnv::new();
        let module = env.work.join("hello");
        hello_module(&module);
        let out = env
            .gov_cmd(["export", "dockerfile", "--image", &base])
            .args(args)
            .current_dir(&module)
            .env("GOV_INDEX_URL", format!("{mirror}/index.json"))
            .env("GOV_DOWNLOAD_URL", format!("{mirror}/"))
            .output()
            .unwrap();
        assert_success(&out);
        DockerSetup {
            server,
            go: newest_of(&versions, "1.22"),
            mirror,
            env,
            module,
            dockerfile: stdout(&out),
        }
    }
}

/// For the builds no test rebuilds: keep no image of each step. With the
/// vfs driver every step's image is a whole copy of the file system, and
/// the `ADD` form's steps hold Go's archives and tree: gigabytes a build.
/// Only for Dockerfiles with no stage that is a bare `FROM` of gov's image
/// (see `an_arm_v7_image_gets_goarm_from_the_platform_s_variant`).
const NO_LAYERS: &str = "--layers=false";

/// `podman build` of `context` with its Dockerfile; how long it took. The
/// caller holds [`podman::image_lock`].
fn build_image(context: &Path, tag: &str, extra: &[&str]) -> std::time::Duration {
    let started = std::time::Instant::now();
    podman::ok(
        podman::podman()
            .args(["build", "--network", "host", "-t", tag])
            .args(extra)
            .arg("-f")
            .arg(context.join("Dockerfile"))
            .arg(context),
    );
    started.elapsed()
}

fn run_image(tag: &str) -> String {
    let out = podman::ok(podman::podman().args(["run", "--rm", tag]));
    stdout(&out)
}

/// Asserts that the build cache mount `id` (under buildah's
/// `$TMPDIR/buildah-cache`; a mount with no id is kept under its target
/// path) holds something.
fn assert_cache_filled(id: &str) {
    let cache = podman::state_dir().join("tmp/buildah-cache").join(id);
    let filled = std::fs::read_dir(&cache).map(|mut d| d.next().is_some());
    assert!(
        matches!(filled, Ok(true)),
        "no build cache at {}",
        cache.display()
    );
}

/// The hello module's one-line edit before a rebuild.
fn edit_greeting(module: &Path) {
    let main = module.join("main.go");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replace("hello from a pinned Go", "hello again")).unwrap();
}

#[test]
fn the_exported_dockerfile_builds_the_module_and_a_rebuild_reuses_the_cache_mounts() {
    podman::gov_image();
    // Every field bound: the temporary directory lives to the end.
    let DockerSetup {
        server,
        go,
        mirror: _,
        env: _env,
        module,
        dockerfile,
    } = DockerSetup::export(&[]);
    assert!(
        dockerfile.contains(&format!("gov install --quiet {go}")),
        "{dockerfile}"
    );
    std::fs::write(module.join("Dockerfile"), &dockerfile).unwrap();

    // Cold: no layer cache, empty cache mounts. The cache mounts are
    // every build's: no other build until the warm one is checked.
    let _images = podman::image_lock();
    let _ = std::fs::remove_dir_all(podman::state_dir().join("tmp/buildah-cache"));
    let tag = format!("localhost/gov-test/hello-{}", std::process::id());
    let first = build_image(&module, &tag, &["--no-cache"]);
    assert_eq!(run_image(&tag), "hello from a pinned Go\n");
    // The final image holds the program and nothing else.
    let container = stdout(&podman::ok(podman::podman().args(["create", &tag])))
        .trim()
        .to_string();
    let listing = podman::ok(podman::podman().args(["export", &container]));
    let _ = podman::podman().args(["rm", &container]).output();
    let mut names = tar::Archive::new(listing.stdout.as_slice())
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .filter(|n| !n.ends_with('/'))
        .collect::<Vec<_>>();
    names.retain(|n| !n.starts_with("etc/") && !n.starts_with("run/") && !n.starts_with("dev/"));
    assert_eq!(names, ["hello"]);
    // The build cache is in its mount, for the rebuild to find.
    assert_cache_filled("root/.cache/go-build");

    // An edit, then a rebuild with the mirror gone: Go comes from the cache
    // mount of GOV_HOME, the build from the cache mount of GOCACHE.
    edit_greeting(&module);
    drop(server);
    let second = build_image(&module, &tag, &[]);
    assert_eq!(run_image(&tag), "hello again\n");
    let _ = podman::podman().args(["rmi", &tag]).output();
    eprintln!(
        "exported Dockerfile: first build (cold) {:.1} s, rebuild after an edit {:.1} s",
        first.as_secs_f64(),
        second.as_secs_f64()
    );
}

#[test]
fn the_add_form_names_the_archive_s_true_digest_and_builds() {
    let DockerSetup {
        server: _server,
        go,
        mirror,
        env: _env,
        module,
        dockerfile,
    } = DockerSetup::export(&["--add"]);
    let archive = format!("go{go}.linux-amd64.tar.gz");
    let bytes = std::fs::read(real_mirror_dir().join(&archive)).unwrap();
    let add = format!(
        "ADD --checksum=sha256:{} {mirror}/{archive} /tmp/go.tar.gz",
        crate::common::archive::sha256(&bytes)
    );
    assert!(dockerfile.contains(&add), "{dockerfile}");
    // buildah 1.28 predates ADD --checksum (1.33): build the same file
    // without the flag, having checked the digest above.
    let plain = dockerfile.replace(&add, &format!("ADD {mirror}/{archive} /tmp/go.tar.gz"));
    std::fs::write(module.join("Dockerfile"), plain).unwrap();
    let tag = format!("localhost/gov-test/hello-add-{}", std::process::id());
    let _images = podman::image_lock();
    build_image(&module, &tag, &[NO_LAYERS]);
    assert_eq!(run_image(&tag), "hello from a pinned Go\n");
    let _ = podman::podman().args(["rmi", &tag]).output();
}

/// The ELF machine of a program: 62 for x86-64, 183 for AArch64.
fn elf_machine(program: &[u8]) -> u16 {
    assert_eq!(&program[..4], b"\x7fELF", "not an ELF file");
    u16::from_le_bytes([program[18], program[19]])
}

/// What a multi-platform `podman build --manifest` took: the whole build,
/// and each platform's `go build` step (from its STEP line to the commit
/// after it), timed as buildah prints them.
struct ManifestBuild {
    whole: std::time::Duration,
    go_build: BTreeMap<String, std::time::Duration>,
}

/// `podman build` of `context` for `platforms` into the manifest list
/// `name` (removed first: podman adds to an existing list), with
/// `BUILDPLATFORM` given as buildah 1.28 needs. The caller holds
/// [`podman::image_lock`].
fn build_manifest(context: &Path, name: &str, platforms: &str, extra: &[&str]) -> ManifestBuild {
    use std::io::BufRead;
    let _ = podman::podman().args(["manifest", "rm", name]).output();
    let started = std::time::Instant::now();
    let mut child = podman::podman()
        .args(["build", "--network", "host"])
        .args(["--build-arg", "BUILDPLATFORM=linux/amd64"])
        .args(["--platform", platforms, "--manifest", name])
        .args(extra)
        .arg("-f")
        .arg(context.join("Dockerfile"))
        .arg(context)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || std::io::read_to_string(err).unwrap());
    let lines: Vec<(std::time::Instant, String)> =
        std::io::BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map(|l| (std::time::Instant::now(), l.unwrap()))
            .collect();
    let status = child.wait().unwrap();
    let whole = started.elapsed();
    let all = lines.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>();
    assert!(
        status.success(),
        "podman build failed:\n{}\n{}",
        all.join("\n"),
        err.join().unwrap()
    );
    let mut go_build = BTreeMap::new();
    for (n, (at, line)) in lines.iter().enumerate() {
        let Some(platform) = line.strip_prefix('[').and_then(|l| l.split_once(']')) else {
            continue;
        };
        if !(platform.1.contains("STEP") && platform.1.contains(" go build ")) {
            continue;
        }
        let (done, _) = lines[n + 1..]
            .iter()
            .find(|(_, l)| l.starts_with("--> "))
            .expect("the step's commit");
        go_build.insert(platform.0.to_string(), *done - *at);
    }
    ManifestBuild { whole, go_build }
}

/// Each image of the manifest list `name`: its architecture and its
/// program, taken out of the image.
fn programs_of(name: &str, program: &str) -> BTreeMap<String, Vec<u8>> {
    let list = podman::ok(podman::podman().args(["manifest", "inspect", name]));
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let mut programs = BTreeMap::new();
    for entry in list["manifests"].as_array().unwrap() {
        assert_eq!(entry["platform"]["os"], "linux");
        let arch = entry["platform"]["architecture"].as_str().unwrap();
        let image = format!("{name}@{}", entry["digest"].as_str().unwrap());
        let id = stdout(&podman::ok(podman::podman().args(["create", &image])))
            .trim()
            .to_string();
        let exported = podman::ok(podman::podman().args(["export", &id]));
        let _ = podman::podman().args(["rm", &id]).output();
        let mut tar = tar::Archive::new(exported.stdout.as_slice());
        let bytes = tar
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find_map(|mut e| {
                (e.path().unwrap().to_str() == Some(program)).then(|| {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
                    bytes
                })
            })
            .unwrap_or_else(|| panic!("no {program} in the {arch} image"));
        assert!(
            programs.insert(arch.to_string(), bytes).is_none(),
            "two {arch} images"
        );
    }
    programs
}

/// Runs `program` (written to `dir`) on this machine, under qemu for
/// arm64; what it printed.
fn run_program(dir: &Path, arch: &str, program: &[u8]) -> String {
    let path = dir.join(format!("hello-{arch}"));
    std::fs::write(&path, program).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = match arch {
        "amd64" => std::process::Command::new(&path).output().unwrap(),
        "arm64" => std::process::Command::new("qemu-aarch64-static")
            .arg(&path)
            .output()
            .expect("qemu-user-static is installed (scripts/test.sh installs it)"),
        other => panic!("no way to run {other} here"),
    };
    assert_success(&out);
    stdout(&out)
}

/// The value of the first CycloneDX property `name` anywhere in `doc`.
fn property(doc: &serde_json::Value, name: &str) -> Option<String> {
    match doc {
        serde_json::Value::Object(map) => {
            if map.get("name").and_then(|n| n.as_str()) == Some(name) {
                return map.get("value").and_then(|v| v.as_str()).map(String::from);
            }
            map.values().find_map(|v| property(v, name))
        }
        serde_json::Value::Array(list) => list.iter().find_map(|v| property(v, name)),
        _ => None,
    }
}

/// Whether a binfmt handler would run arm64 programs under emulation here.
fn arm64_emulation_registered() -> bool {
    std::fs::read_dir("/proc/sys/fs/binfmt_misc")
        .map(|dir| {
            dir.flatten().any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.contains("aarch64") || name.contains("arm64")
            })
        })
        .unwrap_or(false)
}

#[test]
fn a_two_platform_image_is_cross_compiled_and_each_program_runs_on_its_machine() {
    podman::gov_image();
    let DockerSetup {
        server,
        go,
        mirror: _,
        env,
        module,
        dockerfile,
    } = DockerSetup::export(&["--platform", "linux/amd64,linux/arm64"]);
    // No stage runs under emulation: every stage but the program's is on
    // the build machine's platform (buildah may run a stage natively even
    // without it, so the text is checked), and with no binfmt handler for
    // arm64, a RUN in an arm64 stage could not run at all.
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    let (last, build) = froms.split_last().unwrap();
    assert_eq!(*last, "FROM scratch");
    assert!(
        build
            .iter()
            .all(|l| l.starts_with("FROM --platform=$BUILDPLATFORM ")),
        "{dockerfile}"
    );
    let emulation = arm64_emulation_registered();
    if emulation {
        eprintln!("note: a binfmt handler for arm64 is registered here; the Dockerfile's text is the proof that nothing ran under it");
    }
    std::fs::write(module.join("Dockerfile"), &dockerfile).unwrap();

    // Cold: no layer cache, empty cache mounts. The cache mounts are
    // every build's: no other build until the warm one is checked.
    let _images = podman::image_lock();
    let _ = std::fs::remove_dir_all(podman::state_dir().join("tmp/buildah-cache"));
    let name = format!("localhost/gov-test/hello-multi-{}", std::process::id());
    let platforms = "linux/amd64,linux/arm64";
    let cold = build_manifest(&module, &name, platforms, &["--no-cache"]);
    let programs = programs_of(&name, "hello");
    assert_eq!(
        programs.keys().map(String::as_str).collect::<Vec<_>>(),
        ["amd64", "arm64"]
    );
    for (arch, program) in &programs {
        let machine = elf_machine(program);
        assert_eq!(
            machine,
            if arch == "amd64" { 62 } else { 183 },
            "the {arch} program"
        );
        assert_eq!(
            run_program(&env.root, arch, program),
            "hello from a pinned Go\n"
        );
        // What gov's SBOM reads back from the program: the platform it was
        // built for, and the pinned Go.
        let out = env
            .gov_cmd(["sbom", "--format", "cyclonedx", "--binary"])
            .arg(env.root.join(format!("hello-{arch}")))
            .output()
            .unwrap();
        assert_success(&out);
        let sbom = stdout(&out);
        let doc: serde_json::Value = serde_json::from_str(&sbom).unwrap();
        assert_eq!(
            property(&doc, "gov:build:GOARCH").as_deref(),
            Some(arch.as_str()),
            "{sbom}"
        );
        assert!(sbom.contains(&format!("go{go}")), "{sbom}");
    }

    // Each target has a build cache of its own.
    for target in ["linux-amd64", "linux-arm64"] {
        assert_cache_filled(&format!("go-build-{target}"));
    }

    // Warm: an edit, then a rebuild with the mirror gone, that finds Go,
    // the modules and each target's build cache in the mounts.
    edit_greeting(&module);
    drop(server);
    let warm = build_manifest(&module, &name, platforms, &[]);
    let programs = programs_of(&name, "hello");
    for (arch, program) in &programs {
        assert_eq!(run_program(&env.root, arch, program), "hello again\n");
    }
    let _ = podman::podman().args(["manifest", "rm", &name]).output();
    let step = |b: &ManifestBuild, p: &str| b.go_build[p].as_secs_f64();
    eprintln!(
        "two-platform Dockerfile: cold build {:.1} s (go build: amd64 {:.1} s, arm64 {:.1} s); \
         warm rebuild after an edit {:.1} s (go build: amd64 {:.2} s, arm64 {:.2} s, ratio {:.2})",
        cold.whole.as_secs_f64(),
        step(&cold, "linux/amd64"),
        step(&cold, "linux/arm64"),
        warm.whole.as_secs_f64(),
        step(&warm, "linux/amd64"),
        step(&warm, "linux/arm64"),
        step(&warm, "linux/arm64") / step(&warm, "linux/amd64"),
    );
}

#[test]
fn the_add_form_for_two_platforms_unpacks_the_build_machine_s_archive() {
    let DockerSetup {
        server: _server,
        go,
        mirror,
        env,
        module,
        dockerfile,
    } = DockerSetup::export(&["--add", "--platform", "linux/amd64,linux/arm64"]);
    let mut plain = dockerfile.clone();
    for arch in ["amd64", "arm64"] {
        let archive = format!("go{go}.linux-{arch}.tar.gz");
        let digest =
            std::fs::read_to_string(real_mirror_dir().join(format!("{archive}.sha256"))).unwrap();
        let add = format!(
            "ADD --checksum=sha256:{} {mirror}/{archive} /tmp/go-{arch}.tar.gz",
            digest.trim()
        );
        assert!(dockerfile.contains(&add), "{dockerfile}");
        // buildah 1.28 predates ADD --checksum (1.33): build the same file
        // without the flag, having checked the digests.
        plain = plain.replace(
            &add,
            &format!("ADD {mirror}/{archive} /tmp/go-{arch}.tar.gz"),
        );
    }
    std::fs::write(module.join("Dockerfile"), plain).unwrap();
    let name = format!("localhost/gov-test/hello-add-multi-{}", std::process::id());
    let _images = podman::image_lock();
    build_manifest(&module, &name, "linux/amd64,linux/arm64", &[NO_LAYERS]);
    for (arch, program) in programs_of(&name, "hello") {
        assert_eq!(
            run_program(&env.root, &arch, &program),
            "hello from a pinned Go\n"
        );
    }
    let _ = podman::podman().args(["manifest", "rm", &name]).output();
}

#[test]
fn an_arm_v7_image_gets_goarm_from_the_platform_s_variant() {
    podman::gov_image();
    let DockerSetup {
        server: _server,
        go: _,
        mirror: _,
        env,
        module,
        dockerfile,
    } = DockerSetup::export(&["--platform", "linux/arm/v7"]);
    std::fs::write(module.join("Dockerfile"), &dockerfile).unwrap();
    let name = format!("localhost/gov-test/hello-armv7-{}", std::process::id());
    // With its step images kept: buildah 1.28 with --layers=false removes
    // a stage that is only a FROM (`AS gov`) at the end as if it were a
    // step image of its own, and that is gov's image itself, which every
    // later build needs. The step images go once the program is out.
    let images = podman::image_lock();
    build_manifest(&module, &name, "linux/arm/v7", &[]);
    let programs = programs_of(&name, "hello");
    let _ = podman::podman().args(["manifest", "rm", &name]).output();
    let _ = podman::podman()
        .args(["image", "prune", "--force"])
        .output();
    drop(images);
    let program = &programs["arm"];
    assert_eq!(elf_machine(program), 40, "an ARM program");
    let path = env.root.join("hello-arm");
    std::fs::write(&path, program).unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let ran = std::process::Command::new("qemu-arm-static")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(stdout(&ran), "hello from a pinned Go\n");
    let out = env
        .gov_cmd(["sbom", "--format", "cyclonedx", "--binary"])
        .arg(&path)
        .output()
        .unwrap();
    assert_success(&out);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(property(&doc, "gov:build:GOARCH").as_deref(), Some("arm"));
    assert_eq!(property(&doc, "gov:build:GOARM").as_deref(), Some("7"));
}

#[test]
fn the_github_job_of_a_locked_project_installs_exactly_the_locked_archive() {
    let ci = CiSetup::new();
    let (env, mirror, go, workspace) = (&ci.env, &ci.mirror, &ci.go, &ci.module);
    let out = env
        .gov_cmd(["lock"])
        .current_dir(workspace)
        .env("GOV_INDEX_URL", mirror.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &mirror.base)
        .output()
        .unwrap();
    assert_success(&out);
    let workflow = yaml(&ci.export("github"));
    let job = &workflow["jobs"]["test"];
    assert_eq!(job["env"]["GOV_LOCKED"].as_str(), Some("1"));
    assert_eq!(job["env"]["GOV_VERSION"].as_str(), Some(go.as_str()));

    // The runner checks out the project, gov.lock with it, and installs
    // under GOV_LOCKED=1.
    let home = env.root.join("runner-1/home");
    std::fs::create_dir_all(&home).unwrap();
    let outputs = run_github_job(job, &home, workspace);
    assert!(stdout(outputs.last().unwrap()).contains("ok  \texample.com/hello"));

    // A lock whose digest is not the mirror's: the install step fails,
    // naming both, and nothing is installed on the runner.
    let lock = workspace.join("gov.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    let archive = format!("go{go}.linux-amd64.tar.gz");
    let published = std::fs::read_to_string(real_mirror_dir().join(format!("{archive}.sha256")))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let forged = "0".repeat(64);
    std::fs::write(&lock, text.replace(&published, &forged)).unwrap();
    let home = env.root.join("runner-2/home");
    std::fs::create_dir_all(&home).unwrap();
    let failed = std::panic::catch_unwind(|| run_github_job(job, &home, workspace))
        .expect_err("the install step fails");
    let message = failed.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains(&format!("locks sha256 {forged}")),
        "{message}"
    );
    assert!(message.contains(&published), "{message}");
    assert!(!home.join(".local/share/gov/versions").join(go).exists());
}
