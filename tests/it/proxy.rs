//! Go's channel (`GOV_SOURCE=proxy`) refused before any network: a source
//! gov does not know, Go settings that name no proxy or no database, and
//! values that do not parse. The real channel is tested in
//! `tests/real/proxy.rs`.

use std::process::Output;

use crate::common::TestEnv;
use crate::gov_snapshot;

/// `gov ARGS` with Go's settings `vars` and no Go settings file; the
/// proxy at a port nothing listens on, unless `vars` says otherwise.
fn gov(env: &TestEnv, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = env.gov_cmd(args);
    cmd.env("GOENV", "off")
        .env("GOPROXY", "http://127.0.0.1:9")
        .envs(vars.iter().copied());
    cmd.output().unwrap()
}

fn assert_nothing_installed(env: &TestEnv) {
    let versions = env.gov_home.join("versions");
    let left: Vec<_> = std::fs::read_dir(&versions)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !p.ends_with(".gov-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn an_unknown_source_is_refused() {
    let env = TestEnv::new();
    let out = gov(&env, &[("GOV_SOURCE", "bogus")], &["install", "1.22"]);
    gov_snapshot!("gov_source_bogus", env, &out);
    let out = gov(&env, &[], &["install", "--source", "bogus", "1.22"]);
    gov_snapshot!("source_flag_bogus", env, &out);
    assert_nothing_installed(&env);
}

#[test]
fn goproxy_off_is_an_error_naming_it() {
    let env = TestEnv::new();
    let out = gov(
        &env,
        &[("GOV_SOURCE", "proxy"), ("GOPROXY", "off")],
        &["install", "1.22"],
    );
    gov_snapshot!("goproxy_off", env, &out);
    assert_nothing_installed(&env);
    let out = gov(
        &env,
        &[("GOPROXY", "off")],
        &["list-remote", "--source", "proxy"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn gosumdb_off_is_refused_for_toolchains_with_a_hint() {
    let env = TestEnv::new();
    let out = gov(
        &env,
        &[("GOV_SOURCE", "proxy"), ("GOSUMDB", "off")],
        &["install", "1.22"],
    );
    gov_snapshot!("gosumdb_off", env, &out);
    assert_nothing_installed(&env);
    // A list holding a file:// URL is still a list.
    let out = gov(
        &env,
        &[
            ("GOV_SOURCE", "proxy"),
            ("GOSUMDB", "off"),
            ("GOPROXY", "file:///nonexistent|off"),
        ],
        &["install", "1.22"],
    );
    gov_snapshot!("gosumdb_off_file_list", env, &out);
}

#[test]
fn a_gosumdb_that_does_not_parse_is_an_error() {
    let env = TestEnv::new();
    for (name, value) in [
        ("gosumdb_garbage", "garbage"),
        ("gosumdb_bad_key", "sum.example.org+01234567+AAAA"),
        ("gosumdb_two_urls", "sum.golang.org https://a https://b"),
    ] {
        let out = gov(
            &env,
            &[("GOV_SOURCE", "proxy"), ("GOSUMDB", value)],
            &["install", "1.22"],
        );
        gov_snapshot!(name, env, &out);
        assert_nothing_installed(&env);
    }
}

#[test]
fn a_goproxy_list_with_a_malformed_entry_is_an_error() {
    let env = TestEnv::new();
    for (name, value) in [
        (
            "goproxy_bad_scheme",
            "https://proxy.example,ftp://proxy.example",
        ),
        ("goproxy_not_a_url", "https://proxy.example|not a url"),
        ("goproxy_empty_list", ",|,"),
    ] {
        let out = gov(
            &env,
            &[("GOV_SOURCE", "proxy"), ("GOPROXY", value)],
            &["install", "1.22"],
        );
        gov_snapshot!(name, env, &out);
        assert_nothing_installed(&env);
    }
}
