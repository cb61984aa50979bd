//! Under load: 10,000 shim calls from 16 workers while another process
//! flips the global default between two releases and a third is installed
//! and uninstalled over and over. Every call succeeds and runs a release
//! that was installed at the time; nothing temporary is left behind.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::mirror::Mirror;
use crate::common::*;

const CALLS: usize = 10_000;
const WORKERS: usize = 16;

#[test]
fn ten_thousand_shim_calls_while_the_store_changes() {
    let m = Arc::new(Mirror::new(&["1.21.5", "1.22.4", "1.23.0"]));
    assert_success(&m.gov(&["install", "1.21.5", "1.22.4"]));
    assert_success(&m.gov(&["global", "1.21.5"]));
    let done = Arc::new(AtomicBool::new(false));
    let (flips, installs) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));

    let flipper = {
        let (m, done, flips) = (m.clone(), done.clone(), flips.clone());
        std::thread::spawn(move || {
            for v in ["1.22.4", "1.21.5"].iter().cycle() {
                if done.load(Ordering::Relaxed) {
                    break;
                }
                assert_success(&m.gov(&["--quiet", "global", v]));
                flips.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    let churner = {
        let (m, done, installs) = (m.clone(), done.clone(), installs.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                assert_success(&m.gov(&["--quiet", "install", "1.23.0"]));
                assert_success(&m.gov(&["--quiet", "uninstall", "1.23.0"]));
                installs.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let start = std::time::Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (m, next) = (m.clone(), next.clone());
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < CALLS {
                    let out = m.env.go(&m.env.work, &["version"]);
                    let text = stdout(&out);
                    let ran_installed = text.starts_with("go version go1.21.5 ")
                        || text.starts_with("go version go1.22.4 ");
                    if !out.status.success() || !ran_installed {
                        failures.push(format!("{:?}: {text} {}", out.status.code(), stderr(&out)));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let took = start.elapsed();
    done.store(true, Ordering::Relaxed);
    flipper.join().unwrap();
    churner.join().unwrap();

    eprintln!(
        "soak: {CALLS} calls from {WORKERS} workers in {:.1} s ({:.0} calls/s), {} global flips, {} install/uninstall rounds",
        took.as_secs_f64(),
        CALLS as f64 / took.as_secs_f64(),
        flips.load(Ordering::Relaxed),
        installs.load(Ordering::Relaxed)
    );
    assert!(
        failures.is_empty(),
        "{} of {CALLS} calls failed, e.g. {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
    assert!(
        flips.load(Ordering::Relaxed) > 10 && installs.load(Ordering::Relaxed) > 2,
        "the store changed under load"
    );

    // Nothing temporary left: no scratch, no half-made link, no temp file.
    let leftovers: Vec<_> = walk(&m.env.gov_home)
        .into_iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| {
            name.ends_with(".tmp") || name.starts_with(".trash") || name.starts_with(".doctor")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let tmp = std::fs::read_dir(m.env.gov_home.join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(tmp, 0, "scratch directories left in tmp/");
}
