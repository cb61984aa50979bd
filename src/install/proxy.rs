//! Releases from Go's own channel (`GOV_SOURCE=proxy`): the module
//! `golang.org/toolchain@v0.0.1-go<VERSION>.<os>-<arch>` from the proxies of
//! `GOPROXY`, proved by the checksum database of `GOSUMDB` before anything
//! of it enters the store.
//!
//! One install: the database's record first (what the zip must hash to,
//! in a tree consistent with every tree seen before) → the zip, streamed to
//! scratch space → unpacked in parallel, its `h1:` computed on the way →
//! compared with the record → the last steps every install shares.

use std::path::PathBuf;

use super::pipeline::{Outcome, Unpacked};
use super::unzip;
use super::InstallError;
use crate::download::{Fetcher, Stop};
use crate::goproxy::{self, ProxyError, ProxyList, TOOLCHAIN_MODULE};
use crate::netrc::{Netrc, NetrcError};
use crate::platform::Platform;
use crate::sources::{GoSettings, Sources};
use crate::store::{Installed, Module, Origin, Record, Store, Tree};
use crate::sumdb::{self, Database, SumdbError, Verified};
use crate::ui;
use crate::version::Version;

/// The most a proxy's `@v/list` may hold (the real one is a few kB).
const MAX_LIST: u64 = 4 << 20;
/// The most a database's `supported` answer may hold (it is empty).
const MAX_SUPPORTED: u64 = 4 << 10;
/// The most one answer of a checksum database may hold: a lookup, a tile
/// (at most 256 hashes of 32 bytes), a note.
const MAX_RESPONSE: u64 = 1 << 20;

/// Why Go's channel brought nothing.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error(transparent)]
    Proxy(#[from] ProxyError),
    #[error(transparent)]
    Sumdb(#[from] SumdbError),
    #[error(transparent)]
    Netrc(#[from] NetrcError),
    #[error("GOSUMDB=off: Go toolchains are always checked against the checksum database, and GOPROXY `{goproxy}` is not a single file:// URL")]
    SumdbOff { goproxy: String },
}

impl ChannelError {
    pub fn hint(&self) -> Option<String> {
        match self {
            ChannelError::Proxy(e) => e.hint(),
            ChannelError::Sumdb(e) => e.hint(),
            ChannelError::Netrc(e) => e.hint(),
            ChannelError::SumdbOff { .. } => Some(
                "unset GOSUMDB (sum.golang.org is the default) or name a database, `GOSUMDB='name+hash+key URL'`; only a GOPROXY that is one file:// URL may go without one, as in Go".into(),
            ),
        }
    }
}

/// The proxies and the database, as Go's settings name them.
pub struct Channel {
    pub proxies: ProxyList,
    /// `None` only where Go itself checks nothing: `GOSUMDB=off` with a
    /// `GOPROXY` that is one `file://` URL.
    pub database: Option<Database>,
    /// Where the newest tree seen of each database is kept, and its tiles.
    state_dir: PathBuf,
    cache_dir: PathBuf,
}

impl Channel {
    /// From Go's settings. Toolchains are never exempt from the database:
    /// `GONOSUMDB` and `GOPRIVATE` do not apply to them, and `GOSUMDB=off`
    /// is refused, unless `GOPROXY` is a single `file://` URL (Go's own
    /// exception).
    pub fn new(go: &GoSettings, store: &Store) -> Result<Channel, ChannelError> {
        let goproxy = go.goproxy();
        let proxies = ProxyList::parse(&goproxy)?;
        let gosumdb = go.gosumdb();
        let database = if gosumdb == "off" {
            if !proxies.is_single_file_url() {
                return Err(ChannelError::SumdbOff { goproxy });
            }
            None
        } else {
            Some(Database::parse(&gosumdb)?)
        };
        Ok(Channel {
            proxies,
            database,
            state_dir: store.home().join("sumdb"),
            cache_dir: store.home().join("cache").join("sumdb"),
        })
    }

    /// The releases the proxies list for `platform`, oldest first.
    pub fn versions(
        &self,
        fetcher: &Fetcher,
        platform: &Platform,
    ) -> Result<Vec<Version>, ChannelError> {
        let body = self
            .proxies
            .fetch(&goproxy::list_path(), |url| fetcher.get(url, MAX_LIST))?;
        Ok(goproxy::parse_list(
            &String::from_utf8_lossy(&body),
            platform,
        ))
    }

    /// The database's record of `module_version`, proved: `None` when
    /// there is no database to ask (see [`Channel::database`]).
    pub fn lookup(
        &self,
        fetcher: &Fetcher,
        module_version: &str,
    ) -> Result<Option<Verified>, ChannelError> {
        let Some(db) = &self.database else {
            return Ok(None);
        };
        // A database named with its URL is asked directly, as Go does;
        // otherwise through the first proxy that serves it.
        let base = if db.has_explicit_url() {
            db.url().to_string()
        } else {
            self.proxies.sumdb_base(db.name(), db.url(), |url| {
                fetcher.get(url, MAX_SUPPORTED).map(|_| ())
            })?
        };
        let remote = FetchRemote { fetcher, base };
        let client = sumdb::Client::new(db, remote, &self.state_dir, &self.cache_dir);
        Ok(Some(client.lookup(TOOLCHAIN_MODULE, module_version)?))
    }
}

/// A [`Fetcher`] for `sources` that logs in to private proxies with the
/// credentials of the netrc file (over https only), as Go does.
pub fn fetcher(sources: &Sources) -> Result<Fetcher, ChannelError> {
    let netrc = match &sources.go.netrc {
        Some(path) => Netrc::load(Some(path.as_os_str()), None)?,
        None => Netrc::default(),
    };
    Ok(Fetcher::new(sources).with_netrc(netrc))
}

/// The checksum database reached through [`Fetcher`].
pub struct FetchRemote<'a> {
    pub fetcher: &'a Fetcher,
    /// The database's URL, or the proxy's `…/sumdb/<name>`.
    pub base: String,
}

impl sumdb::Remote for FetchRemote<'_> {
    fn get(&self, path: &str) -> Result<Vec<u8>, sumdb::RemoteError> {
        let url = format!("{}/{path}", self.base.trim_end_matches('/'));
        self.fetcher.get(&url, MAX_RESPONSE).map_err(|e| {
            if e.is_not_found() {
                sumdb::RemoteError::NotFound
            } else {
                sumdb::RemoteError::Failed(e.to_string())
            }
        })
    }
}

