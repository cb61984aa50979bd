#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: gov_rollback
author: gov contributors (@gov-sh)
extends_documentation_fragment: gov.toolchains.gov
short_description: The global default back to what gov history says it was before
description:
  - Runs C(gov rollback --json) - the global default goes back to the release it had before
    its latest change, and the rollback is recorded in C(gov history).
  - With C(release), only where the global default is that release (or of that series)
    and its newest change in C(gov history) set it (and was no rollback) - so that running
    it again, or on nodes a rollout never reached, changes nothing. Give the exact release
    a rollout brought (C(1.22.12)) when the nodes it did not reach may run another patch of
    its series.
  - Check mode is C(gov rollback --dry-run).
options:
  release:
    description: Roll back only nodes whose global default is this release or series
      (C(1.22.12), C(1.22)) - the release a rollout brought.
    type: str
"""

EXAMPLES = r"""
- name: Back from Go 1.22 wherever a rollout put it
  gov.toolchains.gov_rollback:
    release: "1.22"
"""

RETURN = r"""
report:
  description: gov rollback's C(--json) report (before, after, the change undone), or
    C(null) when there was nothing to roll back.
  type: dict
  returned: always
gov_facts:
  description: As M(gov.toolchains.gov_release) returns them, after the task.
  type: dict
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.gov.toolchains.plugins.module_utils.gov import (
    COMMON_ARGS,
    Gov,
    diff,
    matches,
)


def main():
    spec = dict(release=dict(type="str"))
    spec.update(COMMON_ARGS)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    gov = Gov(module)
    before = gov.facts()
    if p["release"]:
        why = not_ours(gov, p["release"], before["global_default"])
        if why:
            module.exit_json(changed=False, report=None, gov_facts=before, msg=why)
    args = ["rollback", "--json"] + (["--dry-run"] if module.check_mode else [])
    _, report, _ = gov.run(args)
    report = report or {}
    if module.check_mode:
        after = dict(before, global_default=report.get("after"))
    else:
        after = gov.facts()
    result = dict(changed=bool(report.get("changed")), report=report, gov_facts=after)
    if module._diff:
        result["diff"] = diff(before, after)
    module.exit_json(**result)


def not_ours(gov, release, default):
    """Why the default is not `release` as a change brought it (None when
    it is): rolling back would undo something else."""
    if not (default and matches(release, default)):
        return "the global default is %s, not Go %s: nothing to roll back" % (
            default or "unset",
            release,
        )
    _, history, _ = gov.run(["history", "--json"])
    last = (history or [None])[0]
    if not last or last.get("after") != default:
        return "gov history does not say what set Go %s: nothing rolled back" % default
    if last.get("command") == "gov rollback":
        return "Go %s is the default after a rollback already: nothing to roll back" % default
    return None


if __name__ == "__main__":
    main()
