#!/usr/bin/python
# -*- coding: utf-8 -*-

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: gov_rollback
short_description: The global default back to what gov history says it was before
description:
  - Runs C(gov rollback --json) - the global default goes back to the release it had before
    its latest change, and the rollback is recorded in C(gov history).
  - With C(release), only where the global default is that release (or of that series),
    so that running it again, or on nodes a rollout never reached, changes nothing.
  - Check mode is C(gov rollback --dry-run).
options:
  release:
    description: Roll back only nodes whose global default is this release or series
      (C(1.22.12), C(1.22)) - the release a rollout brought.
    type: str
notes:
  - Takes the options of M(gov.toolchains.gov_release) that say which gov, store and mirror.
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
    default = before["global_default"]
    if p["release"] and not (default and matches(p["release"], default)):
        module.exit_json(
            changed=False,
            report=None,
            gov_facts=before,
            msg="the global default is %s, not Go %s: nothing to roll back"
            % (default or "unset", p["release"]),
        )
    args = ["rollback", "--json"] + (["--dry-run"] if module.check_mode else [])
    _, report, _ = gov.run(args)
    after = before if module.check_mode else gov.facts()
    if module.check_mode:
        after = dict(before, global_default=report["after"])
    result = dict(changed=True, report=report, gov_facts=after)
    if module._diff:
        result["diff"] = diff(before, after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
