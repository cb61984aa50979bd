//! `gov sbom` checked by the official validators from PyPI (`spdx-tools`'
//! pyspdxtools for SPDX 2.3, `cyclonedx-python-lib`'s strict JSON validator
//! for CycloneDX 1.5), which `scripts/test.sh` installs into
//! `target/sbom-venv`, on toolchains installed from the real mirror.

use std::path::{Path, PathBuf};

use crate::common::*;

/// The validators' Python environment.
pub fn venv() -> PathBuf {
    let dir = std::env::var_os("GOV_TEST_SBOM_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sbom-venv"));
    assert!(
        dir.join("bin/pyspdxtools").is_file(),
        "these tests need the SBOM validators in {}: run scripts/test.sh (or `python3 -m venv {0} && {0}/bin/pip install spdx-tools 'cyclonedx-python-lib[json-validation]'`)",
        dir.display()
    );
    dir
}

/// Validates an SPDX or CycloneDX JSON file; `Err` with what the validator said.
pub fn validate(file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).unwrap();
    let out = if text.contains("\"spdxVersion\"") {
        std::process::Command::new(venv().join("bin/pyspdxtools"))
            .arg("-i")
            .arg(file)
            .output()
            .unwrap()
    } else {
        let script = "import sys\n\
            from cyclonedx.validation.json import JsonStrictValidator\n\
            from cyclonedx.schema import SchemaVersion\n\
            error = JsonStrictValidator(SchemaVersion.V1_5).validate_str(open(sys.argv[1]).read())\n\
            sys.exit(str(error) if error else 0)\n";
        std::process::Command::new(venv().join("bin/python"))
            .args(["-c", script])
            .arg(file)
            .output()
            .unwrap()
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", stdout(&out), stderr(&out)))
    }
}

fn sbom_to(env: &TestEnv, args: &[&str], file: &Path) -> serde_json::Value {
    let out = env
        .gov_cmd(
            ["sbom", "--output", file.to_str().unwrap()]
                .iter()
                .chain(args),
        )
        .output()
        .unwrap();
    assert_success(&out);
    serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap()
}

#[test]
fn toolchain_sboms_pass_the_official_validators() {
    let env = TestEnv::new();
    let (server, versions) = serve_real_mirror();
    let go121 = newest_of(&versions, "1.21");
    let go122 = newest_of(&versions, "1.22");
    // A mirror with a domain name (through the loopback server as the
    // proxy), as SPDX wants a download location to have.
    let host = "http://go-mirror.example.com";
    let out = env
        .gov_cmd(["install", &go121, &go122])
        .env("GOV_INDEX_URL", format!("{host}/index.json"))
        .env("GOV_DOWNLOAD_URL", format!("{host}/"))
        .env("HTTP_PROXY", &server.base)
        .output()
        .unwrap();
    assert_success(&out);
    env.link("1.19.8", &debian_go_1_19());
    // One from a mirror on a path: no network location to name.
    let mirror = real_mirror_dir();
    let go119 = newest_of(&versions, "1.19");
    let other = TestEnv::new();
    let out = other
        .gov_cmd(["install", &go119])
        .env("GOV_INDEX_URL", mirror.join("index.json"))
        .env("GOV_DOWNLOAD_URL", &mirror)
        .output()
        .unwrap();
    assert_success(&out);

    for (env, name) in [(&env, "store"), (&other, "path-mirror")] {
        for format in ["spdx", "cyclonedx"] {
            let file = env.root.join(format!("{name}.{format}.json"));
            sbom_to(env, &["--format", format], &file);
            if let Err(e) = validate(&file) {
                panic!(
                    "{format} SBOM of the {name} is invalid: {e}\n{}",
                    std::fs::read_to_string(&file).unwrap()
                );
            }
        }
    }

    let doc = sbom_to(&env, &[], &env.root.join("doc.json"));
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 3);
    for (p, v) in packages.iter().zip([&go122, &go121]) {
        let archive = format!("go{v}.linux-amd64.tar.gz");
        let published = std::fs::read_to_string(mirror.join(format!("{archive}.sha256"))).unwrap();
        assert_eq!(p["versionInfo"], v.as_str());
        assert_eq!(
            p["checksums"][0]["checksumValue"].as_str(),
            published.split_whitespace().next()
        );
        assert_eq!(p["downloadLocation"], format!("{host}/{archive}"));
    }
    assert_eq!(packages[2]["versionInfo"], "1.19.8");
    assert_eq!(packages[2]["downloadLocation"], "NOASSERTION");

    let doc = sbom_to(&other, &[], &other.root.join("doc.json"));
    let p = &doc["packages"][0];
    assert_eq!(p["downloadLocation"], "NOASSERTION");
    assert!(p["comment"]
        .as_str()
        .unwrap()
        .contains(&format!("downloaded from {}", mirror.display())));
    assert!(p["checksums"][0]["checksumValue"].is_string());
    drop(server);
}

