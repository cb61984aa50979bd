//! Real bash, zsh and fish with `gov init`: `cd` between projects pinned to
//! different releases, `gov shell` in one shell only, both PATH modes.

use std::path::Path;
use std::process::Stdio;

use crate::common::*;

const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

fn setup() -> TestEnv {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.write("p1/.go-version", "1.21.5\n");
    env.write("p2/go.mod", "module m\n\ngo 1.22\n");
    env
}

/// An interactive `shell` whose start-up file evaluates `gov init`.
pub(crate) fn interactive(env: &TestEnv, shell: &str, init_args: &str) -> std::process::Command {
    let rc = env
        .root
        .join(format!("rc-{shell}{}", init_args.replace(' ', "")));
    std::fs::create_dir_all(rc.join("fish")).unwrap();
    let init = format!("PS1='$ '\neval \"$('{GOV}' init {shell} {init_args})\"\n");
    std::fs::write(rc.join("bashrc"), &init).unwrap();
    std::fs::write(rc.join(".zshrc"), &init).unwrap();
    std::fs::write(
        rc.join("fish/config.fish"),
        format!("'{GOV}' init fish {init_args} | source\n"),
    )
    .unwrap();
    let mut cmd = env.command(shell);
    if shell == "bash" {
        cmd.arg("--rcfile").arg(rc.join("bashrc"));
    }
    cmd.arg("-i")
        .env("ZDOTDIR", &rc)
        .env("XDG_CONFIG_HOME", &rc)
        .env("TERM", "dumb");
    cmd
}

/// Feeds `input` to `cmd` and returns what it did.
pub(crate) fn feed(mut cmd: std::process::Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {:?} ({e}): run `apt-get install -y bash zsh fish`",
                cmd.get_program()
            )
        });
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Runs `script` in an interactive `shell` set up by `gov init`; returns stdout.
fn run_shell(env: &TestEnv, shell: &str, init_args: &str, script: &str) -> String {
    stdout(&feed(interactive(env, shell, init_args), script))
}

/// The `go version` and GOROOT lines a script printed, in order.
fn versions_and_roots(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let l = l.rsplit("$ ").next().unwrap_or(l);
            if let Some(rest) = l.strip_prefix("go go") {
                Some(format!("go{}", rest.split_whitespace().next().unwrap()))
            } else {
                l.strip_prefix("ROOT=").map(|r| {
                    Path::new(r)
                        .file_name()
                        .map_or("-".into(), |n| n.to_string_lossy().into_owned())
                })
            }
        })
        .collect()
}

fn script(env: &TestEnv) -> String {
    format!(
        "cd {p1}\ngo\necho \"ROOT=$GOROOT\"\ncd {p2}\ngo\necho \"ROOT=$GOROOT\"\ngov shell 1.21.5\ngo\necho \"ROOT=$GOROOT\"\ngov shell --unset\ngo\necho \"ROOT=$GOROOT\"\ncd {work}\necho \"ROOT=$GOROOT\"\n",
        p1 = env.work.join("p1").display(),
        p2 = env.work.join("p2").display(),
        work = env.root.display(),
    )
}

#[test]
fn cd_switches_go_and_goroot_in_every_shell_and_mode() {
    let env = setup();
    // With shims GOROOT is never exported (each call sets its own), so the
    // user's stays; without, it follows the release on PATH and comes back
    // when none is selected.
    let shims = [
        "go1.21.5",
        "user-goroot",
        "go1.22.4",
        "user-goroot",
        "go1.21.5",
        "user-goroot",
        "go1.22.4",
        "user-goroot",
        "user-goroot",
    ];
    let no_shims = [
        "go1.21.5",
        "1.21.5",
        "go1.22.4",
        "1.22.4",
        "go1.21.5",
        "1.21.5",
        "go1.22.4",
        "1.22.4",
        "user-goroot",
    ];
    for shell in SHELLS {
        for (mode, want) in [("", shims), ("--no-shims", no_shims)] {
            let mut cmd = interactive(&env, shell, mode);
            cmd.env("GOROOT", "/opt/user-goroot");
            let text = stdout(&feed(cmd, &script(&env)));
            assert_eq!(versions_and_roots(&text), want, "{shell} {mode}:\n{text}");
        }
        // Without a GOROOT of the user's, none is left behind.
        let text = run_shell(&env, shell, "--no-shims", &script(&env));
        assert_eq!(
            versions_and_roots(&text).last().map(String::as_str),
            Some("-"),
            "{shell}:\n{text}"
        );
    }
}

