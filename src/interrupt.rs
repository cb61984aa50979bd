//! Interrupts and the processes gov starts: SIGINT, SIGTERM, SIGHUP and
//! SIGQUIT noted instead of killing gov while it has something to restore
//! or stop (`gov upgrade`, `gov matrix`), and the process group of a child
//! that dies with gov, even of a `SIGKILL`.

use std::io;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicI32, Ordering};

/// The signals that mean "stop": Ctrl-C, `kill`, a closed terminal or ssh
/// connection, Ctrl-\\.
const INTERRUPTS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The signal that interrupted gov (one of [`INTERRUPTS`]), or 0.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// From now on SIGINT, SIGTERM, SIGHUP and SIGQUIT are noted instead of
/// killing gov, so it can restore what it changed, or stop what it
/// started, first.
pub fn catch_interrupts() {
    for signal in INTERRUPTS {
        // SAFETY: the handler only stores into an atomic, which is
        // async-signal-safe.
        unsafe {
            libc::signal(signal, on_signal as *const () as libc::sighandler_t);
        }
    }
}

/// Those signals act as usual again (once nothing is left to restore).
pub fn release_interrupts() {
    for signal in INTERRUPTS {
        // SAFETY: restoring the default disposition.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
        }
    }
}

/// The signal that interrupted gov, if one did.
pub fn interrupted() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Makes the process `cmd` starts die with gov, even of a `SIGKILL`,
/// which gov cannot catch: Linux's parent-death signal (`SIGKILL`), set
/// between fork and exec, then a check that gov did not die before it was
/// set. It fires when the thread that started the process ends: gov starts
/// them from its main thread. Elsewhere than on Linux, nothing.
pub fn die_with_gov(cmd: &mut Command) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: getpid(2) cannot fail.
        let gov = unsafe { libc::getpid() };
        // SAFETY: between fork and exec only async-signal-safe calls:
        // prctl(2) and getppid(2).
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(
                    libc::PR_SET_PDEATHSIG,
                    libc::SIGKILL as libc::c_ulong,
                    0,
                    0,
                    0,
                ) != 0
                {
                    return Err(io::Error::last_os_error());
                }
                if libc::getppid() != gov {
                    return Err(io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = cmd;
}

/// A process that leads a new process group, does nothing until gov dies,
/// then kills the whole group. gov starts it first and the child it
/// guards in its group, so that no moment of the child goes unguarded. The
/// parent-death signal of [`die_with_gov`] reaches only gov's own child,
/// not what that child started (`go test`'s test binaries, a check's
/// background jobs); the guard does. Leading the group, it also keeps the
/// group's id from being reused while gov lives. Dropping it ends it.
pub struct GroupGuard {
    pid: libc::pid_t,
}

impl GroupGuard {
    /// A guard of a new group; `None` where it cannot be started (then the
    /// child leads a group of its own, and only it dies with gov).
    pub fn start() -> Option<GroupGuard> {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: plain system calls; the child makes only
            // async-signal-safe ones and never returns (see `guard`).
            unsafe {
                let gov = libc::getpid();
                let mut all: libc::sigset_t = std::mem::zeroed();
                libc::sigfillset(&mut all);
                match libc::fork() {
                    -1 => None,
                    0 => guard(gov, &all),
                    pid => {
                        // Both make it the leader (as shells do), so that
                        // the group exists before gov starts the child.
                        libc::setpgid(pid, pid);
                        Some(GroupGuard { pid })
                    }
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            None
        }
    }

    /// The id of the group it leads, for the child to join.
    pub fn pgid(&self) -> libc::pid_t {
        self.pid
    }
}

/// The process group of `child`, started to join `pgid` (0: its own).
pub fn group_of(child: &Child, pgid: libc::pid_t) -> libc::pid_t {
    if pgid == 0 {
        child.id() as libc::pid_t
    } else {
        pgid
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        // SAFETY: kill(2) and waitpid(2) of gov's own child, not yet
        // reaped, so its pid is still its own.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
            libc::waitpid(self.pid, std::ptr::null_mut(), 0);
        }
    }
}

/// The guard's life, in the forked child of a process with threads: only
/// async-signal-safe system calls, no allocation. It leads a new group,
/// blocks every signal, asks for one when gov dies, lets go of every file
/// (gov's pipes and locks among them), and waits; at any signal, if its
/// parent is no longer gov, it kills the group, itself included.
#[cfg(target_os = "linux")]
unsafe fn guard(gov: libc::pid_t, all: &libc::sigset_t) -> ! {
    if libc::setpgid(0, 0) != 0 {
        libc::_exit(0);
    }
    let pgid = libc::getpid();
    libc::pthread_sigmask(libc::SIG_BLOCK, all, std::ptr::null_mut());
    libc::prctl(
        libc::PR_SET_PDEATHSIG,
        libc::SIGHUP as libc::c_ulong,
        0,
        0,
        0,
    );
    if libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32) != 0 {
        for fd in 0..4096 {
            libc::close(fd);
        }
    }
    loop {
        if libc::getppid() != gov {
            libc::kill(-pgid, libc::SIGKILL);
            libc::_exit(0);
        }
        libc::sigwaitinfo(all, std::ptr::null_mut());
    }
}

/// Has `child` ended? It is left unreaped (a zombie), so its pid — its
/// process group's id — cannot be reused yet.
pub fn has_ended(child: &Child) -> bool {
    // SAFETY: waitid(2) on our own child, writing into a zeroed siginfo_t.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            child.id() as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc == -1 {
        // Only if someone else reaped it (it cannot be, being ours): it is
        // gone either way.
        return true;
    }
    // SAFETY: si_pid is set by a successful waitid (0: nothing ended).
    unsafe { info.si_pid() != 0 }
}

/// Sends `signal` to the process group `pgid` (see [`group_of`]).
pub fn signal_group(pgid: libc::pid_t, signal: i32) {
    // SAFETY: kill(2) on a group gov made, whose id its guard or its
    // unreaped leader keeps from reuse.
    unsafe { libc::kill(-pgid, signal) };
}
