//! The Ansible collection in `contrib/ansible` on a real fleet: four podman
//! nodes (see [`crate::fleet`]) that install real Go 1.21 and 1.22 from a
//! `gov mirror` nginx serves on loopback, driven by Debian's
//! `ansible-playbook`: the module's idempotence, check and diff modes and
//! errors, the role that puts gov on a node, rollouts that pass, fail on
//! the canary and fail in the second batch, the fleet's rollback, and the
//! system store with `/usr/local/go`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use crate::common::*;
use crate::fleet::{task_result, Fleet};
use crate::nginx::Nginx;

/// The task names of the playbooks in `contrib/ansible/playbooks`.
const UPGRADE_TASK: &str = "Install the release, check it here, switch if the checks pass";
const STOP_TASK: &str = "Stop the rollout";

/// A mirror of real Go 1.21 and 1.22 made by `gov mirror`, and gov's own
/// release binary with its `.sha256` (as `scripts/release.sh` names them),
/// served by nginx on loopback: what the nodes install from.
struct Site {
    env: TestEnv,
    nginx: Nginx,
    v21: String,
    v22: String,
}

impl Site {
    fn start() -> Site {
        let (upstream, versions) = serve_real_mirror();
        let env = TestEnv::new();
        // nginx's workers run as another account: the tree must be readable.
        std::fs::set_permissions(
            &env.root,
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let www = env.root.join("www");
        let out = env
            .gov_cmd([
                "mirror".as_ref(),
                www.join("go").as_os_str(),
                "1.21".as_ref(),
                "1.22".as_ref(),
            ])
            .env("GOV_INDEX_URL", upstream.url("index.json"))
            .env("GOV_DOWNLOAD_URL", &upstream.base)
            .output()
            .unwrap();
        assert_success(&out);
        publish_gov(&www.join("gov"));
        let nginx = Nginx::start(&www, &env.root.join("nginx"));
        Site {
            env,
            nginx,
            v21: newest_of(&versions, "1.21"),
            v22: newest_of(&versions, "1.22"),
        }
    }

    /// The variables every play gets: where the mirror and gov are.
    fn vars(&self) -> Value {
        json!({
            "gov_environment": {
                "GOV_INDEX_URL": format!("{}/go/index.json", self.nginx.base),
                "GOV_DOWNLOAD_URL": format!("{}/go/", self.nginx.base),
            },
            "gov_release_url": format!("{}/gov", self.nginx.base),
        })
    }

    /// [`Site::vars`] and `more`.
    fn vars_with(&self, more: Value) -> Value {
        let mut vars = self.vars();
        for (k, v) in more.as_object().unwrap() {
            vars[k] = v.clone();
        }
        vars
    }

    /// A playbook written into `dir`.
    fn playbook(&self, dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// The gov under test as a release: `DIR/gov-linux-amd64` and its
/// `.sha256` in `sha256sum`'s format.
fn publish_gov(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let body = std::fs::read(GOV).unwrap();
    std::fs::write(dir.join("gov-linux-amd64"), &body).unwrap();
    std::fs::write(
        dir.join("gov-linux-amd64.sha256"),
        format!("{}  gov-linux-amd64\n", archive::sha256(&body)),
    )
    .unwrap();
}

/// A playbook under test, from `contrib/ansible/playbooks`.
fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/ansible/playbooks")
        .join(name)
}

/// Node `i`'s `gov ARGS` output; panics if it fails.
fn gov_on(fleet: &Fleet, i: usize, args: &str) -> String {
    let out = fleet.sh(i, &format!("gov {args}"));
    assert_success(&out);
    stdout(&out)
}

fn global_of(fleet: &Fleet, i: usize) -> String {
    gov_on(fleet, i, "global").trim().to_string()
}

fn installed_on(fleet: &Fleet, i: usize) -> Vec<String> {
    let list: Value = serde_json::from_str(&gov_on(fleet, i, "list --json")).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap().to_string())
        .collect()
}

/// `gov history --json` on node `i`, newest first, as `before -> after (command)`.
fn history_of(fleet: &Fleet, i: usize) -> Vec<String> {
    let history: Value = serde_json::from_str(&gov_on(fleet, i, "history --json")).unwrap();
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} -> {} ({})",
                c["before"].as_str().unwrap_or("none"),
                c["after"].as_str().unwrap_or("none"),
                c["command"].as_str().unwrap()
            )
        })
        .collect()
}