#[test]
fn gov_shell_changes_only_its_own_shell() {
    let env = setup();
    env.gov_ok(["global", "1.22.4"]);
    for shell in SHELLS {
        let a = run_shell(&env, shell, "", "gov shell 1.21.5\ngo\n");
        let b = run_shell(&env, shell, "", "go\n");
        assert_eq!(versions_and_roots(&a), ["go1.21.5"], "{shell}: {a}");
        assert_eq!(versions_and_roots(&b), ["go1.22.4"], "{shell}: {b}");
    }
}

#[test]
fn init_refreshes_shims_and_prints_the_path_set_up() {
    let env = setup();
    std::fs::remove_dir_all(env.gov_home.join("bin")).unwrap();
    let bash = env.gov(["init", "bash"]);
    assert!(env.shim("go").exists(), "gov init creates the shims");
    let fish = env.gov(["init", "fish", "--no-shims"]);
    // The per-shell directory is below TMPDIR, named by the user's uid.
    let mut settings = snapshot_settings(&env);
    settings.add_filter(r"'[^']*/gov-\d+'", "'[TMPDIR]/gov-[UID]'");
    settings.bind(|| {
        insta::assert_snapshot!(transcript(&[
            ("gov init bash", &bash),
            ("gov init fish --no-shims", &fish)
        ]))
    });
    let out = env.gov(["init", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_for_every_shell() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let text = env.gov_ok(["completions", shell]);
        assert!(
            text.contains("list-remote") && text.contains("install"),
            "{shell}"
        );
    }
}

#[test]
fn the_hook_says_when_another_go_shadows_gov() {
    let env = setup();
    let other = env.root.join("other-bin");
    std::fs::create_dir_all(&other).unwrap();
    write_executable(&other.join("go"), "#!/bin/sh\necho other go\n");
    let script = format!(
        "export PATH='{}':\"$PATH\"\ncd {}\n",
        other.display(),
        env.work.join("p1").display()
    );
    let out = feed(interactive(&env, "bash", ""), &script);
    assert!(
        stderr(&out).contains(&format!(
            "warning: `{}` comes before gov on PATH",
            other.join("go").display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bash_completes_installed_versions() {
    let env = setup();
    let script = env.root.join("gov.bash");
    std::fs::write(&script, env.gov_ok(["completions", "bash"])).unwrap();
    let probe = format!(
        "source '{}'\nCOMP_WORDS=(gov global 1.2); COMP_CWORD=2\n_gov_with_versions gov 1.2 global\necho \"${{COMPREPLY[*]}}\"\n",
        script.display()
    );
    let gov_dir = std::path::Path::new(GOV).parent().unwrap();
    let path = format!("{}:{}", gov_dir.display(), std::env::var("PATH").unwrap());
    let out = env
        .command("bash")
        .args(["-c", &probe])
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "1.22.4 1.21.5\n", "{}", stderr(&out));
}

/// The same session in a pseudo-terminal (util-linux `script`), where
/// shells run their prompt hooks as they do for a person typing.
#[test]
fn cd_switches_in_a_pseudo_terminal() {
    let env = setup();
    let lines = format!(
        "cd {p1}\ngo\necho \"WHERE\"\"=$GOROOT|\"\ncd {p2}\ngo\necho \"WHERE\"\"=$GOROOT|\"\nexit\n",
        p1 = env.work.join("p1").display(),
        p2 = env.work.join("p2").display(),
    );
    for shell in SHELLS {
        // The same interactive shell, started by `script` on a new terminal;
        // without shims, where the prompt hook does the switching.
        let inner = interactive(&env, shell, "--no-shims");
        let command = std::iter::once(inner.get_program())
            .chain(inner.get_args())
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut outer = env.command("script");
        outer.args(["-qec", &command, "/dev/null"]);
        for (key, value) in inner.get_envs() {
            if let Some(value) = value {
                outer.env(key, value);
            }
        }
        let mut terminal = Terminal::start(outer);
        // One line at a time, as typed, each only once the one before has
        // run: its marker is on the screen (the typed line shows `STEP""=`,
        // only the output `STEP=`).
        for (i, line) in lines.lines().enumerate() {
            if line == "exit" {
                terminal.type_line(line);
                break;
            }
            terminal.type_line(&format!("{line}; echo \"STEP\"\"={i}\""));
            terminal.wait_for(&format!("STEP={i}"));
        }
        let text = terminal.finish();
        let mut seen = Vec::new();
        for part in text.split(['\r', '\n']) {
            if let Some(i) = part.find("go go1.") {
                seen.push(part[i + 3..].split_whitespace().next().unwrap().to_string());
            }
            // The typed line shows `WHERE""=`; only the output has `WHERE=`.
            if let Some(i) = part.find("WHERE=") {
                let value = part[i + 6..].split('|').next().unwrap_or("");
                seen.push(value.rsplit('/').next().unwrap_or("").to_string());
            }
        }
        assert_eq!(
            seen,
            ["go1.21.5", "1.21.5", "go1.22.4", "1.22.4"],
            "{shell}:\n{text}"
        );
    }
}

/// A program on a pseudo-terminal (util-linux `script`), its output
/// collected as it comes, so that a test waits for what the screen shows
/// rather than for some time.
struct Terminal {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    output: std::sync::Arc<(std::sync::Mutex<Vec<u8>>, std::sync::Condvar)>,
    reader: std::thread::JoinHandle<()>,
}

impl Terminal {
    fn start(mut script: std::process::Command) -> Terminal {
        use std::io::Read;
        let mut child = script
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("util-linux `script` runs the shell in a pseudo-terminal");
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().unwrap();
        let output =
            std::sync::Arc::new((std::sync::Mutex::new(Vec::new()), std::sync::Condvar::new()));
        let shared = output.clone();
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = stdout.read(&mut chunk) {
                shared.0.lock().unwrap().extend_from_slice(&chunk[..n]);
                shared.1.notify_all();
            }
        });
        Terminal {
            child,
            stdin,
            output,
            reader,
        }
    }

    fn type_line(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Waits until the screen shows `needle`. The minute is a safety net
    /// for a shell that never prints it, not a pace.
    fn wait_for(&self, needle: &str) {
        let (lock, shown) = &*self.output;
        let seen = |out: &Vec<u8>| String::from_utf8_lossy(out).contains(needle);
        let (out, waited) = shown
            .wait_timeout_while(
                lock.lock().unwrap(),
                std::time::Duration::from_secs(60),
                |out| !seen(out),
            )
            .unwrap();
        assert!(
            !waited.timed_out() || seen(&out),
            "never shown: {needle:?}\n{}",
            String::from_utf8_lossy(&out)
        );
    }

    /// Ends the input, waits for the program; all it showed.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        self.child.wait().unwrap();
        self.reader.join().unwrap();
        let out = self.output.0.lock().unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[test]
fn shim_free_init_clears_directories_of_exited_shells() {
    let env = setup();
    let runtime = env.root.join("run");
    let dead = runtime.join("gov/999999999");
    let alive = runtime.join(format!("gov/{}", std::process::id()));
    for d in [&dead, &alive] {
        std::fs::create_dir_all(d).unwrap();
    }
    let out = env
        .gov_cmd(["init", "bash", "--no-shims"])
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).contains(&format!("__gov_dir='{}'/$$", runtime.join("gov").display())));
    assert!(!dead.exists(), "the exited shell's directory is removed");
    assert!(alive.exists(), "a running shell's directory stays");
}

#[test]
fn zsh_and_bash_complete_versions_from_the_store_and_the_cached_index() {
    let env = setup();
    // An index in the cache, and no server anywhere: completion must not
    // reach for the network.
    let index = crate::common::archive::index(&[
        ("1.23.1", &"ab".repeat(32)),
        ("1.22.4", &"cd".repeat(32)),
    ]);
    // Served once from a mirror, then cached under its URL.
    let server = crate::common::server::Server::start();
    server.route(
        "index.json",
        crate::common::server::Reply::Body(std::sync::Arc::new(index)),
    );
    let url = server.url("index.json");
    let cache = env
        .gov_cmd(["list-remote"])
        .env("GOV_INDEX_URL", &url)
        .output()
        .unwrap();
    assert_success(&cache);
    drop(server);
    let gov_dir = std::path::Path::new(GOV).parent().unwrap();
    let path = format!("{}:{}", gov_dir.display(), std::env::var("PATH").unwrap());

    let zsh = env.root.join("gov.zsh");
    std::fs::write(&zsh, env.gov_ok(["completions", "zsh"])).unwrap();
    let bash = env.root.join("gov.bash");
    std::fs::write(&bash, env.gov_ok(["completions", "bash"])).unwrap();
    for (command, want) in [
        ("global", "1.22.4 1.21.5"),
        ("uninstall", "1.22.4 1.21.5"),
        ("install", "1.23.1 1.22.4"),
    ] {
        // zsh: compadd and compdef stand in for the completion system.
        let probe = format!(
            "compdef() {{ :; }}\nsource '{}'\ncompadd() {{ shift; print -r -- \"$*\"; }}\nwords=(gov {command} ''); CURRENT=3\n_gov_with_versions\n",
            zsh.display()
        );
        let out = env
            .command("zsh")
            .args(["-f", "-c", &probe])
            .env("PATH", &path)
            .env("GOV_INDEX_URL", &url)
            .output()
            .unwrap();
        assert_eq!(
            stdout(&out),
            format!("{want}\n"),
            "zsh {command}: {}",
            stderr(&out)
        );

        let probe = format!(
            "source '{}'\nCOMP_WORDS=(gov {command} ''); COMP_CWORD=2\n_gov_with_versions gov '' {command}\necho \"${{COMPREPLY[*]}}\"\n",
            bash.display()
        );
        let out = env
            .command("bash")
            .args(["-c", &probe])
            .env("PATH", &path)
            .env("GOV_INDEX_URL", &url)
            .output()
            .unwrap();
        assert_eq!(
            stdout(&out),
            format!("{want}\n"),
            "bash {command}: {}",
            stderr(&out)
        );
    }
}

/// In a terminal a download shows a progress bar, and takes it away when
/// it ends, done or failed: nothing stale is left on the screen.
///
/// Nothing here depends on the machine's speed: the server sends half the
/// archive, then waits until the bar is on the terminal before it sends the
/// rest (or cuts the connection), and gov's timeouts are far longer than
/// any of it.
#[test]
fn progress_bars_leave_no_stale_line_in_a_terminal() {
    use crate::common::archive;
    use crate::common::mirror::Mirror;
    use std::io::Read;
    use std::sync::mpsc;
    const BAR: &[u8] = b"Go 1.22.4 [";
    for fails in [false, true] {
        let m = Mirror::new(&["1.22.4"]);
        let body = archive::fake_release("1.22.4");
        let (drawn_tx, drawn_rx) = mpsc::channel::<()>();
        let archives = held_archive_server(body, fails, drawn_rx);
        let mut install = m.gov_cmd(["install", "1.22.4"]);
        install
            .env("GOV_DOWNLOAD_URL", &archives)
            .env("GOV_HTTP_TIMEOUT", "600");
        let command = std::iter::once(install.get_program())
            .chain(install.get_args())
            .map(|a| format!("'{}'", a.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" ");
        let mut outer = m.env.command("script");
        outer.args(["-qec", &command, "/dev/null"]);
        for (key, value) in install.get_envs() {
            if let Some(value) = value {
                outer.env(key, value);
            }
        }
        outer
            .env("TERM", "xterm")
            .stdin(Stdio::null())
            .stdout(Stdio::piped());
        let mut child = outer
            .spawn()
            .expect("util-linux `script` gives gov a terminal");
        // The terminal's output as it comes: the bar's first drawing
        // releases the rest of the archive.
        let mut terminal = child.stdout.take().unwrap();
        let mut output = Vec::new();
        let mut chunk = [0u8; 4096];
        let mut drawn_tx = Some(drawn_tx);
        loop {
            let n = terminal.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            output.extend_from_slice(&chunk[..n]);
            if output.windows(BAR.len()).any(|w| w == BAR) {
                if let Some(tx) = drawn_tx.take() {
                    let _ = tx.send(());
                }
            }
        }
        // Unblocks the server if the bar never came, so that the test
        // fails below rather than waits.
        drop(drawn_tx);
        child.wait().unwrap();
        let screen = String::from_utf8_lossy(&output);
        let drawn = screen.rfind("Go 1.22.4 [").expect("the bar was drawn");
        let cleared = screen.rfind("\u{1b}[2K").unwrap_or(0);
        assert!(
            cleared > drawn,
            "the bar's last drawing stays (fails: {fails}):\n{screen:?}"
        );
        let done = if fails {
            "error: "
        } else {
            "installed Go 1.22.4"
        };
        assert!(screen[drawn..].contains(done), "{screen:?}");
        // What a person sees at the end: no bar left on any line.
        let lines = terminal_screen(&screen);
        assert!(
            lines.iter().all(|l| !l.contains("Go 1.22.4 [")),
            "a stale bar (fails: {fails}):\n{}",
            lines.join("\n")
        );
    }
}

/// An HTTP server on loopback for one archive: every request gets the
/// first half of `body`, then, the first time only, nothing more until
/// `drawn` fires (a minute at most: a safety net for a broken gov, not a
/// pace); then the rest, or, if `fails`, a closed connection (a body cut
/// short). Returns its base URL.
fn held_archive_server(body: Vec<u8>, fails: bool, drawn: std::sync::mpsc::Receiver<()>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut drawn = Some(drawn);
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // The request: its lines up to the blank one.
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                line.clear();
            }
            let half = body.len() / 2;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body[..half]);
            let _ = stream.flush();
            if let Some(drawn) = drawn.take() {
                let _ = drawn.recv_timeout(std::time::Duration::from_secs(60));
            }
            if !fails {
                let _ = stream.write_all(&body[half..]);
            }
        }
    });
    base
}

/// The lines a terminal shows after `output`: enough of VT100 for what
/// progress bars write (carriage return, newline, erase line and screen,
/// cursor up and down); other escape sequences are skipped.
fn terminal_screen(output: &str) -> Vec<String> {
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
            }
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut arg = String::new();
                let mut command = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        command = c;
                        break;
                    }
                    arg.push(c);
                }
                let n: usize = arg.parse().unwrap_or(0);
                while rows.len() <= row {
                    rows.push(Vec::new());
                }
                match command {
                    'A' => row = row.saturating_sub(n.max(1)),
                    'B' => row += n.max(1),
                    'K' if n == 2 => rows[row].clear(),
                    'K' => rows[row].truncate(col),
                    'J' => {
                        rows[row].truncate(col);
                        rows.truncate(row + 1);
                    }
                    _ => {}
                }
            }
            c if !c.is_control() => {
                while rows.len() <= row {
                    rows.push(Vec::new());
                }
                let line = &mut rows[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
            _ => {}
        }
    }
    rows.into_iter()
        .map(|r| r.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}
