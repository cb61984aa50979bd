#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: gov_release
short_description: A Go release installed (or not) with gov, and the global default
description:
  - Installs a Go release with C(gov install) (downloaded from go.dev or a
    mirror, checked against its sha256) or removes it with C(gov uninstall),
    and can make it the global default with C(gov global), in the user's
    store or the system store.
  - Changed only when gov changed something (gov's C(--json) reports say so).
    Check mode asks gov with C(--dry-run); diff mode shows the global
    default and the installed releases before and after.
  - Returns C(gov list --json) and C(gov current --json) as C(gov_facts).
options:
  version:
    description: What to install or remove, as gov takes it (C(1.22.12), C(1.22), C(latest)).
      Without it (C(locked) or a project), what C(chdir) selects.
    type: str
  state:
    description: C(present) installs it, C(absent) removes it (nothing to do when it is not installed).
    type: str
    choices: [present, absent]
    default: present
  global:
    description: Make the release the global default (C(gov global)).
    type: bool
    default: false
  link:
    description: With C(global), also keep this path (such as C(/usr/local/go)) a link to the
      release's Go root, swapped atomically (C(gov global --link)).
    type: path
  locked:
    description: Install exactly what C(gov.lock) beside the version file in C(chdir) locks,
      or fail (C(gov install --locked)).
    type: bool
    default: false
  chdir:
    description: The directory gov runs in (where a version file or gov.lock is found).
    type: path
  system:
    description: Act on the system store (C(gov --system); GOV_SYSTEM_HOME, default C(/opt/gov)), as its owner.
    type: bool
    default: false
  executable:
    description: The gov binary (default C(gov) on PATH, C(/usr/local/bin), C(~/.local/bin)).
    type: path
  gov_home:
    description: GOV_HOME, the user's store.
    type: path
  system_home:
    description: GOV_SYSTEM_HOME, the system store.
    type: path
  index_url:
    description: GOV_INDEX_URL, the release index of a mirror (such as C(https://mirror/go/index.json)).
    type: str
  download_url:
    description: GOV_DOWNLOAD_URL, where the mirror's archives are.
    type: str
  source:
    description: GOV_SOURCE, C(dl) (go.dev or the mirror) or C(proxy) (Go's module proxy, proved by the checksum database).
    type: str
    choices: [dl, proxy]
  environment:
    description: More variables for gov (GOPROXY, GOSUMDB, GOV_HTTP_TIMEOUT, ...).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Go 1.22 installed and the default
  gov.toolchains.gov_release:
    version: "1.22"
    global: true
    index_url: https://mirror.example.com/go/index.json
    download_url: https://mirror.example.com/go/

- name: Go 1.22 for every user, at the fixed path /usr/local/go
  become: true
  gov.toolchains.gov_release:
    version: "1.22"
    system: true
    global: true
    link: /usr/local/go

- name: No Go 1.19 any more
  gov.toolchains.gov_release:
    version: "1.19"
    state: absent
"""

RETURN = r"""
release:
  description: The exact release installed or removed (C(null) when there was none to remove).
  type: str
  returned: always
gov_facts:
  description: C(gov list --json) as C(installed), C(gov current --json) as C(current), the global default as C(global_default), after the task.
  type: dict
  returned: always
report:
  description: gov's C(--json) reports of what it did (C(install), C(global), C(uninstall)).
  type: dict
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.gov.toolchains.plugins.module_utils.gov import (
    COMMON_ARGS,
    Gov,
    diff,
)


def present(module, gov, before):
    p = module.params
    dry = ["--dry-run"] if module.check_mode else []
    args = ["install", "--json"] + dry
    if p["locked"]:
        args.append("--locked")
    if p["version"]:
        args.append(p["version"])
    _, install, _ = gov.run(args, cwd=p["chdir"])
    report = dict(install=install)
    releases = install.get("releases") or []
    release = releases[0]["version"] if releases else None
    changed = bool(install.get("changed")) or any(
        r["action"] == "would-install" for r in releases
    )
    would = dict(global_default=before["global_default"], adds=[])
    if module.check_mode:
        would["adds"] = [r for r in releases if r["action"] == "would-install"]
    if p["global"] and release:
        if module.check_mode and would["adds"]:
            # Not installed yet: gov cannot plan the switch; it would be one.
            changed = changed or before["global_default"] != release or bool(p["link"])
            would["global_default"] = release
        else:
            args = ["global", "--json"] + dry + [release]
            if p["link"]:
                args += ["--link", p["link"]]
            _, switched, _ = gov.run(args, cwd=p["chdir"])
            report["global"] = switched
            changed = changed or bool(switched.get("changed"))
            would["global_default"] = switched.get("after")
    elif install.get("global"):
        would["global_default"] = install["global"]
    return changed, release, report, would


def absent(module, gov, before):
    p = module.params
    dry = ["--dry-run"] if module.check_mode else []
    _, removed, _ = gov.run(
        ["uninstall", "--missing-ok", "--json"] + dry + [p["version"]], cwd=p["chdir"]
    )
    gone = removed.get("removed") or []
    release = gone[0]["version"] if gone else None
    would = dict(
        global_default=None if removed.get("global_unset") else before["global_default"],
        removes=[r["version"] for r in gone],
    )
    return bool(gone), release, dict(uninstall=removed), would


def main():
    spec = dict(
        version=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        link=dict(type="path"),
        locked=dict(type="bool", default=False),
        chdir=dict(type="path"),
    )
    spec["global"] = dict(type="bool", default=False)
    spec.update(COMMON_ARGS)
    module = AnsibleModule(
        argument_spec=spec,
        supports_check_mode=True,
        required_if=[("state", "absent", ["version"])],
        required_by=dict(link="global"),
    )
    p = module.params
    if p["state"] == "absent" and (p["global"] or p["locked"]):
        module.fail_json(msg="state=absent cannot go with global or locked")
    if p["state"] == "present" and not (p["version"] or p["locked"] or p["chdir"]):
        module.fail_json(
            msg="say which release: version (such as 1.22), or locked/chdir for what a project selects"
        )
    gov = Gov(module)
    before = gov.facts()
    if p["state"] == "present":
        changed, release, report, would = present(module, gov, before)
    else:
        changed, release, report, would = absent(module, gov, before)
    if module.check_mode:
        after = dict(before)
        after["global_default"] = would["global_default"]
        removes = set(would.get("removes", []))
        after["installed"] = [
            r for r in before["installed"] if r["version"] not in removes
        ] + [
            dict(version=r["version"], platform=r["platform"])
            for r in would.get("adds", [])
        ]
    else:
        after = gov.facts() if changed else before
    result = dict(changed=changed, release=release, gov_facts=after, report=report)
    if module._diff:
        result["diff"] = diff(before, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
