//! `gov mirror DIR --vulndb`: a copy of the Go vulnerability database in
//! its v1 layout under `DIR/vulndb/` — `index/db.json`, `modules.json`,
//! `vulns.json` and every entry `ID/<id>.json`, each also as `.json.gz`
//! (govulncheck asks a server for the `.gz` files, gov for either) — that
//! any static server can serve as `GOVULNDB`. The whole database, not only
//! Go's own entries: a copy that lists what it lacks would read as clean
//! to govulncheck. Every file is checked before it is kept; `db.json` is
//! written last, so a reader never sees an index newer than its entries;
//! a re-run fetches only the entries whose `modified` changed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Mirror;
use crate::download::Fetcher;
use crate::fsx;
use crate::vulndb::{self, Client, VulnDbError};

/// One entry of `index/vulns.json`.
#[derive(Debug, Deserialize)]
struct VulnsEntry {
    id: String,
    #[serde(default)]
    modified: String,
}

/// What the copy holds after a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Copied {
    pub dir: PathBuf,
    pub modified: String,
    pub entries: usize,
    /// Entries fetched by this run (the others were current).
    pub fetched: usize,
}

impl Mirror {
    /// Brings `DIR/vulndb` up to the database at `url`.
    pub fn copy_vulndb(&self, fetcher: &Fetcher, url: &str) -> Result<Copied, VulnDbError> {
        let dir = self.dir.join("vulndb");
        let client = Client { fetcher, url };
        let info = client.db_info()?;
        let (modules, modules_bytes) = client.modules_raw()?;
        let (vulns_bytes, vulns_url) = client.get("index/vulns.json", vulndb::MAX_INDEX)?;
        let vulns: Vec<VulnsEntry> =
            serde_json::from_slice(&vulns_bytes).map_err(|e| VulnDbError::Invalid {
                url: vulns_url.clone(),
                what: format!("not the JSON expected ({e})"),
            })?;
        let mut wanted: BTreeMap<String, String> = BTreeMap::new();
        for v in &vulns {
            if !vulndb::osv::is_plain_id(&v.id) {
                return Err(VulnDbError::Entry {
                    url: vulns_url,
                    source: vulndb::EntryError::BadId(v.id.clone()),
                });
            }
            wanted.insert(v.id.clone(), v.modified.clone());
        }
        for m in &modules {
            for v in &m.vulns {
                wanted
                    .entry(v.id.clone())
                    .or_insert_with(|| v.modified.clone());
            }
        }
        let current = |id: &str, modified: &str| {
            let path = dir.join("ID").join(format!("{id}.json"));
            std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<vulndb::Entry>(&b).ok())
                .is_some_and(|e| {
                    e.modified == modified && dir.join("ID").join(format!("{id}.json.gz")).is_file()
                })
        };
        let missing: Vec<String> = wanted
            .iter()
            .filter(|(id, modified)| !current(id, modified))
            .map(|(id, _)| id.clone())
            .collect();
        let fetched = client.entries_raw(&missing)?;
        let write = |path: PathBuf, bytes: &[u8]| -> Result<(), VulnDbError> {
            put(&path, bytes).map_err(|source| VulnDbError::Write { path, source })
        };
        for (entry, bytes) in &fetched {
            write(dir.join("ID").join(format!("{}.json", entry.id)), bytes)?;
        }
        write(dir.join("index/modules.json"), &modules_bytes)?;
        write(dir.join("index/vulns.json"), &vulns_bytes)?;
        let db = serde_json::to_vec(&info).expect("serializes");
        write(dir.join("index/db.json"), &db)?;
        Ok(Copied {
            dir,
            modified: info.modified,
            entries: wanted.len(),
            fetched: fetched.len(),
        })
    }
}

/// `path` and `path.gz`, each whole or not at all; the `.gz` first, so
/// that a `.json` present means both are.
fn put(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    fs_err::create_dir_all(path.parent().expect("below the mirror"))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes)?;
    let mut gz_path = path.as_os_str().to_owned();
    gz_path.push(".gz");
    fsx::write_atomic(Path::new(&gz_path), &gz.finish()?)?;
    fsx::write_atomic(path, bytes)
}
