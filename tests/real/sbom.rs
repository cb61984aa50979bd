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
    env.gov_ok([
        "link".as_ref(),
        "1.19.8".as_ref(),
        debian_go_1_19().as_os_str(),
    ]);
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
    env.gov_ok([
        "link".as_ref(),
        "1.19.8".as_ref(),
        debian_go_1_19().as_os_str(),
    ]);
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
