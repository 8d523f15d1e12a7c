#!/usr/bin/env bash
# A root's CRL revoking its issuing CA, checked with openssl.
source "$(dirname "$0")/lib.sh"

make_token m8-root
C=$T/c
mkdir -m 700 "$C"
copy_examples "$C"
for s in root:root issuing-ca:issuing-ca revoke-issuing-ca:crl; do
	anc -q ceremony run "$C/${s%%:*}.yaml" --outbox "$C/${s##*:}" \
	    --pin-source "file:$T/pin-m8-root" --yes >/dev/null ||
	    fail "ceremony ${s%%:*}"
done
ROOT=$C/root/root-2026.pem
ICA=$C/issuing-ca/issuing-2026.pem
CRL=$C/crl/root-2026-crl-1.pem

openssl crl -in "$CRL" -noout -CAfile "$ROOT" -verify 2>&1 | grep -q 'verify OK' ||
    fail "CRL signature does not verify with the root"
text=$(openssl crl -in "$CRL" -noout -text)
grep -q 'Version 2' <<<"$text" || fail "CRL is not v2"
grep -q 'Issuer: CN = root.monoskope.cluster.local' <<<"$text" || fail "CRL issuer"
grep -A1 'X509v3 CRL Number' <<<"$text" | grep -q '^ *1$' || fail "CRL number"
grep -q 'X509v3 Authority Key Identifier' <<<"$text" || fail "CRL AKID"
serial=$(openssl x509 -in "$ICA" -noout -serial | cut -d= -f2)
grep -A4 "Serial Number: $serial" <<<"$text" | grep -q 'Cessation Of Operation' ||
    fail "revoked entry or reason missing"
# thisUpdate/nextUpdate: 720h apart and inside the root's validity.
lu=$(date -d "$(openssl crl -in "$CRL" -noout -lastupdate | cut -d= -f2)" +%s)
nu=$(date -d "$(openssl crl -in "$CRL" -noout -nextupdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$ROOT" -noout -enddate | cut -d= -f2)" +%s)
[ $((nu - lu)) -eq $((720 * 3600)) ] || fail "nextUpdate is not 720h after thisUpdate"
[ "$nu" -le "$na" ] || fail "nextUpdate after the root expires"
# A verifier that checks CRLs now refuses the issuing CA.
if openssl verify -crl_check -CRLfile "$CRL" -CAfile "$ROOT" "$ICA" >"$T/v" 2>&1; then
	fail "the revoked issuing CA still verifies with the CRL"
fi
grep -q 'certificate revoked' "$T/v" || { cat "$T/v"; fail "not refused as revoked"; }
openssl verify -CAfile "$ROOT" "$ICA" >/dev/null || fail "without the CRL it verifies"
anc outbox verify "$C/crl" >/dev/null || fail "outbox verify"
pass "CRL revokes the issuing CA"

# A CRL may only revoke what its issuer signed, never the issuer itself.
sed -e 's/certificate: issuing-2026, reason/certificate: other, reason/' \
    -e 's|  - certificate: { name: issuing-2026, file: issuing-ca/issuing-2026.pem }|  - certificate: { name: other, file: root/root-2026.pem }|' \
    -e 's/name: monoskope-root-2026-crl-1/name: bad-crl/' "$C/revoke-issuing-ca.yaml" >"$C/bad.yaml"
expect_exit 4 anc ceremony run "$C/bad.yaml" --outbox "$C/bad" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'is the CRL.s issuer itself'
[ ! -e "$C/bad/root-2026-crl-1.pem" ] || fail "a CRL was written"
pass "CRL refuses to revoke its own issuer"

# The next CRL names the previous one: its number must grow, and what the
# previous one revoked is carried over even though this script revokes
# nothing new.
crl2() {	# crl2 NAME NUMBER
	{ root_script "$1"
	cat <<YAML
  - crl: { name: crl-1, file: crl/root-2026-crl-1.pem }
steps:
  - sign-crl: { issuer: root-2026, previous: crl-1, crl-number: $2, output: crl-next }
YAML
	} >"$C/$1.yaml"
}
crl2 same-number 1
expect_exit 4 anc ceremony run "$C/same-number.yaml" --outbox "$C/same" \
    --pin-source "file:$T/pin-m8-root" --yes
expect_msg 'crl-number 1 must be greater than 1, the number of the previous CRL crl-1'
[ ! -e "$C/same/crl-next.pem" ] || fail "a CRL with a number that does not grow was written"
crl2 next 2
anc -q ceremony run "$C/next.yaml" --outbox "$C/next" \
    --pin-source "file:$T/pin-m8-root" --yes >/dev/null || fail "second CRL"
text=$(openssl crl -in "$C/next/crl-next.pem" -noout -text)
grep -A1 'X509v3 CRL Number' <<<"$text" | grep -q '^ *2$' || fail "second CRL number"
grep -A4 "Serial Number: $serial" <<<"$text" | grep -q 'Cessation Of Operation' ||
    fail "the previous revocation was not carried over"
openssl crl -in "$C/next/crl-next.pem" -noout -CAfile "$ROOT" -verify 2>&1 |
    grep -q 'verify OK' || fail "second CRL signature"
pass "the next CRL grows its number and keeps every revocation"
