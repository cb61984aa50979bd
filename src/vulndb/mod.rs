//! The Go vulnerability database (`GOVULNDB`, default
//! `https://vuln.go.dev`) in its v1 layout: `index/db.json` (when it last
//! changed), `index/modules.json` (each module's entries: id, modified,
//! fixed), `index/vulns.json` and `ID/<id>.json` (OSV entries). A server
//! may offer each file as `.json`, `.json.gz` or both; gov asks for
//! `.json` and falls back to `.json.gz`.
//!
//! gov keeps the entries of Go's own modules (`stdlib`, `toolchain`),
//! cached per URL in one file under `GOV_HOME/cache/`: refreshed when
//! `db.json`'s `modified` changes (only the entries whose `modified`
//! changed are fetched again), reused offline with its age said.
//! Whatever comes is checked whole before it is kept: a broken database
//! fails the audit, never reads as "clean" or "affected".

pub mod osv;
pub mod semver;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::download::{self, DownloadError, Fetcher};
use crate::env_vars;
use crate::fsx;
pub use osv::{Entry, EntryError, Fix, GO_MODULES};

/// The database go.dev publishes, the default of `GOVULNDB`.
pub const DEFAULT_URL: &str = "https://vuln.go.dev";
/// The most gov reads of `index/db.json` (a date).
pub const MAX_DB_JSON: u64 = 64 * 1024;
/// The most of `index/modules.json` or `index/vulns.json`: vuln.go.dev's
/// are a few MB.
pub const MAX_INDEX: u64 = 32 * 1024 * 1024;
/// The most of one entry: the largest are tens of kB.
pub const MAX_ENTRY: u64 = 2 * 1024 * 1024;
/// Entries fetched at once.
const WORKERS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum VulnDbError {
    #[error("cannot fetch `{url}` of the Go vulnerability database")]
    Fetch {
        url: String,
        #[source]
        source: DownloadError,
    },
    #[error("`{url}` is not what the Go vulnerability database serves there: {what}")]
    Invalid { url: String, what: String },
    #[error("the Go vulnerability database at `{url}` has a bad entry")]
    Entry {
        url: String,
        #[source]
        source: EntryError,
    },
    #[error("`{url}` serves entry `{got}` where `{wanted}` should be")]
    WrongEntry {
        url: String,
        wanted: String,
        got: String,
    },
    #[error("no copy of the Go vulnerability database `{url}` is cached and GOV_OFFLINE is set")]
    OfflineNoCache { url: String },
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl VulnDbError {
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            VulnDbError::Fetch { source, .. } => {
                return source.hint().map(|h| {
                    format!(
                        "{h}; {} names the database (default {DEFAULT_URL}), `gov mirror DIR --vulndb` copies it for sites without network",
                        env_vars::GOVULNDB
                    )
                })
            }
            VulnDbError::Invalid { .. }
            | VulnDbError::Entry { .. }
            | VulnDbError::WrongEntry { .. } => format!(
                "check that {} names a copy of the Go vulnerability database (default {DEFAULT_URL})",
                env_vars::GOVULNDB
            ),
            VulnDbError::OfflineNoCache { .. } => format!(
                "unset {} once to fetch it, or point {} at a mirror (`gov mirror DIR --vulndb`)",
                env_vars::GOV_OFFLINE,
                env_vars::GOVULNDB
            ),
            VulnDbError::Write { source, .. } => return fsx::io_hint(source),
        })
    }
}

/// `index/db.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DbInfo {
    pub modified: String,
}

/// One module of `index/modules.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ModuleIndex {
    pub path: String,
    #[serde(default)]
    pub vulns: Vec<VulnRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VulnRef {
    pub id: String,
    #[serde(default)]
    pub modified: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
}

/// The cached copy: what `db.json` said, when it was last checked, and
/// the entries of Go's modules.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct VulnDb {
    pub url: String,
    /// `db.json`'s `modified`.
    pub modified: String,
    /// When the server last confirmed this copy (RFC 3339).
    pub checked: String,
    pub entries: Vec<Entry>,
    /// How this copy was obtained (not stored).
    #[serde(skip)]
    pub freshness: Freshness,
}

