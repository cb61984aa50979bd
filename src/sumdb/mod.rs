//! A client of the Go checksum database (`sum.golang.org`), checking what
//! it says as the `go` command does (`golang.org/x/mod/sumdb`):
//!
//! 1. `GET lookup/MODULE@VERSION` answers the record's number in the log,
//!    its `go.sum` lines and the signed tree note of the log it is in.
//! 2. The note must be signed by the database's key ([`note`]).
//! 3. The tree must be consistent with the newest tree seen before (kept in
//!    the state directory as `NAME/latest`): the older one a prefix of the
//!    newer, proven with hashes out of tiles ([`tlog`]). A newer tree
//!    replaces the stored one only once proven; a tree that is not
//!    consistent is a forked log — a security error naming both trees.
//! 4. The record's hash must be the leaf at its number in the tree, read
//!    out of tiles that hash up to the signed root.
//!
//! The client does no HTTP itself: a [`Remote`] gets paths relative to the
//! database's URL. Tiles (and lookup answers, verified again whenever used)
//! are cached under the cache directory as `NAME/tile/8/…` and
//! `NAME/lookup/…`, as Go lays out its own cache. Files are written
//! atomically, and `latest` is replaced under a lock only when it is still
//! what was proven against, so several processes may verify at once.

pub mod note;
#[cfg(test)]
mod tests;
pub mod tlog;

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};

use crate::fsx;
use note::{NoteError, Verifier};
use tlog::{Tile, TileHashReader, TlogError};

/// The published key of `sum.golang.org`, the default database.
pub const GO_SUMDB_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// The height of the tiles the Go checksum database serves.
pub const TILE_HEIGHT: u32 = 8;

/// The largest lookup answer accepted: a few record lines and a note.
pub const MAX_LOOKUP_SIZE: usize = 2 * note::MAX_NOTE_SIZE;

/// A checksum database: its name, its key and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    verifier: Verifier,
    url: String,
    explicit_url: bool,
}

impl Default for Database {
    /// `sum.golang.org` at `https://sum.golang.org`.
    fn default() -> Self {
        Database::parse("sum.golang.org").expect("the published key parses")
    }
}

impl Database {
    /// The database a `GOSUMDB` value names: `name+hash+key [URL]`, or a
    /// known name (`sum.golang.org`, `sum.golang.google.cn`) with its
    /// published key. Without a URL the database is at `https://NAME`.
    /// `off` is not a database: the caller decides what it means.
    pub fn parse(gosumdb: &str) -> Result<Database, SumdbError> {
        let invalid = |reason: &str| SumdbError::InvalidGosumdb {
            value: gosumdb.to_string(),
            reason: reason.to_string(),
        };
        let value = gosumdb.trim();
        // As in Go: the China mirror is sum.golang.org served elsewhere.
        let value = if value == "sum.golang.google.cn" {
            "sum.golang.org https://sum.golang.google.cn"
        } else {
            value
        };
        let fields: Vec<&str> = value.split_whitespace().collect();
        let (key, url) = match fields.as_slice() {
            [] => return Err(invalid("it is empty")),
            ["off"] => {
                return Err(invalid(
                    "`off` turns the checksum database off; it names none",
                ))
            }
            [key] => (*key, None),
            [key, url] => (*key, Some(*url)),
            _ => return Err(invalid("too many fields (want `name+hash+key [URL]`)")),
        };
        let key = if key == "sum.golang.org" {
            GO_SUMDB_KEY
        } else {
            key
        };
        let verifier = Verifier::parse(key).map_err(|source| SumdbError::InvalidGosumdbKey {
            value: gosumdb.to_string(),
            source,
        })?;
        if !is_host(verifier.name()) {
            return Err(invalid(
                "the database name must be a host name (host[:port])",
            ));
        }
        let (url, explicit_url) = match url {
            Some(url) => {
                let parsed = url::Url::parse(url).map_err(|_| invalid("the URL does not parse"))?;
                if parsed.cannot_be_a_base()
                    || parsed.query().is_some()
                    || parsed.fragment().is_some()
                {
                    return Err(invalid("the URL must be a base URL (no query or fragment)"));
                }
                (url.trim_end_matches('/').to_string(), true)
            }
            None => (format!("https://{}", verifier.name()), false),
        };
        Ok(Database {
            verifier,
            url,
            explicit_url,
        })
    }