fn stats(report: &Value, host: &str, key: &str) -> u64 {
    report["stats"][host][key]
        .as_u64()
        .unwrap_or_else(|| panic!("{report:#}"))
}

const SETUP: &str = r#"
- name: Go 1.21 on every node, and a service to check
  hosts: fleet
  gather_facts: false
  tasks:
    - name: Go 1.21 is the default
      gov.toolchains.gov_release:
        version: "1.21"
        global: true
        environment: "{{ gov_environment }}"
    - name: The service's directory
      ansible.builtin.file:
        path: /srv/app
        state: directory
    - name: The service
      ansible.builtin.copy:
        dest: "/srv/app/{{ item.name }}"
        content: "{{ item.text }}"
        mode: "{{ item.mode | default('0644') }}"
      loop:
        - name: go.mod
          text: "module example.com/app\n\ngo 1.21\n"
        - name: main.go
          text: "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from the fleet\") }\n"
        - name: probe.sh
          mode: "0755"
          text: |
            #!/bin/sh
            # The service's health probe: a degraded node says why and fails.
            if [ -e /etc/app-degraded ]; then cat /etc/app-degraded >&2; exit 1; fi
            echo healthy
"#;

/// The checks every node runs under the new release: a build, the built
/// program's answer, and the node's probe.
fn build_checks() -> Value {
    json!([
        "go build -o /tmp/app . && /tmp/app | grep -q 'hello from the fleet'",
        "./probe.sh"
    ])
}

/// Lighter checks, for the tests of failures: the release runs, and the
/// node's probe.
fn probe_checks() -> Value {
    json!(["go version", "./probe.sh"])
}

/// A fleet of four with gov copied in, Go 1.21 the default on each, and
/// the service in `/srv/app`.
fn fleet_on_121(site: &Site, label: &str) -> Fleet {
    let fleet = Fleet::start(label, 4, &site.env.root.join(label));
    fleet.copy_gov();
    let setup = site.playbook(&fleet.scratch, "setup.yml", SETUP);
    let (out, report) = fleet.playbook_json(&setup, site.vars(), &[]);
    assert_success_run(&out, &report);
    for i in 0..4 {
        assert_eq!(global_of(&fleet, i), site.v21);
    }
    fleet
}

fn assert_success_run(out: &std::process::Output, report: &Value) {
    assert!(
        out.status.success(),
        "ansible-playbook failed ({}):\n{report:#}\n{}",
        out.status,
        stderr(out)
    );
}

/// Makes node `i`'s probe fail, with `why`.
fn degrade(fleet: &Fleet, i: usize, why: &str) {
    assert_success(&fleet.sh(i, &format!("echo '{why}' > /etc/app-degraded")));
}

fn rollout_vars(site: &Site, serial: Value, checks: Value) -> Value {
    site.vars_with(json!({
        "gov_version": "1.22",
        "gov_check_dir": "/srv/app",
        "gov_checks": checks,
        "gov_serial": serial,
    }))
}

