//! The Go build information gov reads from programs
//! (`gov::sbom::buildinfo`), checked line by line against what
//! `go version -m` prints for programs built here by real Go: Debian's
//! 1.19 and the mirror's newest 1.22, natively and cross-compiled to every
//! container format Go links (ELF 32/64-bit of both byte orders, Mach-O,
//! PE32 and PE32+). No network: a module with a real version and go.sum
//! line comes from a file-based GOPROXY written here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gov::sbom::buildinfo::{self, BuildInfo, BuildInfoError, Module};
use sha2::{Digest, Sha256};

use crate::common::*;

/// Test artefacts kept between runs: Go's build cache and the unpacked 1.22.
fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
}

/// The root of the mirror's newest Go 1.22, unpacked once.
pub fn go_1_22() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let mirror = real_mirror_dir();
        let mut versions: Vec<(u32, String)> = std::fs::read_dir(&mirror)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let v = name.strip_prefix("go1.22.")?.strip_suffix(".linux-amd64.tar.gz")?;
                Some((v.parse().ok()?, name))
            })
            .collect();
        versions.sort();
        let (_, archive) = versions.pop().unwrap_or_else(|| {
            panic!(
                "the mirror at {} holds no Go 1.22: run `scripts/go-mirror.sh target/go-mirror 1.19 1.21 1.22`",
                mirror.display()
            )
        });
        let root = scratch().join(format!("buildinfo-{}", archive.trim_end_matches(".tar.gz")));
        if !root.join("bin/go").exists() {
            // Unpacked aside and renamed, so that a concurrent run never
            // sees half a root.
            let tmp = tempfile::tempdir_in(scratch()).unwrap();
            let ok = Command::new("tar")
                .arg("-xzf")
                .arg(mirror.join(&archive))
                .arg("-C")
                .arg(tmp.path())
                .status()
                .unwrap();
            assert!(ok.success(), "cannot unpack {archive}");
            let _ = std::fs::rename(tmp.path().join("go"), &root);
        }
        assert!(root.join("bin/go").exists());
        root
    })
}

/// `go` of the Go root `root`, isolated: HOME, GOPATH in the test's
/// directory, a build cache of its own (kept between runs: building the
/// standard library again for every test would take minutes), no network.
pub fn go(env: &TestEnv, root: &Path) -> Command {
    let mut cmd = env.command(root.join("bin/go"));
    cmd.env("GOCACHE", scratch().join("buildinfo-gocache"))
        .env("GOPATH", env.root.join("gopath"))
        .env("GOFLAGS", "-modcacherw")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("CGO_ENABLED", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    cmd
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_success(&out);
    stdout(&out)
}

/// What `go version -m` prints for `file`: its Go version and the lines
/// below it, without their leading tab.
pub fn go_version_m(env: &TestEnv, root: &Path, file: &Path) -> (String, Vec<String>) {
    let text = run(go(env, root).arg("version").arg("-m").arg(file));
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    let version = first
        .strip_prefix(&format!("{}: ", file.display()))
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    let rest = lines
        .map(|l| l.strip_prefix('\t').unwrap().to_string())
        .collect();
    (version, rest)
}

/// `s` quoted as Go's `strconv.Quote` does; these tests use ASCII only.
fn go_quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\x07' => q.push_str("\\a"),
            '\x08' => q.push_str("\\b"),
            '\x0c' => q.push_str("\\f"),
            '\n' => q.push_str("\\n"),
            '\r' => q.push_str("\\r"),
            '\t' => q.push_str("\\t"),
            '\x0b' => q.push_str("\\v"),
            ' '..='~' => q.push(c),
            c if c.is_ascii() => q.push_str(&format!("\\x{:02x}", c as u32)),
            c => panic!("these tests build ASCII values only, not {c:?}"),
        }
    }
    q + "\""
}