    /// The database's name (`sum.golang.org`): its key's name.
    pub fn name(&self) -> &str {
        self.verifier.name()
    }

    /// The verifier key, `name+hash+keydata`.
    pub fn key(&self) -> String {
        self.verifier.key_text()
    }

    /// The base URL, without a trailing `/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether `GOSUMDB` gave the URL. Go then goes there directly; without
    /// one it may go through a proxy's `sumdb/NAME/` instead.
    pub fn has_explicit_url(&self) -> bool {
        self.explicit_url
    }
}

/// A host name, optionally with a port: what Go accepts as a database
/// name. It is also a directory name under the state and cache dirs.
fn is_host(name: &str) -> bool {
    let (host, port) = name.split_once(':').unwrap_or((name, "0"));
    !host.is_empty()
        && !host.starts_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
}

/// Why a [`Remote`] could not give a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// The server has no such thing (HTTP 404 or 410).
    #[error("not found")]
    NotFound,
    /// Anything else: the network, another status, a proxy refusing.
    #[error("{0}")]
    Failed(String),
}

/// Where the client gets the database's files: `path` is relative to the
/// database's URL (`lookup/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64`,
/// `tile/8/0/000.p/5`, `latest`). The caller owns the HTTP, the proxies
/// and their errors.
pub trait Remote {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError>;
}

impl<R: Remote + ?Sized> Remote for &R {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        (**self).get(path)
    }
}

/// A tree head, for people: the log's size and its root hash in base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub size: u64,
    pub hash: String,
}

impl From<tlog::Tree> for Tree {
    fn from(t: tlog::Tree) -> Tree {
        Tree {
            size: t.n,
            hash: tlog::format_hash(&t.hash),
        }
    }
}

impl std::fmt::Display for Tree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tree #{} ({})", self.size, self.hash)
    }
}

/// What a lookup proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The record's `go.sum` lines for the module version:
    /// `MODULE VERSION h1:…` and `MODULE VERSION/go.mod h1:…`.
    pub lines: Vec<String>,
    /// The signed tree the record was proven in.
    pub tree: Tree,
    /// That tree's signed note.
    pub note: Vec<u8>,
    /// Every remote path the proof used, with its bytes as the database
    /// serves them (the lookup answer first, then the tiles, from the
    /// cache or the remote): what a mirror republishes so that the proof
    /// can be made again offline.
    pub used: Vec<(String, Vec<u8>)>,
}

impl Verified {
    /// The hash the database has for `module@version` (`h1:…`).
    pub fn hash_for(&self, module: &str, version: &str) -> Option<&str> {
        let prefix = format!("{module} {version} ");
        self.lines
            .iter()
            .find_map(|line| line.strip_prefix(&prefix))
    }

    /// The hash the database has for the version's `go.mod` (`h1:…`).
    pub fn hash_for_gomod(&self, module: &str, version: &str) -> Option<&str> {
        self.hash_for(module, &format!("{version}/go.mod"))
    }

    /// The database's hash of `module@version` (or of `version/go.mod`)
    /// must be `h1`, the hash of what was downloaded: a SECURITY error
    /// naming both and `database` otherwise.
    pub fn check(
        &self,
        database: &str,
        module: &str,
        version: &str,
        h1: &str,
    ) -> Result<(), SumdbError> {
        match self.hash_for(module, version) {
            None => Err(SumdbError::MissingHash {
                database: database.to_string(),
                module: module.to_string(),
                version: version.to_string(),
            }),
            Some(expected) if expected != h1 => Err(SumdbError::ChecksumMismatch {
                database: database.to_string(),
                module: module.to_string(),
                version: version.to_string(),
                downloaded: h1.to_string(),
                expected: expected.to_string(),
            }),
            Some(_) => Ok(()),
        }
    }
}

/// Two trees signed by one database that cannot both be true: the older
/// is not a prefix of the newer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    pub database: String,
    pub older: Tree,
    pub newer: Tree,
    /// The signed notes of both: the evidence to report.
    pub older_note: String,
    pub newer_note: String,
}

