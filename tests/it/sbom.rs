//! `gov sbom`: the installed toolchains as SPDX 2.3 or CycloneDX 1.5, from
//! their install records. (tests/real/sbom.rs validates the documents with
//! the official validators.)

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::*;

fn sbom(m: &Mirror, args: &[&str]) -> serde_json::Value {
    let out = m.gov_cmd(["sbom"].iter().chain(args)).output().unwrap();
    assert_success(&out);
    serde_json::from_str(&stdout(&out)).expect("JSON")
}

fn mirror() -> Mirror {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    assert_success(&m.gov(&["install", "1.21.5", "1.22.4"]));
    m.env.install_fake("1.20.14");
    m
}

#[test]
fn spdx_lists_each_toolchain_with_its_digest_purl_and_source() {
    let m = mirror();
    let doc = sbom(&m, &[]);
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    let packages = doc["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 3);
    let p = &packages[0];
    assert_eq!(p["name"], "go");
    assert_eq!(p["versionInfo"], "1.22.4");
    assert_eq!(p["SPDXID"], "SPDXRef-Package-go-1.22.4-linux-amd64");
    // SPDX names only domain names as download locations; a loopback
    // mirror's URL goes into the comment.
    assert_eq!(p["downloadLocation"], "NOASSERTION");
    let from = format!(
        "downloaded from {}",
        m.server.url("go1.22.4.linux-amd64.tar.gz")
    );
    assert!(p["comment"].as_str().unwrap().starts_with(&from), "{p}");
    assert_eq!(p["checksums"][0]["algorithm"], "SHA256");
    assert_eq!(
        p["checksums"][0]["checksumValue"],
        archive::sha256(&archive::fake_release("1.22.4"))
    );
    assert_eq!(p["licenseDeclared"], "BSD-3-Clause");
    assert_eq!(p["supplier"], "Organization: Google LLC");
    assert_eq!(
        p["externalRefs"][0]["referenceLocator"],
        "pkg:golang/stdlib@1.22.4"
    );
    // A linked root: where it is, never a digest or supplier gov cannot know.
    let linked = &packages[2];
    assert_eq!(linked["versionInfo"], "1.20.14");
    assert_eq!(linked["downloadLocation"], "NOASSERTION");
    assert!(linked.get("checksums").is_none());
    assert!(linked.get("supplier").is_none());
    assert!(linked["comment"].as_str().unwrap().contains("linked to"));
    let described: Vec<&str> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DESCRIBES")
        .map(|r| r["relatedSpdxElement"].as_str().unwrap())
        .collect();
    assert_eq!(described.len(), 3);
}

#[test]
fn the_namespace_is_stable_for_the_same_store_and_unique_otherwise() {
    let m = mirror();
    let a = sbom(&m, &[]);
    let b = sbom(&m, &[]);
    assert_eq!(a["documentNamespace"], b["documentNamespace"]);
    let c = sbom(&m, &["1.22"]);
    assert_ne!(a["documentNamespace"], c["documentNamespace"]);
    assert_eq!(c["packages"].as_array().unwrap().len(), 1);
    let cdx = sbom(&m, &["--format", "cyclonedx"]);
    let serial = cdx["serialNumber"].as_str().unwrap();
    assert!(
        serial.starts_with("urn:uuid:") && serial.len() == 45,
        "{serial}"
    );
    assert_eq!(serial, sbom(&m, &["--format", "cyclonedx"])["serialNumber"]);
}

#[test]
fn cyclonedx_lists_each_toolchain_as_a_component() {
    let m = mirror();
    let doc = sbom(&m, &["--format", "cyclonedx", "1.21"]);
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.5");
    let c = &doc["components"][0];
    assert_eq!(c["name"], "go");
    assert_eq!(c["version"], "1.21.5");
    assert_eq!(c["purl"], "pkg:golang/stdlib@1.21.5");
    assert_eq!(c["hashes"][0]["alg"], "SHA-256");
    assert_eq!(c["licenses"][0]["license"]["id"], "BSD-3-Clause");
    assert_eq!(
        c["externalReferences"][0]["url"],
        m.server.url("go1.21.5.linux-amd64.tar.gz")
    );
    assert_eq!(doc["metadata"]["tools"]["components"][0]["name"], "gov");
}

#[test]
fn output_is_written_whole_and_unknown_versions_are_refused() {
    let m = mirror();
    let file = m.env.root.join("out/toolchains.spdx.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let out = m
        .gov_cmd(["sbom", "--output", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), "");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["packages"].as_array().unwrap().len(), 3);
    let leftovers = std::fs::read_dir(file.parent().unwrap()).unwrap().count();
    assert_eq!(leftovers, 1);
    let out = m.gov_cmd(["sbom", "1.19"]).output().unwrap();
    assert_failure(
        &out,
        1,
        &[
            "no installed release matches `1.19`",
            "gov list --all-platforms",
        ],
    );
    let out = m.gov_cmd(["sbom", "--format", "swid"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_empty_store_has_nothing_to_describe() {
    let m = Mirror::new(&["1.22.4"]);
    let out = m.gov_cmd(["sbom"]).output().unwrap();
    assert_failure(
        &out,
        1,
        &["no Go release is installed", "gov install latest"],
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn files_that_are_not_go_programs_each_say_why_and_what_to_do() {
    let env = TestEnv::new();
    // A PE header whose optional header is shorter than its fields.
    let mut pe = vec![0u8; 64];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3c] = 64;
    pe.extend_from_slice(b"PE\0\0");
    let mut coff = [0u8; 20];
    coff[2] = 1;
    coff[16] = 1;
    pe.extend_from_slice(&coff);
    pe.extend_from_slice(&[0x0b; 13]);
    let damaged = env.write("damaged.exe", "");
    std::fs::write(&damaged, pe).unwrap();
    let text = env.write("notes.txt", "not a program\n");
    let out = env
        .gov_cmd(["sbom", "--binary"])
        .arg(&damaged)
        .arg(&text)
        .arg(&env.work)
        .output()
        .unwrap();
    assert_failure(
        &out,
        1,
        &[
            "damaged.exe`: damaged executable: PE optional header too short",
            "build or download it again",
            "notes.txt`: not an executable",
            "name a compiled Go program",
            "is not a regular file",
            "3 of 3 files could not be described",
            "each file's error above says why and what to do",
        ],
    );
    assert_eq!(stdout(&out), "");
}