#[test]
fn the_validators_do_reject_a_broken_document() {
    // So that a pass above means something.
    let env = TestEnv::new();
    env.link("1.19.8", &debian_go_1_19());
    for format in ["spdx", "cyclonedx"] {
        let file = env.root.join(format!("{format}.json"));
        let mut doc = sbom_to(&env, &["--format", format], &file);
        if format == "spdx" {
            doc["packages"][0]
                .as_object_mut()
                .unwrap()
                .remove("downloadLocation");
        } else {
            doc["components"][0]["type"] = "toolchain".into();
        }
        std::fs::write(&file, doc.to_string()).unwrap();
        assert!(
            validate(&file).is_err(),
            "{format} validator accepted a broken document"
        );
    }
}

/// The properties of a CycloneDX component, `gov:` dropped.
fn properties(component: &serde_json::Value) -> Vec<(String, String)> {
    component["properties"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let name = p["name"].as_str().unwrap();
                    (
                        name.trim_start_matches("gov:").to_string(),
                        p["value"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn property<'a>(props: &'a [(String, String)], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn program_sboms_hold_every_module_version_and_sum_go_version_m_prints() {
    use crate::buildinfo::{app, build, go, go_1_22, go_version_m, run, write};
    let env = TestEnv::new();
    let mut programs = Vec::new();
    for (root, name) in [
        (debian_go_1_19(), "app-1.19"),
        (go_1_22().to_path_buf(), "app-1.22"),
    ] {
        let build_env = TestEnv::new();
        let (dir, _) = app(&build_env, &root, true);
        let file = env.root.join(name);
        build(&build_env, &root, &dir, &file, &["-ldflags=-X main.x=y"]);
        programs.push((build_env, root, file));
    }
    // GOPATH mode: Go records no modules, so there is nothing to describe.
    let gopath_env = TestEnv::new();
    let hello = gopath_env.root.join("gopath/src/hello");
    write(&hello.join("main.go"), "package main\n\nfunc main() {}\n");
    let gopath_program = env.root.join("gopath-hello");
    run(go(&gopath_env, &debian_go_1_19())
        .args(["build", "-o"])
        .arg(&gopath_program)
        .arg(".")
        .env("GO111MODULE", "off")
        .current_dir(&hello));

    for format in ["cyclonedx", "spdx"] {
        let file = env.root.join(format!("programs.{format}.json"));
        let out = env
            .gov_cmd([
                "sbom",
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
                "--binary",
            ])
            .arg(&programs[0].2)
            .arg(&programs[1].2)
            .arg(&gopath_program)
            .arg("/bin/true")
            .output()
            .unwrap();
        crate::gov_snapshot!(format!("two_of_four_{format}"), env, &out);
        if let Err(e) = validate(&file) {
            panic!("{format} SBOM of the programs is invalid: {e}");
        }
    }

    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.root.join("programs.cyclonedx.json")).unwrap())
            .unwrap();
    let components = doc["components"].as_array().unwrap();
    let depends_on = |id: &str| -> Vec<String> {
        doc["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["ref"] == id)
            .map(|d| {
                d["dependsOn"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    for (build_env, root, file) in &programs {
        let name = file.file_name().unwrap().to_str().unwrap();
        let program = components.iter().find(|c| c["name"] == name).unwrap();
        let props = properties(program);
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(
            program["hashes"][0]["content"],
            crate::common::archive::sha256(&bytes)
        );
        let (go_version, lines) = go_version_m(build_env, root, file);
        assert_eq!(property(&props, "go"), Some(go_version.as_str()));
        let needs = depends_on(program["bom-ref"].as_str().unwrap());
        let stdlib = components
            .iter()
            .find(|c| {
                c["purl"] == format!("pkg:golang/stdlib@{}", go_version.trim_start_matches("go"))
            })
            .expect("the standard library of the Go that built it");
        assert!(needs.contains(&stdlib["bom-ref"].as_str().unwrap().to_string()));
        let mut last_dep: Option<&serde_json::Value> = None;
        for line in lines.iter().filter(|l| !l.trim().is_empty()) {
            let (kind, rest) = line.split_once('\t').unwrap();
            let rest = rest.trim_end().replace('\t', " ");
            match kind {
                "path" => assert_eq!(property(&props, "path"), Some(rest.as_str())),
                "mod" => assert_eq!(property(&props, "mod"), Some(rest.as_str())),
                "dep" => {
                    let dep = components
                        .iter()
                        .find(|c| property(&properties(c), "dep") == Some(rest.as_str()))
                        .unwrap_or_else(|| panic!("no component for `dep {rest}`"));
                    let (path, version) = rest.split_once(' ').unwrap();
                    let version = version.split(' ').next().unwrap();
                    assert_eq!(dep["name"], path);
                    if property(&properties(dep), "replaced-by").is_some() {
                        // Replaced by a directory (the only kind here): no
                        // version names what was built.
                        assert_eq!(dep["purl"], format!("pkg:golang/{path}"));
                    } else {
                        assert_eq!(dep["version"], version);
                        assert_eq!(dep["purl"], format!("pkg:golang/{path}@{version}"));
                    }
                    assert!(
                        needs.contains(&dep["bom-ref"].as_str().unwrap().to_string()),
                        "{name} depends on {path}"
                    );
                    last_dep = Some(dep);
                }
                "=>" => {
                    let dep = last_dep.expect("a replacement follows its dep");
                    assert_eq!(
                        property(&properties(dep), "replaced-by"),
                        Some(rest.as_str())
                    );
                }
                "build" => {
                    let (key, value) = rest.split_once('=').unwrap();
                    let ours = property(&props, &format!("build:{key}"))
                        .unwrap_or_else(|| panic!("no build setting {key}"));
                    // Go quotes values with blanks or quotes in them.
                    let value = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .map_or(value.to_string(), |v| {
                            v.replace("\\\"", "\"").replace("\\\\", "\\")
                        });
                    assert_eq!(ours, value, "build setting {key}");
                }
                other => {
                    panic!("a line `go version -m` prints that this test does not know: {other}")
                }
            }
        }
    }
    // The module both programs depend on appears once.
    let greet: Vec<_> = components
        .iter()
        .filter(|c| c["name"] == "example.com/greet")
        .collect();
    assert_eq!(greet.len(), 1);
}

#[test]
fn go_s_own_programs_are_described_as_part_of_their_release() {
    // Built from Go's `cmd` module, which Go does not record: no `mod`
    // line, as in GOPATH mode, yet not a GOPATH build.
    let env = TestEnv::new();
    let gofmt = crate::buildinfo::go_1_22().join("bin/gofmt");
    let file = env.root.join("gofmt.spdx.json");
    let out = env
        .gov_cmd(["sbom", "--output", file.to_str().unwrap(), "--binary"])
        .arg(&gofmt)
        .output()
        .unwrap();
    assert_success(&out);
    validate(&file).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let program = &doc["packages"][0];
    assert_eq!(program["name"], "gofmt");
    let version = program["versionInfo"].as_str().unwrap();
    assert!(version.starts_with("1.22."), "{version}");
    assert_eq!(program["licenseDeclared"], "BSD-3-Clause");
    assert!(program["comment"]
        .as_str()
        .unwrap()
        .contains("cmd/gofmt of Go's own distribution"));
}
