#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: gov_release
author: gov contributors (@gov-sh)
extends_documentation_fragment: gov.toolchains.gov
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
    install = install or {}
    report = dict(install=install)
    releases = install.get("releases") or []
    release = releases[0]["version"] if releases else None
    # gov says whether it installed (or, in check mode, would install)
    # anything or made the first default.
    changed = bool(install.get("changed"))
    adds = [r for r in releases if r["action"] == "would-install"]
    would = dict(
        global_default=install.get("global") or before["global_default"], adds=adds
    )
    if p["global"] and release:
        if any(r["version"] == release for r in adds):
            # Not installed yet (check mode): gov cannot plan the switch.
            changed = changed or before["global_default"] != release or bool(p["link"])
            would["global_default"] = release
        else:
            args = ["global", "--json"] + dry + [release]
            if p["link"]:
                args += ["--link", p["link"]]
            _, switched, _ = gov.run(args, cwd=p["chdir"])
            switched = switched or {}
            report["global"] = switched
            changed = changed or bool(switched.get("changed"))
            would["global_default"] = switched.get("after")
    return changed, release, report, would


def absent(module, gov, before):
    p = module.params
    dry = ["--dry-run"] if module.check_mode else []
    _, removed, _ = gov.run(
        ["uninstall", "--missing-ok", "--json"] + dry + [p["version"]], cwd=p["chdir"]
    )
    removed = removed or {}
    gone = removed.get("removed") or []
    release = gone[0]["version"] if gone else None
    would = dict(
        global_default=None if removed.get("global_unset") else before["global_default"],
        removes=[r["version"] for r in gone],
    )
    return bool(removed.get("changed")), release, dict(uninstall=removed), would


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
    )
    p = module.params
    if p["link"] and not p["global"]:
        module.fail_json(msg="link needs global: true (the fixed path follows the global default)")
    if p["state"] == "absent" and (p["global"] or p["locked"]):
        module.fail_json(msg="state=absent cannot go with global or locked")
    if p["state"] == "present" and not (p["version"] or p["locked"] or p["chdir"]):
        module.fail_json(
            msg="say which release: version (such as 1.22), or locked/chdir for what a project selects"
        )
    gov = Gov(module)
    before = gov.facts(p["chdir"])
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
        after = gov.facts(p["chdir"]) if changed else before
    result = dict(changed=changed, release=release, gov_facts=after, report=report)
    if module._diff:
        result["diff"] = diff(before, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
