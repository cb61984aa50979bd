//! The real entries of tests/data/vulndb served in the Go vulnerability
//! database's v1 layout on loopback, as `.json` and `.json.gz`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::server::{Reply, Server};

pub fn vulndb_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/vulndb")
}

/// Every file of the database, as (path below the root, bytes).
pub fn vulndb_files() -> Vec<(String, Vec<u8>)> {
    let dir = vulndb_dir();
    let mut files = Vec::new();
    for sub in ["index", "ID"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((
                format!("{sub}/{name}"),
                std::fs::read(entry.path()).unwrap(),
            ));
        }
    }
    files.sort();
    files
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// Serves the database under `prefix` (`vulndb`): `.json` files, and with
/// `gz` their `.json.gz` too. Returns the database's URL.
pub fn serve_vulndb(server: &Server, prefix: &str, plain: bool, gz: bool) -> String {
    for (path, bytes) in vulndb_files() {
        if plain {
            server.route(
                &format!("{prefix}/{path}"),
                Reply::Body(Arc::new(bytes.clone())),
            );
        }
        if gz {
            server.route(
                &format!("{prefix}/{path}.gz"),
                Reply::Body(Arc::new(gzip(&bytes))),
            );
        }
    }
    server.url(prefix)
}
