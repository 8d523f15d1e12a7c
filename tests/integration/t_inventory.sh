#!/usr/bin/env bash
# inventory check over the fixtures of tests/fixtures/mkfixtures-inventory.sh,
# from a directory, a PEM stream on stdin and kubectl's YAML: every entry
# reported with its status and a reason, nothing crashes (only exit 0, 2 or
# 4), and the exit status says whether retiring the old anchor is safe.
source "$(dirname "$0")/lib.sh"

F=$T/fixtures
bash "$ANC_SRC/tests/fixtures/mkfixtures-inventory.sh" "$F" || fail "fixtures"

# status SOURCE: the status the last --json report gives SOURCE.
status_of() {
	/usr/bin/python3 - "$T/stdout" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(*[c["status"] for c in r["certificates"] if c["source"] == sys.argv[2]])
PY
}
want() {
	local got
	got=$(status_of "$1")
	[ "$got" = "$2" ] || fail "$1: $got, expected $2"
}

# The directory: one entry per file.
expect_exit 4 anc --json inventory check --anchors "$F/anchors.pem" --certs "$F/certs"
for e in good:ok old:old-only broken:invalid expired:expired \
    wrong-anchor:untrusted no-intermediate:incomplete bad-base64:garbage \
    not-a-cert:garbage private-key:garbage; do
	want "$F/certs/${e%%:*}.pem:1" "${e#*:}"
done
/usr/bin/python3 - "$T/stdout" <<'PY' || fail "report summary"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
assert (s["total"], s["blocking"], s["garbage"]) == (9, 2, 3), s
assert r["safe"] is False
assert [a["retiring"] for a in r["anchors"]] == [False, True]
d = {c["source"].rsplit("/", 1)[1]: c["detail"] for c in r["certificates"]}
assert d["private-key.pem:1"] == "a PRIVATE KEY where a certificate belongs", d
assert d["not-a-cert.pem:1"] == "a CERTIFICATE REQUEST block, not a certificate", d
assert d["bad-base64.pem:1"] == "invalid base64", d
assert "intermediate missing" in d["no-intermediate.pem:1"], d
assert "expired" in d["expired.pem:1"] and "anchor 1" in d["expired.pem:1"], d
assert "signature failure" in d["broken.pem:1"], d
PY
pass "directory: each fixture reported with its status; not safe (exit 4)"

# Text output: one line per certificate, blocking ones in capitals.
expect_exit 4 anc inventory check --anchors "$F/anchors.pem" --certs "$F/certs"
grep -q "^OLD-ONLY   $F/certs/old.pem:1  CN=old.svc: chains only to retiring anchor 2" \
    "$T/stdout" || fail "old-only line"
grep -q "^INCOMPLETE $F/certs/no-intermediate.pem:1" "$T/stdout" || fail "incomplete line"
grep -q '^retirement is NOT safe: 2 certificate(s)' "$T/stdout" || fail "verdict line"
pass "text report"

# A PEM stream on stdin; -q keeps only what is not ok.
anc -q inventory check --anchors "$F/anchors.pem" - <"$F/stream.pem" \
    >"$T/stdout" 2>"$T/stderr" && fail "stream: expected exit 4" || [ $? -eq 4 ] ||
    fail "stream: expected exit 4"
! grep -q '^ok ' "$T/stdout" || fail "-q printed an ok line"
[ "$(grep -c '^garbage ' "$T/stdout")" -eq 3 ] || fail "stream: 3 garbage entries"
grep -q '^9 certificate(s): 1 ok, 1 old-only, 1 incomplete, 1 expired, 1 untrusted, 1 invalid, 3 garbage, 2 blocking$' \
    "$T/stdout" || { cat "$T/stdout"; fail "stream summary"; }
pass "PEM stream on stdin"

# kubectl get secrets -A -o yaml: tls.crt chains and ca.crt.
expect_exit 4 anc --json inventory check --anchors "$F/anchors.pem" \
    --k8s-secrets "$F/secrets.yaml"
