//! Named points in gov's changes to the store, to a project and to a
//! mirror, at which the order of the steps is what keeps them safe: a test
//! kills gov at one ([`env_vars::GOV_TEST_CRASH_AT`]) and checks that what
//! it left is whole, that `gov doctor` names any fix, and that the next run
//! completes (`tests/it/crash.rs`).
//!
//! Compiled in only with the `test-hooks` feature, which the tests turn
//! on: in any other build [`reached`] is nothing, and gov reads no such
//! variable.

/// Every checkpoint, in the order a change passes them.
pub const ALL: &[&str] = &[
    // `gov install`: the archive unpacked and verified in scratch space …
    "install-verified",
    // … its record written, the release not yet renamed into `versions/` …
    "install-recorded",
    // … renamed into place, the shims not yet brought in line.
    "install-renamed",
    // The global default (`gov global`, `gov rollback`, `gov upgrade`, a
    // first install): `current` swapped, the change not yet appended to
    // the history …
    "global-linked",
    // … appended, the shims not yet brought in line.
    "global-recorded",
    // `gov upgrade`: every file it may change kept in the journal, none
    // changed yet …
    "upgrade-kept",
    // … go.mod moved (`--go-mod`), the checks not yet run …
    "upgrade-edited",
    // … the checks passed, nothing switched yet …
    "upgrade-checked",
    // … switched, the journal not yet removed.
    "upgrade-switched",
    // `gov mirror`: an archive renamed into place, its `.sha256` not yet
    // written …
    "mirror-archive",
    // … the `.sha256` written, the index not yet rewritten.
    "mirror-sha256",
];

/// Ends gov at once, as `kill -9` would — no destructors, no buffers
/// flushed, no lock released but by the kernel — when
/// `GOV_TEST_CRASH_AT` names `name`.
#[cfg(feature = "test-hooks")]
pub fn reached(name: &str) {
    debug_assert!(ALL.contains(&name), "undeclared checkpoint {name}");
    // A test hook reads the process directly: the change that reaches it
    // has no `Context` at hand, and a real gov has no hook to read.
    if std::env::var_os(crate::env_vars::GOV_TEST_CRASH_AT).is_some_and(|at| at == name) {
        eprintln!("gov: killed at the checkpoint `{name}` (GOV_TEST_CRASH_AT)");
        // SAFETY: plain calls; SIGKILL cannot be caught, so nothing of
        // gov's runs after it.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        unreachable!("SIGKILL ends the process");
    }
}

/// Without the `test-hooks` feature: nothing.
#[cfg(not(feature = "test-hooks"))]
#[inline(always)]
pub fn reached(_name: &str) {}
