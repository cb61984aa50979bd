//! gov against an attacker: a mirror that serves hostile archives and
//! indexes, files planted in directories gov reads but does not own
//! (`/tmp`, a shared project), and links planted where gov writes.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::common::archive::{self, Entry};
use crate::common::mirror::Mirror;
use crate::common::server::Reply;
use crate::common::*;
use crate::{gov_snapshot, text_snapshot};

/// A fake release's entries plus `extra`, ready to serve as `version`.
fn release_with(version: &str, extra: Vec<Entry>) -> Vec<u8> {
    let version_file = format!("go{version}\n");
    let mut entries = vec![
        Entry::dir("go/"),
        Entry::file("go/VERSION", version_file.as_bytes(), 0o644),
        Entry::dir("go/bin/"),
        Entry::file("go/bin/go", b"#!/bin/sh\necho go\n", 0o755),
    ];
    entries.extend(extra);
    archive::tar_gz(&entries)
}

/// A mirror serving that release as Go 1.22.4.
fn mirror_with(extra: Vec<Entry>) -> Mirror {
    let m = Mirror::new(&[]);
    m.publish("1.22.4", release_with("1.22.4", extra));
    m
}

/// One PAX extended-header record: `<length> <key>=<value>\n`, where the
/// length counts itself.
fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let rest = format!(" {key}={value}\n");
    let mut len = rest.len() + 1;
    while (len.to_string().len() + rest.len()) != len {
        len += 1;
    }
    format!("{len}{rest}").into_bytes()
}

#[test]
fn chained_links_in_an_archive_never_write_outside_the_staging_directory() {
    // Each link stays inside `go/` when read on its own, but a later entry
    // resolved through the earlier links on disk would land far outside.
    let chain = || {
        vec![
            Entry::dir("go/a/"),
            Entry::symlink("go/a/b", ".."),
            Entry::symlink("go/a/b/c", "../.."),
            Entry::symlink("go/a/b/c/e", "../.."),
            Entry::file("go/a/b/c/e/PLANTED", b"pwned\n", 0o644),
        ]
    };
    for digest_is_right in [true, false] {
        let m = mirror_with(chain());
        if !digest_is_right {
            let index = archive::index(&[("1.22.4", &"ab".repeat(32))]);
            m.server.route("index.json", Reply::Body(Arc::new(index)));
        }
        let out = m.gov(&["install", "1.22.4"]);
        // Unpacking stops at the link, before the digest is known: the
        // same refusal either way.
        gov_snapshot!(m.env, &out);
        m.assert_nothing_installed();
        let planted: Vec<_> = walk(&m.env.root)
            .into_iter()
            .filter(|p| {
                let name = p.file_name().unwrap();
                name == "PLANTED" || name == "e" || name == "c"
            })
            .collect();
        assert!(planted.is_empty(), "written outside: {planted:?}");
    }
}

