#!/usr/bin/env bash
# status over real ceremony outboxes with a fixed clock (--at): an anchor
# and issuing CA outside the buffer, inside it, and expired; exit status 4
# exactly when action is due; the token's keys matched without a PIN.
source "$(dirname "$0")/lib.sh"

make_token m8-root
C=$T/ceremonies
mkdir -m 700 "$C"
cp "$ANC_SRC"/ceremony/examples/*.yaml "$C/"
run() {
	anc -q ceremony run "$C/$1" --outbox "$C/$2" \
	    --pin-source "file:$T/pin-m8-root" --yes >/dev/null ||
	    fail "ceremony $1"
}
run root.yaml root
run issuing-ca.yaml issuing
ROOT=$C/root/root-2026.pem
ICA=$C/issuing/issuing-2026.pem

# RFC 3339 of a certificate's notAfter, shifted by a number of days.
after() {
	date -u -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2) $2 days" \
	    +%Y-%m-%dT%H:%M:%SZ
}
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64; }
# field FP KEY: a field of the item with that fingerprint in status.json.
field() {
	/usr/bin/python3 - "$T/stdout" "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(*[i[sys.argv[3]] for i in s["items"] if i["sha256"] == sys.argv[2]])
PY
}
st() { anc --json status --outbox "$C/root" --outbox "$C/issuing" "$@"; }

# Today: ten years left on the root, five on the issuing CA.
expect_exit 0 st
[ "$(field "$(fp "$ROOT")" phase)" = "in use" ] || fail "root phase"
[ "$(field "$(fp "$ROOT")" level)" = fine ] || fail "root level"
[ "$(field "$(fp "$ICA")" kind)" = "issuing CA" ] || fail "issuing CA kind"
/usr/bin/python3 - "$T/stdout" <<'PY' || fail "status document"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["phase"] == "steady" and s["action_due"] is False and s["warn_days"] == 30, s
assert s["bundle"].endswith("issuing/manifests/configmap-m8-trust-bundle.yaml"), s
PY
pass "today: nothing due (exit 0)"

# Ten days before the issuing CA's notAfter: inside the 30-day buffer.
at=$(after "$ICA" -10)
expect_exit 4 st --at "$at"
[ "$(field "$(fp "$ICA")" level)" = soon ] || fail "issuing CA inside the buffer"
[ "$(field "$(fp "$ICA")" days_left)" = 10 ] || fail "days left: $(field "$(fp "$ICA")" days_left)"
[ "$(field "$(fp "$ROOT")" level)" = fine ] || fail "root still outside the buffer"
expect_exit 0 st --at "$at" --warn-days 7
pass "inside the buffer: exit 4; a shorter --warn-days: exit 0"

# Past the root's notAfter: both expired, and the text says so.
expect_exit 4 anc status --outbox "$C/root" --outbox "$C/issuing" --at "$(after "$ROOT" 1)"
grep -q '^anchor      in use .* -1 ' "$T/stdout" || { cat "$T/stdout"; fail "expired root line"; }
grep -q 'ERROR: EXPIRED 1 day(s) ago: certificates that chain only to it no longer verify' \
    "$T/stdout" || fail "expired advice"
grep -q '^ACTION DUE' "$T/stdout" || fail "ACTION DUE line"
pass "expired: exit 4 with the advice"

# The token's public keys, read without a PIN, name the root's key.
expect_exit 0 st --token "pkcs11:token=m8-root"
[ "$(field "$(fp "$ROOT")" key)" = m8-root-2026 ] || fail "key label"
pass "--token: the root's key found without a PIN"

# --bundle names the bundle in use; a root outside it is not in use.
expect_exit 0 anc --json status --outbox "$C/root" --bundle "$C/issuing/trust-bundle.pem"
[ "$(field "$(fp "$ROOT")" in_bundle)" = True ] || fail "in_bundle"

expect_exit 2 anc status
expect_msg 'expected at least one --outbox DIR or --bundle FILE'
expect_exit 2 anc status --outbox "$C/root" --warn-days -3
expect_msg -- '--warn-days -3: expected a number of days'
expect_exit 2 anc status --outbox "$C/root" --at 2026-13-01T00:00:00Z
expect_msg -- '--at 2026-13-01T00:00:00Z: expected a UTC time'
expect_exit 2 anc status --bundle "$ICA"
expect_msg 'certificate 1 is not a self-signed CA'
rm "$C/issuing/SHA256SUMS"
expect_exit 1 anc status --outbox "$C/issuing"
expect_msg 'status needs outboxes that verify'
anc status --help | grep -q 'usage: .* status \[--outbox DIR\]' || fail "--help"
pass "usage and input errors"
