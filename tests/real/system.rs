//! A shared machine for real: root installs real Go into a system store,
//! a second account uses it, keeps its own state private, and cannot
//! change what everybody runs.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;

use crate::accounts::{other_gid, other_uid};
use crate::common::*;

#[test]
fn users_run_the_system_store_and_cannot_change_it() {
    let uid = other_uid();
    let (server, versions) = serve_real_mirror();
    let newest = |s: &str| newest_of(&versions, s);
    let (v19, v22) = (newest("1.19"), newest("1.22"));
    let env = TestEnv::new();
    std::fs::set_permissions(&env.root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let system = env.root.join("opt-gov");
    let mirror = |cmd: &mut std::process::Command| {
        cmd.env("GOV_SYSTEM_HOME", &system)
            .env("GOV_INDEX_URL", server.url("index.json"))
            .env("GOV_DOWNLOAD_URL", &server.base);
    };
    // The administrator.
    let mut admin = env.gov_cmd(["--system", "install", "1.19", "1.22"]);
    mirror(&mut admin);
    assert_success(&admin.output().unwrap());
    let mut admin = env.gov_cmd(["--system", "global", "1.22"]);
    mirror(&mut admin);
    assert_success(&admin.output().unwrap());

    // A user, in a home of their own.
    let home = env.root.join("user-home");
    std::fs::create_dir_all(&home).unwrap();
    assert!(std::process::Command::new("chown")
        .arg(uid.to_string())
        .arg(&home)
        .status()
        .unwrap()
        .success());
    let user = |args: &[&str]| {
        let mut cmd = env.command(GOV);
        cmd.args(args)
            .env_remove("GOV_HOME")
            .env("HOME", &home)
            .current_dir(&home)
            .uid(uid)
            .gid(other_gid());
        mirror(&mut cmd);
        cmd.output().unwrap()
    };
    let listed = stdout(&user(&["list"]));
    for v in [&v19, &v22] {
        assert!(
            listed
                .lines()
                .any(|l| l.contains(v.as_str()) && l.contains("system")),
            "{listed}"
        );
    }
    let out = user(&["exec", "go", "version"]);
    assert!(
        stdout(&out).starts_with(&format!("go version go{v22} ")),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = user(&["run", "1.19", "go", "version"]);
    assert!(
        stdout(&out).starts_with(&format!("go version go{v19} ")),
        "{}",
        stderr(&out)
    );

    // Nothing the system has is downloaded again into the user's store.
    let names = [(v19.as_str(), "GO1.19"), (v22.as_str(), "GO1.22")];
    let settings = snapshot_settings_naming(&env, &names);
    let out = user(&["install", "1.22"]);
    settings.bind(|| insta::assert_snapshot!("already_installed", run_text(&out)));
    assert!(!home.join(".local/share/gov/versions").join(&v22).exists());

    // Changing the system store: refused, naming it, its owner and the fix.
    let install = user(&["--system", "install", "1.21"]);
    let uninstall = user(&["uninstall", &v19]);
    settings.bind(|| {
        insta::assert_snapshot!(
            "refused",
            transcript(&[
                ("gov --system install 1.21", &install),
                ("gov uninstall [GO1.19]", &uninstall),
            ])
        )
    });
    assert!(system.join("versions").join(&v19).exists());

    // Their caches are theirs alone.
    let out = user(&["env", "--json", "--isolate", "version"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gocache = std::path::PathBuf::from(json["GOCACHE"].as_str().unwrap());
    assert!(gocache.starts_with(&home), "{}", gocache.display());
    let base = gocache.parent().unwrap();
    let meta = std::fs::metadata(base).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (uid, 0o700));

    // Doctor, for the user, finds both stores sound.
    let report: serde_json::Value =
        serde_json::from_slice(&user(&["doctor", "--json"]).stdout).unwrap();
    let ownership = doctor_check(&report, "ownership");
    assert_eq!(ownership["status"], "ok", "{ownership}");
}
