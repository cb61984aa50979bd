//! Real podman for the container tests, with a storage of its own in
//! `target/podman` (images, containers, layers, build cache mounts), so the
//! tests neither see nor change the machine's own podman storage and keep
//! their base image and caches from one run to the next. `rm -rf
//! target/podman` starts it afresh.
//!
//! It runs as root on runc with the vfs driver and cgroupfs: what works
//! inside another container and on CI runners. `scripts/test.sh` installs
//! podman, runc and debootstrap and sets `default_ulimits = []` in
//! `/etc/containers/containers.conf`.
//!
//! Concurrent podman processes on one storage are podman's own business
//! (it locks its storage and database); what the tests build once per
//! process (the base image, the node image, the gov image) is built under
//! a file lock, so several test processes do not build it at the same
//! time.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The image the base of build stages is imported as.
pub const BASE_IMAGE: &str = "localhost/gov-test/bookworm";

/// The image of the fleet tests' nodes: [`BASE_IMAGE`] with python3 and
/// sudo, what Ansible needs on a managed node.
pub const NODE_IMAGE: &str = "localhost/gov-test/node";

/// The name gov's own image has, and what `COPY --from=` names.
pub fn gov_image_name() -> String {
    format!("ghcr.io/gov-sh/gov:{}", env!("CARGO_PKG_VERSION"))
}

fn target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target")
}

/// Everything the tests' podman keeps: `storage` (images, layers,
/// containers, volumes), `run` and `libpod` (its state while it runs),
/// `tmp` (its temporary files and the cache mounts of builds: buildah keeps
/// them in `$TMPDIR/buildah-cache`), `dist` (the gov binary of the image).
pub fn state_dir() -> PathBuf {
    target().join("podman")
}

/// The flags every podman of the tests takes before its command: the
/// tests' storage, and the runtime, storage driver, cgroup manager and
/// events backend that work inside another container and on CI runners.
/// Ansible's podman connection takes them too (`tests/real/fleet.rs`).
pub fn global_args() -> Vec<OsString> {
    let dir = state_dir();
    let mut args: Vec<OsString> = vec![
        "--root".into(),
        dir.join("storage").into(),
        "--runroot".into(),
        dir.join("run").into(),
        "--tmpdir".into(),
        dir.join("libpod").into(),
    ];
    for flag in [
        "--runtime",
        "runc",
        "--storage-driver",
        "vfs",
        "--cgroup-manager",
        "cgroupfs",
        "--events-backend",
        "file",
    ] {
        args.push(flag.into());
    }
    args
}

/// The `TMPDIR` of the tests' podman (made if missing): its temporary
/// files and the cache mounts of builds, kept with its storage.
pub fn tmp_dir() -> PathBuf {
    let tmp = state_dir().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    tmp
}

/// `podman` with the tests' storage and runtime flags; add the command
/// (`build`, `run --network host`, …) and its arguments.
///
/// `podman build` uses a local image before any registry (its pull policy
/// is "missing"), so `COPY --from=ghcr.io/gov-sh/gov:VERSION` takes the one
/// [`gov_image`] built, with no network.
pub fn podman() -> Command {
    let mut cmd = Command::new("podman");
    cmd.args(global_args()).env("TMPDIR", tmp_dir());
    cmd
}

/// Runs `cmd` and returns its output; panics with its stderr if it fails.
pub fn ok(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e} (scripts/test.sh installs it)"));
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let hint = if err.contains("error setting rlimit") {
            "\nhint: set `default_ulimits = []` in the [containers] section of /etc/containers/containers.conf (scripts/test.sh does)"
        } else {
            ""
        };
        panic!(
            "{cmd:?} failed ({}):\n{}{err}{hint}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        );
    }
    out
}

/// Holds an exclusive lock on a file in `target/podman` while it lives:
/// `lock`, one process at a time builds what the tests share; `builds`,
/// see [`image_lock`].
pub struct BuildLock(std::fs::File);

impl BuildLock {
    fn take() -> BuildLock {
        BuildLock::on("lock")
    }

    fn on(name: &str) -> BuildLock {
        let dir = state_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let file = std::fs::File::create(dir.join(name)).unwrap();
        file.lock().unwrap();
        BuildLock(file)
    }
}

