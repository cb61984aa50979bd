//! The `--json` reports and dry runs of the commands that change a store
//! (`install`, `global`, `rollback`, `uninstall`): what configuration tools
//! such as the Ansible module read. `changed` is true exactly when the
//! command changed something, or in a dry run would; a dry run changes
//! nothing.

use serde_json::Value;

use crate::common::mirror::Mirror;
use crate::common::*;

fn json(m: &Mirror, args: &[&str]) -> Value {
    let out = m.gov(args);
    assert_success(&out);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("gov {args:?} printed no JSON ({e}):\n{}", stdout(&out)))
}

fn installed(m: &Mirror) -> Vec<String> {
    let list = json(m, &["list", "--json"]);
    let mut versions: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap().to_string())
        .collect();
    versions.sort();
    versions
}

fn global(m: &Mirror) -> Value {
    json(m, &["global", "--json"])["global"].clone()
}

#[test]
fn install_says_whether_it_changed_anything_and_a_dry_run_changes_nothing() {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    assert_eq!(global(&m), Value::Null);

    let plan = json(&m, &["install", "--dry-run", "--json", "1.22"]);
    assert_eq!(plan["changed"], true);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["global"], "1.22.4", "it would be the first default");
    assert_eq!(plan["releases"][0]["version"], "1.22.4");
    assert_eq!(plan["releases"][0]["action"], "would-install");
    assert_eq!(plan["releases"][0]["platform"], "linux-amd64");
    assert_eq!(m.server.hits("go1.22.4.linux-amd64.tar.gz"), 0);
    assert!(installed(&m).is_empty());

    let done = json(&m, &["install", "--json", "1.22"]);
    assert_eq!(done["changed"], true);
    assert_eq!(done["releases"][0]["action"], "installed");
    assert!(done["releases"][0]["seconds"].as_f64().is_some());
    assert!(done["releases"][0]["root"]
        .as_str()
        .unwrap()
        .ends_with("versions/1.22.4"));
    assert_eq!(done["global"], "1.22.4", "the first release is the default");
    assert!(done["seconds"].as_f64().is_some());

    let again = json(&m, &["install", "--json", "1.22"]);
    assert_eq!(again["changed"], false);
    assert_eq!(again["releases"][0]["action"], "already-installed");
    assert_eq!(again["global"], Value::Null);
    let plan = json(&m, &["install", "--dry-run", "--json", "1.22", "1.21"]);
    let actions: Vec<&str> = plan["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["already-installed", "would-install"]);
    assert_eq!(
        (&plan["changed"], &plan["global"]),
        (&Value::Bool(true), &Value::Null)
    );
    let plan = json(&m, &["install", "--dry-run", "--json", "1.22"]);
    assert_eq!(plan["changed"], false, "nothing to do: {plan}");
    assert_eq!(installed(&m), ["1.22.4"]);
}

#[test]
fn global_and_rollback_say_before_and_after_and_change_nothing_in_a_dry_run() {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    assert_success(&m.gov(&["install", "1.22", "1.21"]));
    assert_eq!(global(&m), "1.22.4");

    let plan = json(&m, &["global", "--dry-run", "--json", "1.21"]);
    assert_eq!(
        (&plan["changed"], &plan["before"], &plan["after"]),
        (
            &Value::Bool(true),
            &Value::from("1.22.4"),
            &Value::from("1.21.5")
        )
    );
    assert_eq!(global(&m), "1.22.4");
    let set = json(&m, &["global", "--json", "1.21"]);
    assert_eq!(
        (&set["changed"], &set["dry_run"]),
        (&Value::Bool(true), &Value::Bool(false))
    );
    assert_eq!(global(&m), "1.21.5");
    let again = json(&m, &["global", "--json", "1.21.5"]);
    assert_eq!(again["changed"], false);
    let history = json(&m, &["history", "--json"]);
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");

    let plan = json(&m, &["rollback", "--dry-run", "--json"]);
    assert_eq!(
        (&plan["changed"], &plan["before"], &plan["after"]),
        (
            &Value::Bool(true),
            &Value::from("1.21.5"),
            &Value::from("1.22.4")
        )
    );
    assert_eq!(plan["undone"]["command"], "gov global 1.21");
    assert_eq!(global(&m), "1.21.5");
    let back = json(&m, &["rollback", "--json"]);
    assert_eq!(
        (&back["changed"], &back["after"]),
        (&Value::Bool(true), &Value::from("1.22.4"))
    );
    assert_eq!(global(&m), "1.22.4");
}

#[test]
fn uninstall_with_missing_ok_is_idempotent_and_a_dry_run_removes_nothing() {
    let m = Mirror::new(&["1.21.5", "1.22.4"]);
    assert_success(&m.gov(&["install", "1.22", "1.21"]));

    let plan = json(&m, &["uninstall", "--dry-run", "--json", "1.22"]);
    assert_eq!(plan["changed"], true);
    assert_eq!(plan["removed"][0]["version"], "1.22.4");
    assert_eq!(plan["global_unset"], true);
    assert_eq!(installed(&m), ["1.21.5", "1.22.4"]);

    let done = json(&m, &["uninstall", "--json", "1.22"]);
    assert_eq!(
        (&done["changed"], &done["global_unset"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    assert_eq!(installed(&m), ["1.21.5"]);

    // Absent already: an error without --missing-ok, nothing with it.
    let out = m.gov(&["uninstall", "1.22"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot uninstall Go 1.22: it is not installed"));
    let again = json(&m, &["uninstall", "--missing-ok", "--json", "1.22"]);
    assert_eq!(again["changed"], false);
    assert_eq!(again["removed"], Value::Array(vec![]));
    assert_eq!(installed(&m), ["1.21.5"]);
}