impl std::fmt::Display for Fork {
    /// One line: Go's wording, both trees by size and hash (the signed
    /// notes are in [`Fork`] for whoever reports it).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let relation = if self.older.size == self.newer.size {
            "differs from"
        } else {
            "is not a prefix of"
        };
        write!(
            f,
            "SECURITY ERROR: checksum database {} has forked (go.sum database server misbehavior detected): {} {relation} {}",
            self.database, self.older, self.newer,
        )
    }
}

/// What went wrong: a security failure (the database or what serves it
/// misbehaves, or the download is not what it logged), a remote failure,
/// a local one, or a bad configuration.
#[derive(Debug, thiserror::Error)]
pub enum SumdbError {
    #[error("invalid GOSUMDB `{value}`: {reason}")]
    InvalidGosumdb { value: String, reason: String },
    #[error("invalid GOSUMDB `{value}`: bad key")]
    InvalidGosumdbKey {
        value: String,
        #[source]
        source: NoteError,
    },
    #[error("cannot look up `{module}@{version}` in the checksum database: {reason}")]
    InvalidModule {
        module: String,
        version: String,
        reason: &'static str,
    },

    #[error("checksum database {database}: cannot get `{path}`")]
    Remote {
        database: String,
        path: String,
        #[source]
        source: RemoteError,
    },

    #[error("checksum database {database}: `{}`", path.display())]
    Io {
        database: String,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("checksum database {database}: the newest tree seen before, kept in `{}`, is unusable: {reason}", path.display())]
    CorruptLatest {
        database: String,
        path: PathBuf,
        reason: String,
    },

    #[error(
        "SECURITY ERROR: checksum database {database}: the tree note in `{path}` does not verify"
    )]
    Note {
        database: String,
        path: String,
        #[source]
        source: NoteError,
    },
    #[error("SECURITY ERROR: checksum database {database}: `{path}` is malformed: {reason}")]
    Malformed {
        database: String,
        path: String,
        reason: String,
    },
    #[error("SECURITY ERROR: checksum database {database}: its tiles do not prove what it signed")]
    Log {
        database: String,
        #[source]
        source: TlogError,
    },
    #[error("{0}")]
    Fork(Box<Fork>),
    #[error("SECURITY ERROR: checksum database {database}: record {id} for `{module}@{version}` is not in {tree}")]
    RecordNotInTree {
        database: String,
        module: String,
        version: String,
        id: u64,
        tree: Tree,
    },
    #[error("SECURITY ERROR: checksum database {database}: the record for `{module}@{version}` is not record {id} of {tree}: cannot authenticate record data in server response")]
    RecordMismatch {
        database: String,
        module: String,
        version: String,
        id: u64,
        tree: Tree,
    },
    #[error("SECURITY ERROR: checksum database {database}: its record for `{module}@{version}` has no hash for it")]
    MissingHash {
        database: String,
        module: String,
        version: String,
    },
    #[error(
        "SECURITY ERROR: verifying {module}@{version}: checksum mismatch: downloaded {downloaded}, but checksum database {database} has {expected}"
    )]
    ChecksumMismatch {
        database: String,
        module: String,
        version: String,
        downloaded: String,
        expected: String,
    },
}

impl From<TlogError> for SumdbError {
    /// A proof failure inside the log; the database is named by
    /// [`SumdbError::in_database`] where the client hands it out.
    fn from(source: TlogError) -> Self {
        SumdbError::Log {
            database: String::new(),
            source,
        }
    }
}

impl SumdbError {
    /// Whether the database (or what serves it) misbehaves, or the download
    /// is not what it logged: never retried elsewhere, never ignored.
    pub fn is_security(&self) -> bool {
        matches!(
            self,
            SumdbError::Note { .. }
                | SumdbError::Malformed { .. }
                | SumdbError::Log { .. }
                | SumdbError::Fork(_)
                | SumdbError::RecordNotInTree { .. }
                | SumdbError::RecordMismatch { .. }
                | SumdbError::MissingHash { .. }
                | SumdbError::ChecksumMismatch { .. }
        )
    }

    /// Whether the database could not be reached or answered an error.
    pub fn is_remote(&self) -> bool {
        matches!(self, SumdbError::Remote { .. })
    }

