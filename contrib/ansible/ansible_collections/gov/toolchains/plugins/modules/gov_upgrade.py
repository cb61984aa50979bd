#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: gov_upgrade
author: gov contributors (@gov-sh)
extends_documentation_fragment: gov.toolchains.gov
short_description: A checked switch to a newer Go release (gov upgrade)
description:
  - Runs C(gov upgrade --json) on the node, gov's gray switch - install the target beside
    the active release, run the checks under it in C(chdir), and switch only when they all
    pass. A failing check switches nothing (gov leaves the global default and every file
    as they were); the task fails with gov's message and the tail of the check's output.
  - Changed only when gov switched. Check mode is C(gov upgrade --dry-run) (changed when
    it would switch). Returns gov's report, with the time spent (C(report.seconds),
    C(report.install_seconds), C(report.runs[].seconds)).
options:
  version:
    description: The target, as gov takes it (C(1.22), C(1.22.12), C(latest)); default the
      newest patch of the active release's series.
    type: str
  checks:
    description: Shell commands run under the target with C(sh -c) in C(chdir), all of which
      must pass (default in a Go module - C(go build ./... && go test ./...)).
    type: list
    elements: str
    default: []
  no_check:
    description: Run no checks.
    type: bool
    default: false
  global:
    description: Switch the global default, whatever selected the active release (C(--global)).
    type: bool
    default: false
  go_mod:
    description: Also move the nearest go.mod's go line (C(--go-mod)).
    type: bool
    default: false
  chdir:
    description: The project the checks run in (default the remote user's home).
    type: path
"""

EXAMPLES = r"""
- name: Go 1.22 if the service still builds and its smoke test passes
  gov.toolchains.gov_upgrade:
    version: "1.22"
    global: true
    chdir: /srv/app
    checks:
      - go build ./... && go test ./...
      - ./scripts/smoke.sh
"""

RETURN = r"""
report:
  description: gov upgrade's C(--json) report - current, target, checks, outcome
    (C(planned), C(switched), C(failed), C(already)), runs, seconds.
  type: dict
  returned: always
gov_facts:
  description: As M(gov.toolchains.gov_release) returns them, after the task.
  type: dict
  returned: always
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.gov.toolchains.plugins.module_utils.gov import (
    COMMON_ARGS,
    Gov,
    diff,
)


def main():
    spec = dict(
        version=dict(type="str"),
        checks=dict(type="list", elements="str", default=[]),
        no_check=dict(type="bool", default=False),
        go_mod=dict(type="bool", default=False),
        chdir=dict(type="path"),
    )
    spec["global"] = dict(type="bool", default=False)
    spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    if p["no_check"] and p["checks"]:
        module.fail_json(msg="checks and no_check: true cannot go together")
    gov = Gov(module)
    cwd = p["chdir"] or os.path.expanduser("~")
    before = gov.facts(cwd)
    args = ["upgrade", "--json"]
    if p["version"]:
        args.append(p["version"])
    for check in p["checks"]:
        args += ["--check", check]
    for flag in ("no_check", "global", "go_mod"):
        if p[flag]:
            args.append("--" + flag.replace("_", "-"))
    if module.check_mode:
        args.append("--dry-run")
    # A failed check fails the task with gov's message (its report too).
    _, report, _ = gov.run(args, cwd=cwd)
    report = report or {}
    outcome = report.get("outcome")
    if outcome == "switched":
        after = gov.facts(cwd)
    elif outcome == "planned":
        after = predicted(before, report)
    else:
        after = before
    changed = bool(report.get("changed")) or outcome == "planned"
    result = dict(changed=changed, report=report, gov_facts=after)
    if module._diff:
        result["diff"] = diff(before, after)
    module.exit_json(**result)


def predicted(before, report):
    """The facts after the planned upgrade of a dry run."""
    after = dict(before)
    if report.get("install"):
        after["installed"] = before["installed"] + [
            dict(version=report["target"], platform="")
        ]
    if report.get("switch") == "global":
        after["global_default"] = report["target"]
    return after


if __name__ == "__main__":
    main()
