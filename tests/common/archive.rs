//! Release archives and indexes made in tests: fake Go releases, hostile
//! archives, and the go.dev JSON that lists them.

use std::io::Write;

use sha2::{Digest, Sha256};

/// One raw tar entry; names are written as they are, unchecked.
pub struct Entry<'a> {
    pub name: &'a str,
    pub kind: tar::EntryType,
    pub body: &'a [u8],
    pub link: &'a str,
    pub mode: u32,
}

impl<'a> Entry<'a> {
    pub fn dir(name: &'a str) -> Entry<'a> {
        Entry {
            name,
            kind: tar::EntryType::Directory,
            body: b"",
            link: "",
            mode: 0o755,
        }
    }
    pub fn file(name: &'a str, body: &'a [u8], mode: u32) -> Entry<'a> {
        Entry {
            name,
            kind: tar::EntryType::Regular,
            body,
            link: "",
            mode,
        }
    }
    pub fn symlink(name: &'a str, link: &'a str) -> Entry<'a> {
        Entry {
            name,
            kind: tar::EntryType::Symlink,
            body: b"",
            link,
            mode: 0o777,
        }
    }
    pub fn hardlink(name: &'a str, link: &'a str) -> Entry<'a> {
        Entry {
            name,
            kind: tar::EntryType::Link,
            body: b"",
            link,
            mode: 0o644,
        }
    }
    /// A header record such as a GNU long name or a PAX header.
    pub fn record(name: &'a str, kind: tar::EntryType, body: &'a [u8]) -> Entry<'a> {
        Entry {
            name,
            kind,
            body,
            link: "",
            mode: 0o644,
        }
    }
    pub fn special(name: &'a str, kind: tar::EntryType) -> Entry<'a> {
        Entry {
            name,
            kind,
            body: b"",
            link: "",
            mode: 0o644,
        }
    }
}

/// A gzipped tar of `entries`, with headers written byte by byte so that
/// hostile names (`..`, absolute paths) go in as they are.
pub fn tar_gz(entries: &[Entry]) -> Vec<u8> {
    let mut tar = Vec::new();
    for e in entries {
        // GNU headers, as Go's own archives have: readers honour long-name
        // and PAX records only in them (or ustar ones).
        let mut header = tar::Header::new_gnu();
        {
            let old = header.as_old_mut();
            old.name[..e.name.len()].copy_from_slice(e.name.as_bytes());
            old.linkname[..e.link.len()].copy_from_slice(e.link.as_bytes());
        }
        header.set_entry_type(e.kind);
        header.set_size(e.body.len() as u64);
        header.set_mode(e.mode);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        tar.extend_from_slice(header.as_bytes());
        tar.extend_from_slice(e.body);
        let pad = (512 - e.body.len() % 512) % 512;
        tar.extend(std::iter::repeat_n(0u8, pad));
    }
    tar.extend(std::iter::repeat_n(0u8, 1024));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

/// A fake Go release: `go/bin/go` prints `go version goX linux/amd64` and
/// what it was run with.
pub fn fake_release(version: &str) -> Vec<u8> {
    let go = format!(
        "#!/bin/sh\necho \"go version go{version} linux/amd64 GOROOT=$GOROOT\"\nexit ${{FAKE_EXIT:-0}}\n"
    );
    let version_file = format!("go{version}\ntime 2024-01-01T00:00:00Z\n");
    tar_gz(&[
        Entry::dir("go/"),
        Entry::file("go/VERSION", version_file.as_bytes(), 0o644),
        Entry::dir("go/bin/"),
        Entry::file("go/bin/go", go.as_bytes(), 0o755),
        Entry::file("go/bin/gofmt", go.as_bytes(), 0o755),
        Entry::dir("go/misc/"),
        Entry::symlink("go/misc/version-link", "../VERSION"),
        Entry::hardlink("go/misc/version-copy", "go/VERSION"),
    ])
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// go.dev's index listing a linux-amd64 archive per `(version, sha256)`.
pub fn index(releases: &[(&str, &str)]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = releases
        .iter()
        .map(|(v, digest)| {
            serde_json::json!({
                "version": format!("go{v}"),
                "stable": !v.contains("rc") && !v.contains("beta"),
                "files": [
                    {"filename": format!("go{v}.src.tar.gz"), "os": "", "arch": "", "version": format!("go{v}"), "sha256": "", "size": 0, "kind": "source"},
                    {"filename": format!("go{v}.linux-amd64.tar.gz"), "os": "linux", "arch": "amd64", "version": format!("go{v}"), "sha256": digest, "size": 0, "kind": "archive"},
                    {"filename": format!("go{v}.linux-arm64.tar.gz"), "os": "linux", "arch": "arm64", "version": format!("go{v}"), "sha256": digest, "size": 0, "kind": "archive"},
                ]
            })
        })
        .collect();
    serde_json::to_vec_pretty(&list).unwrap()
}