/// How the database in hand was obtained.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Freshness {
    /// Fetched now (in part or in whole).
    #[default]
    Fetched,
    /// The server says it has not changed since the cached copy.
    Unchanged,
    /// GOV_OFFLINE: the cached copy, as last checked.
    Offline,
    /// The server could not be reached: the cached copy, and why.
    Stale(String),
    /// Read from the cache without asking (`gov list`, `gov sbom`).
    Cached,
}

impl VulnDb {
    /// How long ago the server last confirmed this copy.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        let checked = time::OffsetDateTime::parse(
            &self.checked,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()?;
        let checked = SystemTime::UNIX_EPOCH
            + Duration::from_secs(u64::try_from(checked.unix_timestamp()).ok()?);
        now.duration_since(checked).ok()
    }

    /// Says where the data comes from, for people: the URL, its date and,
    /// for a cached copy, its age.
    pub fn describe(&self, now: SystemTime) -> String {
        let age = self.age(now).map_or_else(
            || "at an unknown time".into(),
            |a| format!("{} ago", human_age(a)),
        );
        let base = format!(
            "the Go vulnerability database `{}`, modified {}",
            self.url, self.modified
        );
        match &self.freshness {
            Freshness::Fetched => format!("{base}, fetched now"),
            Freshness::Unchanged => format!("{base}, unchanged since the cached copy"),
            Freshness::Offline => {
                format!("{base}: the cached copy (GOV_OFFLINE), checked {age}")
            }
            Freshness::Stale(why) => format!(
                "{base}: the cached copy, checked {age} (the server could not be reached: {why})"
            ),
            Freshness::Cached => format!("{base}: the cached copy, checked {age}"),
        }
    }
}