    /// Whether the database does not know the path (HTTP 404 or 410).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            SumdbError::Remote {
                source: RemoteError::NotFound,
                ..
            }
        )
    }

    /// The command or step that fixes it, where there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            SumdbError::InvalidGosumdb { .. } | SumdbError::InvalidGosumdbKey { .. } => Some(
                "set GOSUMDB to `sum.golang.org` (the default) or to `name+hash+key [URL]`, or unset it".into(),
            ),
            SumdbError::InvalidModule { .. } => None,
            SumdbError::Remote {
                source: RemoteError::NotFound,
                path,
                ..
            } if path.starts_with("lookup/") => Some(
                "the checksum database does not know this version: check the version (`gov list-remote`)".into(),
            ),
            SumdbError::Remote { .. } => Some(
                "check the network and GOSUMDB / GOPROXY, then run the command again".into(),
            ),
            SumdbError::Io { source, .. } => fsx::io_hint(source),
            SumdbError::CorruptLatest { path, .. } => Some(format!(
                "if GOSUMDB changed its key on purpose, or the file was damaged, remove `{}` (gov then trusts the next tree the database signs)",
                path.display()
            )),
            SumdbError::Note { source: NoteError::UnknownKey { .. }, .. } => Some(
                "the tree is signed by another key than GOSUMDB's: check GOSUMDB and GOPROXY (a proxy may serve another database under this name)".into(),
            ),
            SumdbError::Fork(_) => Some(
                "do not install from this database: report both trees to its operator (for sum.golang.org: https://go.dev/issue); the tree gov trusted stays in GOV_HOME/sumdb/<name>/latest".into(),
            ),
            SumdbError::ChecksumMismatch { .. } => Some(
                "this download does NOT match the one the checksum database reports: the bits were replaced at the origin or on the way, and nothing of them was kept; try another GOPROXY, and report it to the proxy's operator".into(),
            ),
            _ if self.is_security() => Some(
                "the checksum database or a proxy in front of it misbehaves: try again later or through another GOPROXY, and report it if it persists".into(),
            ),
            _ => None,
        }
    }

    /// The error with the database named where it was left out.
    fn in_database(mut self, name: &str) -> SumdbError {
        if let SumdbError::Log { database, .. } = &mut self {
            if database.is_empty() {
                *database = name.to_string();
            }
        }
        self
    }
}

/// Escapes a module path as Go does for URLs and file names: each upper-
/// case letter becomes `!` and the letter in lower case.
pub fn escape_path(module: &str) -> Result<String, &'static str> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "-._~/".contains(c);
    if module.is_empty() || !module.chars().all(ok_char) {
        return Err("a module path has only letters, digits, `-._~` and `/`");
    }
    for elem in module.split('/') {
        if elem.is_empty() || elem.starts_with('.') || elem.ends_with('.') {
            return Err("a module path element is empty or starts or ends with a dot");
        }
    }
    Ok(crate::goproxy::escape(module))
}

/// Escapes a version as Go does (see [`escape_path`]).
pub fn escape_version(version: &str) -> Result<String, &'static str> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || "-._~+".contains(c);
    if version.is_empty() || version.starts_with('.') || !version.chars().all(ok_char) {
        return Err("a version has only letters, digits and `-._~+`");
    }
    Ok(crate::goproxy::escape(version))
}

/// A checksum database client: the database, how to reach it, and where
/// it keeps its state and cache.
pub struct Client<R> {
    db: Database,
    remote: R,
    /// `STATE/NAME`: holds `latest`, the newest tree note proven.
    state_dir: PathBuf,
    /// `CACHE/NAME`: tiles and lookup answers.
    cache_dir: PathBuf,
}

impl<R: Remote> Client<R> {
    /// A client of `db` through `remote`; it keeps the newest tree it has
    /// proven under `state_dir/NAME/latest` and caches tiles under
    /// `cache_dir/NAME/`.
    pub fn new(db: &Database, remote: R, state_dir: &Path, cache_dir: &Path) -> Client<R> {
        Client {
            db: db.clone(),
            remote,
            state_dir: state_dir.join(db.name()),
            cache_dir: cache_dir.join(db.name()),
        }
    }