#[test]
fn the_module_is_idempotent_its_check_mode_changes_nothing_and_the_role_puts_gov_on_nodes() {
    let site = Site::start();
    let fleet = Fleet::start("module", 4, &site.env.root.join("module"));

    // gov itself, from the "release", checked against its sha256.
    let role = site.playbook(
        &fleet.scratch,
        "gov.yml",
        "- hosts: fleet\n  gather_facts: false\n  roles:\n    - role: gov.toolchains.gov\n",
    );
    let (out, report) = fleet.playbook_json(&role, site.vars(), &[]);
    assert_success_run(&out, &report);
    let version = stdout(
        &std::process::Command::new(GOV)
            .arg("--version")
            .output()
            .unwrap(),
    );
    for (i, node) in fleet.nodes.iter().enumerate() {
        assert_eq!(stats(&report, node, "changed"), 2, "{report:#}");
        assert_eq!(gov_on(&fleet, i, "--version"), version);
    }
    let (out, report) = fleet.playbook_json(&role, site.vars(), &[]);
    assert_success_run(&out, &report);
    for node in &fleet.nodes {
        assert_eq!(
            stats(&report, node, "changed"),
            0,
            "a second run changes nothing"
        );
    }
    // A new release whose binary is not what its .sha256 says is refused,
    // and the gov there stays.
    let tampered_dir = site.env.root.join("www/tampered");
    std::fs::create_dir_all(&tampered_dir).unwrap();
    let mut release = std::fs::read(GOV).unwrap();
    release.extend_from_slice(b"\0next release");
    std::fs::write(
        tampered_dir.join("gov-linux-amd64.sha256"),
        format!("{}  gov-linux-amd64\n", archive::sha256(&release)),
    )
    .unwrap();
    release.extend_from_slice(b"\0planted");
    std::fs::write(tampered_dir.join("gov-linux-amd64"), release).unwrap();
    let before = stdout(&fleet.sh(0, "sha256sum /usr/local/bin/gov"));
    let tampered = site.vars_with(json!({
        "gov_release_url": format!("{}/tampered", site.nginx.base)
    }));
    let (out, report) = fleet.playbook_json(&role, tampered, &["--limit", &fleet.nodes[0]]);
    assert!(!out.status.success(), "{}", run_text(&out));
    let msg = task_result(
        &report,
        "gov.toolchains.gov : Download gov, checked against its sha256",
        &fleet.nodes[0],
    )["msg"]
        .to_string();
    assert!(msg.contains("checksum"), "{msg}");
    assert_eq!(stdout(&fleet.sh(0, "sha256sum /usr/local/bin/gov")), before);

    // Check mode: every node would change, none does.
    let play = site.playbook(
        &fleet.scratch,
        "release.yml",
        r#"
- hosts: fleet
  gather_facts: false
  tasks:
    - name: Go 1.21 is the default
      gov.toolchains.gov_release:
        version: "1.21"
        global: true
        environment: "{{ gov_environment }}"
      register: release
"#,
    );
    let (out, report) = fleet.playbook_json(&play, site.vars(), &["--check", "--diff"]);
    assert_success_run(&out, &report);
    for (i, node) in fleet.nodes.iter().enumerate() {
        let result = task_result(&report, "Go 1.21 is the default", node);
        assert_eq!(result["changed"], true, "{result:#}");
        assert_eq!(result["release"], site.v21.as_str());
        let diff = result["diff"][0]["after"]
            .as_str()
            .or(result["diff"]["after"].as_str());
        assert!(
            diff.is_some_and(|d| d.contains(&format!("global: {}", site.v21))),
            "{result:#}"
        );
        assert_eq!(
            installed_on(&fleet, i),
            Vec::<String>::new(),
            "check mode installed nothing"
        );
        assert!(
            !fleet.sh(i, "gov global").status.success(),
            "no default was set"
        );
    }

    // The play itself: changed everywhere, then nowhere.
    let (out, report) = fleet.playbook_json(&play, site.vars(), &[]);
    assert_success_run(&out, &report);
    for (i, node) in fleet.nodes.iter().enumerate() {
        let result = task_result(&report, "Go 1.21 is the default", node);
        assert_eq!(result["changed"], true, "{result:#}");
        let facts = &result["gov_facts"];
        assert_eq!(facts["global_default"], site.v21.as_str());
        assert_eq!(facts["installed"][0]["version"], site.v21.as_str());
        assert_eq!(facts["current"]["version"], site.v21.as_str(), "{facts:#}");
        assert_eq!(installed_on(&fleet, i), [site.v21.as_str()]);
    }
    let (out, report) = fleet.playbook_json(&play, site.vars(), &["--diff"]);
    assert_success_run(&out, &report);
    for node in &fleet.nodes {
        assert_eq!(stats(&report, node, "changed"), 0, "{report:#}");
    }

    // Absent when it is not installed: nothing to do. A release no index
    // has: gov's own message and hint, not a traceback.
    let play = site.playbook(
        &fleet.scratch,
        "absent.yml",
        r#"
- hosts: fleet
  gather_facts: false
  tasks:
    - name: No Go 1.19
      gov.toolchains.gov_release:
        version: "1.19"
        state: absent
    - name: Go 1.99
      gov.toolchains.gov_release:
        version: "1.99"
        environment: "{{ gov_environment }}"
"#,
    );
    let (out, report) = fleet.playbook_json(&play, site.vars(), &["--limit", &fleet.nodes[1]]);
    assert!(!out.status.success());
    let node = &fleet.nodes[1];
    assert_eq!(task_result(&report, "No Go 1.19", node)["changed"], false);
    let failed = task_result(&report, "Go 1.99", node);
    let msg = failed["msg"].as_str().unwrap();
    assert!(
        msg.starts_with("error: ") && msg.contains("1.99") && msg.contains("hint: "),
        "{msg}"
    );
    assert!(!msg.contains("Traceback"), "{failed:#}");
}