/// Where and how to install.
pub struct Options<'a> {
    pub platform: &'a Platform,
    pub progress: &'a ui::Progress,
    /// The `h1:` a lock (`gov.lock`, at the path) holds for the module:
    /// what came must hash to it, as well as to the database's record.
    pub locked_h1: Option<(&'a str, &'a std::path::Path)>,
}

/// Installs Go `version` from the module proxy into the store. Safe to
/// run concurrently, as [`super::pipeline::install`].
pub fn install(
    store: &Store,
    fetcher: &Fetcher,
    channel: &Channel,
    version: Version,
    opts: &Options,
) -> Result<Outcome, InstallError> {
    let platform = opts.platform;
    let module_version = goproxy::module_version(&version, platform).map_err(ChannelError::from)?;
    let dest_dir = store.releases_dir(platform);
    let dest = dest_dir.join(version.to_string());
    let change = store.change(
        &Store::release_key(platform, &version),
        &format!("installing Go {version}"),
    )?;
    if dest.exists() {
        return Ok(Outcome::AlreadyInstalled(Installed {
            version,
            root: dest,
            is_link: false,
            system: false,
        }));
    }
    // The database first: what the zip must hash to, before a byte of it.
    let proof = channel.lookup(fetcher, &module_version)?;
    let staging = change.scratch(&dest_dir, &format!("{platform}-{version}"))?;
    let zip = staging.path().join("module.zip");
    let root = staging.path().join("go");
    let file = format!("{module_version}.zip");
    let path = goproxy::file_path(&module_version, "zip");
    let task = opts.progress.task(format!("Go {version}"));
    let fetched = channel.proxies.fetch(&path, |url| {
        fetcher
            .fetch_unverified(&file, url, &task, |body| {
                let mut out = fs_err::File::create(&zip).map_err(|e| Stop::write(&zip, e))?;
                crate::download::write_all(body, &mut out, &zip)
            })
            .map(|fetched| (url.to_string(), fetched))
    });
    let (url, fetched) = fetched.map_err(ChannelError::from)?;
    drop(task);
    fs_err::create_dir_all(&root)?;
    let prefix = format!("{TOOLCHAIN_MODULE}@{module_version}/");
    let unzipped = unzip::unpack_toolchain_zip(&zip, &prefix, &root).map_err(|source| {
        InstallError::Unzip {
            file: file.clone(),
            source,
        }
    })?;
    let mut proved_by = None;
    if let Some(proof) = &proof {
        let db = channel
            .database
            .as_ref()
            .expect("a proof comes from a database");
        proof
            .check(db.name(), TOOLCHAIN_MODULE, &module_version, &unzipped.h1)
            .map_err(ChannelError::from)?;
        proved_by = Some(Tree {
            database: db.name().to_string(),
            size: proof.tree.size,
            hash: proof.tree.hash.clone(),
        });
    } else {
        ui::warn(&format!(
            "`{file}` is not checked against a checksum database (GOSUMDB=off, with GOPROXY a file:// URL)"
        ));
    }
    if let Some((locked, path)) = opts.locked_h1 {
        if unzipped.h1 != locked {
            return Err(crate::lock::LockError::ModuleHash {
                path: path.to_path_buf(),
                file: file.clone(),
                locked: locked.to_string(),
                actual: unzipped.h1.clone(),
            }
            .into());
        }
    }
    fs_err::remove_file(&zip)?;
    let mut record = Record::new(Origin::Download, &version, platform).now();
    record.archive = Some(file.clone());
    record.url = Some(url);
    record.sha256 = Some(fetched.sha256);
    record.verified = proved_by.is_some();
    record.size = Some(fetched.size);
    record.module = Some(Module {
        path: TOOLCHAIN_MODULE.into(),
        version: module_version,
        h1: unzipped.h1,
        proved_by,
    });
    let unpacked = Unpacked {
        version,
        platform,
        root: &root,
        from: &file,
        dest: &dest,
    };
    let installed = unpacked.commit(store, record)?;
    drop(staging);
    change.commit()?;
    Ok(Outcome::Installed(installed))
}