/// `info` as Go's `BuildInfo.String` writes it, line by line.
fn go_lines(info: &BuildInfo) -> Vec<String> {
    fn module(word: &str, m: &Module, out: &mut Vec<String>) {
        match &m.replace {
            None => out.push(format!(
                "{word}\t{}\t{}\t{}",
                m.path,
                m.version,
                m.sum.as_deref().unwrap_or("")
            )),
            Some(r) => {
                out.push(format!("{word}\t{}\t{}", m.path, m.version));
                module("=>", r, out);
                // Go ends the replacement's line twice.
                out.push(String::new());
            }
        }
    }
    let mut out = Vec::new();
    if !info.path.is_empty() {
        out.push(format!("path\t{}", info.path));
    }
    if let Some(m) = &info.main {
        module("mod", m, &mut out);
    }
    for d in &info.deps {
        module("dep", d, &mut out);
    }
    for (k, v) in &info.settings {
        let k = if k.is_empty() || k.contains(['=', ' ', '\t', '\r', '\n', '"', '`']) {
            go_quote(k)
        } else {
            k.clone()
        };
        let v = if v.contains([' ', '\t', '\r', '\n', '"', '`']) {
            go_quote(v)
        } else {
            v.clone()
        };
        out.push(format!("build\t{k}={v}"));
    }
    out
}

/// Reads `file` with gov and with Go, and insists they agree on every
/// line; returns what gov read.
fn agrees_with_go(env: &TestEnv, root: &Path, file: &Path) -> BuildInfo {
    let info = buildinfo::read(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} ({e:?})", file.display()));
    let (version, lines) = go_version_m(env, root, file);
    assert_eq!(info.go_version, version, "{}", file.display());
    assert_eq!(go_lines(&info), lines, "{}", file.display());
    // `parse` on the bytes reads what `read` reads from the file.
    assert_eq!(
        buildinfo::parse(&std::fs::read(file).unwrap()).unwrap(),
        info
    );
    info
}

