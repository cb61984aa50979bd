//! Real entries of the Go vulnerability database (tests/data/vulndb/ID),
//! and what they say of Go releases, worked out by hand from each entry's
//! ranges (quoted beside each group of rows).

use super::osv::{Entry, Fix};
use super::semver::Semver;
use crate::version::Version;

fn entry(id: &str) -> Entry {
    let path = format!(
        "{}/tests/data/vulndb/ID/{id}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let e: Entry = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    e.validate().unwrap();
    e
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

#[test]
fn affected_or_not_by_hand() {
    // (release, entry, affected)
    let rows = [
        // GO-2023-1702 stdlib: introduced 0, fixed 1.19.8; 1.20.0-0 .. 1.20.3
        ("1.19.7", "GO-2023-1702", true),
        ("1.19.8", "GO-2023-1702", false), // the fixed release itself
        ("1.20rc1", "GO-2023-1702", true), // 1.20.0-rc.1 >= 1.20.0-0
        ("1.20", "GO-2023-1702", true),
        ("1.20.2", "GO-2023-1702", true),
        ("1.20.3", "GO-2023-1702", false),
        ("1.21.13", "GO-2023-1702", false),
        ("1.9.2rc2", "GO-2023-1702", true),
        // GO-2023-1751 stdlib: 0 .. 1.19.9; 1.20.0-0 .. 1.20.4
        ("1.19.8", "GO-2023-1751", true), // the last affected 1.19
        ("1.19.9", "GO-2023-1751", false),
        ("1.20.4", "GO-2023-1751", false),
        // GO-2023-1839 toolchain: 0 .. 1.19.10; 1.20.0-0 .. 1.20.5
        ("1.19.8", "GO-2023-1839", true),
        ("1.19.10", "GO-2023-1839", false),
        ("1.21.0", "GO-2023-1839", false),
        // GO-2023-1987 stdlib: 0 .. 1.19.12; 1.20.0-0 .. 1.20.7; 1.21.0-0 .. 1.21.0-rc.4
        ("1.21rc2", "GO-2023-1987", true), // 1.21.0-rc.2 < 1.21.0-rc.4
        ("1.21rc3", "GO-2023-1987", true),
        ("1.21rc4", "GO-2023-1987", false), // a pre-release fixes it
        ("1.21.0", "GO-2023-1987", false),
        ("1.20.6", "GO-2023-1987", true),
        ("1.20.7", "GO-2023-1987", false),
        // GO-2023-2042 toolchain: 1.21.0-0 .. 1.21.1 only
        ("1.20.14", "GO-2023-2042", false),
        ("1.21rc1", "GO-2023-2042", true), // the introduced bound is below every 1.21 pre-release
        ("1.21.0", "GO-2023-2042", true),
        ("1.21.1", "GO-2023-2042", false),
        // GO-2023-2185: two stdlib blocks (0 .. 1.20.11, 1.21.0-0 .. 1.21.4;
        // and the regression 1.20.11 .. 1.20.12, 1.21.4 .. 1.21.5)
        ("1.20.10", "GO-2023-2185", true),
        ("1.20.11", "GO-2023-2185", true), // fixed by the first block, broken by the second
        ("1.20.12", "GO-2023-2185", false),
        ("1.21.4", "GO-2023-2185", true),
        ("1.21.5", "GO-2023-2185", false),
        // GO-2024-2824 stdlib: 1.22.0-0 .. 1.22.3
        ("1.21.13", "GO-2024-2824", false),
        ("1.22rc1", "GO-2024-2824", true),
        ("1.22.0", "GO-2024-2824", true), // the introduced bound's release
        ("1.22.2", "GO-2024-2824", true),
        ("1.22.3", "GO-2024-2824", false),
        // GO-2024-2887 stdlib: 0 .. 1.21.11; 1.22.0-0 .. 1.22.4
        ("1.19.8", "GO-2024-2887", true),
        ("1.21.10", "GO-2024-2887", true),
        ("1.21.11", "GO-2024-2887", false),
        ("1.21.13", "GO-2024-2887", false),
        ("1.22.3", "GO-2024-2887", true),
        ("1.22.4", "GO-2024-2887", false),
        ("1.22.12", "GO-2024-2887", false),
        // GO-2024-2962 toolchain: 0 .. 1.21.0-0 (everything before 1.21)
        ("1.19.8", "GO-2024-2962", true),
        ("1.20.14", "GO-2024-2962", true),
        ("1.21rc1", "GO-2024-2962", false),
        ("1.21.0", "GO-2024-2962", false),
        // GO-2024-3105 stdlib: 0 .. 1.22.7; 1.23.0-0 .. 1.23.1
        ("1.19.8", "GO-2024-3105", true),
        ("1.21.13", "GO-2024-3105", true), // 1.21 ended before the fix
        ("1.22.6", "GO-2024-3105", true),
        ("1.22.7", "GO-2024-3105", false),
        ("1.22.12", "GO-2024-3105", false),
        ("1.23.0", "GO-2024-3105", true),
        ("1.23.1", "GO-2024-3105", false),
        // GO-2025-3447 stdlib: 0 .. 1.22.12; 1.23.0-0 .. 1.23.6; 1.24.0-0 .. 1.24.0-rc.3
        ("1.22.11", "GO-2025-3447", true),
        ("1.22.12", "GO-2025-3447", false),
        ("1.24rc2", "GO-2025-3447", true),
        ("1.24rc3", "GO-2025-3447", false),
        // GO-2025-3563 stdlib: 0 .. 1.23.8; 1.24.0-0 .. 1.24.2
        ("1.22.12", "GO-2025-3563", true), // 1.22 ended before the fix
        ("1.23.8", "GO-2025-3563", false),
        ("1.24.1", "GO-2025-3563", true),
        // GO-2025-3849 stdlib: 0 .. 1.23.12; 1.24.0 .. 1.24.6 (no -0:
        // the 1.24 pre-releases are not in the second range)
        ("1.23.12", "GO-2025-3849", false),
        ("1.24rc1", "GO-2025-3849", false),
        ("1.24.0", "GO-2025-3849", true),
        ("1.24.5", "GO-2025-3849", true),
        ("1.24.6", "GO-2025-3849", false),
        // GO-2026-4338 toolchain: 1.25.0 .. 1.25.6
        ("1.24.13", "GO-2026-4338", false),
        ("1.25.0", "GO-2026-4338", true),
        ("1.25.6", "GO-2026-4338", false),
        // GO-2026-4337 stdlib: 0 .. 1.24.13; 1.25.0-0 .. 1.25.7; 1.26.0-rc.1 .. 1.26.0-rc.3
        ("1.26rc1", "GO-2026-4337", true),
        ("1.26rc3", "GO-2026-4337", false),
        ("1.26.0", "GO-2026-4337", false),
    ];
    let mut wrong = Vec::new();
    for (release, id, expected) in rows {
        let got = entry(id).affects(&v(release)).unwrap();
        if got != expected {
            wrong.push(format!("{release} {id}: got {got}, expected {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn first_fix_by_hand() {
    let rows = [
        // (affected release, entry, fix)
        ("1.19.8", "GO-2023-1751", Some(Fix::InSeries(v("1.19.9")))),
        ("1.20", "GO-2023-1751", Some(Fix::InSeries(v("1.20.4")))),
        ("1.21.13", "GO-2024-3105", Some(Fix::Later(v("1.22.7")))),
        ("1.19.8", "GO-2024-3105", Some(Fix::Later(v("1.22.7")))),
        ("1.22.12", "GO-2025-3563", Some(Fix::Later(v("1.23.8")))),
        ("1.19.8", "GO-2024-2962", Some(Fix::Later(v("1.21.0")))),
        ("1.20.6", "GO-2023-1987", Some(Fix::InSeries(v("1.20.7")))),
        ("1.21rc2", "GO-2023-1987", Some(Fix::InSeries(v("1.21rc4")))),
        ("1.20.11", "GO-2023-2185", Some(Fix::InSeries(v("1.20.12")))),
        ("1.23.0", "GO-2024-3105", Some(Fix::InSeries(v("1.23.1")))),
    ];
    for (release, id, fix) in rows {
        assert_eq!(entry(id).fix_for(&v(release)), fix, "{release} {id}");
    }
    // GO-2024-2962 is fixed by the first 1.21 (`fixed: 1.21.0-0`): that
    // bound is no release, so the first release it does not affect is
    // named instead: 1.21.0 — written above; and the rc fixes only rcs.
    assert_eq!(
        entry("GO-2023-1987").fix_for(&v("1.19.11")),
        Some(Fix::InSeries(v("1.19.12")))
    );
}

#[test]
fn a_withdrawn_entry_affects_nothing() {
    let mut e = entry("GO-2024-2887");
    e.withdrawn = Some("2024-07-01T00:00:00Z".into());
    assert!(!e.affects(&v("1.21.10")).unwrap());
}

#[test]
fn malformed_ranges_are_errors_not_answers() {
    let base = std::fs::read_to_string(format!(
        "{}/tests/data/vulndb/ID/GO-2024-2887.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for (from, to) in [
        ("\"fixed\": \"1.21.11\"", "\"fixed\": \"1.21\""),
        ("\"fixed\": \"1.21.11\"", "\"fixed\": \"go1.21.11\""),
        (
            "\"fixed\": \"1.21.11\"",
            "\"fixed\": \"1.21.11\", \"introduced\": \"0\"",
        ),
        ("\"id\": \"GO-2024-2887\"", "\"id\": \"../../etc/passwd\""),
    ] {
        let text = base.replacen(from, to, 1);
        assert_ne!(text, base);
        let e: Entry = serde_json::from_str(&text).unwrap();
        assert!(e.validate().is_err(), "{to}");
    }
}

#[test]
fn only_go_modules_count() {
    // GO-2026-5026 also names golang.org/x/net; its versions are not Go's.
    let e = entry("GO-2026-5026");
    assert_eq!(e.modules(), ["stdlib"]);
    assert!(e.affects(&v("1.22.12")).unwrap());
    assert!(!e.affects(&v("1.26.6")).unwrap());
    assert!(!e.fixed_releases().iter().any(|f| f.major == 0));
    assert!(Semver::parse("0.55.0").is_some());
}
