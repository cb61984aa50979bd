//! `gov sbom`: the installed toolchains as SPDX 2.3 or CycloneDX 1.5, from
//! their install records. (tests/real/sbom.rs validates the documents with
//! the official validators.)

use crate::common::archive;
use crate::common::mirror::Mirror;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

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
    gov_snapshot!("no_installed_release_matches", m.env, &out);
    let out = m.gov_cmd(["sbom", "--format", "swid"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_empty_store_has_nothing_to_describe() {
    let m = Mirror::new(&["1.22.4"]);
    let out = m.gov_cmd(["sbom"]).output().unwrap();
    gov_snapshot!(m.env, &out);
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
    gov_snapshot!(env, &out);
}

/// The blob Go 1.18 and later link into a program: the magic, pointer
/// size and flags, then the Go version and the framed module information,
/// each after its varint length.
fn go_blob(version: &str, modinfo: &str) -> Vec<u8> {
    fn varint(mut n: usize, out: &mut Vec<u8>) {
        while n >= 0x80 {
            out.push(n as u8 | 0x80);
            n >>= 7;
        }
        out.push(n as u8);
    }
    let mut b = b"\xff Go buildinf:\x08\x02".to_vec();
    b.resize(32, 0);
    varint(version.len(), &mut b);
    b.extend(version.as_bytes());
    let framed = [&[0x30; 16][..], modinfo.as_bytes(), &[0xf9; 16]].concat();
    varint(framed.len(), &mut b);
    b.extend(framed);
    b
}

/// A 64-bit little-endian ELF program without section headers: a
/// writable loadable segment for each `(address, file offset, size in the
/// file, size in memory)`, and `body` at `body_at` (16-byte aligned, past
/// the headers).
fn elf(segments: &[(u64, u64, u64, u64)], body_at: u64, body: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 64];
    f[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    f[16..18].copy_from_slice(&2u16.to_le_bytes());
    f[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
    f[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
    f[0x38..0x3a].copy_from_slice(&(segments.len() as u16).to_le_bytes());
    for &(addr, offset, filesz, memsz) in segments {
        let mut ph = [0u8; 56];
        ph[..4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        ph[4..8].copy_from_slice(&6u32.to_le_bytes()); // read, write
        ph[8..16].copy_from_slice(&offset.to_le_bytes());
        ph[16..24].copy_from_slice(&addr.to_le_bytes());
        ph[32..40].copy_from_slice(&filesz.to_le_bytes());
        ph[40..48].copy_from_slice(&memsz.to_le_bytes());
        f.extend(ph);
    }
    assert!(f.len() as u64 <= body_at);
    f.resize(body_at as usize, 0);
    f.extend(body);
    f
}

/// A Go program (as far as its build information goes) built from
/// `deps` modules.
fn program_with_deps(deps: usize) -> Vec<u8> {
    let mut modinfo = String::from("path\texample.com/app\nmod\texample.com/app\t(devel)\t\n");
    for i in 0..deps {
        modinfo.push_str(&format!(
            "dep\texample.com/m{i}\tv1.{}.{}\th1:{:043}=\n",
            i / 1000,
            i % 1000,
            i
        ));
    }
    modinfo.push_str("build\tGOOS=linux\n");
    let blob = go_blob("go1.22.4", &modinfo);
    elf(
        &[(0x10000, 4096, blob.len() as u64, blob.len() as u64)],
        4096,
        &blob,
    )
}

#[test]
fn a_program_with_a_hundred_thousand_modules_is_described_in_linear_time() {
    let env = TestEnv::new();
    let program = env.work.join("big-app");
    std::fs::write(&program, program_with_deps(100_000)).unwrap();
    for (format, list, edges) in [
        ("spdx", "packages", "relationships"),
        ("cyclonedx", "components", "dependencies"),
    ] {
        let file = env.work.join(format!("big.{format}.json"));
        // Minutes with the quadratic lookups of before; a regression
        // fails here instead of hanging.
        let out = output_within(
            env.gov_cmd(["sbom", "--format", format, "--output"])
                .arg(&file)
                .arg("--binary")
                .arg(&program),
            std::time::Duration::from_secs(180),
        );
        assert_success(&out);
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        // The program, its standard library and each module.
        assert_eq!(doc[list].as_array().unwrap().len(), 100_002, "{format}");
        let edges = doc[edges].as_array().unwrap();
        match format {
            // DESCRIBES the program; it DEPENDS_ON the rest.
            "spdx" => assert_eq!(edges.len(), 100_002),
            _ => assert_eq!(edges[0]["dependsOn"].as_array().unwrap().len(), 100_001),
        }
    }
}

#[test]
fn headers_that_map_the_same_bytes_again_and_again_cost_a_per_file_error() {
    let env = TestEnv::new();
    // 60,000 segments at consecutive addresses, each mapping the same
    // 4 MiB of the file, the first as large in memory as all of them: the
    // search for the blob would read 240 GiB of an 8 MiB file.
    const MIB: u64 = 1 << 20;
    let (count, size, body_at) = (60_000u64, 4 * MIB, 4 * MIB);
    let segments: Vec<_> = (0..count)
        .map(|k| {
            let memsz = if k == 0 { count * size } else { size };
            (0x1000_0000 + k * size, body_at, size, memsz)
        })
        .collect();
    let crafted = env.work.join("crafted");
    std::fs::write(&crafted, elf(&segments, body_at, &vec![0u8; size as usize])).unwrap();
    let good = env.work.join("good");
    std::fs::write(&good, program_with_deps(3)).unwrap();
    let out = output_within(
        env.gov_cmd(["sbom", "--binary"]).arg(&crafted).arg(&good),
        std::time::Duration::from_secs(120),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    text_snapshot!(env, stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["name"], "good");
}

#[test]
fn a_big_program_is_read_in_one_pass() {
    let env = TestEnv::new();
    // 256 MiB (sparse on disk) of one data segment, the blob at its end:
    // the search reads each byte once, the digest once more.
    const SIZE: u64 = 256 << 20;
    let blob = go_blob(
        "go1.22.4",
        "path\texample.com/big\nmod\texample.com/big\tv1.0.0\t\n",
    );
    let blob_at = SIZE - 4096;
    let head = elf(&[(0x10000, 0, SIZE, SIZE)], 4096, &[]);
    let program = env.work.join("big");
    let mut file = std::fs::File::create(&program).unwrap();
    use std::io::{Seek, Write};
    file.write_all(&head).unwrap();
    file.seek(std::io::SeekFrom::Start(blob_at)).unwrap();
    file.write_all(&blob).unwrap();
    file.set_len(SIZE).unwrap();
    drop(file);
    let out = output_within(
        env.gov_cmd(["sbom", "--format", "cyclonedx", "--binary"])
            .arg(&program),
        std::time::Duration::from_secs(120),
    );
    assert_success(&out);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["components"][0]["version"], "v1.0.0");
}
