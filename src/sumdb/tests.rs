//! The client against an in-memory checksum database built from this
//! module's own log code and a key made in the test: first honest, then
//! lying in each way a server can.

use std::collections::HashMap;
use std::sync::Mutex;

use ed25519_dalek::SigningKey;

use super::note::testing::{key, sign};
use super::*;

const NAME: &str = "sumdb.example.com";
const TOOLCHAIN: &str = "golang.org/toolchain";
const VERSION: &str = "v0.0.1-go1.22.12.linux-amd64";
const ZIP_H1: &str = "h1:QjPkPd3SCBVJTq4ZtGHfJjgwvmFMS7Fgi3A6Mz/UEss=";
/// The `go.mod` of every toolchain module.
const GOMOD_H1: &str = "h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0=";

/// A log of records, as a checksum database keeps it.
struct Log {
    key: SigningKey,
    records: Vec<Vec<u8>>,
    hashes: Vec<tlog::Hash>,
    ids: HashMap<String, u64>,
}

impl Log {
    fn new(seed: u8) -> Log {
        Log {
            key: key(NAME, seed).0,
            records: Vec::new(),
            hashes: Vec::new(),
            ids: HashMap::new(),
        }
    }

    /// Appends the record of `module@version` with zip hash `h1`.
    fn add(&mut self, module: &str, version: &str, h1: &str) -> u64 {
        let text = format!("{module} {version} {h1}\n{module} {version}/go.mod {GOMOD_H1}\n");
        let id = self.records.len() as u64;
        let more = tlog::stored_hashes(id, text.as_bytes(), &mut self.hashes.as_slice()).unwrap();
        self.hashes.extend(more);
        self.records.push(text.into_bytes());
        let key = format!(
            "{}@{}",
            escape_path(module).unwrap(),
            escape_version(version).unwrap()
        );
        self.ids.insert(key, id);
        id
    }

    /// Appends `n` records of other modules, named after `tag`.
    fn fill(&mut self, tag: &str, n: usize) {
        for _ in 0..n {
            let i = self.records.len();
            self.add(
                &format!("example.com/{tag}{i}"),
                "v1.0.0",
                "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            );
        }
    }

    fn tree(&self, size: u64) -> tlog::Tree {
        tlog::Tree {
            n: size,
            hash: tlog::tree_hash(size, &mut self.hashes.as_slice()).unwrap(),
        }
    }

    fn note(&self, size: u64) -> Vec<u8> {
        sign(&tlog::format_tree(&self.tree(size)), NAME, &self.key)
    }
}

/// How the server misbehaves.
#[derive(Default, Clone)]
struct Behavior {
    /// Sign this older size instead of the whole log.
    signed: Option<u64>,
    /// Grow the signed size by this much at each lookup.
    grow: u64,
    /// Answer every lookup with this.
    lookup_body: Option<Vec<u8>>,
    /// Cut the last byte of every tile.
    truncate_tiles: bool,
    /// Change a byte of every tile.
    garbage_tiles: bool,
    /// No partial tiles at level 0 (the full one once there is one).
    no_partial: bool,
    /// Refuse every level-0 tile.
    fail_level0: bool,
    /// Refuse everything.
    down: bool,
}

/// A checksum database server over a [`Log`].
struct Server {
    log: Mutex<Log>,
    behavior: Mutex<Behavior>,
    requests: Mutex<Vec<String>>,
}

impl Server {
    fn new(log: Log) -> Server {
        Server {
            log: Mutex::new(log),
            behavior: Mutex::new(Behavior::default()),
            requests: Mutex::new(Vec::new()),
        }
    }

    fn with(self, behavior: Behavior) -> Server {
        *self.behavior.lock().unwrap() = behavior;
        self
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    fn signed_size(&self, log: &Log) -> u64 {
        let b = self.behavior.lock().unwrap();
        b.signed
            .unwrap_or(log.records.len() as u64)
            .min(log.records.len() as u64)
    }
}

impl Remote for Server {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        self.requests.lock().unwrap().push(path.to_string());
        let log = self.log.lock().unwrap();
        let b = self.behavior.lock().unwrap().clone();
        if b.down {
            return Err(RemoteError::Failed("connection refused".into()));
        }
        if let Some(key) = path.strip_prefix("lookup/") {
            if let Some(body) = b.lookup_body {
                return Ok(body);
            }
            let id = *log.ids.get(key).ok_or(RemoteError::NotFound)?;
            let size = self.signed_size(&log);
            if b.grow > 0 {
                let mut behavior = self.behavior.lock().unwrap();
                behavior.signed = Some(size + b.grow);
            }
            if id >= size {
                return Err(RemoteError::NotFound);
            }
            let mut body = tlog::format_record(id, &log.records[id as usize]).unwrap();
            body.extend(log.note(size));
            return Ok(body);
        }
        if path == "latest" {
            return Ok(log.note(self.signed_size(&log)));
        }
        let tile = Tile::parse(path).map_err(|_| RemoteError::NotFound)?;
        if tile.l == tlog::DATA_LEVEL || tile.h != TILE_HEIGHT {
            return Err(RemoteError::NotFound);
        }
        if tile.l == 0 && (b.fail_level0 || (b.no_partial && !tile.is_full())) {
            return Err(RemoteError::NotFound);
        }
        // What the whole log has at that level.
        let have = (log.records.len() as u64) >> (tile.l as u32 * tile.h);
        if (tile.n << tile.h) + u64::from(tile.w) > have {
            return Err(RemoteError::NotFound);
        }
        let mut data = tlog::read_tile_data(&tile, &mut log.hashes.as_slice()).unwrap();
        if b.truncate_tiles {
            data.pop();
        }
        if b.garbage_tiles {
            data[3] ^= 0x40;
        }
        Ok(data)
    }
}

/// A mirror: exactly the paths a lookup used, and nothing else.
struct Mirror(HashMap<String, Vec<u8>>);

impl Remote for Mirror {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        self.0.get(path).cloned().ok_or(RemoteError::NotFound)
    }
}

