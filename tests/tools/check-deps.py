#!/usr/bin/env python3
"""Check the include graph of the product modules.

Usage: check-deps.py ROOT

A module is a top-level folder of ROOT with the .c and .h files of one
library (and one public header in MODULE/include/anchorage/).  Each
#include "..." in a module's files must be either a header of that same
module (its own folder or its include/) or the public header of a module
it may depend on (ALLOWED below, which docs/architecture.md shows as a
picture).  The dependencies actually found must form no circle.  Prints
one line per violation and exits 1 if there is any; exits 0 otherwise.
"""
import os
import re
import sys

from circles import cycles

# Who may include whom: appliance -> ceremony -> transcript, rotation ->
# pkcs11, export -> common.
ALLOWED = {
    "appliance": {"ceremony", "transcript", "rotation", "pkcs11", "export",
                  "common"},
    "ceremony": {"transcript", "rotation", "pkcs11", "export", "common"},
    "transcript": {"pkcs11", "export", "common"},
    "rotation": {"pkcs11", "export", "common"},
    "pkcs11": {"common"},
    "export": {"common"},
    "common": set(),
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = sys.argv[1]
    bad = []
    # The rule itself must be a one-way street.
    for c in cycles(ALLOWED):
        bad.append("ALLOWED has a circle: " + " -> ".join(c))
    modules = [m for m in sorted(os.listdir(root))
               if m in ALLOWED and os.path.isdir(os.path.join(root, m))]
    if not modules:
        print(f"check-deps: no modules under {root}", file=sys.stderr)
        return 2
    owner = {}	# "anchorage/x.h" -> module
    for m in modules:
        inc = os.path.join(root, m, "include", "anchorage")
        if os.path.isdir(inc):
            for h in os.listdir(inc):
                if h.endswith(".h"):
                    owner["anchorage/" + h] = m
    found = {m: set() for m in modules}
    for m in modules:
        for dirpath, _, files in os.walk(os.path.join(root, m)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                for inc in INCLUDE.findall(text):
                    if inc in owner:
                        dep = owner[inc]
                    elif (os.path.exists(os.path.join(dirpath, inc)) or
                          os.path.exists(os.path.join(root, m, inc))):
                        continue	# a header of the module itself
                    else:
                        bad.append(f"{rel}: #include \"{inc}\" is no header "
                                   f"of {m}/ nor a public header of a "
                                   f"module; expected {m}/*.h or "
                                   f"anchorage/*.h")
                        continue
                    if dep == m:
                        continue
                    found[m].add(dep)
                    if dep not in ALLOWED[m]:
                        bad.append(f"{rel}: #include \"{inc}\" runs from "
                                   f"{m}/ up to {dep}/; {m}/ may include "
                                   f"only " + (", ".join(
                                       sorted(ALLOWED[m])) or "itself"))
    for c in cycles(found):
        bad.append("circle among modules: " + " -> ".join(c))
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f"check-deps: {len(modules)} modules, "
          f"{sum(len(v) for v in found.values())} dependencies, all one way")
    return 0


if __name__ == "__main__":
    sys.exit(main())
