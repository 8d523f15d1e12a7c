#!/usr/bin/env bash
# The benchmark ceremony (bench/ceremony.yaml) done the stock way, as
# bench/README.md describes it: pkcs11-tool makes
# the root key in the token, openssl with the libp11 pkcs11 engine signs,
# shell heredocs and base64 write the manifests.  Written for the
# benchmark; it is the route anchorage replaces, not a recommended one.
#
#   stock-ceremony.sh MODULE TOKEN-LABEL PINFILE OUTDIR
#
# OUTDIR must not exist.  It receives the same files as anchorage's outbox
# (root, issuing CA, bundle, Secret, ConfigMap, trust-manager Bundle,
# Issuer, Helm values, SHA256SUMS); the issuing-CA key is only in the
# Secret, as with anchorage.
#
# What the stock route cannot do as anchorage does (see bench/README.md):
# pkcs11-tool 0.23 reads a PIN only from --pin (argv, visible in ps) or
# from a terminal; it cannot make a sign-only key (DECRYPT and UNWRAP stay
# true); nothing lints the certificates before signing; files are
# overwritten silently and not synced.
set -euo pipefail

if [ $# -ne 4 ]; then
	echo "usage: stock-ceremony.sh MODULE TOKEN-LABEL PINFILE OUTDIR" >&2
	exit 2
fi
module=$1 token=$2 pinfile=$3 out=$4

# Without it the engine loads every p11-kit module through
# p11-kit-proxy.so: slower, and a token label could clash across modules.
export PKCS11_MODULE_PATH=$module

work=$(mktemp -d "${TMPDIR:-/tmp}/anc-stock.XXXXXX")
trap 'rm -rf "$work"' EXIT
umask 077
mkdir "$out" "$out/manifests"

cat >"$work/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical, CA:TRUE, pathlen:1
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_issuing]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

label=m8-root-2026
key="pkcs11:token=$token;object=$label;type=private"

# 1. The root key, in the token.  pkcs11-tool takes the PIN on its
# command line: there is no file or descriptor option.
id=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
read -r pin <"$pinfile"
pkcs11-tool --module "$module" --token-label "$token" --login --pin "$pin" \
    --keypairgen --key-type EC:prime256v1 --label "$label" --id "$id" \
    --usage-sign >/dev/null
pin=

# 2. The root certificate, self-signed in the token (87600h = 3650 days).
openssl req -new -x509 -engine pkcs11 -keyform engine -key "$key" \
    -passin "file:$pinfile" -config "$work/openssl.cnf" -extensions v3_root \
    -subj "/CN=root.monoskope.cluster.local" -days 3650 -sha256 \
    -out "$out/root-2026.pem"

# 3. The issuing CA: software key and CSR, signed by the root in the token
# (43800h = 1825 days; openssl 3 draws a random serial).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/issuing.key" -config "$work/openssl.cnf" \
    -subj "/O=Monoskope/CN=m8-issuing-ca-2026" -out "$work/issuing.csr"
openssl x509 -req -in "$work/issuing.csr" -engine pkcs11 -CAkeyform engine \
    -CA "$out/root-2026.pem" -CAkey "$key" -passin "file:$pinfile" \
    -extfile "$work/openssl.cnf" -extensions v3_issuing -days 1825 -sha256 \
    -out "$out/issuing-2026.pem"

# 4. Check both signatures before anything leaves, as anchorage does.
openssl verify -x509_strict -check_ss_sig -CAfile "$out/root-2026.pem" \
    "$out/root-2026.pem" "$out/issuing-2026.pem" >/dev/null

# 5. The trust bundle, and the provenance the manifests carry.
cat "$out/root-2026.pem" >"$out/trust-bundle.pem"
fingerprint() {
	local line
	line=$(openssl x509 -in "$1" -noout -fingerprint -sha256)
	line=${line#*=}
	line=${line//:/}
	echo "${line,,}"
}
root_fp=$(fingerprint "$out/root-2026.pem")
issuing_fp=$(fingerprint "$out/issuing-2026.pem")

# 6. Manifests, by heredoc: nothing checks that tls.crt is a whole chain.
tls_crt=$(cat "$out/issuing-2026.pem" "$out/root-2026.pem" | base64 -w0)
tls_key=$(base64 -w0 "$work/issuing.key")
ca_crt=$(base64 -w0 "$out/root-2026.pem")
cat >"$out/manifests/secret-m8-trust-anchor.yaml" <<EOF
---
apiVersion: "v1"
kind: "Secret"
metadata:
  name: "m8-trust-anchor"
  namespace: "monoskope"
  labels:
    app.kubernetes.io/name: "m8-trust-anchor"
    app.kubernetes.io/instance: "monoskope-bench-2026"
    app.kubernetes.io/component: "issuing-ca"
    app.kubernetes.io/managed-by: "shell"
  annotations:
    example.org/issuing-ca-sha256: "$issuing_fp"
    example.org/root-sha256: "$root_fp"
type: "kubernetes.io/tls"
data:
  tls.crt: "$tls_crt"
  tls.key: "$tls_key"
  ca.crt: "$ca_crt"
EOF
tls_key=

cat >"$out/manifests/configmap-m8-trust-bundle.yaml" <<EOF
---
apiVersion: "v1"
kind: "ConfigMap"
metadata:
  name: "m8-trust-bundle-source"
  namespace: "cert-manager"
  labels:
    app.kubernetes.io/name: "m8-trust-bundle-source"
    app.kubernetes.io/instance: "monoskope-bench-2026"
    app.kubernetes.io/component: "trust-bundle"
    app.kubernetes.io/managed-by: "shell"
  annotations:
    example.org/anchors: "$root_fp"
data:
  trust-bundle.pem: |
$(sed 's/^/    /' "$out/trust-bundle.pem")
EOF

cat >"$out/manifests/bundle-m8-trust-bundle.yaml" <<EOF
---
apiVersion: "trust.cert-manager.io/v1alpha1"
kind: "Bundle"
metadata:
  name: "m8-trust-bundle"
  labels:
    app.kubernetes.io/name: "m8-trust-bundle"
    app.kubernetes.io/instance: "monoskope-bench-2026"
    app.kubernetes.io/component: "trust-bundle"
    app.kubernetes.io/managed-by: "shell"
spec:
  sources:
  - configMap:
      name: "m8-trust-bundle-source"
      key: "trust-bundle.pem"
  target:
    configMap:
      key: "trust-bundle.pem"
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: "monoskope"
EOF

cat >"$out/manifests/issuer-m8-root-ca-issuer.yaml" <<EOF
---
apiVersion: "cert-manager.io/v1"
kind: "Issuer"
metadata:
  name: "m8-root-ca-issuer"
  namespace: "monoskope"
  labels:
    app.kubernetes.io/name: "m8-root-ca-issuer"
    app.kubernetes.io/instance: "monoskope-bench-2026"
    app.kubernetes.io/component: "issuer"
    app.kubernetes.io/managed-by: "shell"
spec:
  ca:
    secretName: "m8-trust-anchor"
EOF

cat >"$out/helm-values-m8-root-ca-issuer.yaml" <<EOF
---
pki:
  enabled: true
  issuer:
    name: "m8-root-ca-issuer"
    ca:
      enabled: true
      existingTrustAnchorSecretName: "m8-trust-anchor"
EOF

# 7. The list of every file, as anchorage's SHA256SUMS.
(cd "$out" && sha256sum -- *.pem *.yaml manifests/*.yaml >SHA256SUMS)
