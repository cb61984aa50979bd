//! Property tests of the renderers: whatever text reaches a snippet (the
//! paths in `why`, every value the command lets through), the snippet is
//! exactly the document it should be, to a strict reader and to one that
//! breaks lines at NEL, LS and PS as YAML 1.1 parsers do.

use proptest::prelude::*;
use yaml_rust2::{Yaml, YamlLoader};

use super::dockerfile::{Fetch, Options};
use super::*;
use crate::platform::Target;

/// Every character that ends a line for some reader.
const LINE_BREAKS: [char; 7] = [
    '\n', '\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}',
];

/// Text as hostile as it gets: anything, or mostly line breaks and the
/// characters YAML, JSON and Dockerfiles read as syntax.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\n\\r\\x0b\\x0c\\x{85}\\x{2028}\\x{2029}\\x{feff}\\x7f\\x{9b}\\x1b:#\"'{}\\[\\]&*!|>%@`\\\\ a-]{0,24}",
    ]
}

/// A value `is_plain` lets into a snippet: any of them.
fn plain() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._/:@+=,%~][a-zA-Z0-9._/:@+=,%~-]{0,15}"
}

/// A URL `is_plain_url` lets into a snippet.
fn plain_url() -> impl Strategy<Value = String> {
    "https?://[a-zA-Z0-9._/:@+=,%~?&-]{0,24}"
}

fn version() -> impl Strategy<Value = Version> {
    (1..3u64, 0..30u64, proptest::option::of(0..20u64)).prop_map(|(major, minor, patch)| {
        let text = match patch {
            Some(p) => format!("{major}.{minor}.{p}"),
            None => format!("{major}.{minor}"),
        };
        Version::parse(&text).unwrap()
    })
}

fn pin(target: Platform) -> impl Strategy<Value = Pin> {
    (
        version(),
        text(),
        any::<bool>(),
        proptest::option::of(plain_url()),
        proptest::option::of(plain_url()),
        plain_url(),
    )
        .prop_map(move |(version, why, asked, index, download, release_url)| {
            let mut mirrors = Vec::new();
            if let Some(url) = index {
                mirrors.push(("GOV_INDEX_URL", url));
            }
            if let Some(url) = download {
                mirrors.push(("GOV_DOWNLOAD_URL", url));
            }
            let filename = format!("go{version}.{}-{}.tar.gz", target.os, target.arch);
            Pin {
                version,
                why,
                platform: asked.then(|| target.clone()),
                archive: Some(Archive {
                    url: format!("https://dl.example/{filename}"),
                    file: crate::index::File {
                        filename,
                        os: target.os.clone(),
                        arch: target.arch.clone(),
                        sha256: "0".repeat(64),
                        size: 1,
                        kind: "archive".into(),
                    },
                }),
                target: target.clone(),
                locked: false,
                mirrors,
                release_url,
            }
        })
}

fn platform() -> impl Strategy<Value = Platform> {
    (plain(), plain()).prop_map(|(os, arch)| Platform { os, arch })
}

fn ci_platform() -> impl Strategy<Value = Platform> {
    prop_oneof![
        Just(("linux", "amd64")),
        Just(("linux", "arm64")),
        Just(("darwin", "arm64")),
        Just(("darwin", "amd64")),
    ]
    .prop_map(|(os, arch)| Platform {
        os: os.into(),
        arch: arch.into(),
    })
}

/// No line break but `\n`, no control character but a tab.
fn assert_plain_lines(text: &str) -> Result<(), TestCaseError> {
    let bad = text
        .chars()
        .find(|&c| c != '\n' && (LINE_BREAKS.contains(&c) || c.is_control()));
    prop_assert!(bad.is_none(), "{bad:?} in:\n{text}");
    Ok(())
}

