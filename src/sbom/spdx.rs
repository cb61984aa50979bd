//! SPDX 2.3, JSON.

use serde_json::{json, Value};

use super::{content_digest, Bom, Kind};

/// Where gov's document namespaces live; each document's is this plus a
/// digest of its content, so the same store gives the same namespace and
/// different ones never collide.
const NAMESPACE: &str = "https://github.com/gov-sh/gov/spdx";

pub fn document(bom: &Bom, created: &str) -> Value {
    let spdx_id = |i: usize| format!("SPDXRef-Package-{}", bom.packages[i].id);
    let packages: Vec<Value> = bom
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut v = json!({
                "SPDXID": spdx_id(i),
                "name": p.name,
                "downloadLocation": p.download.as_deref().filter(|u| is_location(u)).unwrap_or("NOASSERTION"),
                "filesAnalyzed": false,
                "licenseConcluded": p.license.unwrap_or("NOASSERTION"),
                "licenseDeclared": p.license.unwrap_or("NOASSERTION"),
                "copyrightText": "NOASSERTION",
                "primaryPackagePurpose": match p.kind {
                    Kind::Toolchain | Kind::Program => "APPLICATION",
                    Kind::Module | Kind::Stdlib => "LIBRARY",
                },
            });
            if let Some(version) = &p.version {
                v["versionInfo"] = json!(version);
            }
            if let Some(supplier) = p.supplier {
                v["supplier"] = json!(format!("Organization: {supplier}"));
            }
            if let Some(sha256) = &p.sha256 {
                v["checksums"] = json!([{ "algorithm": "SHA256", "checksumValue": sha256 }]);
            }
            let mut refs = Vec::new();
            if let Some(purl) = &p.purl {
                refs.push(json!({
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": purl,
                }));
            }
            // Known vulnerabilities: SPDX 2.3's security advisories.
            for vuln in bom.vulnerabilities.iter().filter(|vuln| vuln.affects.iter().any(|(a, _)| *a == i)) {
                let mut names = vec![vuln.id.clone()];
                names.extend(vuln.aliases.iter().cloned());
                refs.push(json!({
                    "referenceCategory": "SECURITY",
                    "referenceType": "advisory",
                    "referenceLocator": vuln.url,
                    "comment": format!("{}: {}", names.join(", "), vuln.summary),
                }));
            }
            if !refs.is_empty() {
                v["externalRefs"] = json!(refs);
            }
            let mut comment: Vec<String> = p.comment.iter().cloned().collect();
            if let Some(url) = p.download.as_deref().filter(|u| !is_location(u)) {
                comment.insert(0, format!("downloaded from {url}"));
            }
            comment.extend(p.properties.iter().map(|(k, v)| format!("{k}: {v}")));
            if !comment.is_empty() {
                v["comment"] = json!(comment.join("\n"));
            }
            v
        })
        .collect();
    let mut relationships: Vec<Value> = bom
        .roots
        .iter()
        .map(|&i| {
            json!({
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": spdx_id(i),
            })
        })
        .collect();
    relationships.extend(bom.depends.iter().map(|&(a, b)| {
        json!({
            "spdxElementId": spdx_id(a),
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": spdx_id(b),
        })
    }));
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": bom.name,
        "documentNamespace": format!("{NAMESPACE}/{}-{}", super::id(&[&bom.name]), content_digest(bom)),
        "creationInfo": {
            "created": created,
            "creators": [format!("Tool: gov-{}", env!("CARGO_PKG_VERSION"))],
        },
        "packages": packages,
        "relationships": relationships,
    })
}

/// Can `url` be a package's download location? SPDX 2.3 wants a network
/// URL whose host is a domain name (the reference validator,
/// `spdx-tools`, asks for a last label of 2 to 5 letters), so an IP
/// address or `localhost` goes into the comment instead.
pub fn is_location(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    let Some(url::Host::Domain(host)) = url.host() else {
        return false;
    };
    if !["http", "https", "ftp"].contains(&url.scheme()) {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && (2..=5).contains(&tld.len())
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::is_location;

    #[test]
    fn download_locations_spdx_accepts() {
        for ok in [
            "https://dl.google.com/go/go1.22.4.linux-amd64.tar.gz",
            "http://go-mirror.example.com:8080/go/x.tar.gz",
            "ftp://ftp.example.org/go.tar.gz",
            "HTTPS://User:pw@Go.Example.COM/x?y#z",
        ] {
            assert!(is_location(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1:8080/go.tar.gz",
            "http://localhost/go.tar.gz",
            "file:///srv/go/x.tar.gz",
            "/srv/go/x.tar.gz",
            "https://mirror.internal1/x",
            "https://",
            "https://user@[::1]:8443/x",
        ] {
            assert!(!is_location(bad), "{bad}");
        }
    }
}