/// Held around a test's own `podman build`, and around containers of
/// gov's image (which builds use as a stage): buildah 1.28 removes a
/// build's intermediate images when it ends and fails ("image is in use by
/// a container") when a container uses one of them at that moment, as when
/// another build has a stage `FROM` the same image. So the tests build one
/// image at a time over all test processes (on 2 cores two builds would
/// only share the CPU). Call [`gov_image`] and [`base_image`] first: they
/// take another lock, and never while this one is held.
pub fn image_lock() -> BuildLock {
    BuildLock::on("images")
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn image_exists(name: &str) -> bool {
    podman()
        .args(["image", "exists", name])
        .status()
        .expect("podman is installed (scripts/test.sh installs it)")
        .success()
}

fn image_id(name: &str) -> Option<String> {
    let out = podman()
        .args(["image", "inspect", "--format", "{{.Id}}", name])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A Debian bookworm image (debootstrap's minbase) for the stages of
/// builds: made once from `target/podman-base/bookworm-minbase.tar` (which
/// is made once, with debootstrap from deb.debian.org: about half a minute
/// to a few minutes), imported as [`BASE_IMAGE`] if missing. Returns its
/// name.
pub fn base_image() -> String {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let _lock = BuildLock::take();
        if image_exists(BASE_IMAGE) {
            return;
        }
        let tar = base_rootfs_tar();
        ok(podman()
            .arg("import")
            .args([
                "--change",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ])
            .args(["--change", r#"CMD ["bash"]"#])
            .arg(&tar)
            .arg(BASE_IMAGE));
    });
    BASE_IMAGE.to_string()
}

/// The image of an Ansible-managed node (`tests/real/fleet.rs`):
/// [`base_image`] with python3 (Ansible's modules run in it) and sudo (for
/// `become`), nothing else. Built once, as [`NODE_IMAGE`], if missing (a
/// minute or so: the packages come from deb.debian.org); returns its name.
///
/// The base image's `PATH` (which `podman exec`, and so Ansible's podman
/// connection, runs commands with) already holds `/usr/bin/python3`.
pub fn node_image() -> String {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let base = base_image();
        let _lock = BuildLock::take();
        if image_exists(NODE_IMAGE) {
            return;
        }
        let _images = image_lock();
        let context = state_dir().join("node-context");
        std::fs::create_dir_all(&context).unwrap();
        // One step, no step images kept: with vfs each is a whole file
        // system, and so is each node. Neither needs apt's lists and
        // downloads, documentation or translations.
        std::fs::write(
            context.join("Containerfile"),
            format!(
                "FROM {base}\n\
                 RUN apt-get update \\\n\
                 \x20   && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 sudo \\\n\
                 \x20   && apt-get clean && rm -rf /var/lib/apt/lists/* \\\n\
                 \x20   && rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/locale/*\n"
            ),
        )
        .unwrap();
        ok(podman()
            .args(["build", "--network", "host", "--layers=false"])
            .args(["-t", NODE_IMAGE])
            .arg(&context));
    });
    NODE_IMAGE.to_string()
}

/// The tarball of a debootstrap minbase bookworm, made if missing (in a
/// scratch name, then renamed, so it is whole or absent).
fn base_rootfs_tar() -> PathBuf {
    let dir = target().join("podman-base");
    let tar = dir.join("bookworm-minbase.tar");
    if tar.is_file() {
        return tar;
    }
    std::fs::create_dir_all(&dir).unwrap();
    let pid = std::process::id();
    let rootfs = dir.join(format!("rootfs.{pid}"));
    let partial = dir.join(format!("bookworm-minbase.tar.{pid}"));
    let out = Command::new("debootstrap")
        .args(["--variant=minbase", "bookworm"])
        .arg(&rootfs)
        .arg("http://deb.debian.org/debian")
        .output()
        .expect("debootstrap is installed (scripts/test.sh installs it)");
    if !out.status.success() {
        let log =
            std::fs::read_to_string(rootfs.join("debootstrap/debootstrap.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        panic!(
            "debootstrap of the base image failed ({}):\n{}{}\ndebootstrap.log, last lines:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    // The downloaded packages are installed; the image needs no copy.
    for deb in std::fs::read_dir(rootfs.join("var/cache/apt/archives"))
        .unwrap()
        .flatten()
    {
        if deb.path().extension().is_some_and(|e| e == "deb") {
            std::fs::remove_file(deb.path()).unwrap();
        }
    }
    ok(Command::new("tar")
        .arg("--numeric-owner")
        .arg("-C")
        .arg(&rootfs)
        .arg("-cf")
        .arg(&partial)
        .arg("."));
    std::fs::rename(&partial, &tar).unwrap();
    // debootstrap unmounts what it mounted inside; never delete through a
    // mount it left.
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    if !mounts.contains(&*rootfs.to_string_lossy()) {
        std::fs::remove_dir_all(&rootfs).unwrap();
    }
    tar
}

/// gov's image, built from this checkout: `scripts/release.sh` builds the
/// static binary into `target/podman/dist`, `scripts/Containerfile` makes
/// the image, tagged [`gov_image_name`]. Built once per process (cargo and
/// podman's layer cache make a rebuild of unchanged code quick). Returns
/// its name.
pub fn gov_image() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let _lock = BuildLock::take();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dist = state_dir().join("dist");
        ok(Command::new(repo.join("scripts/release.sh"))
            .arg(&dist)
            .current_dir(repo));
        let name = gov_image_name();
        let _images = image_lock();
        let before = image_id(&name);
        // No --build-arg TARGETARCH: podman sets it to this machine's.
        ok(podman()
            .arg("build")
            .arg("-f")
            .arg(repo.join("scripts/Containerfile"))
            .args(["-t", &name])
            .arg(&dist));
        // The image of an older binary goes (unless a container still
        // uses it), or every change of gov would leave one behind.
        if let Some(old) = before.filter(|old| Some(old) != image_id(&name).as_ref()) {
            let _ = podman().args(["rmi", &old]).output();
        }
        name
    })
    .clone()
}