    /// The database.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Where the newest proven tree note is kept.
    pub fn latest_path(&self) -> PathBuf {
        self.state_dir.join("latest")
    }

    /// The newest tree proven so far, if any.
    pub fn latest(&self) -> Result<Option<Tree>, SumdbError> {
        Ok(self.read_latest()?.map(|(_, tree)| tree.into()))
    }

    /// What the database says about `module@version`, proven: its note
    /// signed, its tree consistent with the newest one seen before, the
    /// record in the tree.
    pub fn lookup(&self, module: &str, version: &str) -> Result<Verified, SumdbError> {
        self.lookup_inner(module, version)
            .map_err(|e| e.in_database(self.db.name()))
    }

    /// [`Client::lookup`], then the database's hash of `module@version`
    /// must be `h1` (the `h1:` hash of the downloaded zip).
    pub fn verify(&self, module: &str, version: &str, h1: &str) -> Result<Verified, SumdbError> {
        let verified = self.lookup(module, version)?;
        verified.check(self.db.name(), module, version, h1)?;
        Ok(verified)
    }

    fn lookup_inner(&self, module: &str, version: &str) -> Result<Verified, SumdbError> {
        let invalid = |reason| SumdbError::InvalidModule {
            module: module.to_string(),
            version: version.to_string(),
            reason,
        };
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        let path = format!(
            "lookup/{}@{}",
            escape_path(module).map_err(invalid)?,
            escape_version(version).map_err(invalid)?
        );
        let mut session = Session::new(self);

        // A cached answer is proven again like a fresh one.
        let cache_file = self.cache_dir.join(&path);
        // One that does not even parse (cut short by a crash) is missing.
        let cached = self
            .read_cache(&cache_file, MAX_LOOKUP_SIZE)
            .filter(|data| tlog::parse_record(data).is_ok());
        let (data, fresh) = match cached {
            Some(data) => (data, false),
            None => (self.get(&path, MAX_LOOKUP_SIZE)?, true),
        };
        session.used.push((path.clone(), data.clone()));

        let (id, text, note_msg) =
            tlog::parse_record(&data).map_err(|e| self.malformed(&path, e.to_string()))?;
        let tree = self.open_tree(note_msg, &path)?;
        session.merge_latest(tree, note_msg)?;

        // The record must be leaf `id` of its own tree (now proven
        // consistent with the newest one). Go proves it in the newest tree
        // instead, which is the same tree unless an older answer was
        // cached; proving it in the answer's own tree keeps `used` enough
        // for a verifier that has seen nothing else.
        session.prove_record(tree, id, text, module, version)?;

        if fresh {
            // Only a cache: a failure to write it costs a download later.
            let _ = write_file(&cache_file, &data);
        }
        let text = String::from_utf8_lossy(text);
        let prefixes = [
            format!("{module} {version} "),
            format!("{module} {version}/go.mod "),
        ];
        let lines = text
            .lines()
            .filter(|line| prefixes.iter().any(|p| line.starts_with(p.as_str())))
            .map(str::to_string)
            .collect();
        Ok(Verified {
            lines,
            tree: tree.into(),
            note: note_msg.to_vec(),
            used: session.used,
        })
    }

    /// What a verifier that has seen the signed tree `target` reads to
    /// accept each of `answers` (lookup answers as the database serves
    /// them, with their paths): the tiles proving each answer's own tree
    /// consistent with `target` and its record in `target`. Go proves a
    /// record in the newest tree it has seen, not in the answer's; a
    /// mirror serves this so that either order of lookups verifies. Every
    /// note must verify; the kept `latest` is neither read nor changed.
    pub fn material_for(
        &self,
        answers: &[(String, Vec<u8>)],
        target: &[u8],
    ) -> Result<Vec<(String, Vec<u8>)>, SumdbError> {
        self.material_inner(answers, target)
            .map_err(|e| e.in_database(self.db.name()))
    }

