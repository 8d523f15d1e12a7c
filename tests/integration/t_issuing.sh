#!/usr/bin/env bash
# The cert-manager and Vault routes after a root ceremony, checked with
# openssl, certtool and an independent python3 reading of the manifests.
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
run root.yaml root
run issuing-ca.yaml issuing
ROOT=$C/root/root-2026.pem
ICA=$C/issuing/issuing-2026.pem

# The issuing CA chains to the root and has the intermediate profile.
openssl verify -x509_strict -CAfile "$ROOT" "$ICA" >/dev/null || fail "openssl verify issuing CA"
cat "$ICA" "$ROOT" >"$T/chain.pem"
certtool --verify-chain --infile "$T/chain.pem" >"$T/certtool" 2>&1 ||
    { cat "$T/certtool"; fail "certtool --verify-chain"; }
text=$(openssl x509 -in "$ICA" -noout -text)
grep -A1 'Basic Constraints: critical' <<<"$text" | grep -q 'CA:TRUE, pathlen:0' || fail "pathlen 0"
grep -A1 'Key Usage: critical' <<<"$text" | grep -qx ' *Certificate Sign, CRL Sign' || fail "keyUsage"
root_skid=$(openssl x509 -in "$ROOT" -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
ica_akid=$(openssl x509 -in "$ICA" -noout -ext authorityKeyIdentifier | tail -1 | tr -d ' ')
[ "$ica_akid" = "$root_skid" ] || fail "AKID $ica_akid != root SKID $root_skid"
na_root=$(date -d "$(openssl x509 -in "$ROOT" -noout -enddate | cut -d= -f2)" +%s)
na_ica=$(date -d "$(openssl x509 -in "$ICA" -noout -enddate | cut -d= -f2)" +%s)
[ "$na_ica" -le "$na_root" ] || fail "issuing CA outlives the root"
pass "issuing CA profile and chain"

# Manifests, read by python3 + PyYAML + cryptography: cert-manager's rule
# (tls.crt joins into one chain ending at ca.crt), key matches certificate.
/usr/bin/python3 "$ANC_SRC/tests/integration/check_manifests.py" "$C/issuing" ||
    fail "check_manifests.py"
secret=$C/issuing/manifests/secret-m8-trust-anchor.yaml
[ "$(stat -c %a "$secret")" = 600 ] || fail "Secret manifest is not 0600"
/usr/bin/python3 - "$secret" "$T" <<'PY' || fail "extracting the Secret"
import base64, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for k in ("tls.crt", "tls.key", "ca.crt"):
    open(f"{sys.argv[2]}/{k}", "wb").write(base64.b64decode(doc["data"][k]))
PY
cmp <(openssl pkey -in "$T/tls.key" -pubout) <(openssl x509 -in "$T/tls.crt" -noout -pubkey) ||
    fail "tls.key does not match tls.crt"
cmp "$T/ca.crt" "$ROOT" || fail "ca.crt is not the root"
pass "Secret: key matches, ca.crt is the root"

# A leaf signed with the exported issuing key verifies against the
# exported trust bundle (the ConfigMap's), as a workload would check it.
/usr/bin/python3 - "$C/issuing/manifests/configmap-m8-trust-bundle.yaml" "$T/bundle.pem" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
open(sys.argv[2], "w").write(doc["data"]["trust-bundle.pem"])
PY
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/leaf.key" -subj /CN=leaf.monoskope.svc -out "$T/leaf.csr" 2>/dev/null
openssl x509 -req -in "$T/leaf.csr" -CA "$T/tls.crt" -CAkey "$T/tls.key" \
    -CAcreateserial -days 2 -out "$T/leaf.pem" 2>/dev/null || fail "signing a leaf"
openssl verify -x509_strict -CAfile "$T/bundle.pem" -untrusted "$ICA" "$T/leaf.pem" >/dev/null ||
    fail "leaf does not verify against the exported bundle"
pass "leaf from the exported issuing key verifies against the bundle"

anc outbox verify "$C/issuing" >/dev/null || fail "outbox verify issuing"
(cd "$C/issuing" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS"

# Vault route: a CSR as Vault's intermediate/generate/internal makes it.
mkdir -m 700 "$C/vault"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/vault.key" -subj "/CN=m8 Vault intermediate 2026" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:5" \
    -out "$C/vault/pki_int.csr" 2>/dev/null
run vault-intermediate.yaml vault-out
VCHAIN=$C/vault-out/vault-chain.pem
[ "$(grep -c 'BEGIN CERTIFICATE' "$VCHAIN")" -eq 2 ] || fail "Vault chain holds 2 certificates"
openssl x509 -in "$VCHAIN" -noout -subject | grep -q 'CN = m8 Vault intermediate 2026' ||
    fail "Vault chain does not start with the intermediate"
openssl crl2pkcs7 -nocrl -certfile "$VCHAIN" | openssl pkcs7 -print_certs |
    grep 'subject=' | tail -1 | grep -q 'root.monoskope.cluster.local' ||
    fail "Vault chain does not end with the root"
openssl verify -x509_strict -CAfile "$ROOT" "$C/vault-out/vault-int-2026.pem" >/dev/null ||
    fail "Vault intermediate does not verify"
# Requested extensions are ignored: pathlen 5 asked, 0 given.
openssl x509 -in "$C/vault-out/vault-int-2026.pem" -noout -text |
    grep -A1 'Basic Constraints: critical' | grep -q 'CA:TRUE, pathlen:0' ||
    fail "CSR extensions were not ignored"
cmp <(openssl x509 -in "$C/vault-out/vault-int-2026.pem" -noout -pubkey) \
    <(openssl pkey -in "$T/vault.key" -pubout) || fail "Vault certificate key"
grep -q 'vault write pki_int/intermediate/set-signed certificate=@vault-chain.pem' \
    "$C/vault-out/vault-chain.README.txt" || fail "README lacks the set-signed command"
anc outbox verify "$C/vault-out" >/dev/null || fail "outbox verify vault"
pass "Vault intermediate"
