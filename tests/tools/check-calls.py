#!/usr/bin/env python3
"""Check that the files of each module call each other one way.

Usage: check-calls.py MODULE=OBJECT[,OBJECT...] ...

Each OBJECT is a compiled object file or a static library (whose members
are the object files) of MODULE.  `nm` lists, per object file, the symbols
it defines and the ones it leaves undefined; a file uses another of the
same module when it leaves undefined a symbol the other defines (a call, or
a reference to its data such as a table of descriptors).  Those uses must
form no circle: the files of a module can then be read, and changed, from
the bottom up.  Prints one line per circle, naming its files and the
symbols that close it, and exits 1 if there is any; exits 0 otherwise.

Inline functions and macros in headers are no symbols and are not seen;
they belong to the header, which the include check (check-deps.py) covers.
"""
import os
import subprocess
import sys

from circles import cycles

# nm's letters for symbols an object file defines (text, data, read-only
# data, bss, common, weak).
DEFINED = set("TDRBCVWGS")


def nm(path):
    """{object file name: (defined symbols, undefined symbols)}."""
    out = subprocess.run(["nm", "-A", "-P", path], check=True,
                         capture_output=True, text=True).stdout
    objs = {}
    for line in out.splitlines():
        # "lib.a[member.o]: sym T 0 0", "lib.a:member.o: sym T ...",
        # or "file.o: sym U".
        where, _, rest = line.rpartition(": ")
        fields = rest.split()
        if len(fields) < 2:
            continue
        sym, kind = fields[0], fields[1]
        if where.endswith("]") and "[" in where:
            member = where[where.rindex("[") + 1:-1]
        else:
            member = where.rpartition(":")[2] if where.count(":") else where
        name = os.path.basename(member)
        if name.endswith(".o"):
            name = name[:-2]
        d, u = objs.setdefault(name, (set(), set()))
        if kind == "U":
            u.add(sym)
        elif kind in DEFINED:
            d.add(sym)
    return objs


def shortest_circle(graph, comp):
    """One shortest circle through the first file of a component."""
    start, members = comp[0], set(comp)
    prev, queue = {start: None}, [start]
    for v in queue:
        for w in sorted(graph[v]):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp + [start]


def check(module, paths):
    objs = {}
    for p in paths:
        for name, (d, u) in nm(p).items():
            od, ou = objs.setdefault(name, (set(), set()))
            od |= d
            ou |= u
    # A symbol several files define (weak or common, as sanitizers emit)
    # ties none of them to the others.
    definer, twice = {}, set()
    for name, (d, _) in objs.items():
        for s in d:
            if s in definer:
                twice.add(s)
            definer[s] = name
    for s in twice:
        del definer[s]
    graph = {name: set() for name in objs}
    why = {}
    for name, (_, u) in objs.items():
        for s in sorted(u):
            to = definer.get(s)
            if to is None or to == name:
                continue
            graph[name].add(to)
            why.setdefault((name, to), []).append(s)
    bad = []
    for comp in cycles(graph):
        circle = shortest_circle(graph, comp)
        steps = []
        for a, b in zip(circle, circle[1:]):
            syms = why[(a, b)]
            more = f" +{len(syms) - 1}" if len(syms) > 1 else ""
            steps.append(f"{a} -({syms[0]}{more})-> ")
        line = (f"circle among files of {module}/: "
                + "".join(steps) + circle[-1])
        if len(comp) > len(circle) - 1:
            line += f" (all of: {', '.join(comp)})"
        bad.append(line)
    edges = sum(len(v) for v in graph.values())
    return bad, len(objs), edges


def main():
    if len(sys.argv) < 2 or any("=" not in a for a in sys.argv[1:]):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bad, files, edges = [], 0, 0
    for arg in sys.argv[1:]:
        module, _, paths = arg.partition("=")
        b, f, e = check(module, [p for p in paths.split(",") if p])
        if f == 0:
            print(f"check-calls: no object files for {module}",
                  file=sys.stderr)
            return 2
        bad += b
        files += f
        edges += e
    for b in bad:
        print(b)
    if bad:
        return 1
    print(f"check-calls: {len(sys.argv) - 1} modules, {files} files, "
          f"{edges} uses between files, no circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
