//! Software bills of materials: of the installed toolchains (from their
//! install records) and of Go programs (from the build information Go
//! embeds in them). Both become one [`Bom`], which [`spdx`] and
//! [`cyclonedx`] write out.

pub mod buildinfo;
pub mod cyclonedx;
pub mod spdx;

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::store::{Origin, Recorded, Standing};

/// Go's license, for every release.
pub const GO_LICENSE: &str = "BSD-3-Clause";
/// Who publishes Go's releases.
pub const GO_SUPPLIER: &str = "Google LLC";

/// What a document describes.
#[derive(Debug, Clone, Default)]
pub struct Bom {
    /// `gov-toolchains`, or the programs' names.
    pub name: String,
    pub packages: Vec<Package>,
    /// The packages the document is about (indexes into `packages`).
    pub roots: Vec<usize>,
    /// `(a, b)`: package `a` depends on package `b`.
    pub depends: Vec<(usize, usize)>,
    /// Known vulnerabilities of the toolchains, from the cached Go
    /// vulnerability database ([`add_vulnerabilities`]).
    pub vulnerabilities: Vec<Vulnerability>,
}

/// An entry of the Go vulnerability database and the packages it affects.
#[derive(Debug, Clone)]
pub struct Vulnerability {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: String,
    /// The database's page for it.
    pub url: String,
    /// Affected packages (indexes into `packages`), each with the first
    /// release that fixes it there, when one does.
    pub affects: Vec<(usize, Option<String>)>,
}

/// Adds the entries of `entries` that affect each toolchain of `bom`.
pub fn add_vulnerabilities(bom: &mut Bom, entries: &[crate::vulndb::Entry]) {
    let mut by_id: std::collections::BTreeMap<String, Vulnerability> = Default::default();
    for (i, p) in bom.packages.iter().enumerate() {
        if p.kind != Kind::Toolchain {
            continue;
        }
        let Some(v) = p
            .version
            .as_deref()
            .and_then(|v| crate::version::Version::parse(v).ok())
        else {
            continue;
        };
        let Ok(found) = crate::audit::check(&v, entries) else {
            continue;
        };
        for f in found {
            by_id
                .entry(f.id.clone())
                .or_insert_with(|| Vulnerability {
                    id: f.id.clone(),
                    aliases: f.aliases.clone(),
                    summary: f.summary.clone(),
                    url: f.url.clone(),
                    affects: Vec::new(),
                })
                .affects
                .push((i, f.fixed.map(|f| f.version)));
        }
    }
    bom.vulnerabilities = by_id.into_values().collect();
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A Go release, installed by gov.
    Toolchain,
    /// A Go program read with `--binary`.
    Program,
    /// A module the program was built from.
    Module,
    /// The Go standard library a program was built with.
    Stdlib,
}

#[derive(Debug, Clone)]
pub struct Package {
    /// Unique in the document; letters, digits, `.` and `-` only.
    pub id: String,
    pub kind: Kind,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    /// A network URL it was downloaded from; `None`: not known or not a
    /// network location (the URL then goes into `comment`). SPDX names it
    /// only when its host is a domain name.
    pub download: Option<String>,
    /// Hex SHA-256 of what was downloaded (or of the file).
    pub sha256: Option<String>,
    pub license: Option<&'static str>,
    pub supplier: Option<&'static str>,
    pub comment: Option<String>,
    /// Anything else worth keeping: platform, build settings, sums.
    pub properties: Vec<(String, String)>,
}

impl Package {
    pub fn new(id: String, kind: Kind, name: impl Into<String>) -> Package {
        Package {
            id,
            kind,
            name: name.into(),
            version: None,
            purl: None,
            download: None,
            sha256: None,
            license: None,
            supplier: None,
            comment: None,
            properties: Vec::new(),
        }
    }
}

/// The package URL the SBOM tools for Go give the standard library of a
/// release: `pkg:golang/stdlib@1.22.4`.
pub fn stdlib_purl(version: &str) -> String {
    format!("pkg:golang/stdlib@{}", version.trim_start_matches("go"))
}

/// A module's package URL: `pkg:golang/github.com/a/b@v1.2.3`, each path
/// segment percent-encoded as the purl spec asks; no version for what was
/// built from a source tree (`(devel)`).
pub fn module_purl(path: &str, version: &str) -> String {
    let path: Vec<String> = path.split('/').map(purl_encode).collect();
    match version {
        "(devel)" | "" => format!("pkg:golang/{}", path.join("/")),
        v => format!("pkg:golang/{}@{}", path.join("/"), purl_encode(v)),
    }
}