    fn material_inner(
        &self,
        answers: &[(String, Vec<u8>)],
        target: &[u8],
    ) -> Result<Vec<(String, Vec<u8>)>, SumdbError> {
        let mut session = Session::new(self);
        let newest = self.open_tree(target, "latest")?;
        for (path, data) in answers {
            let (id, text, msg) =
                tlog::parse_record(data).map_err(|e| self.malformed(path, e.to_string()))?;
            let tree = self.open_tree(msg, path)?;
            if tree.n <= newest.n {
                session.check_trees(tree, msg, newest, target)?;
            } else {
                session.check_trees(newest, target, tree, msg)?;
            }
            let (module, version) = path
                .strip_prefix("lookup/")
                .and_then(|mv| mv.rsplit_once('@'))
                .unwrap_or((path, ""));
            session.prove_record(newest, id, text, module, version)?;
        }
        Ok(session.used)
    }

    /// The tree a signed note from `path` states, once its signature holds.
    fn open_tree(&self, msg: &[u8], path: &str) -> Result<tlog::Tree, SumdbError> {
        let text = note::open(msg, &self.db.verifier).map_err(|source| SumdbError::Note {
            database: self.db.name().to_string(),
            path: path.to_string(),
            source,
        })?;
        tlog::parse_tree(text).map_err(|e| self.malformed(path, e.to_string()))
    }

    fn malformed(&self, path: &str, reason: String) -> SumdbError {
        SumdbError::Malformed {
            database: self.db.name().to_string(),
            path: path.to_string(),
            reason,
        }
    }

    /// `path` from the remote, at most `limit` bytes.
    fn get(&self, path: &str, limit: usize) -> Result<Vec<u8>, SumdbError> {
        let data = self.remote.get(path).map_err(|source| SumdbError::Remote {
            database: self.db.name().to_string(),
            path: path.to_string(),
            source,
        })?;
        if data.len() > limit {
            return Err(self.malformed(
                path,
                format!("{} bytes, more than the {limit} accepted", data.len()),
            ));
        }
        Ok(data)
    }

    /// A cached file, if it is there and no larger than `limit`.
    fn read_cache(&self, path: &Path, limit: usize) -> Option<Vec<u8>> {
        match fsx::read_regular(path, limit as u64 + 1) {
            Ok(fsx::Found::Bytes(data)) if data.len() <= limit => Some(data),
            _ => None,
        }
    }

    /// The stored newest tree note and its tree, checked again.
    fn read_latest(&self) -> Result<Option<(Vec<u8>, tlog::Tree)>, SumdbError> {
        let path = self.latest_path();
        let found = fsx::read_regular(&path, note::MAX_NOTE_SIZE as u64 + 1)
            .map_err(|source| self.io(&path, source))?;
        let data = match found {
            fsx::Found::Missing => return Ok(None),
            fsx::Found::NotAFile(kind) => return Err(self.corrupt_latest(format!("it is {kind}"))),
            fsx::Found::Bytes(data) => data,
        };
        let text =
            note::open(&data, &self.db.verifier).map_err(|e| self.corrupt_latest(e.to_string()))?;
        let tree = tlog::parse_tree(text).map_err(|e| self.corrupt_latest(e.to_string()))?;
        Ok(Some((data, tree)))
    }

    fn corrupt_latest(&self, reason: String) -> SumdbError {
        SumdbError::CorruptLatest {
            database: self.db.name().to_string(),
            path: self.latest_path(),
            reason,
        }
    }

    fn io(&self, path: &Path, source: io::Error) -> SumdbError {
        SumdbError::Io {
            database: self.db.name().to_string(),
            path: path.to_path_buf(),
            source,
        }
    }

    /// Replaces the stored `latest` with `new` if it still holds
    /// `expected` (nothing, for `None`); false when another process
    /// changed it meanwhile. Under a lock, so two writers never both win.
    fn replace_latest(&self, expected: Option<&[u8]>, new: &[u8]) -> Result<bool, SumdbError> {
        fs_err::create_dir_all(&self.state_dir).map_err(|e| self.io(&self.state_dir, e))?;
        let lock_path = self.state_dir.join("latest.lock");
        let lock = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| self.io(&lock_path, e))?;
        lock.lock().map_err(|e| self.io(&lock_path, e))?;
        let path = self.latest_path();
        let current = match fsx::read_regular(&path, note::MAX_NOTE_SIZE as u64 + 1) {
            Ok(fsx::Found::Bytes(data)) => Some(data),
            Ok(fsx::Found::Missing) => None,
            Ok(fsx::Found::NotAFile(kind)) => {
                return Err(self.corrupt_latest(format!("it is {kind}")))
            }
            Err(e) => return Err(self.io(&path, e)),
        };
        if current.as_deref() != expected {
            return Ok(false);
        }
        fsx::write_atomic(&path, new).map_err(|e| self.io(&path, e))?;
        Ok(true)
        // The lock goes with `lock`.
    }
}

