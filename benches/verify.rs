//! What the checksum database client adds to an install once its tiles are
//! cached: `Client::lookup` with every tile (and the newest tree) already
//! on disk, timed lookup by lookup, median and spread.
//!
//! Two databases: the 600-record log of Go's own test server in
//! `src/sumdb/testdata/go_client_600.txt` (answers served from memory),
//! and, when `VERIFY_GOSUMDB='name+hash+key URL'` is set, a live server
//! (`goproxy-server serve`, as `bench/proxy.sh` runs it) asked for the Go
//! toolchain module `VERIFY_MODULE` (default
//! `golang.org/toolchain v0.0.1-go1.22.12.linux-amd64`).
//!
//! Three cases each:
//! - `cached`: the lookup answer, the tiles and the newest tree all on
//!   disk (the answer is proven again from them: signature, consistency,
//!   inclusion), no request at all;
//! - `answer fetched, tiles cached`: the lookup answer comes from the
//!   remote (removed from the cache before each run, untimed) and is
//!   written to the cache; the tiles are on disk;
//! - `cold`: fresh state and cache each run: everything from the remote,
//!   the tiles and the newest tree written.
//!
//!   cargo bench --bench verify            (VERIFY_RUNS=N, default 200)

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use ed25519_dalek::SigningKey;
use gov::sumdb::{note, Client, Database, Remote, RemoteError};

const FIXTURE: &str = include_str!("../src/sumdb/testdata/go_client_600.txt");
/// The fixture's database: the name and the key of seed 1 that the test
/// server signed with.
const FIXTURE_NAME: &str = "sumdb.example.com";
const FIXTURE_SEED: u8 = 1;

/// Answers from memory, counting the requests.
struct Memory {
    files: HashMap<String, Vec<u8>>,
    requests: AtomicUsize,
}

impl Remote for Memory {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.files.get(path).cloned().ok_or(RemoteError::NotFound)
    }
}

/// A live database over HTTP, counting the requests.
struct Http {
    base: String,
    agent: ureq::Agent,
    requests: AtomicUsize,
}

impl Remote for Http {
    fn get(&self, path: &str) -> Result<Vec<u8>, RemoteError> {
        use std::io::Read as _;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = format!("{}/{path}", self.base.trim_end_matches('/'));
        match self.agent.get(&url).call() {
            Ok(resp) => {
                let mut body = Vec::new();
                resp.into_reader()
                    .take(1 << 20)
                    .read_to_end(&mut body)
                    .map_err(|e| RemoteError::Failed(e.to_string()))?;
                Ok(body)
            }
            Err(ureq::Error::Status(404 | 410, _)) => Err(RemoteError::NotFound),
            Err(e) => Err(RemoteError::Failed(e.to_string())),
        }
    }
}

trait Counted: Remote {
    fn requests(&self) -> usize;
}

impl Counted for Memory {
    fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

impl Counted for Http {
    fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }
}

/// A record to look up and the hash it must have: module, version, `h1:`.
type Lookup = (String, String, String);

/// The fixture's lookups and every file served, by path.
fn fixture() -> (Vec<Lookup>, HashMap<String, Vec<u8>>) {
    let mut lookups = Vec::new();
    let mut files = HashMap::new();
    for line in FIXTURE.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields.as_slice() {
            ["LOOKUP", module, version, h1] => {
                lookups.push((module.to_string(), version.to_string(), h1.to_string()))
            }
            [path, data] => {
                let data = base64::engine::general_purpose::STANDARD
                    .decode(data)
                    .expect("the fixture's base64");
                files.insert(path.to_string(), data);
            }
            _ => panic!("bad fixture line {line:?}"),
        }
    }
    (lookups, files)
}

/// The verifier key of the fixture's test server.
fn fixture_key() -> String {
    let signing = SigningKey::from_bytes(&[FIXTURE_SEED; 32]);
    let mut data = vec![1u8]; // Ed25519
    data.extend_from_slice(signing.verifying_key().as_bytes());
    let hash = note::key_hash(FIXTURE_NAME, &data);
    format!(
        "{FIXTURE_NAME}+{hash:08x}+{}",
        base64::engine::general_purpose::STANDARD.encode(&data)
    )
}

/// Median, 10th and 90th percentiles, min and max of `times`.
struct Stats {
    median: Duration,
    p10: Duration,
    p90: Duration,
    min: Duration,
    max: Duration,
}

