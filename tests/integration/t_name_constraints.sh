#!/usr/bin/env bash
# Name constraints and EKU limits on issuing CAs: the issuing CA verifies
# strictly, and leaves made with the exported key by the openssl CLI pass
# `openssl verify` inside the permitted names and fail outside them.  The
# check before the run refuses constraints its proof cannot confirm.
source "$(dirname "$0")/lib.sh"

make_token m8-root
C=$T/c
mkdir -m 700 "$C"
cp "$ANC_SRC"/ceremony/examples/root.yaml "$C/"
anc -q ceremony run "$C/root.yaml" --outbox "$C/root" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "root ceremony"
ROOT=$C/root/root-2026.pem

{ root_script nc-issuing
cat <<'YAML'
steps:
  - issue-intermediate:
      issuer: root-2026
      subject: { CN: m8-issuing-eu-1 }
      name-constraints:
        permitted: { dns: [eu-1.example.com, eu-1.svc.cluster.local], ip: [10.1.0.0/16, "fd00:1::/48"],
                     email: [eu-1.example.com] }
        excluded: { dns: [secret.eu-1.example.com], ip: [10.1.99.0/24] }
      extended-key-usage: [server-auth, client-auth]
      output: issuing-eu-1
  - bundle: { anchors: [root-2026], output: trust-bundle }
  - export-secret: { name: m8-trust-anchor, namespace: monoskope, issuing-ca: issuing-eu-1 }
YAML
} >"$C/nc.yaml"
anc ceremony plan "$C/nc.yaml" >"$T/plan" || fail "plan"
grep -q 'names permitted: DNS:eu-1.example.com DNS:eu-1.svc.cluster.local IP:10.1.0.0/16 IP:fd00:1::/48 email:eu-1.example.com' "$T/plan" ||
    { cat "$T/plan"; fail "plan does not show the permitted names"; }
grep -q 'names excluded: DNS:secret.eu-1.example.com IP:10.1.99.0/24; only for: server-auth, client-auth' "$T/plan" ||
    { cat "$T/plan"; fail "plan does not show the exclusions and EKU"; }
anc -q ceremony run "$C/nc.yaml" --outbox "$C/nc" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "nc ceremony"
ICA=$C/nc/issuing-eu-1.pem

openssl verify -x509_strict -CAfile "$ROOT" "$ICA" >/dev/null || fail "openssl verify -x509_strict issuing CA"
text=$(openssl x509 -in "$ICA" -noout -text)
grep -q 'X509v3 Name Constraints: critical' <<<"$text" || fail "nameConstraints not critical"
for want in 'DNS:eu-1.example.com' 'DNS:eu-1.svc.cluster.local' 'IP:10.1.0.0/255.255.0.0' \
    'IP:FD00:1:0:0:0:0:0:0/FFFF:FFFF:FFFF:0:0:0:0:0' 'email:eu-1.example.com' \
    'DNS:secret.eu-1.example.com' 'IP:10.1.99.0/255.255.255.0'; do
	grep -q "$want" <<<"$text" || { echo "$text"; fail "nameConstraints lack $want"; }
done
grep -A1 'X509v3 Extended Key Usage' <<<"$text" | grep -q 'TLS Web Server Authentication, TLS Web Client Authentication' ||
    fail "EKU limit"
grep -q 'X509v3 Extended Key Usage: critical' <<<"$text" && fail "EKU must not be critical"
pass "issuing CA: strict chain, critical nameConstraints, EKU limit"

/usr/bin/python3 - "$C/nc/manifests/secret-m8-trust-anchor.yaml" "$T" <<'PY' || fail "extracting the Secret"
import base64, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for k in ("tls.crt", "tls.key"):
    open(f"{sys.argv[2]}/{k}", "wb").write(base64.b64decode(doc["data"][k]))
