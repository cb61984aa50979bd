//! `gov upgrade` on real modules with real Go 1.21 and 1.22 from the
//! mirror: a minor migration whose tests pass moves go.mod (written by Go
//! 1.22 itself) and the pin; one whose tests rely on Go 1.21's loop
//! variables fails its check after the go.mod bump and is put back byte
//! for byte.

use crate::common::*;

const MAIN_TEST: &str = "package up\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif 1+1 != 2 {\n\t\tt.Fatal(\"math\")\n\t}\n}\n";

/// Before Go 1.22 (and in modules that say so) one loop variable is shared
/// by every iteration; from `go 1.22` on each iteration has its own.
const LOOP_TEST: &str = "package up\n\nimport \"testing\"\n\nfunc TestSharedLoopVariable(t *testing.T) {\n\tvar fs []func() int\n\tfor i := 0; i < 3; i++ {\n\t\tfs = append(fs, func() int { return i })\n\t}\n\tif fs[0]() != 3 {\n\t\tt.Fatalf(\"each iteration has its own i: got %d\", fs[0]())\n\t}\n}\n";

fn setup() -> (TestEnv, crate::common::server::Server, String, String) {
    let (server, versions) = serve_real_mirror();
    let newest = |series: &str| newest_of(&versions, series);
    let (v21, v22) = (newest("1.21"), newest("1.22"));
    let env = TestEnv::new();
    let mut install = env.gov_cmd(["install", v21.as_str()]);
    install
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base);
    assert_success(&install.output().unwrap());
    (env, server, v21, v22)
}

fn upgrade(
    env: &TestEnv,
    server: &crate::common::server::Server,
    dir: &str,
    args: &[&str],
) -> std::process::Output {
    env.gov_cmd(["upgrade"].iter().chain(args))
        .current_dir(env.work.join(dir))
        .env("GOV_INDEX_URL", server.url("index.json"))
        .env("GOV_DOWNLOAD_URL", &server.base)
        .env("GOCACHE", env.root.join("gocache"))
        .env("GOPATH", env.root.join("gopath"))
        .env("GOPROXY", "off")
        .output()
        .unwrap()
}

#[test]
fn a_minor_migration_with_go_mod_moves_the_module_and_the_pin() {
    let (env, server, v21, v22) = setup();
    env.write("app/go.mod", "module example.com/up\n\ngo 1.21\n");
    env.write("app/up_test.go", MAIN_TEST);
    env.write("app/.go-version", &format!("{v21}\n"));
    let out = upgrade(&env, &server, "app", &["1.22", "--go-mod"]);
    assert_success(&out);
    let go_mod = std::fs::read_to_string(env.work.join("app/go.mod")).unwrap();
    assert_eq!(
        go_mod,
        format!("module example.com/up\n\ngo {v22}\n"),
        "written by Go {v22}'s go mod edit"
    );
    assert_eq!(
        std::fs::read_to_string(env.work.join("app/.go-version")).unwrap(),
        format!("{v22}\n")
    );
    let names = [(v21.as_str(), "GO1.21"), (v22.as_str(), "GO1.22")];
    snapshot_settings_naming(&env, &names)
        .bind(|| insta::assert_snapshot!("migrated", run_text(&out)));
    let current = env
        .gov_cmd(["current"])
        .current_dir(env.work.join("app"))
        .output()
        .unwrap();
    assert!(stdout(&current).starts_with(&v22), "{}", stdout(&current));

    // The global default's migration is recorded in the history.
    env.write("elsewhere/.keep", "");
    let out = upgrade(&env, &server, "elsewhere", &["1.22"]);
    assert_success(&out);
    let history = env.gov_ok(["history"]);
    assert!(
        history
            .lines()
            .next()
            .unwrap()
            .ends_with(&format!("{v21} -> {v22}  gov upgrade 1.22")),
        "{history}"
    );
}