#[test]
fn archive_header_records_are_capped_and_pax_names_are_honoured() {
    let long_name = format!("go/{}", "d".repeat(150));

    // A GNU long name of 100 KB: refused before it is read into memory.
    let huge = vec![b'a'; 100_000];
    let m = mirror_with(vec![
        Entry::record("././@LongLink", tar::EntryType::GNULongName, &huge),
        Entry::file("go/short", b"x", 0o644),
    ]);
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();

    // The long names Go's archives really use arrive in PAX records.
    let record = pax_record("path", &long_name);
    let m = mirror_with(vec![
        Entry::record("././@PaxHeader", tar::EntryType::XHeader, &record),
        Entry::file("go/truncated-name", b"long\n", 0o644),
    ]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    let root = m.env.gov_home.join("versions/1.22.4");
    let unpacked = root.join(long_name.trim_start_matches("go/"));
    assert_eq!(std::fs::read_to_string(unpacked).unwrap(), "long\n");
    assert!(!root.join("truncated-name").exists());
}

#[test]
fn index_file_names_that_are_not_plain_names_are_never_requested() {
    for name in [
        "../x.tar.gz",
        "a/b.tar.gz",
        "/tmp/x.tar.gz",
        "%2e%2e%2f%2e%2e%2fsecret.tar.gz",
        "x?y=.tar.gz",
        "x#.tar.gz",
        ".x.tar.gz",
    ] {
        let m = Mirror::new(&[]);
        let index = serde_json::json!([{
            "version": "go1.22.4",
            "stable": true,
            "files": [{
                "filename": name, "os": "linux", "arch": "amd64",
                "version": "go1.22.4", "sha256": "ab".repeat(32),
                "size": 0, "kind": "archive",
            }],
        }]);
        m.server.route(
            "index.json",
            Reply::Body(Arc::new(serde_json::to_vec(&index).unwrap())),
        );
        let out = m.gov(&["install", "1.22.4"]);
        gov_snapshot!(m.env, &out);
        assert_eq!(m.server.paths_hit(), vec!["/index.json".to_string()]);
        m.assert_nothing_installed();
    }
}

#[test]
fn an_archive_of_another_release_is_refused() {
    let m = Mirror::new(&[]);
    m.publish("1.22.4", archive::fake_release("1.21.0"));
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();
}

#[test]
fn oversized_indexes_and_digest_files_are_refused() {
    let m = Mirror::new(&[]);
    let mut huge = b"[".to_vec();
    huge.resize(33 * 1024 * 1024, b' ');
    m.server.route("index.json", Reply::Body(Arc::new(huge)));
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    assert_eq!(m.server.hits("index.json"), 1, "a refusal is not retried");

    let m = Mirror::new(&["1.22.4"]);
    m.server.route(
        "index.json",
        Reply::Body(Arc::new(archive::index(&[("1.22.4", "")]))),
    );
    m.server.route(
        "go1.22.4.linux-amd64.tar.gz.sha256",
        Reply::Body(Arc::new(vec![b'0'; 5000])),
    );
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();
}

/// A project below a directory anyone can write to (`/tmp`), where
/// `planted` has been put in place of a version file.
fn below_a_planted(env: &TestEnv, file: &str, plant: impl Fn(&Path)) -> PathBuf {
    let shared = env.root.join("shared");
    let project = shared.join("project");
    std::fs::create_dir_all(&project).unwrap();
    plant(&shared.join(file));
    project
}

#[test]
fn pipes_and_devices_planted_as_version_files_are_ignored() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    let fifo = |path: &Path| {
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o666) }, 0);
    };
    let zero = |path: &Path| symlink("/dev/zero", path).unwrap();
    type Plant<'a> = &'a dyn Fn(&Path);
    let plants: [(&str, Plant, &str); 5] = [
        (".go-version", &fifo, "a named pipe"),
        (".tool-versions", &fifo, "a named pipe"),
        ("go.mod", &zero, "a character device"),
        ("go.work", &fifo, "a named pipe"),
        (".go-version", &zero, "a character device"),
    ];
    for (file, plant, kind) in plants {
        let project = below_a_planted(&env, file, plant);
        let limit = Duration::from_secs(10);

        let mut shim = env.go_cmd(&["version"]);
        let shim = output_within(shim.current_dir(&project), limit);
        let current = output_within(env.gov_cmd(["current"]).current_dir(&project), limit);
        let mut hook = env.gov_cmd(["env", "--hook", "bash"]);
        let hook = output_within(hook.current_dir(&project), limit);
        // Each runs the global default and warns, naming the planted file.
        text_snapshot!(
            format!(
                "planted_{}_{}",
                file.trim_start_matches('.'),
                kind.replace(' ', "_")
            ),
            env,
            transcript(&[
                ("go version", &shim),
                ("gov current", &current),
                ("gov env --hook bash", &hook),
            ])
        );

        std::fs::remove_dir_all(project.parent().unwrap()).unwrap();
    }
}

#[test]
fn text_from_files_reaches_the_terminal_escaped() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    // Clears the screen, then rewrites the window title: both must arrive
    // as visible text, not as terminal commands.
    env.write(".go-version", "1.22\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}\n");
    let shim = env.go(&env.work, &["version"]);
    let current = env.gov(["current"]);
    let hook = env.gov(["env", "--hook", "bash"]);
    for out in [&shim, &current, &hook] {
        let err = stderr(out);
        assert!(
            !err.contains(['\u{1b}', '\u{7}', '\u{202e}']),
            "raw control characters: {err:?}"
        );
        assert!(
            err.contains(r"1.22\u{1b}[2J\u{1b}]0;pwned\u{7}\u{202e}"),
            "{err}"
        );
    }
    assert_eq!(shim.status.code(), Some(1));
    assert_eq!(current.status.code(), Some(1));
    assert!(
        hook.status.success(),
        "the prompt hook never fails the prompt"
    );
}

