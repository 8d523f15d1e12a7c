#!/usr/bin/env bash
# The file-level check must be able to fail: run it on a library whose
# files call each other in a circle (tests/fixtures/calls-bad: a.c <-> b.c
# by calls, d.c <-> table.c through a table of functions, c.c above both)
# and expect each circle named with the symbols that close it, c.c in
# neither, and exit status 1.
# Usage: check-calls-fails.sh LIBRARY
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(python3 "$here/check-calls.py" "fixture=$1")
rc=$?
fail=0
[ "$rc" -eq 1 ] || { echo "expected exit 1, got $rc"; fail=1; }
for want in \
    'circle among files of fixture/: a.c -(fix_b)-> b.c -(fix_a)-> a.c' \
    'circle among files of fixture/: d.c -(fix_table)-> table.c -(fix_d)-> d.c'; do
	grep -qxF "$want" <<<"$out" || { echo "missing: $want"; fail=1; }
done
[ "$(wc -l <<<"$out")" -eq 2 ] || { echo "expected 2 lines:"; fail=1; }
! grep -q 'c\.c -' <<<"$out" || { echo "c.c is in no circle"; fail=1; }
echo "$out"
exit $fail
