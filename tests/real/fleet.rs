//! A fleet of Ansible-managed nodes: podman containers of
//! [`node_image`] (bookworm with python3 and sudo), each with a file
//! system of its own (so its own gov store under `/root/.local/share/gov`
//! and `/opt/gov`), on the host's network (so a mirror on loopback is
//! theirs too), driven by Debian's `ansible-playbook` through the
//! `containers.podman.podman` connection and the collection in
//! `contrib/ansible`.
//!
//! At most [`SLOTS`] fleets live at once over all test threads and
//! processes: on a 2-core machine parallel tests would otherwise start
//! dozens of containers, each a whole copy of the image with vfs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Map, Value};
use yaml_rust2::{yaml::Hash, Yaml, YamlEmitter};

use crate::common::podman::{self, node_image, ok, podman};
use crate::common::*;

/// How many fleets may be alive at once. A test holds at most this many
/// itself, or it waits for ever.
const SLOTS: usize = 2;

/// The group of the inventory the nodes are in, in order.
pub(crate) const GROUP: &str = "fleet";

/// Running podman containers an Ansible inventory names; removed (and
/// their slot given back) when dropped, a panicking test's too.
pub(crate) struct Fleet {
    /// The containers' names, which are also their inventory hostnames:
    /// `gov-node-PID-SEQ-LABEL-I`, unique per test process and fleet.
    pub(crate) nodes: Vec<String>,
    /// The inventory (YAML), rewritten by [`Fleet::set_host_var`].
    pub(crate) inventory: PathBuf,
    /// The test's directory for playbooks, variables and Ansible's own
    /// files; `ansible-playbook` runs in it.
    pub(crate) scratch: PathBuf,
    /// Each node's own variables, in the inventory beside the group's.
    host_vars: Vec<Map<String, Value>>,
    /// How many playbooks ran: each has a file of extra variables.
    runs: AtomicUsize,
    _slot: Slot,
}

impl Fleet {
    /// Starts `n` nodes named after `label`, with `scratch` (made if
    /// missing) for the inventory and what Ansible writes. Waits for a
    /// free slot first. gov is not on them: see [`Fleet::copy_gov`].
    pub(crate) fn start(label: &str, n: usize, scratch: &Path) -> Fleet {
        assert!(
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "a fleet's label goes into container names: letters, digits, - and _ only, not {label:?}"
        );
        let image = node_image();
        remove_orphans();
        let slot = Slot::take();
        static FLEETS: AtomicUsize = AtomicUsize::new(0);
        let seq = FLEETS.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        std::fs::create_dir_all(scratch).unwrap();
        let scratch = scratch.canonicalize().unwrap();
        let fleet = Fleet {
            nodes: (0..n)
                .map(|i| format!("gov-node-{pid}-{seq}-{label}-{i}"))
                .collect(),
            inventory: scratch.join("inventory.yml"),
            scratch,
            host_vars: vec![Map::new(); n],
            runs: AtomicUsize::new(0),
            _slot: slot,
        };
        // Made before the containers, so that one failing to start takes
        // the others along.
        fleet.each_node(|name| {
            ok(podman()
                .args(["run", "--detach", "--network", "host", "--name", name])
                .arg(&image)
                .args(["sleep", "infinity"]));
        });
        fleet.write_inventory();
        fleet
    }

    /// Copies the gov under test (dynamically linked, like bookworm's own
    /// programs) to `/usr/local/bin/gov` on every node; tests that install
    /// gov with the collection's role do not call it.
    pub(crate) fn copy_gov(&self) {
        self.each_node(|name| {
            ok(podman()
                .arg("cp")
                .arg(GOV)
                .arg(format!("{name}:/usr/local/bin/gov")));
        });
    }

    /// Gives node `i` the variable `key` (overriding the group's, the
    /// connection's included) and rewrites the inventory.
    pub(crate) fn set_host_var(&mut self, i: usize, key: &str, value: Value) {
        self.host_vars[i].insert(key.to_string(), value);
        self.write_inventory();
    }

