//! gov: a Go toolchain manager. The binary is both the `gov` command and
//! every shim (`go`, `gofmt`, …): argv[0] decides which.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;

use gov::cli::Cli;
use gov::{error, shim};

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next().unwrap_or_default();
    let invoked = executed_path().unwrap_or(argv0);
    let name = Path::new(&invoked)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("gov");
    if name != "gov" && !name.starts_with("gov-") {
        return ExitCode::from(shim::main(name, args.collect()));
    }
    end_quietly_on_a_closed_pipe();
    match Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(error::report(&e)),
    }
}

/// Ends gov as SIGPIPE ends a Unix tool, quietly, when it writes to a
/// closed pipe (`gov history | head -1`). Rust ignores SIGPIPE, so the write
/// fails with EPIPE and `print!` panics; that panic, when stdout or stderr
/// is a pipe nobody reads any more, becomes death by SIGPIPE. SIGPIPE itself
/// stays ignored: TLS writes to a socket (`writev`, without
/// `MSG_NOSIGNAL`) must fail with an error gov reports, not kill it. The
/// shims restore SIGPIPE's default before they exec Go.
fn end_quietly_on_a_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if [libc::STDOUT_FILENO, libc::STDERR_FILENO]
            .into_iter()
            .any(is_closed_pipe)
        {
            // SAFETY: plain calls; SIGPIPE's default action ends the
            // process, so the report below runs only if it did not.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                libc::raise(libc::SIGPIPE);
            }
        }
        report(info)
    }));
}

/// Is `fd` a pipe whose reader is gone? poll(2) says so with POLLERR,
/// without waiting.
fn is_closed_pipe(fd: libc::c_int) -> bool {
    let mut poll = libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no wait.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    ready == 1 && poll.revents & libc::POLLERR != 0
}

/// The path execve(2) was given, which names the link that ran gov even
/// when argv[0] does not: Go's `GOTOOLCHAIN=go1.22.4` finds `go1.22.4` on
/// PATH and runs it with its own argv[0], `go`.
#[cfg(target_os = "linux")]
fn executed_path() -> Option<std::ffi::OsString> {
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getauxval(3) returns 0 or the address of the NUL-terminated
    // path the kernel put on the initial stack, valid for the whole run.
    let path = unsafe { libc::getauxval(libc::AT_EXECFN) } as *const libc::c_char;
    if path.is_null() {
        return None;
    }
    // SAFETY: non-null, NUL-terminated, see above.
    let bytes = unsafe { std::ffi::CStr::from_ptr(path) }.to_bytes();
    Some(std::ffi::OsStr::from_bytes(bytes).to_os_string())
}

/// Elsewhere argv[0] is all there is.
#[cfg(not(target_os = "linux"))]
fn executed_path() -> Option<std::ffi::OsString> {
    None
}
