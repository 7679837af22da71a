#!/usr/bin/env python3
"""Adds the lockfile entries npm leaves out when the registry mirror lacks other platforms' builds.

The npm registry reachable from our machines serves only the Linux builds of some native packages
(@swc/core-darwin-*, -win32-* answer 404). npm then omits those optional dependencies from
package-lock.json, and `npm ci` refuses the lockfile ("Missing: … from lock file"). A lockfile made
with the full registry lists them as optional entries that npm skips on other platforms; this script
writes those entries, with the os and cpu npm uses to skip them. Run it after `npm install`.
"""
import json
import re
import sys

PLATFORM = re.compile(r"-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32|ppc64|s390x|riscv64)")

path = sys.argv[1] if len(sys.argv) > 1 else "package-lock.json"
lock = json.load(open(path))
packages = lock["packages"]
added = []
for key, entry in list(packages.items()):
    for name, version in (entry.get("optionalDependencies") or {}).items():
        if f"node_modules/{name}" in packages:
            continue
        match = PLATFORM.search(name)
        if not match:
            continue
        os_name, cpu = match.groups()
        packages[f"node_modules/{name}"] = {"version": version, "cpu": [cpu], "optional": True, "os": [os_name]}
        added.append(f"{name}@{version}")
lock["packages"] = dict(sorted(packages.items(), key=lambda item: (item[0] != "", item[0])))
json.dump(lock, open(path, "w"), indent=2)
open(path, "a").write("\n")
print(f"added {len(added)} optional platform entries" + (": " + ", ".join(added) if added else ""))