#[test]
fn a_check_that_fails_after_the_go_mod_bump_puts_everything_back() {
    let (env, server, v21, v22) = setup();
    let go_mod = "module example.com/up\n\ngo 1.21 // the loop semantics this code needs\n";
    env.write("app/go.mod", go_mod);
    env.write("app/up_test.go", LOOP_TEST);
    env.write("app/.go-version", &format!("# pinned\r\n{v21}\r\n"));
    // It passes under the release it has.
    let out = env
        .go_cmd(&["test", "./..."])
        .current_dir(env.work.join("app"))
        .env("GOCACHE", env.root.join("gocache"))
        .env("GOPATH", env.root.join("gopath"))
        .output()
        .unwrap();
    assert_success(&out);
    let before: Vec<_> = ["go.mod", ".go-version"]
        .iter()
        .map(|f| std::fs::read(env.work.join("app").join(f)).unwrap())
        .collect();

    let out = upgrade(&env, &server, "app", &["1.22", "--go-mod"]);
    // The test's output is in the report.
    let names = [(v21.as_str(), "GO1.21"), (v22.as_str(), "GO1.22")];
    snapshot_settings_naming(&env, &names).bind(|| insta::assert_snapshot!(run_text(&out)));
    for (f, bytes) in ["go.mod", ".go-version"].iter().zip(before) {
        assert_eq!(
            std::fs::read(env.work.join("app").join(f)).unwrap(),
            bytes,
            "{f} put back"
        );
    }
    assert!(
        !env.work.join("app/go.sum").exists(),
        "no go.sum left behind"
    );
    assert_eq!(
        env.gov_ok(["global"]),
        format!("{v21}\n"),
        "the global default untouched"
    );
}

#[test]
fn a_go_mod_without_a_go_line_gets_one() {
    let (env, server, _v21, v22) = setup();
    env.write("app/go.mod", "module example.com/up\n");
    env.write("app/up_test.go", MAIN_TEST);
    let out = upgrade(
        &env,
        &server,
        "app",
        &["1.22", "--go-mod", "--global", "--no-check"],
    );
    assert_success(&out);
    let go_mod = std::fs::read_to_string(env.work.join("app/go.mod")).unwrap();
    assert!(go_mod.contains(&format!("go {v22}")), "{go_mod}");
}

#[test]
fn a_read_only_go_mod_is_a_clear_error_and_nothing_changes() {
    let (env, server, v21, v22) = setup();
    env.write("app/go.mod", "module example.com/up\n\ngo 1.21\n");
    env.write("app/up_test.go", MAIN_TEST);
    env.write("app/.go-version", &format!("{v21}\n"));
    let app = env.work.join("app");
    // Root ignores file modes: a read-only bind mount stops even root.
    let mount = |args: &[&str]| {
        assert!(
            std::process::Command::new("mount")
                .args(args)
                .arg(&app)
                .arg(&app)
                .status()
                .unwrap()
                .success(),
            "mount {args:?} needs root"
        );
    };
    mount(&["--bind"]);
    let remount = std::process::Command::new("mount")
        .args(["-o", "remount,ro,bind"])
        .arg(&app)
        .status()
        .unwrap();
    assert!(remount.success());
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let _unmount = Unmount(app.clone());
    let out = upgrade(&env, &server, "app", &["1.22", "--go-mod"]);
    let names = [(v21.as_str(), "GO1.21"), (v22.as_str(), "GO1.22")];
    snapshot_settings_naming(&env, &names).bind(|| insta::assert_snapshot!(run_text(&out)));
    assert_eq!(
        std::fs::read_to_string(app.join("go.mod")).unwrap(),
        "module example.com/up\n\ngo 1.21\n"
    );
    assert_eq!(
        std::fs::read_to_string(app.join(".go-version")).unwrap(),
        format!("{v21}\n")
    );
}

#[test]
fn a_linked_go_mod_is_moved_and_put_back_through_its_link() {
    let (env, server, v21, v22) = setup();
    // The module's go.mod lives elsewhere; the project links to it.
    let shared = env.root.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let go_mod = "module example.com/up\n\ngo 1.21 // the loop semantics this code needs\n";
    std::fs::write(shared.join("go.mod"), go_mod).unwrap();
    env.write("app/up_test.go", LOOP_TEST);
    env.write("app/.go-version", &format!("{v21}\n"));
    let link = env.work.join("app/go.mod");
    std::os::unix::fs::symlink("../../shared/go.mod", &link).unwrap();
    let is_link = || {
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    };

    // Go 1.22's go mod edit writes through the link; the failing check's
    // restore puts the target back and keeps the link.
    let out = upgrade(&env, &server, "app", &["1.22", "--go-mod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(is_link(), "go.mod is still a link");
    assert_eq!(
        std::fs::read_to_string(shared.join("go.mod")).unwrap(),
        go_mod
    );

    // Code that needs nothing of Go 1.21: the target moves, the link stays.
    std::fs::remove_file(env.work.join("app/up_test.go")).unwrap();
    env.write("app/up_test.go", MAIN_TEST);
    let out = upgrade(&env, &server, "app", &["1.22", "--go-mod"]);
    assert_success(&out);
    assert!(is_link(), "go.mod is still a link");
    assert!(std::fs::read_to_string(shared.join("go.mod"))
        .unwrap()
        .contains(&format!("go {v22}")));
}
