#!/usr/bin/env bash
# check-banned.sh must be able to fail: tests/fixtures/banned-bad calls
# strcpy and sprintf (and snprintf, which is fine).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$(bash "$here/check-banned.sh" "$here/../fixtures/banned-bad")
rc=$?
echo "$out"
[ "$rc" -eq 1 ] || { echo "expected exit 1, got $rc"; exit 1; }
grep -q '^export/bad.c:8:.*strcpy' <<<"$out" &&
    grep -q '^export/bad.c:9:.*sprintf' <<<"$out" &&
    [ "$(wc -l <<<"$out")" -eq 2 ] || { echo "expected lines 8 and 9 only"; exit 1; }