/// A zip of `files` (name, contents), stored uncompressed: Go's module
/// zips need nothing more.
fn zip(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, body) in files {
        let mut crc = flate2::Crc::new();
        crc.update(body.as_bytes());
        let at = out.len() as u32;
        let sizes = [crc.sum(), body.len() as u32, body.len() as u32];
        // Version 2.0, no flags, stored, 1980-01-01 00:00.
        let common: Vec<u8> = [&20u16.to_le_bytes()[..], &[0, 0, 0, 0, 0, 0, 0x21, 0]]
            .concat()
            .into_iter()
            .chain(sizes.iter().flat_map(|n| n.to_le_bytes()))
            .chain((name.len() as u16).to_le_bytes())
            .chain([0, 0])
            .collect();
        out.extend(0x04034b50u32.to_le_bytes());
        out.extend(&common);
        out.extend(name.as_bytes());
        out.extend(body.as_bytes());
        central.extend(0x02014b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes());
        central.extend(&common);
        central.extend([0; 10]); // comment, disk, attributes
        central.extend(at.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let (central_at, central_len) = (out.len() as u32, central.len() as u32);
    out.extend(central);
    out.extend(0x06054b50u32.to_le_bytes());
    out.extend([0; 4]);
    out.extend((files.len() as u16).to_le_bytes());
    out.extend((files.len() as u16).to_le_bytes());
    out.extend(central_len.to_le_bytes());
    out.extend(central_at.to_le_bytes());
    out.extend([0; 2]);
    out
}

pub fn write(path: &Path, text: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A file-based GOPROXY holding `example.com/greet@v1.0.0`; its URL.
fn proxy(env: &TestEnv) -> String {
    let dir = env.root.join("proxy/example.com/greet/@v");
    let go_mod = "module example.com/greet\n\ngo 1.19\n";
    let greet = "package greet\n\nfunc Hello() string { return \"hello\" }\n";
    write(&dir.join("list"), "v1.0.0\n");
    write(
        &dir.join("v1.0.0.info"),
        r#"{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}"#,
    );
    write(&dir.join("v1.0.0.mod"), go_mod);
    write(
        &dir.join("v1.0.0.zip"),
        zip(&[
            ("example.com/greet@v1.0.0/go.mod", go_mod),
            ("example.com/greet@v1.0.0/greet.go", greet),
        ]),
    );
    format!("file://{}", env.root.join("proxy").display())
}

/// The program the tests build: `example.com/app`, requiring
/// `example.com/greet v1.0.0` (from the proxy) and `example.com/lib`
/// (replaced by the directory `../lib`), committed to git. Returns its
/// directory and the commit.
pub fn app(env: &TestEnv, root: &Path, with_greet: bool) -> (PathBuf, String) {
    let base = env.root.join("src");
    write(
        &base.join("lib/go.mod"),
        "module example.com/lib\n\ngo 1.19\n",
    );
    write(
        &base.join("lib/lib.go"),
        "package lib\n\nconst Name = \"lib\"\n",
    );
    let app = base.join("app");
    let (require, import, call) = if with_greet {
        (
            "require example.com/greet v1.0.0\n",
            "\t\"example.com/greet\"\n",
            "greet.Hello(), ",
        )
    } else {
        ("", "", "")
    };
    write(
        &app.join("go.mod"),
        format!(
            "module example.com/app\n\ngo 1.19\n\n{require}require example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n"
        ),
    );
    write(
        &app.join("main.go"),
        format!(
            "package main\n\nimport (\n{import}\t\"example.com/lib\"\n)\n\nvar x, q = \"unset\", \"unset\"\n\nfunc main() {{ println({call}lib.Name, x, q) }}\n"
        ),
    );
    if with_greet {
        run(go(env, root)
            .args(["mod", "tidy"])
            .env("GOPROXY", proxy(env))
            .current_dir(&app));
    }
    let git = |args: &[&str]| {
        run(env
            .command("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .current_dir(&app))
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "app"]);
    let commit = git(&["rev-parse", "HEAD"]).trim().to_string();
    (app, commit)
}

/// Builds the package in `dir` into `out` with `args`.
pub fn build(env: &TestEnv, root: &Path, dir: &Path, out: &Path, args: &[&str]) {
    run(go(env, root)
        .arg("build")
        .args(args)
        .arg("-o")
        .arg(out)
        .arg(".")
        .current_dir(dir));
}

fn module_build(root: &Path, go_version: &str) {
    let env = TestEnv::new();
    let (app, commit) = app(&env, root, true);
    let go_sum = std::fs::read_to_string(app.join("go.sum")).unwrap();
    let h1 = go_sum
        .lines()
        .find_map(|l| l.strip_prefix("example.com/greet v1.0.0 h1:"))
        .map(|h| format!("h1:{h}"))
        .expect("go.sum has the module's h1 line");

    let trimmed = env.root.join("app-trimpath");
    build(
        &env,
        root,
        &app,
        &trimmed,
        &["-trimpath", "-ldflags=-X main.x=y"],
    );
    let ldflags = "-X main.x=y -X 'main.q=a b' -X main.z=\"c\"";
    let flagged = env.root.join("app-ldflags");
    build(
        &env,
        root,
        &app,
        &flagged,
        &[&format!("-ldflags={ldflags}")],
    );

    for (file, trimpath) in [(&trimmed, true), (&flagged, false)] {
        let info = agrees_with_go(&env, root, file);
        assert_eq!(info.go_version, go_version);
        assert_eq!(info.path, "example.com/app");
        assert_eq!(
            info.main,
            Some(Module {
                path: "example.com/app".into(),
                version: "(devel)".into(),
                sum: None,
                replace: None,
            })
        );
        assert_eq!(
            info.deps,
            [
                Module {
                    path: "example.com/greet".into(),
                    version: "v1.0.0".into(),
                    sum: Some(h1.clone()),
                    replace: None,
                },
                Module {
                    path: "example.com/lib".into(),
                    version: "v0.0.0".into(),
                    sum: None,
                    replace: Some(Box::new(Module {
                        path: "../lib".into(),
                        version: "(devel)".into(),
                        sum: None,
                        replace: None,
                    })),
                },
            ]
        );
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        assert_eq!(info.setting("GOOS"), Some("linux"));
        assert_eq!(info.setting("GOARCH"), Some("amd64"));
        assert_eq!(info.setting("vcs"), Some("git"));
        assert_eq!(info.setting("vcs.revision"), Some(commit.as_str()));
        assert_eq!(info.setting("vcs.modified"), Some("false"));
        if trimpath {
            assert_eq!(info.setting("-trimpath"), Some("true"));
            // Go leaves -ldflags out of a -trimpath build (go.dev/issue/52372).
        } else {
            assert_eq!(info.setting("-trimpath"), None);
            assert_eq!(info.setting("-ldflags"), Some(ldflags));
        }
    }
}

#[test]
fn a_module_build_of_go_1_19_reads_as_go_prints_it() {
    module_build(&debian_go_1_19(), "go1.19.8");
}

#[test]
fn a_module_build_of_go_1_22_reads_as_go_prints_it() {
    let root = go_1_22();
    let version = std::fs::read_to_string(root.join("VERSION")).unwrap();
    module_build(root, version.lines().next().unwrap());
}

#[test]
fn every_format_go_links_reads_as_go_prints_it() {
    let env = TestEnv::new();
    let root = go_1_22();
    let (app, _) = app(&env, root, false);
    for (goos, goarch, magic) in [
        ("linux", "386", &b"\x7fELF\x01\x01"[..]),
        ("linux", "mips", b"\x7fELF\x01\x02"),
        ("linux", "s390x", b"\x7fELF\x02\x02"),
        ("linux", "arm64", b"\x7fELF\x02\x01"),
        ("darwin", "arm64", b"\xcf\xfa\xed\xfe"),
        ("darwin", "amd64", b"\xcf\xfa\xed\xfe"),
        ("windows", "386", b"MZ"),
        ("windows", "amd64", b"MZ"),
    ] {
        let out = env.root.join(format!("app-{goos}-{goarch}"));
        run(go(&env, root)
            .args(["build", "-trimpath", "-o"])
            .arg(&out)
            .arg(".")
            .env("GOOS", goos)
            .env("GOARCH", goarch)
            .current_dir(&app));
        assert!(
            std::fs::read(&out).unwrap().starts_with(magic),
            "{goos}/{goarch} is not the format expected"
        );
        let info = agrees_with_go(&env, root, &out);
        assert_eq!(info.setting("GOOS"), Some(goos));
        assert_eq!(info.setting("GOARCH"), Some(goarch));
        assert_eq!(info.deps[0].replace.as_ref().unwrap().path, "../lib");
    }
}

#[test]
fn stripped_programs_still_tell() {
    let env = TestEnv::new();
    let root = go_1_22();
    let (app, _) = app(&env, root, false);
    let full = env.root.join("app");
    build(&env, root, &app, &full, &["-trimpath"]);
    let expected = agrees_with_go(&env, root, &full);

    // binutils' strip: the symbols go, the sections stay.
    let stripped = env.root.join("app-stripped");
    let ok = Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(&full)
        .status()
        .unwrap();
    assert!(ok.success());
    assert_eq!(agrees_with_go(&env, root, &stripped), expected);

    // No section headers at all (as sstrip leaves it): the blob is found
    // in the first writable segment, as Go finds it.
    let mut bytes = std::fs::read(&full).unwrap();
    bytes[0x28..0x30].fill(0); // e_shoff
    bytes[0x3c..0x40].fill(0); // e_shnum, e_shstrndx
    let headless = env.root.join("app-no-sections");
    std::fs::write(&headless, &bytes).unwrap();
    assert_eq!(agrees_with_go(&env, root, &headless), expected);

    // Linked without symbols and DWARF.
    let small = env.root.join("app-s-w");
    build(&env, root, &app, &small, &["-ldflags=-s -w"]);
    let info = agrees_with_go(&env, root, &small);
    assert_eq!(info.setting("-ldflags"), Some("-s -w"));
    assert_eq!(info.deps, expected.deps);
}

#[test]
fn a_gopath_build_names_no_module() {
    for root in [debian_go_1_19(), go_1_22().to_path_buf()] {
        let env = TestEnv::new();
        let dir = env.root.join("gopath/src/hello");
        write(
            &dir.join("main.go"),
            "package main\n\nfunc main() { println(\"hello\") }\n",
        );
        let out = env.root.join("hello");
        run(go(&env, &root)
            .args(["build", "-o"])
            .arg(&out)
            .arg(".")
            .env("GO111MODULE", "off")
            .current_dir(&dir));
        let info = agrees_with_go(&env, &root, &out);
        assert_eq!(info.path, "hello");
        assert_eq!(info.main, None);
        assert!(info.deps.is_empty());
        assert_eq!(info.setting("GOOS"), Some("linux"));
    }
}

#[test]
fn a_program_linked_by_hand_has_no_module_information() {
    for root in [debian_go_1_19(), go_1_22().to_path_buf()] {
        let env = TestEnv::new();
        let dir = env.root.join("raw");
        write(&dir.join("main.go"), "package main\n\nfunc main() {}\n");
        let importcfg = run(go(&env, &root)
            .args(["list", "-export", "-deps", "-f"])
            .arg("{{if .Export}}packagefile {{.ImportPath}}={{.Export}}{{end}}")
            .arg("runtime")
            .env("GO111MODULE", "off")
            .current_dir(&dir));
        write(&dir.join("importcfg"), importcfg);
        let tool = |args: &[&str]| {
            run(go(&env, &root)
                .arg("tool")
                .args(args)
                .env("GO111MODULE", "off")
                .current_dir(&dir))
        };
        tool(&[
            "compile",
            "-p",
            "main",
            "-importcfg",
            "importcfg",
            "-o",
            "main.o",
            "main.go",
        ]);
        tool(&["link", "-importcfg", "importcfg", "-o", "prog", "main.o"]);

        let prog = dir.join("prog");
        let (version, lines) = go_version_m(&env, &root, &prog);
        assert!(lines.is_empty(), "{lines:?}");
        let err = buildinfo::read(&prog).unwrap_err();
        match &err {
            BuildInfoError::NoModuleInfo { go_version } => assert_eq!(*go_version, version),
            other => panic!("{other:?}"),
        }
        assert!(err.hint().unwrap().contains("module mode"));
    }
}

#[test]
fn other_files_are_refused_clearly() {
    let env = TestEnv::new();
    let root = go_1_22();

    let err = buildinfo::read(Path::new("/bin/true")).unwrap_err();
    assert!(matches!(err, BuildInfoError::NotGo), "{err:?}");
    assert_eq!(
        err.to_string(),
        "not a Go program: it holds no Go build information"
    );

    let text = env.root.join("notes.txt");
    write(&text, "just some text\n");
    let err = buildinfo::read(&text).unwrap_err();
    assert!(matches!(err, BuildInfoError::NotExecutable), "{err:?}");
    assert_eq!(
        err.to_string(),
        "not an executable: neither ELF, Mach-O nor PE"
    );
    assert!(err.hint().unwrap().contains("not a script"));

    let err = buildinfo::read(&env.root).unwrap_err();
    assert!(matches!(
        err,
        BuildInfoError::NotAFile {
            kind: "a directory",
            ..
        }
    ));

    // Cut anywhere, a copy is truncated: the section headers sit at the
    // end of Go's ELF files, the blob in the data before them.
    let (app, _) = app(&env, root, false);
    let full = env.root.join("app");
    build(&env, root, &app, &full, &["-trimpath"]);
    let bytes = std::fs::read(&full).unwrap();
    let cut = env.root.join("app-cut");
    for len in [64, 4096, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let err = buildinfo::read(&cut).unwrap_err();
        assert!(
            matches!(err, BuildInfoError::Truncated { .. }),
            "{len}: {err:?}"
        );
        assert!(err.hint().unwrap().contains("incomplete"));
    }
    // Without section headers, a cut inside the data is still seen.
    let mut headless = bytes.clone();
    headless[0x28..0x30].fill(0);
    headless[0x3c..0x40].fill(0);
    buildinfo::parse(&headless).unwrap();
    let blob = 16
        * bytes
            .chunks(16)
            .position(|c| c.starts_with(b"\xff Go buildinf:"))
            .unwrap();
    // Inside the header, inside the Go version, inside the module text.
    for len in [blob + 20, blob + 36, blob + 100] {
        let err = buildinfo::parse(&headless[..len]).unwrap_err();
        assert!(
            matches!(err, BuildInfoError::Truncated { .. }),
            "{len}: {err:?}"
        );
    }
}

/// Go's compiler, an 18 MB Go program, reads as Go prints it. How fast
/// (the read and the hash a caller adds) is for `bench/sbom.sh` to say,
/// not a test: a time limit here would fail on a busy machine.
#[test]
fn a_large_program_reads_as_go_prints_it() {
    let env = TestEnv::new();
    let root = go_1_22();
    let compile = root.join("pkg/tool/linux_amd64/compile");
    let size = std::fs::metadata(&compile).unwrap().len();
    assert!(size > 15 << 20, "{size}");
    let info = agrees_with_go(&env, root, &compile);
    assert_eq!(info.path, "cmd/compile");
    // What `gov sbom --binary` does: read and hash through one open.
    let bytes = std::fs::read(&compile).unwrap();
    let (read, digest) = buildinfo::read_and_digest(&compile).unwrap();
    assert_eq!(read.path, "cmd/compile");
    assert_eq!(digest, format!("{:x}", Sha256::digest(&bytes)));
}