fn database(seed: u8) -> Database {
    Database::parse(&key(NAME, seed).1).unwrap()
}

/// The state and cache directories of one machine.
struct Dirs {
    _tmp: tempfile::TempDir,
    state: PathBuf,
    cache: PathBuf,
}

fn dirs() -> Dirs {
    let tmp = tempfile::tempdir().unwrap();
    Dirs {
        state: tmp.path().join("state"),
        cache: tmp.path().join("cache"),
        _tmp: tmp,
    }
}

fn client<'a>(dirs: &Dirs, server: &'a Server) -> Client<&'a Server> {
    Client::new(&database(1), server, &dirs.state, &dirs.cache)
}

/// A log of `before` other records, the toolchain, `after` others.
fn toolchain_log(seed: u8, tag: &str, before: usize, after: usize) -> Log {
    let mut log = Log::new(seed);
    log.fill(tag, before);
    log.add(TOOLCHAIN, VERSION, ZIP_H1);
    log.fill(tag, after);
    log
}

#[test]
fn an_honest_lookup_verifies_and_says_what_it_used() {
    let server = Server::new(toolchain_log(1, "m", 5, 3));
    let d = dirs();
    let c = client(&d, &server);
    let v = c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
    assert_eq!(
        v.lines,
        [
            format!("{TOOLCHAIN} {VERSION} {ZIP_H1}"),
            format!("{TOOLCHAIN} {VERSION}/go.mod {GOMOD_H1}"),
        ]
    );
    assert_eq!(v.hash_for(TOOLCHAIN, VERSION), Some(ZIP_H1));
    assert_eq!(v.hash_for_gomod(TOOLCHAIN, VERSION), Some(GOMOD_H1));
    assert_eq!(v.tree.size, 9);
    let log = server.log.lock().unwrap();
    assert_eq!(v.tree.hash, tlog::format_hash(&log.tree(9).hash));
    assert_eq!(v.note, log.note(9));
    drop(log);
    let paths: Vec<&str> = v.used.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [&format!("lookup/{TOOLCHAIN}@{VERSION}"), "tile/8/0/000.p/9"]
    );
    assert_eq!(server.requests(), paths);
    // Each path's bytes as the server serves them.
    for (path, data) in &v.used {
        assert_eq!(&server.get(path).unwrap(), data, "{path}");
    }
    // The newest tree is kept, and the tile cached as Go lays it out.
    assert_eq!(fs_err::read(c.latest_path()).unwrap(), v.note);
    assert_eq!(c.latest().unwrap(), Some(v.tree.clone()));
    assert!(d.cache.join(NAME).join("tile/8/0/000.p/9").is_file());

    // A mirror of exactly what was used proves it again, offline, on a
    // machine that has seen nothing yet.
    let mirror = Mirror(v.used.iter().cloned().collect());
    let fresh = dirs();
    let offline = Client::new(&database(1), &mirror, &fresh.state, &fresh.cache);
    assert_eq!(
        offline.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap().tree,
        v.tree
    );

    // Asked again: the cached lookup and tile, proven again, no requests.
    let before = server.requests().len();
    let again = c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
    assert_eq!(again.used, v.used);
    assert_eq!(server.requests().len(), before);
}

#[test]
fn a_checksum_mismatch_names_both_hashes_and_the_database() {
    let server = Server::new(toolchain_log(1, "m", 2, 2));
    let d = dirs();
    let other = "h1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=";
    let err = client(&d, &server)
        .verify(TOOLCHAIN, VERSION, other)
        .unwrap_err();
    assert!(err.is_security(), "{err}");
    assert!(matches!(err, SumdbError::ChecksumMismatch { .. }));
    let msg = err.to_string();
    assert_eq!(
        msg,
        format!(
            "SECURITY ERROR: verifying {TOOLCHAIN}@{VERSION}: checksum mismatch: downloaded {other}, but checksum database {NAME} has {ZIP_H1}"
        )
    );
    assert!(
        err.hint().unwrap().contains("another GOPROXY"),
        "{:?}",
        err.hint()
    );
}