/// One lookup's work: the tiles it read (so each is fetched once), the
/// ones saved to the cache, and every remote path it used.
struct Session<'a, R> {
    client: &'a Client<R>,
    tiles: HashMap<Tile, Vec<u8>>,
    saved: HashSet<Tile>,
    used: Vec<(String, Vec<u8>)>,
    /// Every tile from the remote, none from the cache or to it.
    uncached: bool,
}

impl<'a, R: Remote> Session<'a, R> {
    fn new(client: &'a Client<R>) -> Self {
        Session {
            client,
            tiles: HashMap::new(),
            saved: HashSet::new(),
            used: Vec::new(),
            uncached: false,
        }
    }

    fn note_used(&mut self, path: String, data: &[u8]) {
        if !self.used.iter().any(|(p, _)| *p == path) {
            self.used.push((path, data.to_vec()));
        }
    }

    /// Merges the signed `tree` (note `msg`) with the stored newest tree:
    /// whichever is older must be a prefix of the other; a newer one is
    /// stored once proven.
    fn merge_latest(&mut self, tree: tlog::Tree, msg: &[u8]) -> Result<(), SumdbError> {
        loop {
            match self.client.read_latest()? {
                None => {
                    // Nothing seen yet: the first signed tree is trusted.
                    if self.client.replace_latest(None, msg)? {
                        return Ok(());
                    }
                }
                Some((latest_msg, latest)) => {
                    if tree.n <= latest.n {
                        return self.check_trees(tree, msg, latest, &latest_msg);
                    }
                    self.check_trees(latest, &latest_msg, tree, msg)?;
                    if self.client.replace_latest(Some(&latest_msg), msg)? {
                        return Ok(());
                    }
                }
            }
            // Another process stored a tree meanwhile: merge with that one.
        }
    }

    /// Proves `older` a prefix of `newer` with `newer`'s tiles; a fork when
    /// it is not.
    fn check_trees(
        &mut self,
        older: tlog::Tree,
        older_msg: &[u8],
        newer: tlog::Tree,
        newer_msg: &[u8],
    ) -> Result<(), SumdbError> {
        if older == newer {
            return Ok(());
        }
        let fork = || {
            SumdbError::Fork(Box::new(Fork {
                database: self.client.db.name().to_string(),
                older: older.into(),
                newer: newer.into(),
                older_note: String::from_utf8_lossy(older_msg).into_owned(),
                newer_note: String::from_utf8_lossy(newer_msg).into_owned(),
            }))
        };
        // Two signed trees of one size and different hashes: a fork, whatever
        // the tiles say (and whichever tiles are at hand).
        if older.n == newer.n {
            return Err(fork());
        }
        let h = match tlog::tree_hash(older.n, &mut TileHashReader::new(newer, self)) {
            Ok(h) => h,
            // The cached tiles (proved by an older tree) and `newer` disagree:
            // a fork that rewrote a full tile, or a remote serving bad tiles.
            // `newer`'s own tiles, proved by its signature alone, tell which.
            Err(err @ SumdbError::Log { .. }) => {
                let mut fresh = Session::new(self.client);
                fresh.uncached = true;
                match tlog::tree_hash(older.n, &mut TileHashReader::new(newer, &mut fresh)) {
                    Ok(h) => h,
                    Err(_) => return Err(err),
                }
            }
            Err(err) => return Err(err),
        };
        if h == older.hash {
            return Ok(());
        }
        Err(fork())
    }