fn stats(mut times: Vec<Duration>) -> Stats {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Stats {
        median: at(0.5),
        p10: at(0.1),
        p90: at(0.9),
        min: times[0],
        max: times[times.len() - 1],
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn report(db: &str, case: &str, times: Vec<Duration>, requests: f64) {
    let n = times.len();
    let s = stats(times);
    println!(
        "{db:<18} {case:<28} median {} ms  p10 {} p90 {} min {} max {} ms  ({n} lookups, {requests:.1} requests each)",
        ms(s.median),
        ms(s.p10),
        ms(s.p90),
        ms(s.min),
        ms(s.max),
    );
}

/// The cache file of a lookup answer, as the client names it.
fn lookup_cache(cache: &Path, db: &Database, module: &str, version: &str) -> PathBuf {
    let path = gov::sumdb::escape_path(module).expect("a valid module path");
    let version = gov::sumdb::escape_version(version).expect("a valid version");
    cache
        .join(db.name())
        .join("lookup")
        .join(format!("{path}@{version}"))
}

/// Runs the three cases against `remote` for `lookups`, `runs` lookups
/// each (cycling through them).
fn bench<R: Counted>(label: &str, db: &Database, remote: &R, lookups: &[Lookup], runs: usize) {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let state = scratch.path().join("state");
    let cache = scratch.path().join("cache");
    let client = Client::new(db, remote, &state, &cache);
    // Warm: every answer, tile and the newest tree on disk.
    for (module, version, h1) in lookups {
        client
            .verify(module, version, h1)
            .unwrap_or_else(|e| panic!("{module}@{version}: {e}"));
    }

    // Everything cached: no request may be made.
    let before = remote.requests();
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let (module, version, h1) = &lookups[i % lookups.len()];
        let start = Instant::now();
        client
            .verify(module, version, h1)
            .expect("a cached lookup verifies");
        times.push(start.elapsed());
    }
    let requests = (remote.requests() - before) as f64 / runs as f64;
    assert_eq!(requests, 0.0, "a fully cached lookup made requests");
    report(label, "cached", times, requests);

    // The answer from the remote, the tiles from the cache.
    let before = remote.requests();
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let (module, version, h1) = &lookups[i % lookups.len()];
        let file = lookup_cache(&cache, db, module, version);
        std::fs::remove_file(&file)
            .unwrap_or_else(|e| panic!("the cached answer {}: {e}", file.display()));
        let start = Instant::now();
        client
            .verify(module, version, h1)
            .expect("a lookup with cached tiles verifies");
        times.push(start.elapsed());
    }
    let requests = (remote.requests() - before) as f64 / runs as f64;
    report(label, "answer fetched, tiles cached", times, requests);

    // Nothing cached.
    let cold_runs = runs.div_ceil(4).max(lookups.len());
    let before = remote.requests();
    let mut times = Vec::with_capacity(cold_runs);
    for i in 0..cold_runs {
        let (module, version, h1) = &lookups[i % lookups.len()];
        let fresh = tempfile::tempdir().expect("a scratch directory");
        let client = Client::new(
            db,
            remote,
            &fresh.path().join("state"),
            &fresh.path().join("cache"),
        );
        let start = Instant::now();
        client
            .verify(module, version, h1)
            .expect("a cold lookup verifies");
        times.push(start.elapsed());
    }
    let requests = (remote.requests() - before) as f64 / cold_runs as f64;
    report(label, "cold", times, requests);
}

fn main() {
    let runs: usize = std::env::var("VERIFY_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);

    let (lookups, files) = fixture();
    let db = Database::parse(&fixture_key()).expect("the fixture's key parses");
    let memory = Memory {
        files,
        requests: AtomicUsize::new(0),
    };
    bench("fixture (600)", &db, &memory, &lookups, runs);

    if let Ok(gosumdb) = std::env::var("VERIFY_GOSUMDB") {
        let db = Database::parse(&gosumdb).expect("VERIFY_GOSUMDB parses");
        let module = std::env::var("VERIFY_MODULE")
            .unwrap_or_else(|_| "golang.org/toolchain v0.0.1-go1.22.12.linux-amd64".into());
        let (path, version) = module
            .split_once(' ')
            .expect("VERIFY_MODULE is `module version`");
        let remote = Http {
            base: db.url().to_string(),
            agent: ureq::AgentBuilder::new().build(),
            requests: AtomicUsize::new(0),
        };
        // The record's own hash: the benchmark proves it, the install
        // would compare it with the zip's.
        let scratch = tempfile::tempdir().expect("a scratch directory");
        let probe = Client::new(
            &db,
            &remote,
            &scratch.path().join("s"),
            &scratch.path().join("c"),
        );
        let verified = probe.lookup(path, version).expect("the live lookup");
        let h1 = verified
            .hash_for(path, version)
            .expect("the record names the module")
            .to_string();
        let label = format!("live (tree {})", verified.tree.size);
        let lookups = [(path.to_string(), version.to_string(), h1)];
        bench(&label, &db, &remote, &lookups, runs);
    }
}