PY
# leaf NAME SAN [EKU]: a leaf signed with the exported tls.key by openssl.
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -subj "/CN=$1" -out "$T/$1.csr" 2>/dev/null
	printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$2" "${3:-serverAuth}" >"$T/$1.ext"
	openssl x509 -req -in "$T/$1.csr" -CA "$T/tls.crt" -CAkey "$T/tls.key" \
	    -CAcreateserial -days 2 -extfile "$T/$1.ext" -out "$T/$1.pem" 2>/dev/null ||
	    fail "signing leaf $1"
}
verify() { openssl verify -CAfile "$ROOT" -untrusted "$ICA" "$T/$1.pem" >"$T/verify.out" 2>&1; }
inside() { leaf "$1" "$2" "${3:-}"; verify "$1" || { cat "$T/verify.out"; fail "leaf $1 ($2) should pass"; }; }
outside() {
	leaf "$1" "$2" "${3:-}"
	verify "$1" && fail "leaf $1 ($2) outside the constraints verified"
	grep -Eq "$4" "$T/verify.out" || { cat "$T/verify.out"; fail "leaf $1: wrong reason"; }
}
inside in-dns "DNS:api.eu-1.example.com,DNS:eu-1.example.com"
inside in-svc "DNS:web.ns.svc.eu-1.svc.cluster.local"
inside in-ip "IP:10.1.2.3,IP:fd00:1::5"
inside in-mail "email:ops@eu-1.example.com"
outside out-dns "DNS:api.eu-2.example.com" "" 'permitted subtree violation'
outside out-mix "DNS:api.eu-1.example.com,DNS:evil.example.org" "" 'permitted subtree violation'
outside out-ip "IP:10.2.0.1" "" 'permitted subtree violation'
outside ex-dns "DNS:db.secret.eu-1.example.com" "" 'excluded subtree violation'
outside ex-ip "IP:10.1.99.7" "" 'excluded subtree violation'
outside out-mail "email:ops@eu-2.example.com" "" 'permitted subtree violation'
# The EKU limit: a code-signing leaf is refused for that purpose.
leaf eku-cs "DNS:a.eu-1.example.com" codeSigning
openssl verify -purpose codesign -CAfile "$ROOT" -untrusted "$ICA" "$T/eku-cs.pem" >/dev/null 2>&1 &&
    fail "a code-signing leaf under a server/client-only CA verified for codesign"
openssl verify -purpose sslserver -CAfile "$ROOT" -untrusted "$ICA" "$T/in-dns.pem" >/dev/null ||
    fail "server leaf for sslserver"
pass "leaves: inside pass openssl verify, outside and excluded fail"

# inventory check reports the leaves outside their CA's names.
for l in in-dns in-ip out-dns out-mix ex-ip; do cat "$T/$l.pem" "$ICA"; done >"$T/stream.pem"
anc --json inventory check --anchors "$ROOT" - <"$T/stream.pem" >"$T/inv.json" ||
    { cat "$T/inv.json"; fail "inventory check"; }
/usr/bin/python3 - "$T/inv.json" <<'PY' || fail "inventory statuses"
import json, sys
doc = json.load(open(sys.argv[1]))
leaves = [r for r in doc["certificates"] if "m8-issuing" not in r["subject"]]
assert doc["summary"]["outside-constraints"] == 3, doc["summary"]
got = {r["subject"]: (r["status"], r["detail"]) for r in leaves}
want = {"CN=in-dns": "ok", "CN=in-ip": "ok", "CN=out-dns": "outside-constraints",
        "CN=out-mix": "outside-constraints", "CN=ex-ip": "outside-constraints"}
for k, v in want.items():
    assert got[k][0] == v, (k, got[k])
assert "permitted subtree violation" in got["CN=out-dns"][1], got["CN=out-dns"]
assert "excluded subtree violation" in got["CN=ex-ip"][1], got["CN=ex-ip"]
PY
pass "inventory check: leaves outside the CA's names are outside-constraints"

anc outbox verify "$C/nc" >/dev/null || fail "outbox verify"

# Refused while the script is read: exit 2, file, line and field.
bad() {
	local want=$1 yaml=$2
	sed "s#^      name-constraints:.*#      name-constraints: $yaml#; /^        permitted:/d; /^                     email:/d; /^        excluded:/d" \
	    "$C/nc.yaml" >"$C/bad.yaml"
	expect_exit 2 anc ceremony check "$C/bad.yaml"
	expect_msg "$want"
}
bad 'bad.yaml:13: steps\[1\]\.issue-intermediate\.name-constraints\.permitted\.ip\[1\]: host bits are set' \
    '{ permitted: { ip: [10.1.2.3/16] } }'
bad 'bad.yaml:13: steps\[1\]\.issue-intermediate\.name-constraints\.permitted\.dns\[1\]: expected a lowercase DNS name' \
    '{ permitted: { dns: ["*.example.com"] } }'
bad 'bad.yaml:13: steps\[1\]\.issue-intermediate\.name-constraints\.permitted\.dns\[2\]: "a.example" is already item 1' \
    '{ permitted: { dns: [a.example, a.example] } }'
bad 'bad.yaml:13: steps\[1\]\.issue-intermediate\.name-constraints: permitted DNS name a.b.example is within excluded b.example' \
    '{ permitted: { dns: [a.b.example] }, excluded: { dns: [b.example] } }'
bad 'bad.yaml:13: steps\[1\]\.issue-intermediate\.name-constraints\.permitted\.dns\[1\]: names under the reserved top-level domain "invalid"' \
    '{ permitted: { dns: [x.invalid] } }'
bad 'bad.yaml:13: steps\[1\]\.issue-intermediate\.name-constraints\.permitted: expected at least one of dns, ip, email' \
    '{ permitted: {} }'
bad 'name-constraints\.permitted\.ip\[1\]: expected a prefix length from 1 to 32' \
    '{ permitted: { ip: [0.0.0.0/0] } }'
pass "bad constraints refused with file, line and field"