    /// One tile's bytes from the cache (its own file, or the full tile cut
    /// to width), if there and not [`Session::uncached`].
    fn read_cached(&mut self, tile: Tile, cache: impl Fn(&Tile) -> PathBuf) -> Option<Vec<u8>> {
        if self.uncached {
            return None;
        }
        let width = tile.w as usize * tlog::HASH_SIZE;
        if let Some(data) = self.client.read_cache(&cache(&tile), width) {
            if data.len() == width {
                self.saved.insert(tile);
                self.note_used(tile.path(), &data);
                return Some(data);
            }
        }
        let full = tile.full();
        let full_width = full.w as usize * tlog::HASH_SIZE;
        if tile != full {
            if let Some(data) = self.client.read_cache(&cache(&full), full_width) {
                if data.len() == full_width {
                    self.saved.insert(tile);
                    self.note_used(full.path(), &data);
                    return Some(data[..width].to_vec());
                }
            }
        }
        None
    }

    /// Record `id` of `tree` must be `text`: its hash the leaf there, read
    /// out of tiles that hash up to the tree's root.
    fn prove_record(
        &mut self,
        tree: tlog::Tree,
        id: u64,
        text: &[u8],
        module: &str,
        version: &str,
    ) -> Result<(), SumdbError> {
        let database = || self.client.db.name().to_string();
        if id >= tree.n {
            return Err(SumdbError::RecordNotInTree {
                database: database(),
                module: module.to_string(),
                version: version.to_string(),
                id,
                tree: tree.into(),
            });
        }
        let leaf = {
            let mut reader = TileHashReader::new(tree, &mut *self);
            tlog::HashReader::read_hashes(&mut reader, &[tlog::stored_hash_index(0, id)])?
        };
        if leaf.first() != Some(&tlog::record_hash(text)) {
            return Err(SumdbError::RecordMismatch {
                database: self.client.db.name().to_string(),
                module: module.to_string(),
                version: version.to_string(),
                id,
                tree: tree.into(),
            });
        }
        Ok(())
    }

    /// One tile's bytes, unverified: from the cache (its own file, or the
    /// full tile cut to width), else from the remote (falling back to the
    /// full tile when the partial one is not there, as Go does).
    fn read_tile(&mut self, tile: Tile) -> Result<Vec<u8>, SumdbError> {
        let width = tile.w as usize * tlog::HASH_SIZE;
        let full = tile.full();
        let full_width = full.w as usize * tlog::HASH_SIZE;
        let client = self.client;
        let cache = |t: &Tile| client.cache_dir.join(t.path());

        if let Some(data) = self.read_cached(tile, cache) {
            return Ok(data);
        }
        let err = match self.client.get(&tile.path(), width) {
            Ok(data) => {
                self.note_used(tile.path(), &data);
                return Ok(data);
            }
            Err(e) => e,
        };
        if tile != full {
            if let Ok(data) = self.client.get(&full.path(), full_width) {
                if data.len() != full_width {
                    return Err(TlogError::TileSize {
                        path: full.path(),
                        len: data.len(),
                        want: full_width,
                    }
                    .into());
                }
                self.note_used(full.path(), &data);
                return Ok(data[..width].to_vec());
            }
        }
        Err(err)
    }
}

impl<R: Remote> tlog::TileReader for Session<'_, R> {
    type Error = SumdbError;

    fn height(&self) -> u32 {
        TILE_HEIGHT
    }

    fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, SumdbError> {
        let mut out = Vec::with_capacity(tiles.len());
        for tile in tiles {
            if let Some(data) = self.tiles.get(tile) {
                out.push(data.clone());
                continue;
            }
            let data = self.read_tile(*tile)?;
            self.tiles.insert(*tile, data.clone());
            out.push(data);
        }
        Ok(out)
    }

    fn save_tiles(&mut self, tiles: &[Tile], data: &[Vec<u8>]) {
        if self.uncached {
            return;
        }
        for (tile, bytes) in tiles.iter().zip(data) {
            if self.saved.insert(*tile) {
                // Only a cache: a tile not saved is fetched again.
                let _ = write_file(&self.client.cache_dir.join(tile.path()), bytes);
            }
        }
    }
}

/// Writes the cache file `path` atomically (not durably: a cache file is
/// checked on every use, and one cut short is fetched again), making its
/// directory first.
fn write_file(path: &Path, data: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs_err::create_dir_all(dir)?;
    }
    fsx::write_atomic_cache(path, data)
}
