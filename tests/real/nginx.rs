//! A mirror made by `gov mirror` and served by a real nginx on loopback:
//! nodes install real Go from it in parallel while a second `gov mirror`
//! adds a release, and every node's toolchain builds a program.

use std::path::Path;
use std::process::{Child, Command};

use crate::common::*;

/// nginx serving `root` on a free loopback port, stopped when dropped.
pub(crate) struct Nginx {
    child: Child,
    pub(crate) base: String,
}

impl Nginx {
    pub(crate) fn start(root: &Path, scratch: &Path) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::create_dir_all(scratch.join("logs")).unwrap();
        let conf = scratch.join("nginx.conf");
        std::fs::write(
            &conf,
            format!(
                "daemon off;\nworker_processes 2;\nerror_log {s}/logs/error.log;\npid {s}/nginx.pid;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {s}/body;\n  proxy_temp_path {s}/proxy;\n  fastcgi_temp_path {s}/fastcgi;\n  uwsgi_temp_path {s}/uwsgi;\n  scgi_temp_path {s}/scgi;\n  server {{\n    listen 127.0.0.1:{port};\n    root {root};\n  }}\n}}\n",
                s = scratch.display(),
                root = root.display()
            ),
        )
        .unwrap();
        let mut child = Command::new("nginx")
            .args(["-p"])
            .arg(scratch)
            .arg("-c")
            .arg(&conf)
            .spawn()
            .expect("nginx is installed (scripts/test.sh installs it)");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Nginx { child, base };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "nginx did not start: {}",
            std::fs::read_to_string(scratch.join("logs/error.log")).unwrap_or_default()
        );
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // A graceful stop takes the workers along (a SIGKILL would orphan them).
        unsafe { libc::kill(self.child.id() as i32, libc::SIGQUIT) };
        let _ = self.child.wait();
    }
}

#[test]
fn nodes_install_real_go_from_a_mirror_nginx_serves_while_it_grows() {
    let (upstream, versions) = serve_real_mirror();
    let newest = |s: &str| newest_of(&versions, s);
    let (v19, v22) = (newest("1.19"), newest("1.22"));
    let admin = TestEnv::new();
    std::fs::set_permissions(
        &admin.root,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let dir = admin.root.join("www");
    let mirror = |request: &str| {
        admin
            .gov_cmd(["mirror".as_ref(), dir.as_os_str(), request.as_ref()])
            .env("GOV_INDEX_URL", upstream.url("index.json"))
            .env("GOV_DOWNLOAD_URL", &upstream.base)
            .output()
            .unwrap()
    };
    assert_success(&mirror("1.19"));
    let nginx = Nginx::start(&dir, &admin.root.join("nginx"));

    // Four nodes install while the mirror gains 1.22.
    let nodes: Vec<(TestEnv, std::process::Output)> = std::thread::scope(|scope| {
        let grow = scope.spawn(|| mirror("1.22"));
        let nodes: Vec<_> = (0..4)
            .map(|_| {
                let base = nginx.base.clone();
                scope.spawn(move || {
                    let node = TestEnv::new();
                    let out = node
                        .gov_cmd(["install", "1.19"])
                        .env("GOV_INDEX_URL", format!("{base}/index.json"))
                        .env("GOV_DOWNLOAD_URL", format!("{base}/"))
                        .output()
                        .unwrap();
                    (node, out)
                })
            })
            .collect();
        let nodes = nodes.into_iter().map(|n| n.join().unwrap()).collect();
        assert_success(&grow.join().unwrap());
        nodes
    });
    for (node, out) in &nodes {
        assert_success(out);
        node.write("hello/go.mod", "module example.com/hello\n\ngo 1.19\n");
        node.write("hello/main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from the mirror\") }\n");
        let built = node
            .go_cmd(&["build", "-o", "hello"])
            .current_dir(node.work.join("hello"))
            .env("GOCACHE", node.root.join("gocache"))
            .env("GOPATH", node.root.join("gopath"))
            .output()
            .unwrap();
        assert_success(&built);
        let ran = node
            .command(node.work.join("hello/hello"))
            .output()
            .unwrap();
        assert_eq!(stdout(&ran), "hello from the mirror\n");
    }
    // The release added meanwhile is there for the next node.
    let node = TestEnv::new();
    let out = node
        .gov_cmd(["install", &v22])
        .env("GOV_INDEX_URL", format!("{}/index.json", nginx.base))
        .env("GOV_DOWNLOAD_URL", format!("{}/", nginx.base))
        .output()
        .unwrap();
    assert_success(&out);
    let listed = node
        .gov_cmd(["list-remote"])
        .env("GOV_INDEX_URL", format!("{}/index.json", nginx.base))
        .output()
        .unwrap();
    let listed = stdout(&listed);
    assert!(listed.contains(&v19) && listed.contains(&v22), "{listed}");
}
