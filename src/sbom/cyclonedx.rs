//! CycloneDX 1.5, JSON.

use serde_json::{json, Value};

use super::{content_digest, Bom, Kind};

pub fn document(bom: &Bom, created: &str) -> Value {
    let components: Vec<Value> = bom
        .packages
        .iter()
        .map(|p| {
            let mut v = json!({
                "type": match p.kind {
                    Kind::Toolchain | Kind::Program => "application",
                    Kind::Module | Kind::Stdlib => "library",
                },
                "bom-ref": p.id,
                "name": p.name,
            });
            if let Some(version) = &p.version {
                v["version"] = json!(version);
            }
            if let Some(supplier) = p.supplier {
                v["supplier"] = json!({ "name": supplier });
            }
            if let Some(purl) = &p.purl {
                v["purl"] = json!(purl);
            }
            if let Some(sha256) = &p.sha256 {
                v["hashes"] = json!([{ "alg": "SHA-256", "content": sha256 }]);
            }
            if let Some(license) = p.license {
                v["licenses"] = json!([{ "license": { "id": license } }]);
            }
            if let Some(url) = &p.download {
                v["externalReferences"] = json!([{ "type": "distribution", "url": url }]);
            }
            if let Some(comment) = &p.comment {
                v["description"] = json!(comment);
            }
            if !p.properties.is_empty() {
                v["properties"] = p
                    .properties
                    .iter()
                    .map(|(k, v)| json!({ "name": format!("gov:{k}"), "value": v }))
                    .collect();
            }
            v
        })
        .collect();
    // What each package depends on, in one pass over the pairs.
    let mut on: Vec<Vec<&str>> = vec![Vec::new(); bom.packages.len()];
    for &(a, b) in &bom.depends {
        on[a].push(bom.packages[b].id.as_str());
    }
    let dependencies: Vec<Value> = bom
        .packages
        .iter()
        .zip(on)
        .filter(|(_, on)| !on.is_empty())
        .map(|(p, on)| json!({ "ref": p.id, "dependsOn": on }))
        .collect();
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": format!("urn:uuid:{}", uuid_from(&content_digest(bom))),
        "version": 1,
        "metadata": {
            "timestamp": created,
            "tools": {
                "components": [{
                    "type": "application",
                    "name": "gov",
                    "version": env!("CARGO_PKG_VERSION"),
                }]
            },
        },
        "components": components,
    });
    if !dependencies.is_empty() {
        doc["dependencies"] = json!(dependencies);
    }
    if !bom.vulnerabilities.is_empty() {
        doc["vulnerabilities"] = bom
            .vulnerabilities
            .iter()
            .map(|v| vulnerability(bom, v))
            .collect();
    }
    doc
}

/// A known vulnerability, as CycloneDX 1.5 writes one: its source, its
/// aliases as references, and the toolchains it affects.
fn vulnerability(bom: &Bom, v: &super::Vulnerability) -> Value {
    let references: Vec<Value> = v
        .aliases
        .iter()
        .filter_map(|a| {
            let (name, url) = if a.starts_with("CVE-") {
                ("NVD", format!("https://nvd.nist.gov/vuln/detail/{a}"))
            } else if a.starts_with("GHSA-") {
                (
                    "GitHub Advisories",
                    format!("https://github.com/advisories/{a}"),
                )
            } else {
                return None;
            };
            Some(json!({ "id": a, "source": { "name": name, "url": url } }))
        })
        .collect();
    let fixes: Vec<String> = v
        .affects
        .iter()
        .filter_map(|(i, fix)| {
            let fix = fix.as_ref()?;
            Some(format!(
                "Go {} to {fix}",
                bom.packages[*i].version.as_deref()?
            ))
        })
        .collect();
    let mut out = json!({
        "bom-ref": format!("vuln-{}", v.id),
        "id": v.id,
        "source": { "name": "Go Vulnerability Database", "url": v.url },
        "description": v.summary,
        "advisories": [{ "url": v.url }],
        "affects": v.affects.iter().map(|(i, _)| {
            let p = &bom.packages[*i];
            json!({
                "ref": p.id,
                "versions": [{ "version": p.version.as_deref().unwrap_or(""), "status": "affected" }],
            })
        }).collect::<Vec<_>>(),
    });
    if !references.is_empty() {
        out["references"] = json!(references);
    }
    if !fixes.is_empty() {
        out["recommendation"] = json!(format!("upgrade: {}", fixes.join("; ")));
    }
    out
}

/// A name-based (version 5 shaped) UUID from a hex digest of the
/// content: the same store gives the same serial number, another store
/// another one.
fn uuid_from(hex: &str) -> String {
    let h = &hex.as_bytes()[..32];
    let s = |r: std::ops::Range<usize>| std::str::from_utf8(&h[r]).expect("hex");
    // Version 5, variant 10xx.
    let variant = ["8", "9", "a", "b"][usize::from_str_radix(s(16..17), 16).expect("hex") % 4];
    format!(
        "{}-{}-5{}-{}{}-{}",
        s(0..8),
        s(8..12),
        s(13..16),
        variant,
        s(17..20),
        s(20..32)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn serial_numbers_are_uuids() {
        let u = super::uuid_from(&"0123456789abcdef".repeat(4));
        assert_eq!(u, "01234567-89ab-5def-8123-456789abcdef");
        assert_eq!(u.len(), 36);
    }
}