    /// `ansible-playbook -i INVENTORY PLAYBOOK -e @VARS EXTRA_ARGS` as
    /// [`Fleet::ansible_playbook`] sets it up; what it did.
    pub(crate) fn playbook(
        &self,
        playbook: &Path,
        extra_vars: Value,
        extra_args: &[&str],
    ) -> Output {
        self.ansible_playbook(playbook, extra_vars, extra_args)
            .output()
            .expect("ansible-playbook is installed (scripts/test.sh installs it)")
    }

    /// [`Fleet::playbook`] with the `json` stdout callback: what it did, and
    /// its report: `plays[].tasks[].hosts[HOST]` (each task's result on
    /// each host: `changed`, `failed`, `msg`, `stdout`, …; see
    /// [`task_result`]) and `stats[HOST]` (`ok`, `changed`, `failures`,
    /// `unreachable`, …). Panics if stdout is not JSON (a playbook Ansible
    /// could not even parse: use [`Fleet::playbook`] to see that).
    pub(crate) fn playbook_json(
        &self,
        playbook: &Path,
        extra_vars: Value,
        extra_args: &[&str],
    ) -> (Output, Value) {
        let out = self
            .ansible_playbook(playbook, extra_vars, extra_args)
            .env("ANSIBLE_STDOUT_CALLBACK", "json")
            .output()
            .expect("ansible-playbook is installed (scripts/test.sh installs it)");
        let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "ansible-playbook's json callback wrote no JSON ({e}):\n{}",
                run_text(&out)
            )
        });
        (out, report)
    }

    /// The `ansible-playbook` command of [`Fleet::playbook`], for a test
    /// that needs to change it: in `scratch`, with an environment of its
    /// own (none of the machine's Ansible configuration or collections),
    /// one fork per node, `extra_vars` written to a file of this run.
    pub(crate) fn ansible_playbook(
        &self,
        playbook: &Path,
        extra_vars: Value,
        extra_args: &[&str],
    ) -> Command {
        let run = self.runs.fetch_add(1, Ordering::Relaxed);
        let vars = self.scratch.join(format!("vars-{run}.json"));
        std::fs::write(&vars, serde_json::to_vec_pretty(&extra_vars).unwrap()).unwrap();
        let own = self.scratch.join("ansible");
        std::fs::create_dir_all(own.join("home")).unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut cmd = Command::new("ansible-playbook");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // Ansible refuses a locale that is not UTF-8.
            .env("LANG", "C.UTF-8")
            .env("HOME", own.join("home"))
            .env("ANSIBLE_HOME", own.join("home/.ansible"))
            .env("ANSIBLE_LOCAL_TEMP", own.join("tmp"))
            // Ansible's default, in each account's home on the node; set
            // here so that nothing else changes it.
            .env("ANSIBLE_REMOTE_TEMP", "~/.ansible/tmp")
            // The podman the connection runs keeps its temporary files
            // with the tests' storage, as `podman()`'s does.
            .env("TMPDIR", podman::tmp_dir())
            // The collection under test; Debian's bundled collections
            // (containers.podman) are found on Python's path.
            .env("ANSIBLE_COLLECTIONS_PATH", repo.join("contrib/ansible"))
            .env("ANSIBLE_HOST_KEY_CHECKING", "False")
            .env("ANSIBLE_RETRY_FILES_ENABLED", "False")
            .env("ANSIBLE_NOCOLOR", "1")
            .env("ANSIBLE_FORKS", self.nodes.len().max(1).to_string())
            .arg("-i")
            .arg(&self.inventory)
            .arg(playbook)
            .arg("-e")
            .arg(format!("@{}", vars.display()))
            .args(extra_args)
            .current_dir(&self.scratch);
        cmd
    }

    /// Runs `cmd` (a program and its arguments) on node `i` as root.
    pub(crate) fn exec(&self, i: usize, cmd: &[&str]) -> Output {
        podman()
            .arg("exec")
            .arg(&self.nodes[i])
            .args(cmd)
            .output()
            .unwrap()
    }

    /// Runs `script` with `sh -c` on node `i` as root.
    pub(crate) fn sh(&self, i: usize, script: &str) -> Output {
        self.exec(i, &["sh", "-c", script])
    }

    /// Runs `f` for each node's name at once (each one a podman process
    /// that mostly waits on the disk).
    fn each_node(&self, f: impl Fn(&str) + Sync) {
        std::thread::scope(|scope| {
            for name in &self.nodes {
                let f = &f;
                scope.spawn(move || f(name));
            }
        });
    }

    /// Writes the inventory: the group [`GROUP`] with the nodes in order,
    /// each with its own variables, and the group's variables, which
    /// reach the containers through the tests' podman.
    fn write_inventory(&self) {
        let mut hosts = Hash::new();
        for (name, vars) in self.nodes.iter().zip(&self.host_vars) {
            hosts.insert(
                Yaml::String(name.clone()),
                yaml(&Value::Object(vars.clone())),
            );
        }
        let mut group = Hash::new();
        group.insert(Yaml::String("hosts".into()), Yaml::Hash(hosts));
        group.insert(
            Yaml::String("vars".into()),
            yaml(&json!({
                "ansible_connection": "containers.podman.podman",
                "ansible_python_interpreter": "/usr/bin/python3",
                "ansible_podman_extra_args": podman_extra_args(),
            })),
        );
        let mut top = Hash::new();
        top.insert(Yaml::String(GROUP.into()), Yaml::Hash(group));
        let mut text = String::new();
        YamlEmitter::new(&mut text).dump(&Yaml::Hash(top)).unwrap();
        text.push('\n');
        std::fs::write(&self.inventory, text).unwrap();
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        let _ = podman()
            .args(["rm", "--force", "--ignore", "--time", "0"])
            .args(&self.nodes)
            .output();
    }
}

