//! `gov global` replaces `GOV_HOME/current` atomically: readers running
//! `current/bin/go` and the shim while it flips never see it missing.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::*;

#[test]
fn flipping_global_200_times_under_load_never_fails_a_reader() {
    let env = Arc::new(TestEnv::new());
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.21.5"]);
    let done = Arc::new(AtomicBool::new(false));
    let runs = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|i| {
            let (env, done, runs) = (env.clone(), done.clone(), runs.clone());
            std::thread::spawn(move || {
                let program = if i % 2 == 0 {
                    env.gov_home.join("current/bin/go")
                } else {
                    env.shim("go")
                };
                let mut failures = Vec::new();
                while !done.load(Ordering::Relaxed) {
                    let out = env.command(&program).arg("version").output().unwrap();
                    let text = stdout(&out);
                    let ok = out.status.success()
                        && (text.starts_with("go go1.21.5 ") || text.starts_with("go go1.22.4 "));
                    if !ok {
                        failures.push(format!("{:?}: {text} {}", out.status, stderr(&out)));
                    }
                    runs.fetch_add(1, Ordering::Relaxed);
                }
                failures
            })
        })
        .collect();
    for i in 0..200 {
        let v = if i % 2 == 0 { "1.22.4" } else { "1.21.5" };
        env.gov_ok(["--quiet", "global", v]);
    }
    done.store(true, Ordering::Relaxed);
    let failures: Vec<String> = readers
        .into_iter()
        .flat_map(|r| r.join().unwrap())
        .collect();
    assert!(
        failures.is_empty(),
        "{} failures, first: {}",
        failures.len(),
        failures[0]
    );
    assert!(
        runs.load(Ordering::Relaxed) > 50,
        "readers ran while it flipped"
    );
    assert_eq!(env.gov_ok(["global"]), "1.21.5\n");
    let leftovers: Vec<_> = std::fs::read_dir(&env.gov_home)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