#[test]
fn gov_local_never_writes_through_a_planted_link() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    let victim = env.root.join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    // Another member of a shared project plants links at every name a
    // pid-based temp file could take for the next few thousand processes.
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    for pid in last..last + 2000 {
        // The name gov used to give its temporary file.
        symlink(&victim, env.work.join(format!("..go-version.{pid}.tmp"))).unwrap();
    }
    env.gov_ok(["local", "1.22.4"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let written = env.work.join(".go-version");
    assert!(std::fs::symlink_metadata(&written).unwrap().is_file());
    assert_eq!(std::fs::read_to_string(&written).unwrap(), "1.22.4\n");
}

#[test]
fn exec_never_puts_the_current_directory_on_path() {
    let env = TestEnv::new();
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    let bin = env.gov_home.join("versions/1.22.4/bin");
    for path in [None, Some(""), Some("/usr/bin::/bin:"), Some(":")] {
        let mut cmd = env.gov_cmd(["exec", "/bin/sh", "-c", "printf %s \"$PATH\""]);
        match path {
            None => cmd.env_remove("PATH"),
            Some(p) => cmd.env("PATH", p),
        };
        let out = cmd.output().unwrap();
        assert_success(&out);
        let seen = stdout(&out);
        assert!(
            seen.split(':').all(|entry| !entry.is_empty()),
            "PATH={path:?} gave {seen:?}"
        );
        assert!(seen.starts_with(&bin.display().to_string()), "{seen}");
    }
}

#[test]
fn only_go_roots_are_linked() {
    let env = TestEnv::new();
    // A `/usr`-like prefix: `bin/go` among every other program.
    let prefix = env.root.join("usr");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    for program in ["go", "ls", "cat"] {
        write_executable(&prefix.join("bin").join(program), "#!/bin/sh\n");
    }
    let out = env.try_link("1.22.4", &prefix, &[]);
    gov_snapshot!(env, &out);
    assert!(std::fs::symlink_metadata(env.shim("ls")).is_err());

    // Forced, it is linked, and still only Go's own programs get shims.
    let out = env.try_link("1.22.4", &prefix, &["--force"]);
    assert_success(&out);
    assert!(env.shim("go").exists());
    for program in ["ls", "cat"] {
        assert!(
            std::fs::symlink_metadata(env.shim(program)).is_err(),
            "no shim for {program}"
        );
    }

    // A Go root built from source has no VERSION: its sources say enough.
    let source = env.go_root("go-src", None, "#!/bin/sh\n");
    env.link("1.23.0", &source);

    // Without even `bin/go`, --force does not help.
    let out = env.try_link("1.24.0", &env.work, &["--force"]);
    gov_snapshot!(env, &out);
}

#[test]
fn a_program_the_selected_release_lacks_runs_the_next_one_on_path() {
    let env = TestEnv::new();
    // Go 1.12 ships `godoc`; 1.22 does not.
    let old = env.fake_toolchain("1.12.17");
    write_executable(&old.join("bin/godoc"), "#!/bin/sh\necho old godoc\n");
    env.link("1.12.17", &old);
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    assert!(env.shim("godoc").exists());

    let other = env.root.join("other-bin");
    std::fs::create_dir_all(&other).unwrap();
    write_executable(
        &other.join("godoc"),
        "#!/bin/sh\necho system godoc \"$@\"\n",
    );
    let path = std::env::join_paths([env.gov_home.join("bin"), other.clone()]).unwrap();
    let out = env
        .command(env.shim("godoc"))
        .arg("-http")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out), "system godoc -http\n");

    let out = env
        .command(env.shim("godoc"))
        .env("PATH", env.gov_home.join("bin"))
        .output()
        .unwrap();
    gov_snapshot!(env, &out);

    let out = env
        .command(env.shim("godoc"))
        .arg("+1.12")
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "old godoc\n");
}

#[test]
fn links_that_climb_through_other_links_are_refused() {
    // Each target stays inside when read alone, but `c` climbs out of
    // wherever `a/b` leads, and `passwd` would then read the host's.
    let m = mirror_with(vec![
        Entry::dir("go/a/"),
        Entry::symlink("go/a/b", ".."),
        Entry::symlink("go/c", "a/b/.."),
        Entry::symlink("go/passwd", "c/etc/passwd"),
    ]);
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!(m.env, &out);
    m.assert_nothing_installed();
}