for e in good:ok old:old-only broken:invalid expired:expired \
    wrong-anchor:untrusted no-intermediate:incomplete bad-base64:garbage \
    not-a-cert:garbage private-key:garbage; do
	want "fixtures/${e%%:*} tls.crt" "${e#*:}"
done
want "fixtures/old ca.crt" old-only
want "fixtures/good ca.crt" ok
/usr/bin/python3 - "$T/stdout" <<'PY' || fail "Secrets summary"
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
assert (s["secrets"], s["skipped"], s["blocking"]) == (10, 1, 3), s
PY
# tls.key is never in the report.
! grep -q "$(base64 -w0 <"$F/keys/good.key" | cut -c1-40)" "$T/stdout" ||
    fail "a private key reached the report"
pass "kubectl Secrets: tls.crt and ca.crt, Opaque skipped"

# Without the blocking entries, retiring is safe (exit 0) even with
# garbage, expired, broken and foreign entries around.
mkdir "$T/safe"
cp "$F"/certs/{good,broken,expired,wrong-anchor,bad-base64,not-a-cert,private-key}.pem "$T/safe/"
expect_exit 0 anc inventory check --anchors "$F/anchors.pem" --certs "$T/safe"
grep -q '^retirement is safe' "$T/stdout" || fail "safe verdict"
# Retiring the new anchor instead turns the good leaf into the blocker.
openssl x509 -in "$F/anchors.pem" >"$T/new-root.pem"
expect_exit 4 anc inventory check --anchors "$F/anchors.pem" --retire "$T/new-root.pem" \
    --certs "$F/certs/good.pem"
grep -q '^OLD-ONLY ' "$T/stdout" || fail "--retire the new root"
pass "safe when nothing blocks; --retire chooses the anchors"

# A fixed clock: at a time after the leaves' notAfter, they are expired.
expect_exit 0 anc inventory check --anchors "$F/anchors.pem" --certs "$F/certs/good.pem" \
    --at 2040-01-01T00:00:00Z
grep -q '^expired .*certificate has expired' "$T/stdout" || fail "--at"
pass "--at"

# Usage and input errors: exit 2, with what was expected.
expect_exit 2 anc inventory check --certs "$F/certs"
expect_msg -- '--anchors FILE is required'
expect_exit 2 anc inventory check --anchors "$F/anchors.pem" --certs "$F/certs" \
    --k8s-secrets "$F/secrets.yaml"
expect_msg 'expected exactly one of --certs PATH, --k8s-secrets FILE and -'
expect_exit 2 anc inventory check --anchors "$F/anchors.pem" --certs x --at tomorrow
expect_msg -- '--at tomorrow: expected a UTC time'
expect_exit 2 anc inventory check --anchors "$F/certs/good.pem" --certs "$F/certs"
expect_msg 'certificate 1 is not a self-signed CA'
expect_exit 2 anc inventory check --anchors "$F/anchors.pem" --k8s-secrets "$T/absent.yaml"
expect_msg 'absent.yaml'
# kubectl output cut short: what was read is reported, then the error.
head -c 3000 "$F/secrets.yaml" >"$T/cut.yaml"
printf '\n  - { [\n' >>"$T/cut.yaml"
expect_exit 2 anc --json inventory check --anchors "$F/anchors.pem" --k8s-secrets "$T/cut.yaml"
expect_msg 'cut.yaml:[0-9]+: YAML syntax error'
/usr/bin/python3 - "$T/stdout" <<'PY' || fail "report of an interrupted check"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["safe"] is False and "YAML syntax error" in r["error"], r
PY
pass "usage and input errors (exit 2)"

anc inventory check --help >"$T/stdout" || fail "--help"
grep -q 'usage: .*inventory check --anchors FILE' "$T/stdout" || fail "--help text"
pass "--help"