#[test]
fn module_paths_and_versions_are_escaped_as_go_does() {
    assert_eq!(
        escape_path("github.com/Azure/azure-sdk-for-go").unwrap(),
        "github.com/!azure/azure-sdk-for-go"
    );
    assert_eq!(escape_version("v1.0.0-RC1").unwrap(), "v1.0.0-!r!c1");
    assert_eq!(escape_path(TOOLCHAIN).unwrap(), TOOLCHAIN);
    for bad in ["", "a//b", "../x", "x/./y", "x!y", "a b", "x/", "é.com/x"] {
        assert!(escape_path(bad).is_err(), "{bad}");
    }
    for bad in ["", "v1!", "v1/x", ".v1", "v1 2"] {
        assert!(escape_version(bad).is_err(), "{bad}");
    }

    let mut log = Log::new(1);
    log.add(
        "github.com/BurntSushi/toml",
        "v1.0.0-RC",
        "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let server = Server::new(log);
    let d = dirs();
    let v = client(&d, &server)
        .lookup("github.com/BurntSushi/toml", "v1.0.0-RC")
        .unwrap();
    assert_eq!(
        v.used[0].0,
        "lookup/github.com/!burnt!sushi/toml@v1.0.0-!r!c"
    );
    assert_eq!(v.lines.len(), 2);
    let err = client(&d, &server).lookup("../etc", "v1").unwrap_err();
    assert!(matches!(err, SumdbError::InvalidModule { .. }), "{err}");
    assert!(server.requests().len() == 2);
}

#[test]
fn a_growing_log_is_proven_consistent_both_ways() {
    let log = toolchain_log(1, "m", 3, 6); // the toolchain is record 3
    let server = Server::new(log).with(Behavior {
        signed: Some(10),
        ..Behavior::default()
    });
    let d = dirs();
    let c = client(&d, &server);
    c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
    assert_eq!(c.latest().unwrap().unwrap().size, 10);

    // The log grows to 300: the new tree must extend the stored one.
    server.log.lock().unwrap().fill("n", 290);
    server
        .log
        .lock()
        .unwrap()
        .add("example.com/late", "v1.0.0", ZIP_H1);
    server.behavior.lock().unwrap().signed = None;
    let v = c.lookup("example.com/late", "v1.0.0").unwrap();
    assert_eq!(v.tree.size, 301);
    assert_eq!(c.latest().unwrap(), Some(v.tree.clone()));
    assert_eq!(fs_err::read(c.latest_path()).unwrap(), v.note);

    // An answer signed at an older size: proven a prefix of the stored
    // tree, which stays.
    server.behavior.lock().unwrap().signed = Some(50);
    let v = c.lookup("example.com/n40", "v1.0.0").unwrap();
    assert_eq!(v.tree.size, 50);
    assert_eq!(c.latest().unwrap().unwrap().size, 301);
}

#[test]
fn a_record_not_in_the_tree_is_refused() {
    let log = toolchain_log(1, "m", 3, 3);
    let note = log.note(7);
    let text = log.records[3].clone();
    let server = Server::new(log);
    let d = dirs();

    // A number beyond the tree.
    let mut body = tlog::format_record(9, &text).unwrap();
    body.extend(&note);
    server.behavior.lock().unwrap().lookup_body = Some(body);
    let err = client(&d, &server).lookup(TOOLCHAIN, VERSION).unwrap_err();
    assert!(
        matches!(err, SumdbError::RecordNotInTree { id: 9, .. }),
        "{err}"
    );
    assert!(err.is_security());

    // A record that is not the one logged at its number.
    let forged = text
        .clone()
        .into_iter()
        .map(|b| if b == b'Q' { b'R' } else { b })
        .collect::<Vec<u8>>();
    let mut body = tlog::format_record(3, &forged).unwrap();
    body.extend(&note);
    server.behavior.lock().unwrap().lookup_body = Some(body);
    let err = client(&d, &server).lookup(TOOLCHAIN, VERSION).unwrap_err();
    assert!(
        matches!(err, SumdbError::RecordMismatch { id: 3, .. }),
        "{err}"
    );
    assert!(err.is_security());
    assert!(err.to_string().contains(NAME));
}

#[test]
fn a_note_signed_by_another_key_is_refused() {
    let server = Server::new(toolchain_log(2, "m", 3, 3));
    let d = dirs();
    let c = client(&d, &server);
    let err = c.lookup(TOOLCHAIN, VERSION).unwrap_err();
    assert!(
        matches!(
            err,
            SumdbError::Note {
                source: NoteError::UnknownKey { .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_security());
    assert!(err.hint().unwrap().contains("GOSUMDB"));
    assert_eq!(c.latest().unwrap(), None);
}

#[test]
fn a_forked_log_is_a_security_error_and_latest_stays() {
    // Each log ends with a record of `example.com/probe`, looked up in the
    // forked ones (the toolchain's answer is cached).
    let fork_of = |tag: &str, size: usize| {
        let mut log = toolchain_log(1, tag, 3, size - 5);
        log.add("example.com/probe", "v1.0.0", ZIP_H1);
        log
    };
    let honest = Server::new(fork_of("m", 10));
    let d = dirs();
    let c = client(&d, &honest);
    c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
    let stored = fs_err::read(c.latest_path()).unwrap();
    let honest_tree: Tree = honest.log.lock().unwrap().tree(10).into();

    // Same key, another history: larger, as large, smaller.
    for (size, tag) in [(12, "x"), (10, "y"), (8, "z")] {
        let forked = Server::new(fork_of(tag, size));
        let forked_tree: Tree = forked.log.lock().unwrap().tree(size as u64).into();
        let err = client(&d, &forked)
            .lookup("example.com/probe", "v1.0.0")
            .unwrap_err();
        assert!(err.is_security(), "{err}");
        assert_eq!(
            fs_err::read(c.latest_path()).unwrap(),
            stored,
            "latest replaced"
        );
        assert!(matches!(err, SumdbError::Fork(_)), "{err}");
        let msg = err.to_string();
        for want in [
            NAME.to_string(),
            format!("tree #10 ({})", honest_tree.hash),
            format!("tree #{size} ({})", forked_tree.hash),
        ] {
            assert!(msg.contains(&want), "{want} not in {msg}");
        }
        assert!(err.hint().unwrap().contains("report"));
    }
}

#[test]
fn two_trees_of_one_size_are_a_fork_without_a_tile() {
    let honest = Server::new(toolchain_log(1, "m", 5, 4));
    let d = dirs();
    let c = client(&d, &honest);
    c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
    let stored = fs_err::read(c.latest_path()).unwrap();
    // Another history as large, its tiles garbage and nothing cached.
    fs_err::remove_dir_all(&d.cache).unwrap();
    let forked = Server::new(toolchain_log(1, "x", 5, 4)).with(Behavior {
        garbage_tiles: true,
        ..Behavior::default()
    });
    let err = client(&d, &forked)
        .verify(TOOLCHAIN, VERSION, ZIP_H1)
        .unwrap_err();
    assert!(matches!(err, SumdbError::Fork(_)), "{err}");
    let forked_tree: Tree = forked.log.lock().unwrap().tree(10).into();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("tree #10 ({}) differs from", forked_tree.hash)),
        "{msg}"
    );
    assert_eq!(fs_err::read(c.latest_path()).unwrap(), stored);
}

#[test]
fn a_fork_that_rewrites_a_cached_full_tile_names_both_trees() {
    // 300 records: the honest lookup caches the full tile of records
    // 0-255, which the fork rewrites (record 7) as it grows by ten.
    let fork_at = |seven: &str, size: usize| {
        let mut log = Log::new(1);
        log.fill("m", 7);
        log.fill(seven, 1);
        log.fill("n", 292 - 8);
        log.add(TOOLCHAIN, VERSION, ZIP_H1);
        log.fill("late", size - 293);
        log.add("example.com/probe", "v1.0.0", ZIP_H1);
        log
    };
    let honest = Server::new(fork_at("m", 299));
    let d = dirs();
    let c = client(&d, &honest);
    c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
    let stored = fs_err::read(c.latest_path()).unwrap();
    let honest_tree: Tree = honest.log.lock().unwrap().tree(300).into();
    let cache_files = || {
        let mut files = Vec::new();
        let mut todo = vec![d.cache.clone()];
        while let Some(dir) = todo.pop() {
            for e in fs_err::read_dir(&dir).unwrap().flatten() {
                match e.file_type().unwrap().is_dir() {
                    true => todo.push(e.path()),
                    false => files.push((e.path(), fs_err::read(e.path()).unwrap())),
                }
            }
        }
        files.sort();
        files
    };
    let cached = cache_files();
    assert!(
        cached.iter().any(|(p, _)| p.ends_with("tile/8/1/000.p/1")),
        "{cached:?}"
    );

    let forked = Server::new(fork_at("x", 309));
    let forked_tree: Tree = forked.log.lock().unwrap().tree(310).into();
    let err = client(&d, &forked)
        .lookup("example.com/probe", "v1.0.0")
        .unwrap_err();
    assert!(matches!(err, SumdbError::Fork(_)), "{err}");
    let msg = err.to_string();
    for want in [
        format!("tree #300 ({})", honest_tree.hash),
        format!("tree #310 ({})", forked_tree.hash),
    ] {
        assert!(msg.contains(&want), "{want} not in {msg}");
    }
    assert_eq!(fs_err::read(c.latest_path()).unwrap(), stored);
    // The forked tiles proved the fork and were not cached.
    assert!(cache_files() == cached, "the cache changed");

    // Bad tiles from the remote are not a fork: the tile error stands.
    let garbage = Server::new(fork_at("m", 309)).with(Behavior {
        garbage_tiles: true,
        ..Behavior::default()
    });
    let err = client(&d, &garbage)
        .lookup("example.com/probe", "v1.0.0")
        .unwrap_err();
    assert!(matches!(err, SumdbError::Log { .. }), "{err}");
}

#[test]
fn truncated_or_garbage_tiles_and_bodies_are_refused() {
    let cases = [
        (
            Behavior {
                truncate_tiles: true,
                ..Behavior::default()
            },
            "TileSize",
        ),
        (
            Behavior {
                garbage_tiles: true,
                ..Behavior::default()
            },
            "InconsistentTile",
        ),
        (
            Behavior {
                lookup_body: Some(b"<html>Sign in to the hotel Wi-Fi</html>".to_vec()),
                ..Behavior::default()
            },
            "Malformed",
        ),
        (
            Behavior {
                lookup_body: Some(Vec::new()),
                ..Behavior::default()
            },
            "Malformed",
        ),
        (
            Behavior {
                lookup_body: Some(vec![b'7'; MAX_LOOKUP_SIZE + 1]),
                ..Behavior::default()
            },
            "Malformed",
        ),
    ];
    for (behavior, want) in cases {
        let server = Server::new(toolchain_log(1, "m", 300, 3)).with(behavior);
        let d = dirs();
        let c = client(&d, &server);
        let err = c.lookup(TOOLCHAIN, VERSION).unwrap_err();
        assert!(err.is_security(), "{err}");
        let got = match &err {
            SumdbError::Log {
                source: TlogError::TileSize { .. },
                ..
            } => "TileSize",
            SumdbError::Log {
                source: TlogError::InconsistentTile(_),
                ..
            } => "InconsistentTile",
            SumdbError::Malformed { .. } => "Malformed",
            _ => "other",
        };
        assert_eq!(got, want, "{err}");
        assert!(err.to_string().contains(NAME), "{err}");
        // Nothing unproven is cached.
        assert!(!d.cache.join(NAME).join("tile").exists());
        assert!(!d.cache.join(NAME).join("lookup").exists());
    }
}

#[test]
fn remote_failures_are_not_security_errors() {
    let server = Server::new(toolchain_log(1, "m", 3, 3));
    let d = dirs();
    let err = client(&d, &server)
        .lookup("example.com/unknown", "v1.0.0")
        .unwrap_err();
    assert!(
        err.is_not_found() && err.is_remote() && !err.is_security(),
        "{err}"
    );
    assert!(err
        .to_string()
        .contains("lookup/example.com/unknown@v1.0.0"));

    server.behavior.lock().unwrap().down = true;
    let err = client(&d, &server).lookup(TOOLCHAIN, VERSION).unwrap_err();
    assert!(
        err.is_remote() && !err.is_not_found() && !err.is_security(),
        "{err}"
    );
    assert!(err.hint().is_some());
}

#[test]
fn partial_tiles_fall_back_to_full_ones_and_cached_full_tiles_serve() {
    // Records 5, 300 and 310 are looked up; the log has 600.
    let mut log = Log::new(1);
    log.fill("m", 5);
    log.add("example.com/a", "v1.0.0", ZIP_H1);
    log.fill("m", 294);
    log.add("example.com/b", "v1.0.0", ZIP_H1);
    log.fill("m", 9);
    log.add("example.com/c", "v1.0.0", ZIP_H1);
    log.fill("m", 289);
    assert_eq!(log.records.len(), 600);

    // Signed at 300, no partial level-0 tiles: the full one is used.
    let server = Server::new(log).with(Behavior {
        signed: Some(301),
        no_partial: true,
        ..Behavior::default()
    });
    let d = dirs();
    let v = client(&d, &server)
        .lookup("example.com/b", "v1.0.0")
        .unwrap();
    let paths: Vec<&str> = v.used.iter().map(|(p, _)| p.as_str()).collect();
    assert!(paths.contains(&"tile/8/0/001"), "{paths:?}");
    assert!(!paths.contains(&"tile/8/0/001.p/45"), "{paths:?}");
    assert!(server.requests().contains(&"tile/8/0/001.p/45".to_string()));

    // Signed at 512: record 5's tile, full, is cached too.
    server.behavior.lock().unwrap().signed = Some(512);
    client(&d, &server)
        .lookup("example.com/a", "v1.0.0")
        .unwrap();

    // Signed at 400, level-0 tiles refused: the cached full tiles serve
    // the partial ones needed.
    *server.behavior.lock().unwrap() = Behavior {
        signed: Some(400),
        fail_level0: true,
        ..Behavior::default()
    };
    server.requests.lock().unwrap().clear();
    let v = client(&d, &server)
        .lookup("example.com/c", "v1.0.0")
        .unwrap();
    assert_eq!(v.tree.size, 400);
    assert!(
        server
            .requests()
            .iter()
            .all(|p| !p.starts_with("tile/8/0/")),
        "{:?}",
        server.requests()
    );
    assert!(v
        .used
        .iter()
        .any(|(p, d)| p == "tile/8/0/001" && d.len() == 256 * 32));
}

#[test]
fn a_damaged_latest_is_reported_with_its_path() {
    let server = Server::new(toolchain_log(1, "m", 3, 3));
    let d = dirs();
    let c = client(&d, &server);
    fs_err::create_dir_all(c.latest_path().parent().unwrap()).unwrap();
    fs_err::write(c.latest_path(), "go.sum database tree\n5\n").unwrap();
    let err = c.lookup(TOOLCHAIN, VERSION).unwrap_err();
    assert!(matches!(err, SumdbError::CorruptLatest { .. }), "{err}");
    assert!(!err.is_security());
    assert!(err
        .hint()
        .unwrap()
        .contains(&c.latest_path().display().to_string()));
}

#[test]
fn two_processes_verifying_at_once_keep_latest_whole() {
    let mut log = Log::new(1);
    log.add(TOOLCHAIN, VERSION, ZIP_H1);
    log.fill("m", 400);
    let server = Server::new(log).with(Behavior {
        signed: Some(20),
        grow: 13,
        ..Behavior::default()
    });
    let d = dirs();
    std::thread::scope(|s| {
        for t in 0..2 {
            let (server, d) = (&server, &d);
            s.spawn(move || {
                for i in 0..12 {
                    // Each its own client, as two processes would have.
                    let c = client(d, server);
                    let module = format!("example.com/m{}", 1 + t + i);
                    c.lookup(&module, "v1.0.0").unwrap();
                    c.verify(TOOLCHAIN, VERSION, ZIP_H1).unwrap();
                }
            });
        }
    });
    let c = client(&d, &server);
    let latest = c.latest().unwrap().unwrap();
    let log = server.log.lock().unwrap();
    assert_eq!(latest, log.tree(latest.size).into());
    assert!(latest.size > 200, "{latest:?}");
}

#[test]
fn gosumdb_values() {
    let go = Database::default();
    assert_eq!(go.name(), "sum.golang.org");
    assert_eq!(go.key(), GO_SUMDB_KEY);
    assert_eq!(go.url(), "https://sum.golang.org");
    assert!(!go.has_explicit_url());
    assert_eq!(Database::parse("sum.golang.org").unwrap(), go);

    let cn = Database::parse("sum.golang.google.cn").unwrap();
    assert_eq!(
        (cn.name(), cn.url()),
        ("sum.golang.org", "https://sum.golang.google.cn")
    );
    assert_eq!(cn.key(), GO_SUMDB_KEY);

    let own = key(NAME, 1).1;
    let db = Database::parse(&format!("{own} https://proxy.example/sumdb/{NAME}/")).unwrap();
    assert_eq!(db.name(), NAME);
    assert_eq!(db.key(), own);
    assert_eq!(db.url(), format!("https://proxy.example/sumdb/{NAME}"));
    assert!(db.has_explicit_url());
    let at = Database::parse("sum.golang.org http://localhost:8080").unwrap();
    assert_eq!(
        (at.name(), at.url()),
        ("sum.golang.org", "http://localhost:8080")
    );

    // A name with a path: not a host.
    let path_key = key("example.com/db", 1).1;
    for bad in [
        "".to_string(),
        "off".to_string(),
        "a b c".to_string(),
        "sum.golang.google.cn https://x".to_string(),
        "example.com".to_string(),
        format!("{own} not-a-url"),
        own.replace("+", "+0"),
        path_key,
    ] {
        let err = Database::parse(&bad).unwrap_err();
        assert!(
            matches!(
                err,
                SumdbError::InvalidGosumdb { .. } | SumdbError::InvalidGosumdbKey { .. }
            ),
            "{bad}: {err}"
        );
        assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        assert!(err.hint().unwrap().contains("GOSUMDB"));
    }
}

/// What Go's own `sumdb.TestServer` (golang.org/x/mod 0.7.0) served for a
/// log of five lookups, signed by `key(NAME, 1)`: each lookup answer once
/// the tree had all five, and every tile of that tree (base64).
const GO_SERVED: &[(&str, &str)] = &[
    (
        "lookup/golang.org/toolchain@v0.0.1-go1.22.12.linux-amd64",
        "MApnb2xhbmcub3JnL3Rvb2xjaGFpbiB2MC4wLjEtZ28xLjIyLjEyLmxpbnV4LWFtZDY0IGgxOloyOXNZVzVuTG05eVp5OTBiMjlzWTJoaGFXNTJNQzR3TGpFdFoyOHhMakk9CmdvbGFuZy5vcmcvdG9vbGNoYWluIHYwLjAuMS1nbzEuMjIuMTIubGludXgtYW1kNjQvZ28ubW9kIGgxOjh3bGc2OE5xd1c3ZU1uSTFhQUJrL0MycERZWGo4bXJNWTRUeVJmaUxlUzA9Cgpnby5zdW0gZGF0YWJhc2UgdHJlZQo1CkpxVHREMzZORXBDMTZSdGoyZDJtYW5SS1lPQ2w4QXcwWlgyU2RqYmI4dk09CgrigJQgc3VtZGIuZXhhbXBsZS5jb20gOVQxakwyVDFVQjYvY1k5MmV1ZUVVeFEvVHRDUmhWUjNlZExoOGY1SncvaHhyWHNvejFIbnV6T1h6WFQxTW9QekZDYTJxMXB2d3BHb05NbndJTXd2NkhmcHB3WT0K",
    ),
    (
        "lookup/github.com/!burnt!sushi/toml@v1.0.0-!r!c",
        "MQpnaXRodWIuY29tL0J1cm50U3VzaGkvdG9tbCB2MS4wLjAtUkMgaDE6WjJsMGFIVmlMbU52YlM5Q2RYSnVkRk4xYzJocEwzUnZiV3gyTVM0d0xqQT0KZ2l0aHViLmNvbS9CdXJudFN1c2hpL3RvbWwgdjEuMC4wLVJDL2dvLm1vZCBoMTo4d2xnNjhOcXdXN2VNbkkxYUFCay9DMnBEWVhqOG1yTVk0VHlSZmlMZVMwPQoKZ28uc3VtIGRhdGFiYXNlIHRyZWUKNQpKcVR0RDM2TkVwQzE2UnRqMmQybWFuUktZT0NsOEF3MFpYMlNkamJiOHZNPQoK4oCUIHN1bWRiLmV4YW1wbGUuY29tIDlUMWpMMlQxVUI2L2NZOTJldWVFVXhRL1R0Q1JoVlIzZWRMaDhmNUp3L2h4clhzb3oxSG51ek9YelhUMU1vUHpGQ2EycTFwdndwR29OTW53SU13djZIZnBwd1k9Cg==",
    ),
    (
        "lookup/example.com/a@v1.0.0",
        "MgpleGFtcGxlLmNvbS9hIHYxLjAuMCBoMTpaWGhoYlhCc1pTNWpiMjB2WVhZeExqQXVNREF4TWpNME5UWTNPRGxoWW1OPQpleGFtcGxlLmNvbS9hIHYxLjAuMC9nby5tb2QgaDE6OHdsZzY4TnF3VzdlTW5JMWFBQmsvQzJwRFlYajhtck1ZNFR5UmZpTGVTMD0KCmdvLnN1bSBkYXRhYmFzZSB0cmVlCjUKSnFUdEQzNk5FcEMxNlJ0ajJkMm1hblJLWU9DbDhBdzBaWDJTZGpiYjh2TT0KCuKAlCBzdW1kYi5leGFtcGxlLmNvbSA5VDFqTDJUMVVCNi9jWTkyZXVlRVV4US9UdENSaFZSM2VkTGg4ZjVKdy9oeHJYc296MUhudXpPWHpYVDFNb1B6RkNhMnExcHZ3cEdvTk1ud0lNd3Y2SGZwcHdZPQo=",
    ),
    (
        "lookup/example.com/b@v1.0.0",
        "MwpleGFtcGxlLmNvbS9iIHYxLjAuMCBoMTpaWGhoYlhCc1pTNWpiMjB2WW5ZeExqQXVNREF4TWpNME5UWTNPRGxoWW1OPQpleGFtcGxlLmNvbS9iIHYxLjAuMC9nby5tb2QgaDE6OHdsZzY4TnF3VzdlTW5JMWFBQmsvQzJwRFlYajhtck1ZNFR5UmZpTGVTMD0KCmdvLnN1bSBkYXRhYmFzZSB0cmVlCjUKSnFUdEQzNk5FcEMxNlJ0ajJkMm1hblJLWU9DbDhBdzBaWDJTZGpiYjh2TT0KCuKAlCBzdW1kYi5leGFtcGxlLmNvbSA5VDFqTDJUMVVCNi9jWTkyZXVlRVV4US9UdENSaFZSM2VkTGg4ZjVKdy9oeHJYc296MUhudXpPWHpYVDFNb1B6RkNhMnExcHZ3cEdvTk1ud0lNd3Y2SGZwcHdZPQo=",
    ),
    (
        "lookup/example.com/c@v1.0.0",
        "NApleGFtcGxlLmNvbS9jIHYxLjAuMCBoMTpaWGhoYlhCc1pTNWpiMjB2WTNZeExqQXVNREF4TWpNME5UWTNPRGxoWW1OPQpleGFtcGxlLmNvbS9jIHYxLjAuMC9nby5tb2QgaDE6OHdsZzY4TnF3VzdlTW5JMWFBQmsvQzJwRFlYajhtck1ZNFR5UmZpTGVTMD0KCmdvLnN1bSBkYXRhYmFzZSB0cmVlCjUKSnFUdEQzNk5FcEMxNlJ0ajJkMm1hblJLWU9DbDhBdzBaWDJTZGpiYjh2TT0KCuKAlCBzdW1kYi5leGFtcGxlLmNvbSA5VDFqTDJUMVVCNi9jWTkyZXVlRVV4US9UdENSaFZSM2VkTGg4ZjVKdy9oeHJYc296MUhudXpPWHpYVDFNb1B6RkNhMnExcHZ3cEdvTk1ud0lNd3Y2SGZwcHdZPQo=",
    ),
    (
        "tile/8/0/000.p/1",
        "pz722QQsRTxN8jxTtOQQVypijKhODtzOZSFsPPRYGak=",
    ),
    (
        "tile/8/0/000.p/2",
        "pz722QQsRTxN8jxTtOQQVypijKhODtzOZSFsPPRYGanbZXX7zgsilsfIoTqhKU54cfNjMGKLQPNEEFSuyZN+LQ==",
    ),
    (
        "tile/8/0/000.p/3",
        "pz722QQsRTxN8jxTtOQQVypijKhODtzOZSFsPPRYGanbZXX7zgsilsfIoTqhKU54cfNjMGKLQPNEEFSuyZN+LXfEp7ZEnJwXeXKZ2vWIy11n0pRbc9uqjcbP9kzSmhuW",
    ),
    (
        "tile/8/0/000.p/4",
        "pz722QQsRTxN8jxTtOQQVypijKhODtzOZSFsPPRYGanbZXX7zgsilsfIoTqhKU54cfNjMGKLQPNEEFSuyZN+LXfEp7ZEnJwXeXKZ2vWIy11n0pRbc9uqjcbP9kzSmhuW4SKS29DWfVxak4Osg1tQJsEFYhtLp28iV6R9pWznre8=",
    ),
    (
        "tile/8/0/000.p/5",
        "pz722QQsRTxN8jxTtOQQVypijKhODtzOZSFsPPRYGanbZXX7zgsilsfIoTqhKU54cfNjMGKLQPNEEFSuyZN+LXfEp7ZEnJwXeXKZ2vWIy11n0pRbc9uqjcbP9kzSmhuW4SKS29DWfVxak4Osg1tQJsEFYhtLp28iV6R9pWznre+99OLoldZ4OX/dyqywWpXjHiV3G0fJcorFSdUfk2YIJg==",
    ),
];

/// Go's own server as the oracle: its answers and tiles, made by x/mod's
/// code, verify here; its note for the tree is byte for byte what the
/// key signs here.
#[test]
fn what_gos_own_server_serves_verifies() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    assert_eq!(
        key(NAME, 1).1,
        "sumdb.example.com+f53d632f+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"
    );
    let mirror = Mirror(
        GO_SERVED
            .iter()
            .map(|(p, b)| (p.to_string(), b64(b)))
            .collect(),
    );
    let d = dirs();
    let c = Client::new(&database(1), &mirror, &d.state, &d.cache);
    let modules = [
        (TOOLCHAIN, VERSION),
        ("github.com/BurntSushi/toml", "v1.0.0-RC"),
        ("example.com/a", "v1.0.0"),
        ("example.com/b", "v1.0.0"),
        ("example.com/c", "v1.0.0"),
    ];
    for (module, version) in modules {
        let v = c.lookup(module, version).unwrap();
        assert_eq!(v.tree.size, 5);
        assert_eq!(v.hash_for_gomod(module, version), Some(GOMOD_H1));
        let h1 = v.hash_for(module, version).unwrap().to_string();
        c.verify(module, version, &h1).unwrap();
    }
    // The tree as Go signed it; our log code agrees on its hash.
    let mut log = Log::new(1);
    for (i, (module, _)) in modules.iter().enumerate() {
        let answer = b64(GO_SERVED[i].1);
        let (_, text, _) = tlog::parse_record(&answer).unwrap();
        assert!(text.starts_with(module.as_bytes()) || i == 1);
        let id = log.records.len() as u64;
        let more = tlog::stored_hashes(id, text, &mut log.hashes.as_slice()).unwrap();
        log.hashes.extend(more);
        log.records.push(text.to_vec());
    }
    let latest = b64("Z28uc3VtIGRhdGFiYXNlIHRyZWUKNQpKcVR0RDM2TkVwQzE2UnRqMmQybWFuUktZT0NsOEF3MFpYMlNkamJiOHZNPQoK4oCUIHN1bWRiLmV4YW1wbGUuY29tIDlUMWpMMlQxVUI2L2NZOTJldWVFVXhRL1R0Q1JoVlIzZWRMaDhmNUp3L2h4clhzb3oxSG51ek9YelhUMU1vUHpGQ2EycTFwdndwR29OTW53SU13djZIZnBwd1k9Cg==");
    assert_eq!(log.note(5), latest);
    assert_eq!(fs_err::read(c.latest_path()).unwrap(), latest);
}

/// Go's own client (x/mod 0.7.0), each time fresh, looking up records 5,
/// 300 and 599 in a 600-record log of Go's own test server: the answer
/// Go got (`LOOKUP module version h1`) and every path it fetched, with
/// its bytes (`path base64`).
const GO_CLIENT_600: &str = include_str!("testdata/go_client_600.txt");

/// The same lookups through this client, from only what Go fetched: the
/// same hashes, and exactly the same paths used.
#[test]
fn fetches_what_gos_client_fetches() {
    use base64::Engine as _;
    use std::collections::BTreeSet;
    /// What Go looked up (module, version, h1) and the files it fetched.
    type Group = ((String, String, String), HashMap<String, Vec<u8>>);
    let mut groups: Vec<Group> = Vec::new();
    for line in GO_CLIENT_600.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            ["LOOKUP", module, version, h1] => {
                groups.push((
                    (module.to_string(), version.to_string(), h1.to_string()),
                    HashMap::new(),
                ));
            }
            [path, data] => {
                let data = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .unwrap();
                groups.last_mut().unwrap().1.insert(path.to_string(), data);
            }
            _ => panic!("bad fixture line {line:?}"),
        }
    }
    assert_eq!(groups.len(), 3);
    for ((module, version, h1), files) in groups {
        let go_paths: BTreeSet<String> = files.keys().cloned().collect();
        let mirror = Mirror(files);
        let d = dirs();
        let c = Client::new(&database(1), &mirror, &d.state, &d.cache);
        let v = c.verify(&module, &version, &h1).unwrap();
        assert_eq!(v.tree.size, 600);
        let ours: BTreeSet<String> = v.used.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(ours, go_paths, "{module}");
    }
}