#[test]
fn deep_names_and_bombs_are_refused_before_they_cost_anything() {
    // 8,000 levels in one PAX name: once enough to overflow the stack.
    let deep = format!("go/{}x", "a/".repeat(8000));
    let record = pax_record("path", &deep);
    let m = mirror_with(vec![
        Entry::record("././@PaxHeader", tar::EntryType::XHeader, &record),
        Entry::file("go/short", b"x", 0o644),
    ]);
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!("deep_name", m.env, &out);
    m.assert_nothing_installed();

    // A header that announces 5 GiB: refused before a byte is written.
    let mut header = tar::Header::new_gnu();
    header.set_path("go/bomb").unwrap();
    header.set_size(5 << 30);
    header.set_mode(0o644);
    header.set_cksum();
    let mut tar = header.as_bytes().to_vec();
    tar.resize(tar.len() + 4096, 0);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    let m = Mirror::new(&[]);
    m.publish("1.22.4", gz.finish().unwrap());
    let out = m.gov(&["install", "1.22.4"]);
    gov_snapshot!("bomb", m.env, &out);
    m.assert_nothing_installed();
}

#[test]
fn archive_modes_never_make_files_writable_by_others() {
    let m = mirror_with(vec![Entry::file("go/bin/setuid", b"#!/bin/sh\n", 0o6777)]);
    assert_success(&m.gov(&["install", "1.22.4"]));
    let meta = std::fs::metadata(m.env.gov_home.join("versions/1.22.4/bin/setuid")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o7777, 0o755);
}

#[test]
fn a_broken_release_never_runs_another_go() {
    let env = TestEnv::new();
    let dir = env.install_fake("1.22.4");
    env.gov_ok(["global", "1.22.4"]);
    std::fs::remove_dir_all(&dir).unwrap();
    let other = env.root.join("other-bin");
    std::fs::create_dir_all(&other).unwrap();
    write_executable(&other.join("go"), "#!/bin/sh\necho SYSTEM go\n");
    let path = std::env::join_paths([env.gov_home.join("bin"), other]).unwrap();
    let out = env
        .go_cmd(&["version"])
        .env("PATH", &path)
        .output()
        .unwrap();
    gov_snapshot!(env, &out);
}

#[test]
fn a_large_go_mod_is_read_far_enough() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.21.5"]);
    // A big module lists its requirements before its `go` line.
    let mut go_mod = String::from("module example.com/big\n\nrequire (\n");
    for i in 0..1000 {
        go_mod.push_str(&format!("\texample.com/dependency{i} v1.0.0\n"));
    }
    go_mod.push_str(")\n\ngo 1.22.4\n");
    assert!(go_mod.len() > 32 * 1024);
    env.write("go.mod", &go_mod);
    assert!(env
        .gov_ok(["current"])
        .starts_with(&format!("1.22.4 (set by {}/go.mod", env.work.display())));
}

#[test]
fn gov_local_prints_what_the_file_says_escaped() {
    let env = TestEnv::new();
    env.write(".go-version", "1.22\u{1b}]0;pwned\u{7}\n");
    let out = env.gov(["local"]);
    assert_eq!(stdout(&out), "1.22\\u{1b}]0;pwned\\u{7}\n");
}

#[test]
fn vendor_builds_link_by_the_release_they_name() {
    let env = TestEnv::new();
    // Linked, and only the devel build warns that it names no release.
    let runs: Vec<(String, std::process::Output)> = [
        ("1.22.4", "go1.22.4 X:boringcrypto"),
        ("1.21.5", "go1.21.5-1"),
        ("1.23.0", "devel go1.23-abcdef Tue Jan 2 2024"),
    ]
    .into_iter()
    .map(|(version, says)| {
        let dir = env.fake_toolchain(version);
        std::fs::write(dir.join("VERSION"), format!("{says}\n")).unwrap();
        let label = format!("gov link {version} DIR (VERSION says `{says}`)");
        (label, env.try_link(version, &dir, &[]))
    })
    .collect();
    let runs: Vec<(&str, &std::process::Output)> =
        runs.iter().map(|(l, o)| (l.as_str(), o)).collect();
    text_snapshot!("vendor_builds", env, transcript(&runs));
    let dir = env.fake_toolchain("1.20.0");
    std::fs::write(dir.join("VERSION"), "go1.20.1-vendor\n").unwrap();
    let out = env.try_link("1.20.0", &dir, &[]);
    gov_snapshot!(env, &out);
}
