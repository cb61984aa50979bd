#!/usr/bin/env python3
"""Builds this directory, a Go vulnerability database in its v1 layout
(https://go.dev/security/vuln/database), from chosen entries of the
golang/vulndb repository.

    python3 make-db.py VULNDB_GIT_DIR GO-2024-2887 ...

Each entry ID/<id>.json is the repository's data/osv/<id>.json, with the
`modified` and `published` times filled in as the deployed database
(vuln.go.dev) fills them: the repository keeps placeholders
(0001-01-01T00:00:00Z) there, and the times are those of the commits that
last changed and first added the file. Then index/db.json (the newest
`modified`), index/modules.json (per module, its entries' id, modified and
newest fixed version) and index/vulns.json (id, modified, aliases) are
written from the entries, as vulndb's own generator writes them.
"""

import datetime
import json
import os
import subprocess
import sys


def git(gitdir, *args):
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True,
                          capture_output=True, text=True).stdout


def utc(stamp):
    at = datetime.datetime.fromisoformat(stamp.strip())
    return at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def semver_key(v):
    core, _, pre = v.partition("-")
    nums = tuple(int(x) for x in core.split("."))
    ids = tuple((0, int(i), "") if i.isdigit() else (1, 0, i) for i in pre.split(".")) if pre else ()
    return nums + ((1,) if not pre else (0,)), ids


def main():
    gitdir, ids = sys.argv[1], sys.argv[2:]
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "ID"), exist_ok=True)
    os.makedirs(os.path.join(here, "index"), exist_ok=True)
    entries = []
    for id in ids:
        path = f"data/osv/{id}.json"
        entry = json.loads(git(gitdir, "show", f"HEAD:{path}"))
        entry["modified"] = utc(git(gitdir, "log", "-1", "--format=%cI", "HEAD", "--", path))
        added = git(gitdir, "log", "--diff-filter=A", "--format=%cI", "HEAD", "--", path).split()
        entry["published"] = utc(added[-1])
        with open(os.path.join(here, "ID", f"{id}.json"), "w") as f:
            json.dump(entry, f, indent=2)
            f.write("\n")
        entries.append(entry)
    modules = {}
    for e in entries:
        for a in e["affected"]:
            fixed = [ev["fixed"] for r in a.get("ranges", []) for ev in r["events"] if "fixed" in ev]
            vuln = {"id": e["id"], "modified": e["modified"]}
            if fixed:
                vuln["fixed"] = max(fixed, key=semver_key)
            modules.setdefault(a["package"]["name"], []).append(vuln)
    index = {
        "db.json": {"modified": max(e["modified"] for e in entries)},
        "modules.json": [{"path": p, "vulns": v} for p, v in sorted(modules.items())],
        "vulns.json": [{"id": e["id"], "modified": e["modified"], "aliases": e.get("aliases", [])}
                       for e in entries],
    }
    for name, value in index.items():
        with open(os.path.join(here, "index", name), "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
