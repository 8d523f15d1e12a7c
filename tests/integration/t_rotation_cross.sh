#!/usr/bin/env bash
# The alternative rotation path: the old root certifies the new root's key
# (rotation-cross-sign.yaml).  A leaf under the new root, presented with the
# cross-certificate, verifies against the old root alone (openssl,
# certtool); the inventory sees it chain to both anchors, so retiring the
# old one does not break it; status lists the cross-certificate.
source "$(dirname "$0")/lib.sh"

make_token m8-root
C=$T/ceremonies
mkdir -m 700 "$C"
copy_examples "$C"
run() {
	anc -q ceremony run "$C/$1" --outbox "$C/$2" \
	    --pin-source "file:$T/pin-m8-root" --yes >/dev/null ||
	    fail "ceremony $1"
}
# Cross-signing needs room for one more CA level under the old root.
sed -i 's/^      path-length: 1$/      path-length: 2/' "$C/root.yaml"
grep -q 'path-length: 2' "$C/root.yaml" || fail "editing root.yaml"
run root.yaml root
run issuing-ca.yaml issuing
run rotation-introduce.yaml introduce
run rotation-switch.yaml switch
run rotation-cross-sign.yaml cross
ROOT26=$C/root/root-2026.pem
ROOT27=$C/introduce/root-2027.pem
X=$C/cross/root-2027-by-2026.pem

# What the cross-certificate is: root-2027's name and key, root-2026's
# signature, a CA with path length 1.
[ "$(openssl x509 -in "$X" -noout -subject)" = "$(openssl x509 -in "$ROOT27" -noout -subject)" ] ||
    fail "cross subject"
[ "$(openssl x509 -in "$X" -noout -issuer | sed 's/^issuer/subject/')" = \
    "$(openssl x509 -in "$ROOT26" -noout -subject)" ] || fail "cross issuer"
cmp <(openssl x509 -in "$X" -noout -pubkey) <(openssl x509 -in "$ROOT27" -noout -pubkey) ||
    fail "cross key"
openssl x509 -in "$X" -noout -text | grep -A1 'Basic Constraints: critical' |
    grep -q 'CA:TRUE, pathlen:1' || fail "cross basicConstraints"
openssl verify -x509_strict -CAfile "$ROOT26" "$X" >/dev/null || fail "cross verifies under root-2026"
pass "cross-certificate profile"

# A leaf issued under the new root, as cert-manager would after the switch.
/usr/bin/python3 - "$C/switch/manifests/secret-m8-trust-anchor.yaml" "$T" <<'PY' || fail "Secret"
import base64, sys, yaml
d = yaml.safe_load(open(sys.argv[1]))["data"]
for k in ("tls.crt", "tls.key"):
    open(f"{sys.argv[2]}/{k}", "wb").write(base64.b64decode(d[k]))
PY
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/leaf.key" -subj /CN=web.monoskope.svc -out "$T/leaf.csr" 2>/dev/null
openssl x509 -req -in "$T/leaf.csr" -CA "$T/tls.crt" -CAkey "$T/tls.key" \
    -CAcreateserial -days 30 -out "$T/leaf.pem" 2>/dev/null || fail "leaf"
openssl x509 -in "$T/tls.crt" >"$T/ica.pem"
cat "$T/ica.pem" "$X" >"$T/untrusted.pem"
cat "$T/leaf.pem" "$T/ica.pem" "$X" >"$T/chain.pem"
openssl verify -x509_strict -CAfile "$ROOT26" -untrusted "$T/untrusted.pem" "$T/leaf.pem" \
    >/dev/null || fail "openssl: new leaf via the cross-certificate to root-2026"
certtool --verify --load-ca-certificate "$ROOT26" --infile "$T/chain.pem" >"$T/ct" 2>&1 ||
    { cat "$T/ct"; fail "certtool: new leaf via the cross-certificate"; }
grep -q 'Chain verification output: Verified' "$T/ct" || fail "certtool output"
# Without the cross-certificate, root-2026 alone does not accept it.
! openssl verify -CAfile "$ROOT26" -untrusted "$T/ica.pem" "$T/leaf.pem" >/dev/null 2>&1 ||
    fail "new leaf verified against root-2026 without the cross-certificate"
pass "new leaf verifies against the old root through the cross-certificate"

# The inventory: with the cross-certificate in its chain, the leaf chains
# to both anchors, so retiring root-2026 does not break it.
expect_exit 0 anc --json inventory check --anchors "$C/introduce/trust-bundle-rotation.pem" \
    --certs "$T/chain.pem"
/usr/bin/python3 - "$T/stdout" <<'PY' || fail "inventory of the cross chain"
import json, sys
r = json.load(open(sys.argv[1]))
c = r["certificates"][0]
assert c["status"] == "ok" and len(c["anchors"]) == 2 and not c["blocks"], c
PY
pass "inventory: the cross chain reaches both anchors"

expect_exit 0 anc --json status --outbox "$C/root" --outbox "$C/issuing" \
    --outbox "$C/introduce" --outbox "$C/switch" --outbox "$C/cross"
/usr/bin/python3 - "$T/stdout" "$(openssl x509 -in "$X" -outform DER | sha256sum | cut -c1-64)" <<'PY' ||
import json, sys
s = json.load(open(sys.argv[1]))
x = [i for i in s["items"] if i["sha256"] == sys.argv[2]][0]
assert x["kind"] == "cross-cert" and x["phase"] == "in use", x
assert s["phase"] == "switched", s
PY
    fail "status lists the cross-certificate"
pass "status: the cross-certificate is listed"