#[test]
fn material_for_proves_older_answers_in_the_newest_tree() {
    // Two toolchains in the log, looked up by two machines that share
    // nothing: the first when the log held 602 records, the second at 902.
    const OTHER: &str = "v0.0.1-go1.21.13.linux-amd64";
    let mut log = Log::new(1);
    log.fill("m", 300);
    log.add(TOOLCHAIN, OTHER, ZIP_H1);
    log.add(TOOLCHAIN, VERSION, ZIP_H1);
    log.fill("n", 300);
    let server = Server::new(log);
    let old = client(&dirs(), &server).lookup(TOOLCHAIN, OTHER);
    let old = old.unwrap();
    assert_eq!(old.tree.size, 602);
    server.log.lock().unwrap().fill("o", 300);
    let new = client(&dirs(), &server).lookup(TOOLCHAIN, VERSION).unwrap();
    assert_eq!(new.tree.size, 902);
    let answers: Vec<(String, Vec<u8>)> = [&old, &new].iter().map(|v| v.used[0].clone()).collect();
    let mut served: HashMap<String, Vec<u8>> = old.used.iter().chain(&new.used).cloned().collect();

    // A node that sees the newer tree first cannot prove the older one a
    // prefix of it from the two lookups' material alone.
    let node = |served: &HashMap<String, Vec<u8>>| {
        let d = dirs();
        let c = Client::new(&database(1), Mirror(served.clone()), &d.state, &d.cache);
        c.lookup(TOOLCHAIN, VERSION)?;
        c.lookup(TOOLCHAIN, OTHER)
    };
    let err = node(&served).unwrap_err();
    assert!(err.is_remote(), "{err}");

    let c = client(&dirs(), &server);
    let more = c.material_for(&answers, &new.note).unwrap();
    assert!(more.iter().any(|(p, _)| p == "tile/8/0/002"), "{more:?}");
    served.extend(more);
    let v = node(&served).unwrap();
    assert_eq!(v.hash_for(TOOLCHAIN, OTHER), Some(ZIP_H1));
    // Nothing kept: material_for neither reads nor writes `latest`.
    assert_eq!(c.latest().unwrap(), None);

    // A target another key signed, or one of another history (the tiles
    // do not hash to it), is refused.
    let mut other = Log::new(2);
    other.fill("m", 902);
    let err = c.material_for(&answers, &other.note(902)).unwrap_err();
    assert!(matches!(err, SumdbError::Note { .. }), "{err}");
    let mut forked = Log::new(1);
    forked.fill("x", 902);
    let err = c.material_for(&answers, &forked.note(902)).unwrap_err();
    assert!(err.is_security(), "{err}");
}