/// The one document of `text`, the same to both kinds of reader.
fn yaml(text: &str) -> Result<Yaml, TestCaseError> {
    let strict = YamlLoader::load_from_str(text);
    prop_assert!(strict.is_ok(), "{strict:?}\n{text}");
    let liberal: String = text
        .chars()
        .map(|c| if LINE_BREAKS.contains(&c) { '\n' } else { c })
        .collect();
    let liberal = YamlLoader::load_from_str(&liberal);
    let strict = strict.unwrap();
    prop_assert_eq!(Ok(&strict), liberal.as_ref(), "{}", text);
    prop_assert_eq!(strict.len(), 1);
    Ok(strict.into_iter().next().unwrap())
}

fn keys(yaml: &Yaml) -> Vec<&str> {
    yaml.as_hash()
        .map(|h| h.keys().filter_map(|k| k.as_str()).collect())
        .unwrap_or_default()
}

fn vars(yaml: &Yaml) -> Vec<(String, String)> {
    yaml.as_hash()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

fn expected_vars(pin: &Pin) -> Vec<(String, String)> {
    let mut vars = vec![
        ("GOV_VERSION".to_string(), pin.version.to_string()),
        ("GOV_RELEASE_URL".to_string(), pin.release_url.clone()),
    ];
    vars.extend(pin.mirrors.iter().map(|(k, v)| (k.to_string(), v.clone())));
    vars
}

/// The instructions of a Dockerfile, continuations joined, lines broken
/// wherever any reader breaks them.
fn instructions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
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
                found.push(std::mem::take(&mut current));
            }
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn prop_yaml_str_reads_back_exactly(value in text()) {
        let doc = yaml(&format!("k: {}\n", yaml_str(&value)))?;
        prop_assert_eq!(doc["k"].as_str(), Some(value.as_str()));
        let json: String = serde_json::from_str(&yaml_str(&value)).unwrap();
        prop_assert_eq!(json, value);
    }

    #[test]
    fn prop_github_is_one_job_with_exactly_its_variables(
        pin in ci_platform().prop_flat_map(pin),
        runner in prop_oneof![Just("ubuntu-latest"), Just("macos-13")],
    ) {
        let text = ci::github(&pin, runner);
        assert_plain_lines(&text)?;
        let doc = yaml(&text)?;
        prop_assert_eq!(keys(&doc), ["name", "on", "jobs"]);
        prop_assert_eq!(keys(&doc["jobs"]), ["test"]);
        let job = &doc["jobs"]["test"];
        prop_assert_eq!(keys(job), ["runs-on", "env", "steps"]);
        prop_assert_eq!(job["runs-on"].as_str(), Some(runner));
        prop_assert_eq!(vars(&job["env"]), expected_vars(&pin));
        prop_assert_eq!(job["steps"].as_vec().map(Vec::len), Some(5));
        prop_assert_eq!(text.lines().filter(|l| l.trim_start().starts_with('#')).count(), 3);
    }

    #[test]
    fn prop_gitlab_is_one_job_with_exactly_its_variables(
        pin in ci_platform().prop_flat_map(pin),
        image in plain(),
        tag in proptest::option::of(Just("saas-linux-small-arm64")),
    ) {
        let text = ci::gitlab(&pin, &image, tag);
        assert_plain_lines(&text)?;
        let doc = yaml(&text)?;
        prop_assert_eq!(keys(&doc), ["test"]);
        let job = &doc["test"];
        let mut expected = vec!["image", "variables", "cache", "before_script", "script"];
        if tag.is_some() {
            expected.insert(1, "tags");
        }
        prop_assert_eq!(keys(job), expected);
        prop_assert_eq!(job["image"].as_str(), Some(image.as_str()));
        let mut expected = expected_vars(&pin);
        expected.insert(0, ("GOV_HOME".into(), "$CI_PROJECT_DIR/.gov".into()));
        prop_assert_eq!(vars(&job["variables"]), expected);
        prop_assert_eq!(job["before_script"].as_vec().map(Vec::len), Some(4));
        prop_assert_eq!(job["script"].as_vec().map(Vec::len), Some(1));
        prop_assert_eq!(text.lines().filter(|l| l.trim_start().starts_with('#')).count(), 3);
    }

    #[test]
    fn prop_devcontainer_is_exactly_its_keys(
        pin in platform().prop_flat_map(pin),
        name in text(),
    ) {
        let name = binary_name(&name);
        let text = devcontainer::render(&pin, &name);
        assert_plain_lines(&text)?;
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut expected = vec!["customizations", "features", "image", "name"];
        if pin.platform.is_some() {
            expected.push("runArgs");
        }
        let keys: Vec<&str> = doc.as_object().unwrap().keys().map(String::as_str).collect();
        prop_assert_eq!(keys, expected);
        let expected = format!("{name} (Go {})", pin.version);
        prop_assert_eq!(doc["name"].as_str(), Some(expected.as_str()));
    }

    #[test]
    fn prop_dockerfile_has_exactly_its_instructions(
        pin in platform().prop_flat_map(pin),
        add in any::<bool>(),
        base in plain(),
        gov_image in plain(),
        package in plain(),
        module in text(),
        has_go_sum in any::<bool>(),
        several in any::<bool>(),
    ) {
        let targets = ["linux/amd64", "linux/arm64"].map(|t| Target::parse(t).unwrap());
        let builders = match several && add {
            true => targets
                .iter()
                .map(|t| {
                    let file: crate::index::File = serde_json::from_value(serde_json::json!({
                        "filename": format!("go{}.linux-{}.tar.gz", pin.version, t.arch),
                        "os": "linux", "arch": t.arch, "sha256": "a".repeat(64), "kind": "archive",
                    }))
                    .unwrap();
                    (t.arch.clone(), Archive { file, url: "https://dl.example/go.tar.gz".into() })
                })
                .collect(),
            false => vec![],
        };
        let options = Options {
            fetch: if add { Fetch::Add } else { Fetch::Gov },
            base,
            gov_image,
            package: format!("./{package}"),
            binary: binary_name(&module),
            has_go_sum,
            platforms: if several { targets.to_vec() } else { vec![] },
            builders,
            host: targets[0].clone(),
        };
        let text = dockerfile::render(&pin, &options);
        assert_plain_lines(&text)?;
        let found = instructions(&text);
        let words: Vec<&str> = found.iter().map(|i| i.split(' ').next().unwrap()).collect();
        let mut expected = match (add, several) {
            (true, false) => vec!["FROM", "ADD", "RUN", "ENV"],
            (true, true) => vec!["FROM", "ARG", "ADD", "ADD", "RUN", "ENV"],
            (false, _) => {
                let mut start = vec!["FROM", "FROM", "COPY", "ENV"];
                start.extend(pin.mirrors.iter().map(|_| "ENV"));
                start
            }
        };
        expected.extend(["WORKDIR", "COPY", "RUN", "COPY"]);
        if several {
            // The targets' variables, read only by the build.
            expected.push("ARG");
        }
        expected.extend(["RUN", "FROM", "COPY", "ENTRYPOINT"]);
        prop_assert_eq!(&words, &expected, "{}", text);
        if !add {
            for (name, value) in &pin.mirrors {
                let line = format!("ENV {name}={value}");
                prop_assert!(found.contains(&line), "{line}");
            }
        }
        let comments = text.lines().filter(|l| l.trim_start().starts_with('#')).count();
        prop_assert_eq!(comments, if several { 8 } else { 3 });
        if several {
            // Every stage but the program's runs on the build machine.
            let froms: Vec<&String> = found.iter().filter(|i| i.starts_with("FROM ")).collect();
            let (last, build) = froms.split_last().unwrap();
            prop_assert_eq!(last.as_str(), "FROM scratch");
            for from in build {
                prop_assert!(from.starts_with("FROM --platform=$BUILDPLATFORM "), "{}", from);
            }
        }
    }
}
