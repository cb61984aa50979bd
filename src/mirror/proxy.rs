//! `gov mirror DIR --proxy`: DIR as a static `GOPROXY` for the module
//! `golang.org/toolchain` — `@v/list`, and per release `.info`, `.mod` and
//! `.zip` — with what the checksum database proved of each (under
//! `sumdb/<name>/`: `supported`, the lookups, the tiles), so that nodes
//! with `GOPROXY=<DIR's URL>` verify every toolchain against the real
//! database key with no other network: gov, and Go's own `GOTOOLCHAIN`
//! switch. Nothing is kept that the database did not prove.

use std::path::{Path, PathBuf};

use super::{Mirror, MirrorError};
use crate::dirhash;
use crate::download::{self, Fetcher, Stop};
use crate::fsx;
use crate::goproxy::{self, TOOLCHAIN_MODULE};
use crate::install::proxy::{Channel, ChannelError, FetchRemote};
use crate::install::unzip;
use crate::platform::Platform;
use crate::sumdb::{self, Verified};
use crate::ui;
use crate::version::Version;

/// The most a `.mod` or `.info` file may hold.
const MAX_SMALL: u64 = 64 << 10;

impl Mirror {
    /// `DIR/golang.org/toolchain/@v`.
    fn module_dir(&self) -> PathBuf {
        let list = self.dir.join(goproxy::list_path());
        list.parent().expect("the list is in @v/").to_path_buf()
    }

    /// Makes the module of Go `version` for `platform` present and proved:
    /// its zip (kept when already there and still matching the database),
    /// `.mod` and `.info`, and the database's proof of them.
    pub fn fetch_module(
        &self,
        fetcher: &Fetcher,
        channel: &Channel,
        version: &Version,
        platform: &Platform,
        progress: &ui::Progress,
    ) -> Result<&'static str, MirrorError> {
        let module_version =
            goproxy::module_version(version, platform).map_err(ChannelError::from)?;
        let Some(proof) = channel.lookup(fetcher, &module_version)? else {
            return Err(MirrorError::Unproved {
                module: format!("{TOOLCHAIN_MODULE}@{module_version}"),
            });
        };
        let db = channel
            .database
            .as_ref()
            .expect("a proof comes from a database");
        fs_err::create_dir_all(self.module_dir())?;
        let at = |ext: &str| {
            let path = goproxy::file_path(&module_version, ext);
            (path.clone(), self.dir.join(path))
        };
        // The `.mod`: Go checks it against the database's `/go.mod` line.
        let (path, dest) = at("mod");
        let body = channel
            .proxies
            .fetch(&path, |url| fetcher.get(url, MAX_SMALL))
            .map_err(ChannelError::from)?;
        proof
            .check(
                db.name(),
                TOOLCHAIN_MODULE,
                &format!("{module_version}/go.mod"),
                &dirhash::h1_of_go_mod(&body),
            )
            .map_err(ChannelError::from)?;
        let go_mod = (dest, body);
        let (path, dest) = at("info");
        let body = channel
            .proxies
            .fetch(&path, |url| fetcher.get(url, MAX_SMALL))
            .map_err(ChannelError::from)?;
        let info = (dest, body);

