//! gov's own image (`scripts/Containerfile`: FROM scratch, the static
//! binary as /gov) under real podman: it installs real Go from the mirror
//! on loopback, by name (`localhost`, resolved with no /etc/nsswitch.conf
//! and no libc in the image), lists it and runs it; and it has nothing
//! else in it, not even a shell.

use std::process::Command;

use crate::common::podman::{self, gov_image, ok, podman};
use crate::common::*;

#[test]
fn gov_in_a_from_scratch_image_installs_go_from_the_loopback_mirror_and_lists_it() {
    let (server, versions) = serve_real_mirror();
    let v22 = newest_of(&versions, "1.22");
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let image = gov_image();
    let _images = podman::image_lock();
    let env = TestEnv::new();
    // GOV_HOME on the host, so that each run (a container of its own) sees
    // what the one before installed; not /gov, which is the binary.
    let home = env.root.join("gov-home");
    std::fs::create_dir_all(&home).unwrap();
    let gov = |args: &[&str]| -> Command {
        let mut cmd = podman();
        cmd.args(["run", "--rm", "--network", "host"])
            .arg("-e")
            .arg(format!("GOV_INDEX_URL=http://localhost:{port}/index.json"))
            .arg("-e")
            .arg(format!("GOV_DOWNLOAD_URL=http://localhost:{port}/"))
            .args(["-e", "GOV_HOME=/gov-home", "-e", "NO_COLOR=1"])
            .arg("-v")
            .arg(format!("{}:/gov-home", home.display()))
            .arg(&image)
            .args(args);
        cmd
    };

    let out = ok(&mut gov(&["install", "1.22"]));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(said.contains(&format!("installed Go {v22}")), "{said}");
    assert!(home.join("versions").join(&v22).join("bin/go").is_file());
    assert!(
        server.hits("index.json") >= 1,
        "the index came from the loopback server"
    );

    let listed = stdout(&ok(&mut gov(&["list"])));
    assert!(listed.contains(&v22), "{listed}");

    // Go's own binary is static too: it runs in the empty image.
    let ran = stdout(&ok(&mut gov(&["exec", "go", "version"])));
    assert_eq!(ran, format!("go version go{v22} linux/amd64\n"));
}

#[test]
fn the_gov_image_holds_only_gov_and_no_shell() {
    let image = gov_image();
    let _images = podman::image_lock();
    let out = podman()
        .args(["run", "--rm", "--entrypoint", "/bin/sh"])
        .arg(&image)
        .args(["-c", "true"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a shell ran: {}", stdout(&out));
    assert!(stderr(&out).contains("/bin/sh"), "{}", stderr(&out));

    // Its file system, as a container made from it exports it: one file.
    let id = stdout(&ok(podman().args(["create", &image])))
        .trim()
        .to_string();
    let exported = podman().args(["export", &id]).output().unwrap();
    ok(podman().args(["rm", &id]));
    assert_success(&exported);
    let mut names: Vec<String> = tar::Archive::new(&exported.stdout[..])
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["gov"]);

    let version = stdout(&ok(podman().args(["run", "--rm", &image, "--version"])));
    assert_eq!(version, format!("gov {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_build_stage_copies_gov_from_its_image_without_a_registry_and_installs_go() {
    let (server, versions) = serve_real_mirror();
    let v22 = newest_of(&versions, "1.22");
    let mirror = format!(
        "http://localhost:{}",
        server.base.rsplit(':').next().unwrap()
    );
    let (base, gov) = (podman::base_image(), gov_image());
    let env = TestEnv::new();
    let context = env.root.join("context");
    std::fs::create_dir_all(&context).unwrap();
    // Few steps: with the vfs driver each one copies the whole file system.
    std::fs::write(
        context.join("Containerfile"),
        format!(
            "FROM {base}\n\
             COPY --from={gov} /gov /usr/local/bin/gov\n\
             RUN export GOV_HOME=/opt/gov GOV_INDEX_URL={mirror}/index.json GOV_DOWNLOAD_URL={mirror}/ \\\n\
             \x20   && gov install 1.22 && gov exec go version\n"
        ),
    )
    .unwrap();
    // The default pull policy: a local image is used before any registry
    // (ghcr.io cannot be reached from here).
    let tag = format!("localhost/gov-test/stage-{}", std::process::id());
    let one = podman::image_lock();
    let built = podman()
        .args(["build", "--network", "host", "-t", &tag])
        .arg(&context)
        .output()
        .unwrap();
    let _ = podman().args(["rmi", &tag]).output();
    drop(one);
    assert_success(&built);
    assert!(
        stdout(&built).contains(&format!("\ngo version go{v22} linux/amd64\n")),
        "{}",
        stdout(&built)
    );
}
