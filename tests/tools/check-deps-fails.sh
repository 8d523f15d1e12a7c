#!/usr/bin/env bash
# The dependency check must be able to fail: run it on a tree that breaks
# the rule in three ways (tests/fixtures/deps-bad) and expect each one named
# and exit status 1.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(python3 "$here/check-deps.py" "$here/../fixtures/deps-bad")
rc=$?
fail=0
[ "$rc" -eq 1 ] || { echo "expected exit 1, got $rc"; fail=1; }
for want in \
    'export/pem.c: #include "anchorage/rotation.h" runs from export/ up to rotation/' \
    'rotation/gate.c: #include "engine.h" is no header of rotation/' \
    'circle among modules: export -> rotation'; do
	grep -qF "$want" <<<"$out" || { echo "missing: $want"; fail=1; }
done
[ "$(wc -l <<<"$out")" -eq 3 ] || { echo "expected 3 lines:"; fail=1; }
echo "$out"
exit $fail