        let (path, dest) = at("zip");
        let prefix = format!("{TOOLCHAIN_MODULE}@{module_version}/");
        let action = match unzip::hash_zip(&dest, &prefix) {
            Ok(h1)
                if proof
                    .check(db.name(), TOOLCHAIN_MODULE, &module_version, &h1)
                    .is_ok() =>
            {
                "kept"
            }
            _ => {
                self.download_zip(fetcher, channel, &path, &dest, progress)?;
                let h1 = unzip::hash_zip(&dest, &prefix).map_err(|source| MirrorError::Zip {
                    file: dest.display().to_string(),
                    source,
                });
                let checked = h1.and_then(|h1| {
                    proof
                        .check(db.name(), TOOLCHAIN_MODULE, &module_version, &h1)
                        .map_err(|e| MirrorError::from(ChannelError::from(e)))
                });
                if let Err(e) = checked {
                    // Nothing the database does not vouch for stays.
                    let _ = fs_err::remove_file(&dest);
                    return Err(e);
                }
                "downloaded"
            }
        };
        // Only now, beside a zip the database vouches for: a failed module
        // leaves nothing of itself.
        for (dest, body) in [go_mod, info] {
            write_file(&dest, &body)?;
        }
        self.write_proof(db.name(), &proof)?;
        Ok(action)
    }

    /// The zip at `path` (under each proxy) into `dest`, written aside and
    /// renamed when whole.
    fn download_zip(
        &self,
        fetcher: &Fetcher,
        channel: &Channel,
        path: &str,
        dest: &Path,
        progress: &ui::Progress,
    ) -> Result<(), MirrorError> {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = dest.parent().expect("a file in a directory");
        let task = progress.task(&name);
        let part = channel.proxies.fetch(path, |url| {
            fetcher
                .fetch_unverified(&name, url, &task, |body| {
                    let mut part = tempfile::Builder::new()
                        .prefix(&format!(".{name}."))
                        .suffix(".part")
                        .tempfile_in(dir)
                        .map_err(|e| Stop::write(dir, e))?;
                    let at = part.path().to_path_buf();
                    download::write_all(body, part.as_file_mut(), &at)?;
                    Ok(part)
                })
                .map(|fetched| fetched.value)
        });
        let part = part.map_err(ChannelError::from)?;
        part.as_file().sync_all()?;
        std::fs::set_permissions(
            part.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o644),
        )?;
        part.persist(dest)
            .map_err(|e| fsx::with_path(e.error, dest))?;
        Ok(())
    }

    /// What proved a module, where a proxy serves its database: under
    /// `sumdb/<name>/`, `supported`, the lookup and each tile the proof
    /// read, and the tree as `latest`.
    fn write_proof(&self, database: &str, proof: &Verified) -> Result<(), MirrorError> {
        let base = self.dir.join("sumdb").join(database);
        write_file(&base.join("supported"), b"")?;
        write_material(&base, &proof.used)?;
        let latest = base.join("latest");
        let newer = match std::fs::read(&latest) {
            Ok(old) => tree_size(&old).is_none_or(|size| size < proof.tree.size),
            Err(_) => true,
        };
        if newer {
            write_file(&latest, &proof.note)?;
        }
        Ok(())
    }

    /// After a run: every module `@v/list` names proved in the newest tree
    /// among their lookups, and each older lookup's tree proved consistent
    /// with it — the tiles for that, from the database, and that tree as
    /// `latest`. Go proves a record in the newest tree it has seen, so a
    /// node that looked up a module of a grown log first needs them to
    /// accept the others. Nothing to do without a database.
    pub fn prove_in_newest(&self, fetcher: &Fetcher, channel: &Channel) -> Result<(), MirrorError> {
        let Some(db) = &channel.database else {
            return Ok(());
        };
        let base = self.dir.join("sumdb").join(db.name());
        let listed = std::fs::read_to_string(self.module_dir().join("list")).unwrap_or_default();
        let mut answers = Vec::new();
        for version in listed.lines().filter(|v| !v.is_empty()) {
            // Toolchain module versions need no escaping.
            let path = format!("lookup/{TOOLCHAIN_MODULE}@{version}");
            let file = base.join(&path);
            match fsx::read_regular(&file, sumdb::MAX_LOOKUP_SIZE as u64)
                .map_err(|e| fsx::with_path(e, &file))?
            {
                fsx::Found::Bytes(bytes) => answers.push((path, bytes)),
                fsx::Found::NotAFile(kind) => return Err(super::not_a_file(&file, kind)),
                fsx::Found::Missing => {}
            }
        }
        // The newest signed tree among them; each note is verified below.
        let Some(target) = answers
            .iter()
            .filter_map(|(_, data)| sumdb::tlog::parse_record(data).ok())
            .map(|(_, _, note)| note)
            .max_by_key(|note| tree_size(note).unwrap_or(0))
            .map(<[u8]>::to_vec)
        else {
            return Ok(());
        };
        let url = if db.has_explicit_url() {
            db.url().to_string()
        } else {
            channel
                .proxies
                .sumdb_base(db.name(), db.url(), |url| {
                    fetcher.get(url, MAX_SMALL).map(|_| ())
                })
                .map_err(ChannelError::from)?
        };
        // The tiles the mirror already serves first (the proof checks each
        // against the signed tree); should one of them be damaged, all
        // from the database. The newest tree the operator's gov has seen
        // is not touched: the client's state is a scratch directory.
        let scratch = tempfile::tempdir()?;
        let upstream = FetchRemote { fetcher, base: url };
        let mirrored = MirrorFirst {
            dir: &base,
            upstream: &upstream,
        };
        let client = sumdb::Client::new(db, &mirrored, scratch.path(), scratch.path());
        let used = match client.material_for(&answers, &target) {
            Ok(used) => used,
            Err(_) => sumdb::Client::new(db, &upstream, scratch.path(), scratch.path())
                .material_for(&answers, &target)
                .map_err(ChannelError::from)?,
        };
        write_material(&base, &used)?;
        write_file(&base.join("latest"), &target)
    }

    /// Rewrites `@v/list` to list exactly the module zips DIR holds.
    pub fn write_module_list(&self) -> Result<(), MirrorError> {
        let dir = self.module_dir();
        let mut listed: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let version = name.strip_suffix(".zip")?;
                (version.starts_with("v0.0.1-go") && e.path().is_file())
                    .then(|| version.to_string())
            })
            .collect();
        if listed.is_empty() && !dir.exists() {
            return Ok(());
        }
        listed.sort();
        let mut body = listed.join("\n");
        if !body.is_empty() {
            body.push('\n');
        }
        write_file(&dir.join("list"), body.as_bytes())
    }
}