/// `podman()`'s global flags as one string for
/// `ansible_podman_extra_args`, which the connection splits with Python's
/// `shlex.split` and puts before its command (`exec`, `cp`, `mount`).
fn podman_extra_args() -> String {
    podman::global_args()
        .iter()
        .map(|arg| shell_quote(arg.to_str().expect("a UTF-8 path")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` as one POSIX shell word (what `shlex.split` reads back).
fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/_.,:=+-@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A JSON value as YAML (key order kept).
fn yaml(value: &Value) -> Yaml {
    match value {
        Value::Null => Yaml::Null,
        Value::Bool(b) => Yaml::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Integer(i),
            None => Yaml::Real(n.to_string()),
        },
        Value::String(s) => Yaml::String(s.clone()),
        Value::Array(items) => Yaml::Array(items.iter().map(yaml).collect()),
        Value::Object(map) => Yaml::Hash(
            map.iter()
                .map(|(k, v)| (Yaml::String(k.clone()), yaml(v)))
                .collect(),
        ),
    }
}

/// The result of the task named `task` on `host` in a
/// [`Fleet::playbook_json`] report (its last run, if several plays ran
/// it); panics, with the report, if it did not run there.
pub(crate) fn task_result<'a>(report: &'a Value, task: &str, host: &str) -> &'a Value {
    report["plays"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|play| play["tasks"].as_array().into_iter().flatten())
        .filter(|t| t["task"]["name"] == task)
        .filter_map(|t| t["hosts"].get(host))
        .next_back()
        .unwrap_or_else(|| panic!("no task {task:?} ran on {host}: {report:#}"))
}

/// One of the [`SLOTS`] fleets that may be alive at once: an exclusive
/// lock on `target/podman/fleet-slot-N` while it lives.
struct Slot(std::fs::File);

impl Slot {
    /// Takes the first free slot, waiting (and saying so once) while
    /// other fleets hold them all.
    fn take() -> Slot {
        let dir = podman::state_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let mut said = false;
        loop {
            for n in 0..SLOTS {
                let file = std::fs::File::create(dir.join(format!("fleet-slot-{n}"))).unwrap();
                match file.try_lock() {
                    Ok(()) => return Slot(file),
                    Err(std::fs::TryLockError::WouldBlock) => {}
                    Err(std::fs::TryLockError::Error(e)) => panic!("cannot lock a fleet slot: {e}"),
                }
            }
            if !said {
                eprintln!("fleet: waiting for one of the {SLOTS} fleet slots other tests hold");
                said = true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Removes, once per process, the nodes of test processes that were killed
/// before their fleets were dropped (the pid in the name runs no more):
/// with vfs each holds a whole copy of the image.
fn remove_orphans() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let listed = ok(podman().args([
            "ps",
            "--all",
            "--filter",
            "name=^gov-node-",
            "--format",
            "{{.Names}}",
        ]));
        let orphans: Vec<String> = stdout(&listed)
            .lines()
            .filter(|name| {
                let pid = name
                    .strip_prefix("gov-node-")
                    .and_then(|n| n.split('-').next());
                pid.and_then(|pid| pid.parse::<u32>().ok())
                    .is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
            })
            .map(str::to_string)
            .collect();
        if !orphans.is_empty() {
            let _ = podman()
                .args(["rm", "--force", "--ignore", "--time", "0"])
                .args(&orphans)
                .output();
        }
    });
}

#[test]
fn a_fleet_of_podman_nodes_answers_ansible() {
    let env = TestEnv::new();
    let mut fleet = Fleet::start("answers", 4, &env.root.join("fleet"));
    fleet.copy_gov();
    fleet.set_host_var(2, "fleet_note", json!("only node 2"));
    let playbook = fleet.scratch.join("answer.yml");
    std::fs::write(
        &playbook,
        "- hosts: fleet\n\
         \x20 gather_facts: false\n\
         \x20 tasks:\n\
         \x20   - name: ping\n\
         \x20     ansible.builtin.ping:\n\
         \x20   - name: gov version\n\
         \x20     ansible.builtin.command: gov --version\n\
         \x20     register: gov_version\n\
         \x20     changed_when: false\n\
         \x20   - name: uid with become\n\
         \x20     become: true\n\
         \x20     ansible.builtin.command: id -u\n\
         \x20     changed_when: false\n\
         \x20   - name: sudo's user\n\
         \x20     become: true\n\
         \x20     ansible.builtin.command: printenv SUDO_USER\n\
         \x20     changed_when: false\n\
         \x20   - name: note\n\
         \x20     ansible.builtin.debug:\n\
         \x20       msg: \"{{ fleet_note | default('none') }}, {{ greeting }}\"\n",
    )
    .unwrap();

    let (out, report) = fleet.playbook_json(&playbook, json!({"greeting": "hello"}), &[]);
    assert_success(&out);
    let gov_version = format!("gov {}", env!("CARGO_PKG_VERSION"));
    for (i, host) in fleet.nodes.iter().enumerate() {
        let stats = &report["stats"][host];
        assert_eq!(
            (&stats["ok"], &stats["failures"], &stats["unreachable"]),
            (&json!(5), &json!(0), &json!(0)),
            "{host}: {report:#}"
        );
        let result = |task| task_result(&report, task, host);
        assert_eq!(result("ping")["ping"], "pong");
        assert_eq!(result("gov version")["stdout"], gov_version.as_str());
        assert_eq!(result("uid with become")["stdout"], "0");
        // Through sudo, not merely as the root the connection is.
        assert_eq!(result("sudo's user")["stdout"], "root");
        let note = if i == 2 { "only node 2" } else { "none" };
        assert_eq!(result("note")["msg"], format!("{note}, hello").as_str());
    }

    // The same with the default output, on one node (`--limit`).
    let out = fleet.playbook(
        &playbook,
        json!({"greeting": "again"}),
        &["--limit", &fleet.nodes[2]],
    );
    assert_success(&out);
    let said = stdout(&out);
    assert!(said.contains("\"msg\": \"only node 2, again\""), "{said}");
    let recap = &said[said.find("PLAY RECAP").expect("a recap")..];
    assert!(recap.contains(&fleet.nodes[2]), "{said}");
    assert!(!recap.contains(&fleet.nodes[0]), "{said}");

    // Each node has a file system of its own.
    assert_success(&fleet.sh(0, "mkdir -p /opt/gov && touch /opt/gov/mark"));
    assert_success(&fleet.exec(0, &["test", "-e", "/opt/gov/mark"]));
    for i in 1..fleet.nodes.len() {
        assert!(!fleet
            .exec(i, &["test", "-e", "/opt/gov/mark"])
            .status
            .success());
    }
}
