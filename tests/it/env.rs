//! `gov env` for shells, scripts, editors and CI.

use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    env
}

#[test]
fn env_for_each_shell() {
    let env = setup();
    let root = env.gov_home.join("versions/1.22.4");
    let sh = env.gov_ok(["env"]);
    assert!(sh.starts_with(&format!("export GOROOT='{}'\nexport GOTOOLCHAIN='local'\nexport GOV_CACHE_KEY='go1.22.4-linux-amd64-nosum'\n", root.display())), "{sh}");
    assert!(sh.ends_with(&format!(
        "export PATH='{}/bin'\"${{PATH:+:$PATH}}\"\n",
        root.display()
    )));
    // The output is real shell code: sh evaluates it.
    let out = env
        .command("sh")
        .args(["-c", &format!("{sh}\ngo")])
        .output()
        .unwrap();
    assert!(stdout(&out).starts_with("go go1.22.4 "), "{}", stdout(&out));

    text_snapshot!(
        "fish_and_pwsh",
        env,
        transcript(&[
            ("gov env --shell fish", &env.gov(["env", "--shell", "fish"]),),
            ("gov env --shell pwsh", &env.gov(["env", "--shell", "pwsh"]),),
        ])
    );

    let json: serde_json::Value = serde_json::from_str(&env.gov_ok(["env", "--json"])).unwrap();
    assert_eq!(json["GOROOT"], root.display().to_string());
    assert!(json["PATH"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/bin:", root.display())));

    let out = env
        .gov_cmd(["env"])
        .env("GOTOOLCHAIN", "go1.22.4+auto")
        .output()
        .unwrap();
    // A user's GOTOOLCHAIN is left alone.
    gov_snapshot!("gotoolchain_left_alone", env, &out);
}

#[test]
fn github_actions_files() {
    let env = setup();
    let (genv, gpath) = (env.root.join("github_env"), env.root.join("github_path"));
    std::fs::write(&genv, "EARLIER=1\n").unwrap();
    let out = env
        .gov_cmd(["env", "--shell", "github", "--isolate", "job"])
        .env("GITHUB_ENV", &genv)
        .env("GITHUB_PATH", &gpath)
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_RUN_ATTEMPT", "2")
        .env("GITHUB_JOB", "test")
        .output()
        .unwrap();
    assert_success(&out);
    let written = std::fs::read_to_string(&genv).unwrap();
    // One directory per job and attempt of the run.
    let jobs = env.gov_home.join("cache/jobs/gh-4242-2-test/1.22.4");
    text_snapshot!("github_env_written", env, written);
    // GOPATH/bin too; the release's bin last, as GITHUB_PATH puts the
    // last line first.
    assert_eq!(
        std::fs::read_to_string(&gpath).unwrap(),
        format!(
            "{}\n{}\n",
            jobs.join("path/bin").display(),
            env.gov_home.join("versions/1.22.4/bin").display()
        )
    );
    // Other CIs: GitLab's job id, Jenkins' tag (its BUILD_NUMBER repeats).
    for (var, value, dir) in [
        ("CI_JOB_ID", "77", "77"),
        ("BUILD_TAG", "jenkins-app-12", "jenkins-app-12"),
    ] {
        let json: serde_json::Value = serde_json::from_slice(
            &env.gov_cmd(["env", "--json", "--isolate", "job"])
                .env(var, value)
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        assert_eq!(
            json["GOCACHE"],
            env.gov_home
                .join(format!("cache/jobs/{dir}/1.22.4/build"))
                .display()
                .to_string()
        );
    }

    let out = env.gov(["env", "--shell", "github"]);
    gov_snapshot!(env, &out);
    let out = env.gov(["env", "--isolate", "job"]);
    gov_snapshot!(env, &out);
}

#[test]
fn isolation_per_version_and_a_cache_key_from_go_sum() {
    let env = setup();
    env.write("go.sum", "example.com/x v1.0.0 h1:abc=\n");
    let json: serde_json::Value =
        serde_json::from_str(&env.gov_ok(["env", "--json", "--isolate", "version"])).unwrap();
    let base = env.gov_home.join("cache/go/1.22.4");
    assert_eq!(json["GOCACHE"], base.join("build").display().to_string());
    let key = json["GOV_CACHE_KEY"].as_str().unwrap();
    assert!(
        key.starts_with("go1.22.4-linux-amd64-") && key.len() == "go1.22.4-linux-amd64-".len() + 16,
        "{key}"
    );
    env.write("go.sum", "example.com/x v1.0.1 h1:def=\n");
    let json2: serde_json::Value = serde_json::from_str(&env.gov_ok(["env", "--json"])).unwrap();
    assert_ne!(
        json2["GOV_CACHE_KEY"], json["GOV_CACHE_KEY"],
        "the key follows go.sum"
    );
    env.write("go.work.sum", "example.com/y v1.0.0 h1:ghi=\n");
    let json3: serde_json::Value = serde_json::from_str(&env.gov_ok(["env", "--json"])).unwrap();
    assert_ne!(
        json3["GOV_CACHE_KEY"], json2["GOV_CACHE_KEY"],
        "and go.work.sum"
    );
}

/// Sets the modification time of `path` and everything below it to days
/// ago.
fn age(path: &std::path::Path, days: u32) {
    let status = std::process::Command::new("find")
        .arg(path)
        .args([
            "-exec",
            "touch",
            "-h",
            "-d",
            &format!("{days} days ago"),
            "{}",
            "+",
        ])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn prune_removes_what_nobody_uses_and_nothing_else() {
    let env = setup();
    let jobs = env.gov_home.join("cache/jobs");
    for job in ["old-job", "new-job", "current-job"] {
        std::fs::create_dir_all(jobs.join(job).join("1.22.4/build/00")).unwrap();
        std::fs::write(
            jobs.join(job).join("1.22.4/build/00/entry"),
            "x".repeat(2048),
        )
        .unwrap();
    }
    age(&jobs.join("old-job"), 30);
    age(&jobs.join("current-job"), 30);
    let go_cache = env.gov_home.join("cache/go");
    for v in ["1.22.4", "1.19.1"] {
        std::fs::create_dir_all(go_cache.join(v).join("build")).unwrap();
    }
    age(&go_cache, 30);
    let other_index = env.gov_home.join("cache/index-0123456789abcdef.json");
    std::fs::write(&other_index, "[]").unwrap();
    age(&other_index, 30);
    let leftover = env.gov_home.join("tmp/linux-amd64-1.21.0/go");
    std::fs::create_dir_all(&leftover).unwrap();

    let prune = |args: &[&str]| {
        env.gov_cmd(["prune"].iter().chain(args))
            .env("CI_JOB_ID", "current-job")
            .output()
            .unwrap()
    };
    let out = prune(&["--dry-run"]);
    assert_success(&out);
    gov_snapshot!("the_plan", env, &out);
    for gone in [
        jobs.join("old-job"),
        go_cache.join("1.19.1"),
        other_index.clone(),
        leftover.parent().unwrap().to_path_buf(),
    ] {
        assert!(gone.exists(), "a dry run removes nothing");
    }

    let out = prune(&[]);
    assert_success(&out);
    assert!(!jobs.join("old-job").exists());
    assert!(!go_cache.join("1.19.1").exists());
    assert!(!other_index.exists());
    assert!(!leftover.exists());
    // In use: a recent job, the current job, an installed release's caches,
    // the release itself.
    for kept in [
        jobs.join("new-job"),
        jobs.join("current-job"),
        go_cache.join("1.22.4"),
    ] {
        assert!(kept.exists(), "{}", kept.display());
    }
    assert!(env.gov_home.join("versions/1.22.4").exists());
    assert_eq!(stdout(&prune(&[])), "");

    // Scratch space whose install is running (its lock held) stays.
    std::fs::create_dir_all(&leftover).unwrap();
    std::fs::create_dir_all(env.gov_home.join("locks")).unwrap();
    let lock = env.gov_home.join("locks/linux-amd64-1.21.0.lock");
    // In a group of its own: the sleep, which holds the lock with flock,
    // goes with it.
    let mut holder = std::process::Command::new("flock");
    holder.arg(&lock).args(["sleep", "600"]);
    std::os::unix::process::CommandExt::process_group(&mut holder, 0);
    let mut holder = holder.spawn().unwrap();
    // Held once another taker fails.
    wait_until_locked(&lock);
    assert_eq!(stdout(&prune(&[])), "");
    assert!(
        leftover.exists(),
        "an install in progress keeps its scratch space"
    );
    unsafe { libc::kill(-(holder.id() as i32), libc::SIGKILL) };
    holder.wait().unwrap();

    let out = env.gov(["prune", "--older-than", "3y"]);
    gov_snapshot!("a_year_is_no_unit", env, &out);
}