/// `3 days`, `5 hours`, `12 minutes`, `40 seconds`.
pub fn human_age(age: Duration) -> String {
    let s = age.as_secs();
    let (n, unit) = match s {
        0..120 => (s, "second"),
        120..7200 => (s / 60, "minute"),
        7200..172_800 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Where the database is and where its copy is kept.
pub struct Source {
    pub url: String,
    /// The cache file of this URL ([`crate::store::Store::vulndb_cache`]).
    pub cache: PathBuf,
    pub offline: bool,
}

/// The cached copy, without asking the network; `None` when there is
/// none (or it cannot be read): for the commands that only mark.
pub fn cached(cache: &Path) -> Option<VulnDb> {
    let bytes = std::fs::read(cache).ok()?;
    let mut db: VulnDb = serde_json::from_slice(&bytes).ok()?;
    if db.entries.iter().any(|e| e.validate().is_err()) {
        return None;
    }
    db.freshness = Freshness::Cached;
    Some(db)
}

/// The database: refreshed from the server when its `db.json` changed,
/// the cached copy otherwise; offline or when the server cannot be
/// reached, the cached copy (with a warning) or an error.
pub fn load(source: &Source, fetcher: &Fetcher, now: SystemTime) -> Result<VulnDb, VulnDbError> {
    let cache = std::fs::read(&source.cache)
        .ok()
        .and_then(|b| serde_json::from_slice::<VulnDb>(&b).ok())
        .filter(|db| db.url == source.url && db.entries.iter().all(|e| e.validate().is_ok()));
    // A database on this machine (a path, `file://`) is read offline too.
    let local = matches!(
        crate::sources::Location::parse(&source.url),
        crate::sources::Location::Local(_)
    );
    if source.offline && !local {
        let mut db = cache.ok_or_else(|| VulnDbError::OfflineNoCache {
            url: source.url.clone(),
        })?;
        db.freshness = Freshness::Offline;
        return Ok(db);
    }
    let client = Client {
        fetcher,
        url: &source.url,
    };
    let info = match client.db_info() {
        Ok(info) => info,
        Err(VulnDbError::Fetch { source: e, .. }) if cache.is_some() => {
            let mut db = cache.expect("checked");
            db.freshness = Freshness::Stale(e.to_string());
            return Ok(db);
        }
        Err(e) => return Err(e),
    };
    let checked = crate::timestamp::rfc3339(now);
    if let Some(mut db) = cache.clone().filter(|db| db.modified == info.modified) {
        db.checked = checked;
        db.freshness = Freshness::Unchanged;
        save(&source.cache, &db);
        return Ok(db);
    }
    let refreshed = refresh(&client, cache.as_ref(), info, checked);
    let db = match (refreshed, cache) {
        (Ok(db), _) => db,
        // The network broke half-way: the copy in hand, as for db.json.
        (Err(VulnDbError::Fetch { source: e, .. }), Some(mut db)) => {
            db.freshness = Freshness::Stale(e.to_string());
            return Ok(db);
        }
        (Err(e), _) => return Err(e),
    };
    save(&source.cache, &db);
    Ok(db)
}

/// The entries `modules.json` lists now: those of `cache` whose
/// `modified` is unchanged, the others fetched.
fn refresh(
    client: &Client,
    cache: Option<&VulnDb>,
    info: DbInfo,
    checked: String,
) -> Result<VulnDb, VulnDbError> {
    let modules = client.modules()?;
    let known: HashMap<&str, &Entry> = cache
        .iter()
        .flat_map(|db| db.entries.iter())
        .map(|e| (e.id.as_str(), e))
        .collect();
    let wanted = go_vulns(&modules);
    let mut entries = Vec::with_capacity(wanted.len());
    let mut missing = Vec::new();
    for (id, modified) in &wanted {
        match known.get(id.as_str()) {
            Some(e) if e.modified == *modified => entries.push((*e).clone()),
            _ => missing.push(id.clone()),
        }
    }
    entries.extend(client.entries(&missing)?);
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(VulnDb {
        url: client.url.to_string(),
        modified: info.modified,
        checked,
        entries,
        freshness: Freshness::Fetched,
    })
}

/// The cache only saves time: failing to write it fails nothing.
fn save(path: &Path, db: &VulnDb) {
    let write = || -> std::io::Result<()> {
        fs_err::create_dir_all(path.parent().expect("a cache file has a directory"))?;
        fsx::write_atomic_cache(path, &serde_json::to_vec(db).expect("serializes"))
    };
    if let Err(e) = write() {
        crate::ui::warn(&format!(
            "cannot cache the Go vulnerability database at `{}` ({e}); going on without it",
            path.display()
        ));
    }
}

/// The IDs and `modified` of Go's modules' entries, each once.
pub fn go_vulns(modules: &[ModuleIndex]) -> BTreeMap<String, String> {
    modules
        .iter()
        .filter(|m| GO_MODULES.contains(&m.path.as_str()))
        .flat_map(|m| m.vulns.iter())
        .map(|v| (v.id.clone(), v.modified.clone()))
        .collect()
}

/// Reads a database at a URL, every file checked before it is returned.
pub struct Client<'a> {
    pub fetcher: &'a Fetcher,
    pub url: &'a str,
}

impl Client<'_> {
    /// The body of `name` (`index/db.json`): the `.json`, or when the
    /// server has none, the `.json.gz` unpacked (within the same cap).
    /// Returns the bytes and the URL they came from.
    pub fn get(&self, name: &str, limit: u64) -> Result<(Vec<u8>, String), VulnDbError> {
        let url = self.file_url(name);
        match self.fetcher.get(&url, limit) {
            Ok(bytes) => Ok((bytes, url)),
            Err(e) if e.is_not_found() => {
                let gz = format!("{url}.gz");
                let packed = self
                    .fetcher
                    .get(&gz, limit)
                    .map_err(|source| VulnDbError::Fetch {
                        url: gz.clone(),
                        source,
                    })?;
                let mut bytes = Vec::new();
                flate2::read::GzDecoder::new(&packed[..])
                    .take(limit + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| VulnDbError::Invalid {
                        url: gz.clone(),
                        what: format!("not gzip ({e})"),
                    })?;
                if bytes.len() as u64 > limit {
                    return Err(VulnDbError::Fetch {
                        url: gz.clone(),
                        source: DownloadError::TooLarge { url: gz, limit },
                    });
                }
                Ok((bytes, gz))
            }
            Err(source) => Err(VulnDbError::Fetch { url, source }),
        }
    }

    fn file_url(&self, name: &str) -> String {
        name.split('/').fold(self.url.to_string(), |base, part| {
            download::join(&base, part)
        })
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        limit: u64,
    ) -> Result<(T, Vec<u8>), VulnDbError> {
        let (bytes, url) = self.get(name, limit)?;
        let value = serde_json::from_slice(&bytes).map_err(|e| VulnDbError::Invalid {
            url,
            what: format!("not the JSON expected ({e})"),
        })?;
        Ok((value, bytes))
    }

    pub fn db_info(&self) -> Result<DbInfo, VulnDbError> {
        let (info, _): (DbInfo, _) = self.json("index/db.json", MAX_DB_JSON)?;
        let is_time = time::OffsetDateTime::parse(
            &info.modified,
            &time::format_description::well_known::Rfc3339,
        )
        .is_ok();
        if !is_time {
            return Err(VulnDbError::Invalid {
                url: self.file_url("index/db.json"),
                what: format!("`modified` is `{}`, not a time", info.modified),
            });
        }
        Ok(info)
    }

    pub fn modules(&self) -> Result<Vec<ModuleIndex>, VulnDbError> {
        Ok(self.modules_raw()?.0)
    }

    /// `index/modules.json`, parsed and as it came; every ID plain.
    pub fn modules_raw(&self) -> Result<(Vec<ModuleIndex>, Vec<u8>), VulnDbError> {
        let (modules, bytes): (Vec<ModuleIndex>, _) = self.json("index/modules.json", MAX_INDEX)?;
        if let Some(bad) = modules
            .iter()
            .flat_map(|m| m.vulns.iter())
            .find(|v| !osv::is_plain_id(&v.id))
        {
            return Err(VulnDbError::Entry {
                url: self.file_url("index/modules.json"),
                source: EntryError::BadId(bad.id.clone()),
            });
        }
        Ok((modules, bytes))
    }

    /// One entry, checked: its ID is the one asked for, its ranges parse.
    pub fn entry(&self, id: &str) -> Result<(Entry, Vec<u8>), VulnDbError> {
        if !osv::is_plain_id(id) {
            return Err(VulnDbError::Entry {
                url: self.url.to_string(),
                source: EntryError::BadId(id.into()),
            });
        }
        let name = format!("ID/{id}.json");
        let (entry, bytes): (Entry, _) = self.json(&name, MAX_ENTRY)?;
        let url = self.file_url(&name);
        if entry.id != id {
            return Err(VulnDbError::WrongEntry {
                url,
                wanted: id.into(),
                got: entry.id,
            });
        }
        entry
            .validate()
            .map_err(|source| VulnDbError::Entry { url, source })?;
        Ok((entry, bytes))
    }

    /// Entries `ids`, a few at a time; the first failure fails them all.
    pub fn entries(&self, ids: &[String]) -> Result<Vec<Entry>, VulnDbError> {
        Ok(self.entries_raw(ids)?.into_iter().map(|(e, _)| e).collect())
    }

    pub fn entries_raw(&self, ids: &[String]) -> Result<Vec<(Entry, Vec<u8>)>, VulnDbError> {
        let next = Mutex::new(ids.iter());
        let done = Mutex::new(Vec::with_capacity(ids.len()));
        let failed: Mutex<Option<VulnDbError>> = Mutex::new(None);
        std::thread::scope(|scope| {
            for _ in 0..WORKERS.min(ids.len()) {
                scope.spawn(|| loop {
                    if failed.lock().expect("not poisoned").is_some() {
                        return;
                    }
                    let Some(id) = next.lock().expect("not poisoned").next() else {
                        return;
                    };
                    match self.entry(id) {
                        Ok(e) => done.lock().expect("not poisoned").push(e),
                        Err(e) => {
                            failed.lock().expect("not poisoned").get_or_insert(e);
                            return;
                        }
                    }
                });
            }
        });
        if let Some(e) = failed.into_inner().expect("not poisoned") {
            return Err(e);
        }
        let mut done = done.into_inner().expect("not poisoned");
        done.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        Ok(done)
    }
}