/// The database's files as the mirror holds them under `dir`
/// (`DIR/sumdb/<name>`), else from `upstream`.
struct MirrorFirst<'a> {
    dir: &'a Path,
    upstream: &'a FetchRemote<'a>,
}

impl sumdb::Remote for MirrorFirst<'_> {
    fn get(&self, path: &str) -> Result<Vec<u8>, sumdb::RemoteError> {
        if is_plain_path(path) {
            if let Ok(fsx::Found::Bytes(bytes)) = fsx::read_regular(&self.dir.join(path), MAX_SMALL)
            {
                return Ok(bytes);
            }
        }
        self.upstream.get(path)
    }
}

/// A path as a database names its files: relative, no `.` or `..`, no
/// empty component.
fn is_plain_path(path: &str) -> bool {
    !path
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
}

/// Database paths and their bytes under `base` (`DIR/sumdb/<name>`).
fn write_material(base: &Path, used: &[(String, Vec<u8>)]) -> Result<(), MirrorError> {
    for (path, bytes) in used {
        if !is_plain_path(path) {
            continue;
        }
        write_file(&base.join(path), bytes)?;
    }
    Ok(())
}

/// `bytes` at `path` (directories made), replaced whole, readable by all:
/// what a static web server serves.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), MirrorError> {
    if let Some(dir) = path.parent() {
        fs_err::create_dir_all(dir)?;
    }
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    fsx::write_atomic(path, bytes)?;
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .map_err(|e| fsx::with_path(e, path))?;
    Ok(())
}

/// The size of the tree a signed tree note names (`go.sum database
/// tree\nN\nHASH\n…`), if it is one.
fn tree_size(note: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(note).ok()?;
    let mut lines = text.lines();
    (lines.next()? == "go.sum database tree").then_some(())?;
    lines.next()?.parse().ok()
}
