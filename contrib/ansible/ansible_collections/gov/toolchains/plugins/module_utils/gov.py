# -*- coding: utf-8 -*-
# The gov command line as the gov.toolchains modules use it: where gov is,
# the environment it runs with (stores, mirror), its --json reports, its
# errors passed through as the task's message, and the facts every module
# returns (`gov list --json`, `gov current --json`, the global default).

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

# The options every module takes: which gov, which stores, which mirror.
COMMON_ARGS = dict(
    executable=dict(type="path"),
    system=dict(type="bool", default=False),
    gov_home=dict(type="path"),
    system_home=dict(type="path"),
    index_url=dict(type="str"),
    download_url=dict(type="str"),
    source=dict(type="str", choices=["dl", "proxy"]),
    environment=dict(type="dict", default={}),
)

# Module options that become gov's variables.
VARIABLES = dict(
    gov_home="GOV_HOME",
    system_home="GOV_SYSTEM_HOME",
    index_url="GOV_INDEX_URL",
    download_url="GOV_DOWNLOAD_URL",
    source="GOV_SOURCE",
)


class Gov:
    """Runs gov for one module invocation."""

    def __init__(self, module):
        self.module = module
        params = module.params
        self.binary = params["executable"] or module.get_bin_path(
            "gov",
            opt_dirs=["/usr/local/bin", os.path.expanduser("~/.local/bin")],
        )
        if not self.binary:
            module.fail_json(
                msg="gov is not installed on this node (not on PATH, nor in "
                "/usr/local/bin or ~/.local/bin): put it there with the "
                "gov.toolchains.gov role, or set `executable`"
            )
        self.system = params["system"]
        env = {"NO_COLOR": "1"}
        for option, variable in VARIABLES.items():
            if params.get(option):
                env[variable] = str(params[option])
        env.update({k: str(v) for k, v in (params["environment"] or {}).items()})
        self.env = env

    def run(self, args, cwd=None, fail=True):
        """gov ARGS; returns (rc, report, stderr). `report` is its JSON
        output (None when it printed none). A failure fails the task with
        gov's own message unless `fail` is false."""
        argv = [self.binary] + (["--system"] if self.system else []) + list(args)
        rc, out, err = self.module.run_command(
            argv, environ_update=self.env, cwd=cwd
        )
        report = None
        if out.strip():
            try:
                report = json.loads(out)
            except ValueError:
                report = None
        if rc != 0 and fail:
            self.fail(argv, rc, err, report)
        return rc, report, err

    def fail(self, argv, rc, err, report=None):
        self.module.fail_json(
            msg=message(err) or "`%s` failed (exit %d)" % (" ".join(argv), rc),
            rc=rc,
            cmd=argv,
            stderr=err,
            report=report,
        )

    def facts(self, cwd=None):
        """`gov list --json`, `gov current --json` (in `cwd`) and the global
        default; a part gov cannot tell is None (facts never fail a task)."""
        _, installed, _ = self.run(["list", "--json"], fail=False)
        rc, current, _ = self.run(["current", "--json"], cwd=cwd, fail=False)
        _, glob, _ = self.run(["global", "--json"], fail=False)
        return dict(
            installed=installed if isinstance(installed, list) else [],
            current=current if rc == 0 else None,
            global_default=(glob or {}).get("global"),
        )


def message(stderr):
    """gov's error as a task message: from its `error:` line on (with the
    tail of a failed check's output before it, when there is one)."""
    lines = stderr.rstrip().splitlines()
    for i, line in enumerate(lines):
        if line.startswith("--- the last lines of "):
            return "\n".join(lines[i:])
    for i, line in enumerate(lines):
        if line.startswith("error:"):
            return "\n".join(lines[i:])
    return stderr.strip()


def matches(request, version):
    """Whether the exact release `version` is what `request` names in the
    simple forms a playbook gives: the release itself, or its series
    (`1.22` names `1.22.12`)."""
    if request in ("", None):
        return False
    return version == request or version.startswith(request + ".")


def diff(before, after):
    """Ansible's diff of two facts: the global default and the installed
    releases."""

    def text(facts):
        names = sorted(
            "%s (%s)" % (r["version"], r.get("platform", ""))
            for r in facts["installed"]
        )
        return "global: %s\ninstalled:\n%s" % (
            facts["global_default"] or "(none)",
            "".join("  - %s\n" % n for n in names),
        )

    return dict(before=text(before), after=text(after))