fn purl_encode(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An identifier from free text: what SPDX allows (`[A-Za-z0-9.-]`).
pub fn id(parts: &[&str]) -> String {
    parts
        .join("-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Is `url` a network location an SBOM may name as where it came from?
pub fn is_network_url(url: &str) -> bool {
    ["https://", "http://", "ftp://"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// The installed toolchains, one package each, from their records. The
/// version and platform are the store's; what a record says is stated as
/// fact only when it is trusted ([`Standing`]): an ignored record adds
/// nothing, and an unverified one only claims (`claimed-sha256`,
/// `claimed-url`), never a checksum, a supplier or a download location.
/// Each package says which (`record`, `record-problem`).
pub fn toolchains(toolchains: &[Recorded]) -> Bom {
    let mut bom = Bom {
        name: "gov-toolchains".into(),
        ..Bom::default()
    };
    for t in toolchains {
        let (record, version, platform) =
            (&t.record, t.version.to_string(), t.platform.to_string());
        let trusted = t.standing == Standing::Trusted || t.standing == Standing::Missing;
        let mut p = Package::new(id(&["go", &version, &platform]), Kind::Toolchain, "go");
        p.purl = Some(stdlib_purl(&version));
        p.version = Some(version);
        p.license = Some(GO_LICENSE);
        // Who built a linked or imported root (a distribution, a
        // colleague) is not known.
        if record.origin == Origin::Download && trusted {
            p.supplier = Some(GO_SUPPLIER);
        }
        p.properties.push(("platform".into(), platform));
        let origin = match record.origin {
            Origin::Download => "download",
            Origin::Link => "link",
            Origin::Import => "import",
            Origin::Unknown => "unknown",
        };
        p.properties.push(("origin".into(), origin.into()));
        for (name, value) in [
            ("archive", &record.archive),
            ("index", &record.index_url),
            ("installed", &record.time),
            ("source-dir", &record.source_dir),
            ("version-file", &record.version_file),
            ("imported-from", &record.imported_from),
        ] {
            if let Some(value) = value {
                p.properties.push((name.into(), value.clone()));
            }
        }
        // The toolchain module and the checksum database tree that proved
        // it: facts when trusted, claims otherwise.
        if let Some(module) = &record.module {
            let prefix = if trusted { "" } else { "claimed-" };
            let mut facts = vec![
                ("module", format!("{}@{}", module.path, module.version)),
                ("module-h1", module.h1.clone()),
            ];
            if let Some(tree) = &module.proved_by {
                facts.push(("sumdb", tree.database.clone()));
                facts.push(("sumdb-tree-size", tree.size.to_string()));
                facts.push(("sumdb-tree-hash", tree.hash.clone()));
            }
            for (name, value) in facts {
                p.properties.push((format!("{prefix}{name}"), value));
            }
        }
        let mut comment = Vec::new();
        if trusted {
            p.sha256 = record.sha256.clone();
            if record.origin == Origin::Download {
                p.properties
                    .push(("verified".into(), record.verified.to_string()));
            }
            match &record.url {
                Some(url) if is_network_url(url) => p.download = Some(url.clone()),
                Some(url) => comment.push(format!("downloaded from {url}")),
                None => {}
            }
        } else {
            for (name, value) in [
                ("claimed-sha256", &record.sha256),
                ("claimed-url", &record.url),
            ] {
                if let Some(value) = value {
                    p.properties.push((name.into(), value.clone()));
                }
            }
        }
        p.properties
            .push(("record".into(), t.standing.name().into()));
        if let Some(problem) = t.standing.problem() {
            p.properties
                .push(("record-problem".into(), problem.to_string()));
            comment.push(match t.standing {
                Standing::Ignored(_) => {
                    "its install record is ignored: this is what gov sees of the release".into()
                }
                _ => "its install record is unverified: what it claims is not vouched for".into(),
            });
        }
        match record.origin {
            Origin::Link | Origin::Import => comment.push(format!(
                "not downloaded by gov: {} `{}`",
                if record.origin == Origin::Link {
                    "linked to"
                } else {
                    "imported from"
                },
                record
                    .source_dir
                    .as_deref()
                    .unwrap_or("an unknown directory")
            )),
            Origin::Unknown if t.standing == Standing::Missing => comment.push(
                "installed before gov kept install records: its source and digest are unknown"
                    .into(),
            ),
            Origin::Unknown => comment.push("its source and digest are unknown".into()),
            Origin::Download => {}
        }
        if !comment.is_empty() {
            p.comment = Some(comment.join("; "));
        }
        bom.roots.push(bom.packages.len());
        bom.packages.push(p);
    }
    bom
}

/// One Go program, read with `--binary`.
pub struct Program<'a> {
    /// As the user named it.
    pub file: &'a str,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub info: &'a buildinfo::BuildInfo,
}

/// Go programs: each a package that depends on the standard library of the
/// Go that built it and on every module it was built from. Packages
/// programs share (the same standard library, the same module version)
/// appear once. Linear in the modules: packages are found by id and
/// dependencies by pair in hash tables.
pub fn programs(programs: &[Program]) -> Bom {
    let mut bom = Bom {
        name: programs
            .iter()
            .map(|p| p.file.rsplit('/').next().unwrap_or(p.file))
            .collect::<Vec<_>>()
            .join(" "),
        ..Bom::default()
    };
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut index_of = |bom: &mut Bom, package: Package| -> usize {
        *by_id.entry(package.id.clone()).or_insert_with(|| {
            bom.packages.push(package);
            bom.packages.len() - 1
        })
    };
    let mut edges: HashSet<(usize, usize)> = HashSet::new();
    for (n, program) in programs.iter().enumerate() {
        let info = program.info;
        let name = program.file.rsplit('/').next().unwrap_or(program.file);
        let mut p = Package::new(
            id(&["program", &(n + 1).to_string(), name]),
            Kind::Program,
            name,
        );
        p.sha256 = Some(program.sha256.clone());
        p.comment = Some(format!("the Go program `{}`", program.file));
        p.properties.push(("go".into(), info.go_version.clone()));
        p.properties.push(("path".into(), info.path.clone()));
        if let Some(main) = &info.main {
            p.version = Some(main.version.clone());
            p.purl = Some(module_purl(&main.path, &main.version));
            p.properties.push(("mod".into(), module_line(main)));
        } else if is_go_command(info) {
            // Go's own programs come with the release, from its `cmd`
            // module, which Go does not record.
            p.version = Some(info.go_version.trim_start_matches("go").to_string());
            p.license = Some(GO_LICENSE);
            p.comment = Some(format!(
                "the Go program `{}`, {} of Go's own distribution",
                program.file, info.path
            ));
        }
        for (key, value) in &info.settings {
            p.properties.push((format!("build:{key}"), value.clone()));
        }
        let program_index = index_of(&mut bom, p);
        bom.roots.push(program_index);

        let go = info.go_version.trim_start_matches("go");
        let mut stdlib = Package::new(keyed_id("stdlib", go, go), Kind::Stdlib, "stdlib");
        stdlib.version = Some(go.to_string());
        stdlib.purl = Some(stdlib_purl(go));
        stdlib.license = Some(GO_LICENSE);
        stdlib.supplier = Some(GO_SUPPLIER);
        let stdlib_index = index_of(&mut bom, stdlib);
        edges.insert((program_index, stdlib_index));
        bom.depends.push((program_index, stdlib_index));

        for dep in &info.deps {
            let dep_index = index_of(&mut bom, module_package(dep));
            if edges.insert((program_index, dep_index)) {
                bom.depends.push((program_index, dep_index));
            }
        }
    }
    bom
}

/// Is this one of Go's own programs (`go`, `gofmt`, the compiler), built
/// with the release from its `cmd` module?
pub fn is_go_command(info: &buildinfo::BuildInfo) -> bool {
    info.main.is_none() && (info.path.starts_with("cmd/") || info.path == "cmd")
}

/// A dependency as built: a module replaced by another module version is
/// that version (what scanners must match); one replaced by a directory
/// keeps its path, with no version. Packages are one per exact module,
/// sum and replacement: two modules whose names differ only in
/// punctuation never merge.
fn module_package(dep: &buildinfo::Module) -> Package {
    let mut line = module_line(dep);
    let (path, version) = match dep.replace.as_deref() {
        Some(with) if with.version != "(devel)" && !with.version.is_empty() => {
            (with.path.as_str(), with.version.as_str())
        }
        Some(_) => (dep.path.as_str(), "(devel)"),
        None => (dep.path.as_str(), dep.version.as_str()),
    };
    if let Some(with) = &dep.replace {
        line.push_str(" => ");
        line.push_str(&module_line(with));
    }
    let mut m = Package::new(
        keyed_id("module", &format!("{path}@{version}"), &line),
        Kind::Module,
        path,
    );
    m.version = Some(version.to_string());
    m.purl = Some(module_purl(path, version));
    m.properties.push(("dep".into(), module_line(dep)));
    if let Some(with) = &dep.replace {
        m.properties.push(("replaced-by".into(), module_line(with)));
        if version == "(devel)" {
            m.comment = Some(format!(
                "{} {} replaced by the directory `{}`",
                dep.path, dep.version, with.path
            ));
        }
    }
    m
}

/// An identifier: `kind-name-` and a short digest of the exact `key`, so
/// names that differ only in what identifiers cannot hold stay apart.
fn keyed_id(kind: &str, name: &str, key: &str) -> String {
    let digest = format!("{:x}", Sha256::digest(key.as_bytes()));
    id(&[kind, name, &digest[..12]])
}

/// A module as `go version -m` prints it: path, version and sum.
fn module_line(m: &buildinfo::Module) -> String {
    let mut line = format!("{} {}", m.path, m.version);
    if let Some(sum) = &m.sum {
        line.push(' ');
        line.push_str(sum);
    }
    line
}

/// A digest of everything the document says, for names that must be
/// stable for the same content and differ for different content.
pub fn content_digest(bom: &Bom) -> String {
    let mut h = Sha256::new();
    h.update(bom.name.as_bytes());
    for p in &bom.packages {
        for field in [
            Some(&p.id),
            p.version.as_ref(),
            p.sha256.as_ref(),
            p.download.as_ref(),
            p.purl.as_ref(),
        ] {
            h.update(field.map_or("-", |s| s.as_str()).as_bytes());
            h.update([0]);
        }
        for (k, v) in &p.properties {
            h.update(k.as_bytes());
            h.update([1]);
            h.update(v.as_bytes());
            h.update([0]);
        }
    }
    for (a, b) in &bom.depends {
        h.update(format!("{a}>{b};").as_bytes());
    }
    for v in &bom.vulnerabilities {
        h.update(v.id.as_bytes());
        h.update([2]);
    }
    format!("{:x}", h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(path: &str, version: &str, sum: Option<&str>) -> buildinfo::Module {
        buildinfo::Module {
            path: path.into(),
            version: version.into(),
            sum: sum.map(str::to_string),
            replace: None,
        }
    }

    #[test]
    fn modules_apart_in_name_stay_apart_and_replacements_are_what_was_built() {
        let mut replaced = module("golang.org/x/net", "v0.10.0", None);
        replaced.replace = Some(Box::new(module(
            "golang.org/x/net",
            "v0.20.0",
            Some("h1:n="),
        )));
        let mut local = module("example.com/lib", "v0.0.0", None);
        local.replace = Some(Box::new(module("../lib", "(devel)", None)));
        let info = buildinfo::BuildInfo {
            go_version: "go1.22.4".into(),
            path: "example.com/app".into(),
            main: Some(module("example.com/app", "(devel)", None)),
            deps: vec![
                module("example.com/a-b", "v1.0.0", Some("h1:a=")),
                module("example.com/a_b", "v1.0.0", Some("h1:b=")),
                replaced,
                local,
            ],
            settings: vec![],
        };
        let program = Program {
            file: "app",
            sha256: "00".into(),
            info: &info,
        };
        let bom = programs(&[program]);
        let modules: Vec<&Package> = bom
            .packages
            .iter()
            .filter(|p| p.kind == Kind::Module)
            .collect();
        assert_eq!(modules.len(), 4);
        let ids: std::collections::HashSet<&str> =
            bom.packages.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), bom.packages.len(), "ids are unique");
        assert_eq!(modules[0].name, "example.com/a-b");
        assert_eq!(modules[1].name, "example.com/a_b");
        assert_eq!(modules[2].version.as_deref(), Some("v0.20.0"));
        assert_eq!(
            modules[2].purl.as_deref(),
            Some("pkg:golang/golang.org/x/net@v0.20.0")
        );
        assert_eq!(
            modules[3].purl.as_deref(),
            Some("pkg:golang/example.com/lib")
        );
        assert!(modules[3]
            .comment
            .as_deref()
            .unwrap()
            .contains("replaced by the directory `../lib`"));
        assert_eq!(
            bom.depends.len(),
            5,
            "the standard library and four modules"
        );
    }

    #[test]
    fn purls_as_go_sbom_tools_write_them() {
        assert_eq!(stdlib_purl("go1.22.4"), "pkg:golang/stdlib@1.22.4");
        assert_eq!(stdlib_purl("1.21rc2"), "pkg:golang/stdlib@1.21rc2");
        assert_eq!(
            module_purl("github.com/a/b/v2", "v2.0.1"),
            "pkg:golang/github.com/a/b/v2@v2.0.1"
        );
        assert_eq!(
            module_purl("example.com/x y", "v0.0.0-2024+incompatible"),
            "pkg:golang/example.com/x%20y@v0.0.0-2024%2Bincompatible"
        );
        assert_eq!(
            id(&["go", "1.22.4", "linux-amd64"]),
            "go-1.22.4-linux-amd64"
        );
        assert_eq!(id(&["a/b@c"]), "a-b-c");
    }
}
