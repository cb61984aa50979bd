//! Closed pipes: gov writing into one (`gov history | head -1`) ends quietly,
//! as a Unix tool does, and every program gov runs starts with SIGPIPE's
//! default disposition, as from a shell, shims included.

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use crate::common::*;

/// The write end of a pipe whose read end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

#[test]
fn a_closed_pipe_ends_gov_quietly() {
    let env = TestEnv::new();
    env.install_fake("1.21.5");
    env.install_fake("1.22.4");
    env.gov_ok(["global", "1.21.5"]);
    env.gov_ok(["global", "1.22.4"]);
    env.write("go.mod", "module example.com/hello\n\ngo 1.22\n");
    for args in [
        &["history"][..],
        &["export", "github"],
        &["export", "dockerfile"],
        &["history", "--json"],
        &["list"],
        &["env"],
        &["current"],
        &["--help"],
        &["completions", "bash"],
    ] {
        let out = env
            .gov_cmd(args)
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(
            out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
            "gov {args:?}: {:?}\n{err}",
            out.status
        );
        assert!(!err.contains("panicked"), "gov {args:?}:\n{err}");
        assert!(!err.contains("Broken pipe"), "gov {args:?}:\n{err}");
    }
}

/// SIGPIPE's bit in a `/proc/PID/status` signal mask.
fn ignores_sigpipe(status_line: &str) -> bool {
    let mask = u64::from_str_radix(status_line.trim(), 16).unwrap();
    mask & (1 << (libc::SIGPIPE - 1)) != 0
}

#[test]
fn programs_gov_runs_do_not_inherit_an_ignored_sigpipe() {
    let env = TestEnv::new();
    // A `go` that prints which signals it was started ignoring.
    env.link_go_script(
        "1.22.4",
        "#!/bin/sh\n\
         while read -r key value; do\n\
           [ \"$key\" = SigIgn: ] && echo \"$value\"\n\
         done < /proc/$$/status\n\
         exit 0\n",
    );
    env.gov_ok(["global", "1.22.4"]);
    let shim = env.go(&env.work, &[]);
    assert_success(&shim);
    assert!(
        !ignores_sigpipe(&stdout(&shim)),
        "the shim: {}",
        stdout(&shim)
    );
    for args in [&["exec", "go"][..], &["run", "1.22", "go"]] {
        let out = env.gov_cmd(args).output().unwrap();
        assert_success(&out);
        assert!(
            !ignores_sigpipe(&stdout(&out)),
            "gov {args:?}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn a_pipeline_through_the_shim_ends_by_sigpipe_as_from_a_shell() {
    let env = TestEnv::new();
    // `yes` ends only by SIGPIPE, as it would after `| head -1`.
    env.link_go_script("1.22.4", "#!/bin/sh\nexec yes\n");
    env.gov_ok(["global", "1.22.4"]);
    let out = env
        .go_cmd(&[])
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?} {}",
        out.status,
        stderr(&out)
    );
}