#[test]
fn a_rollout_where_every_check_passes_moves_the_whole_fleet() {
    let site = Site::start();
    let fleet = fleet_on_121(&site, "rollout");
    let started = Instant::now();
    let (out, report) = fleet.playbook_json(
        &shipped("rollout.yml"),
        rollout_vars(&site, json!([1, "25%", "100%"]), build_checks()),
        &[],
    );
    let wall = started.elapsed();
    assert_success_run(&out, &report);
    let mut per_node = Vec::new();
    for (i, node) in fleet.nodes.iter().enumerate() {
        assert_eq!(global_of(&fleet, i), site.v22);
        assert_eq!(
            history_of(&fleet, i)[0],
            format!("{} -> {} (gov upgrade 1.22)", site.v21, site.v22)
        );
        let result = task_result(&report, UPGRADE_TASK, node);
        assert_eq!(result["changed"], true);
        let gov = &result["report"];
        assert_eq!(gov["outcome"], "switched");
        per_node.push(format!(
            "{node}: {:.2} s (install {:.2} s, checks {:.2} s)",
            gov["seconds"].as_f64().unwrap(),
            gov["install_seconds"].as_f64().unwrap(),
            gov["runs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["seconds"].as_f64().unwrap())
                .sum::<f64>()
        ));
    }
    // The figures of the README's "Fleets with Ansible" (bench/fleet.sh).
    eprintln!(
        "rollout of Go {} to 4 nodes in batches 1, 25%, 100%: {:.1} s wall\n  {}",
        site.v22,
        wall.as_secs_f64(),
        per_node.join("\n  ")
    );

    // The whole fleet back, and a second run changes nothing.
    let (out, report) = fleet.playbook_json(
        &shipped("rollback.yml"),
        site.vars_with(json!({"gov_version": "1.22"})),
        &[],
    );
    assert_success_run(&out, &report);
    for i in 0..4 {
        assert_eq!(global_of(&fleet, i), site.v21);
        assert_eq!(
            history_of(&fleet, i)[0],
            format!("{} -> {} (gov rollback)", site.v22, site.v21)
        );
    }
    let (out, report) = fleet.playbook_json(
        &shipped("rollback.yml"),
        site.vars_with(json!({"gov_version": "1.22"})),
        &[],
    );
    assert_success_run(&out, &report);
    for node in &fleet.nodes {
        assert_eq!(stats(&report, node, "changed"), 0);
    }
}

#[test]
fn a_canary_whose_check_fails_stays_where_it_was_and_the_rollout_stops() {
    let site = Site::start();
    let fleet = fleet_on_121(&site, "canary");
    degrade(&fleet, 0, "p99 latency 812 ms > 200 ms");
    let (out, report) = fleet.playbook_json(
        &shipped("rollout.yml"),
        rollout_vars(&site, json!([1, "25%", "100%"]), probe_checks()),
        &[],
    );
    assert!(!out.status.success(), "the play fails");
    let canary = &fleet.nodes[0];
    let msg = task_result(&report, STOP_TASK, canary)["msg"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("p99 latency 812 ms > 200 ms") && msg.contains("./probe.sh"),
        "{msg}"
    );
    // gov switched nothing on the canary; the release stays installed.
    assert_eq!(global_of(&fleet, 0), site.v21);
    assert_eq!(history_of(&fleet, 0).len(), 1, "only the first default");
    assert!(installed_on(&fleet, 0).contains(&site.v22));
    // The other nodes were never touched.
    for i in 1..4 {
        assert_eq!(global_of(&fleet, i), site.v21);
        assert_eq!(installed_on(&fleet, i), [site.v21.as_str()]);
        assert_eq!(history_of(&fleet, i).len(), 1);
    }
}

#[test]
fn a_failure_in_the_second_batch_rolls_that_batch_back_and_leaves_the_third_alone() {
    let site = Site::start();
    let fleet = fleet_on_121(&site, "batch");
    // Batches: [0], [1, 2], [3]; node 2 fails its probe.
    degrade(&fleet, 2, "5xx rate 4.2 % > 0 %");
    let (out, report) = fleet.playbook_json(
        &shipped("rollout.yml"),
        rollout_vars(&site, json!([1, 2, 1]), probe_checks()),
        &[],
    );
    assert!(!out.status.success(), "the play fails");
    let (switch, rollback) = (
        format!("{} -> {} (gov upgrade 1.22)", site.v21, site.v22),
        format!("{} -> {} (gov rollback)", site.v22, site.v21),
    );
    // The canary passed its checks in its own batch: it keeps the release
    // (rollback.yml takes the whole fleet back).
    assert_eq!(global_of(&fleet, 0), site.v22);
    assert_eq!(history_of(&fleet, 0)[0], switch);
    // Node 1 switched, then went back with its batch.
    assert_eq!(global_of(&fleet, 1), site.v21);
    assert_eq!(history_of(&fleet, 1)[..2], [rollback, switch.clone()]);
    let msg = task_result(&report, STOP_TASK, &fleet.nodes[1])["msg"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains(&fleet.nodes[2]), "{msg}");
    // Node 2 failed: gov switched nothing.
    assert_eq!(global_of(&fleet, 2), site.v21);
    assert_eq!(history_of(&fleet, 2).len(), 1);
    let msg = task_result(&report, STOP_TASK, &fleet.nodes[2])["msg"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("5xx rate 4.2 % > 0 %"), "{msg}");
    // The third batch: untouched.
    assert_eq!(global_of(&fleet, 3), site.v21);
    assert_eq!(installed_on(&fleet, 3), [site.v21.as_str()]);
    assert_eq!(history_of(&fleet, 3).len(), 1);

    // rollback.yml: only the canary still has the release to give back.
    let (out, report) = fleet.playbook_json(
        &shipped("rollback.yml"),
        site.vars_with(json!({"gov_version": "1.22"})),
        &[],
    );
    assert_success_run(&out, &report);
    for (i, node) in fleet.nodes.iter().enumerate() {
        assert_eq!(global_of(&fleet, i), site.v21);
        assert_eq!(stats(&report, node, "changed"), u64::from(i == 0), "{node}");
    }
}

#[test]
fn the_system_store_keeps_usr_local_go_on_every_node() {
    let site = Site::start();
    let fleet = Fleet::start("system", 4, &site.env.root.join("system"));
    fleet.copy_gov();
    let play = site.playbook(
        &fleet.scratch,
        "system.yml",
        r#"
- hosts: fleet
  gather_facts: false
  become: true
  tasks:
    - name: Go 1.22 for every user, at /usr/local/go
      gov.toolchains.gov_release:
        version: "1.22"
        system: true
        global: true
        link: /usr/local/go
        environment: "{{ gov_environment }}"
"#,
    );
    let (out, report) = fleet.playbook_json(&play, site.vars(), &["--check"]);
    assert_success_run(&out, &report);
    for i in 0..4 {
        assert!(!fleet.sh(i, "test -e /usr/local/go").status.success());
    }
    let (out, report) = fleet.playbook_json(&play, site.vars(), &[]);
    assert_success_run(&out, &report);
    for (i, node) in fleet.nodes.iter().enumerate() {
        assert_eq!(stats(&report, node, "changed"), 1);
        let go = fleet.exec(i, &["/usr/local/go/bin/go", "version"]);
        assert_success(&go);
        assert_eq!(
            stdout(&go),
            format!("go version go{} linux/amd64\n", site.v22)
        );
        let root = stdout(&fleet.sh(i, "readlink /usr/local/go"));
        assert_eq!(root.trim(), format!("/opt/gov/versions/{}", site.v22));
    }
    let (out, report) = fleet.playbook_json(&play, site.vars(), &[]);
    assert_success_run(&out, &report);
    for node in &fleet.nodes {
        assert_eq!(stats(&report, node, "changed"), 0);
    }
}

#[test]
fn an_unreachable_node_counts_as_failed_and_its_batch_goes_back() {
    // No containers: three "nodes" are stores on this machine (Ansible's
    // local connection), a fourth cannot be reached (SSH to a closed
    // port); fake releases from a loopback mirror, checks that pass.
    let m = crate::common::mirror::Mirror::new(&["1.21.5", "1.22.4"]);
    let root = &m.env.root;
    let store = |i: usize| root.join(format!("node-{i}"));
    let node = |i: usize| {
        let mut vars = json!({
            "ansible_connection": "local",
            "gov_environment": {
                "GOV_HOME": store(i),
                "GOV_INDEX_URL": m.server.url("index.json"),
                "GOV_DOWNLOAD_URL": m.server.base,
            },
        });
        if i == 2 {
            vars["ansible_connection"] = "ssh".into();
            vars["ansible_host"] = "127.0.0.1".into();
            vars["ansible_port"] = 1.into();
        }
        vars
    };
    let hosts: serde_json::Map<String, Value> =
        (0..4).map(|i| (format!("node-{i}"), node(i))).collect();
    let inventory = root.join("inventory.json");
    std::fs::write(
        &inventory,
        json!({"fleet": {"hosts": hosts, "vars": {
            "ansible_python_interpreter": "/usr/bin/python3",
            "gov_checks": ["go version"],
        }}})
        .to_string(),
    )
    .unwrap();
    for i in [0, 1, 3] {
        let out = m
            .gov_cmd(["install", "1.21"])
            .env("GOV_HOME", store(i))
            .output()
            .unwrap();
        assert_success(&out);
    }
    let bin = Path::new(GOV).parent().unwrap();
    let out = std::process::Command::new("ansible-playbook")
        .arg("-i")
        .arg(&inventory)
        .arg(shipped("rollout.yml"))
        .args([
            "-e",
            "gov_version=1.22",
            "-e",
            r#"{"gov_serial": [1, 2, 1]}"#,
        ])
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("HOME", &m.env.home)
        .env("LANG", "C.UTF-8")
        .env(
            "ANSIBLE_COLLECTIONS_PATH",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/ansible"),
        )
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_FORKS", "4")
        .current_dir(root)
        .output()
        .expect("ansible-playbook is installed (scripts/test.sh installs it)");
    assert!(!out.status.success(), "{}", run_text(&out));
    let said = stdout(&out);
    assert!(
        said.contains("node-2 failed (or could not be reached) in this batch"),
        "{said}"
    );
    let global = |i: usize| {
        let out = m
            .gov_cmd(["global"])
            .env("GOV_HOME", store(i))
            .output()
            .unwrap();
        stdout(&out).trim().to_string()
    };
    // The canary keeps the release; node 1, in the unreachable node's
    // batch, went back; node 3 was never touched.
    assert_eq!(global(0), "1.22.4");
    assert_eq!(global(1), "1.21.5");
    let history = m
        .gov_cmd(["history"])
        .env("GOV_HOME", store(1))
        .output()
        .unwrap();
    assert!(stdout(&history)
        .lines()
        .next()
        .unwrap()
        .ends_with("gov rollback"));
    assert_eq!(global(3), "1.21.5");
    assert!(!store(3).join("versions/1.22.4").exists());
}
